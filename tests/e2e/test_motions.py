"""The motion bank, end to end: the real bot, the local Discord, a real database."""

from __future__ import annotations

from typing import Any

from bot.db.models import ArticleRow, MotionRow, MotionVoteRow
from bot.sandbox import LocalDiscord, Member, Message
from tests.e2e.conftest import World
from tests.support.harness import BotRunner

ARTICLE = (
    "Cities should close their historic centres to private cars and give the space back to "
    "people on foot and on bicycles. The evidence from Pontevedra, Oslo and Ghent is clear: "
    "traffic deaths fall, air quality improves and shops see more customers, not fewer. "
    "Therefore, every city of more than a hundred thousand people should set a date to make "
    "its centre car-free."
)


async def submit(
    local: LocalDiscord, world: World, member: Member, options: dict[str, Any]
) -> Message:
    reply = await (await local.slash(member, world.channel, "motion submit", options)).reply(
        timeout=10
    )
    assert reply.ephemeral, reply.content
    return reply


async def listed(local: LocalDiscord, world: World, member: Member, page: int = 1) -> Message:
    handle = await local.slash(member, world.channel, "motion list", {"page": page})
    reply = await handle.reply()
    assert reply.ephemeral, reply.content
    return reply


async def approve(local: LocalDiscord, world: World, member: Member, motion_id: int) -> Message:
    handle = await local.slash(member, world.channel, "motion approve", {"id": motion_id})
    return await handle.reply()


async def press(local: LocalDiscord, member: Member, message: Message, custom_id: str) -> Message:
    return await (await local.click(member, message, custom_id)).reply()


async def test_submit_flags_a_near_duplicate_and_refuses_bad_input(
    local: LocalDiscord, world: World, runner: BotRunner
) -> None:
    first = await submit(local, world, world.alice, {"motion": "This House would ban homework"})
    assert first.content == (
        "Motion #1 is in the bank, waiting for a moderator's approval: "
        "“This House would ban homework”"
    )
    assert first.buttons() == []

    copy = await submit(local, world, world.bob, {"motion": "THW ban all homework"})
    lines = copy.content.splitlines()
    assert lines[0].startswith("Motion #2 is in the bank")
    assert "⚠️ It looks like a motion already in the bank:" in lines
    assert "• Similar to #1: “This House would ban homework”" in lines
    assert [b["custom_id"] for b in copy.buttons()] == ["agora:motion:up:1"]
    assert await runner.count(MotionRow) == 2  # a warning, not a refusal

    nothing = await submit(local, world, world.alice, {})
    assert nothing.content.startswith("Give the motion, or an article to take one from: `motion`")
    both = await submit(local, world, world.alice, {"motion": "THW x", "text": ARTICLE})
    assert both.content.startswith("You gave `motion` and `text`: give just one.")
    blank = await submit(local, world, world.alice, {"motion": "   "})
    assert blank.content.startswith("The motion is empty.")
    assert await runner.count(MotionRow) == 2


async def test_list_upvote_once_and_take_it_back(
    local: LocalDiscord, world: World, runner: BotRunner
) -> None:
    await submit(local, world, world.alice, {"motion": "This House would ban homework"})
    await submit(local, world, world.alice, {"motion": "This House would tax sugar"})

    shown = await listed(local, world, world.carol)
    embed = shown.embeds[0]
    assert embed["title"] == "Motion bank"
    assert [f["name"] for f in embed["fields"]] == [
        "#1 · ▲ 0 · ⏳ waiting for a moderator",
        "#2 · ▲ 0 · ⏳ waiting for a moderator",
    ]
    assert embed["footer"]["text"] == "Page 1 of 1 · 2 motions"
    assert [b["label"] for b in shown.buttons()] == ["▲ #1", "▲ #2"]

    up = await press(local, world.carol, shown, "agora:motion:up:2")
    assert up.ephemeral
    assert up.content.startswith("▲ Your upvote for motion #2 counts: it has 1 upvote.")
    await press(local, world.bob, await listed(local, world, world.bob), "agora:motion:up:2")
    back = await press(local, world.carol, shown, "agora:motion:up:2")
    assert back.content.startswith("You took back your upvote for motion #2: it has 1 upvote.")
    again = await press(local, world.carol, shown, "agora:motion:up:2")
    assert "it has 2 upvotes" in again.content
    own = await press(
        local, world.alice, await listed(local, world, world.alice), "agora:motion:up:1"
    )
    assert own.ephemeral
    assert own.content.startswith("Motion #1 is yours")
    assert await runner.count(MotionVoteRow) == 2

    await runner.restart()  # the buttons carry the motion in their id
    after = await listed(local, world, world.dave)
    assert after.embeds[0]["fields"][0]["name"] == "#2 · ▲ 2 · ⏳ waiting for a moderator"
    dave = await press(local, world.dave, after, "agora:motion:up:1")
    assert "it has 1 upvote" in dave.content


async def test_moderators_approve_and_reject(
    local: LocalDiscord, world: World, runner: BotRunner
) -> None:
    await submit(local, world, world.alice, {"motion": "This House would ban homework"})
    await submit(local, world, world.alice, {"motion": "This House would tax sugar"})

    refused = await approve(local, world, world.bob, 1)
    assert refused.ephemeral
    assert refused.content.startswith("Only moderators can approve or reject motions")
    missing = await approve(local, world, world.admin, 99)
    assert missing.ephemeral
    assert missing.content.startswith("There is no motion #99 in this server's bank.")

    approved = await approve(local, world, world.admin, 1)
    assert not approved.ephemeral
    assert approved.content.startswith(
        "✅ Motion #1 is approved and in the bank: “This House would ban homework”"
    )
    up = await press(local, world.carol, approved, approved.buttons()[0]["custom_id"])
    assert "it has 1 upvote" in up.content
    twice = await approve(local, world, world.owner, 1)
    assert twice.ephemeral
    assert twice.content.startswith("Motion #1 is approved, so you can't approve it.")

    handle = await local.slash(
        world.admin, world.channel, "motion reject", {"id": 2, "reason": "  A  duplicate "}
    )
    rejected = await handle.reply()
    assert rejected.ephemeral
    assert rejected.content.startswith(
        "🚫 Motion #2 is rejected and left out of the bank. Reason kept with it: “A duplicate”"
    )
    shown = await listed(local, world, world.carol)
    assert [f["name"] for f in shown.embeds[0]["fields"]] == ["#1 · ▲ 1 · ✅ approved"]
    assert runner.db is not None
    async with runner.db.read() as session:
        stored = await session.get(MotionRow, 2)
    assert stored is not None
    assert (stored.state, stored.reason, stored.reviewed_by) == (
        "rejected",
        "A duplicate",
        world.admin.user_id,
    )


async def test_pages_and_the_cooldown(local: LocalDiscord, world: World, runner: BotRunner) -> None:
    for n in range(7):
        await submit(local, world, world.alice, {"motion": f"THW fund project number {n}"})
        await approve(local, world, world.admin, n + 1)
    assert runner.bot is not None
    assert runner.db is not None
    assert runner.clock is not None
    async with runner.db.write() as session:  # a debate night used motion #1
        await runner.bot.services.motions.mark_debated(session, 1, runner.clock())

    first = await listed(local, world, world.carol)
    assert first.embeds[0]["footer"]["text"] == "Page 1 of 2 · 7 motions"
    assert [b["label"] for b in first.buttons()][-1] == "Next ▶"
    second = await press(local, world.carol, first, "agora:motion:page:2")
    fields = second.embeds[0]["fields"]
    assert [f["name"].split(" · ")[0] for f in fields] == ["#7", "#1"]
    assert fields[1]["name"].startswith("#1 · ▲ 0 · 💤 debated, rests until <t:")
    resting = next(b for b in second.buttons() if b["label"] == "▲ #1")
    assert resting.get("disabled") is True
    assert [b["label"] for b in second.buttons()][-1] == "◀ Previous"

    beyond = await listed(local, world, world.carol, page=3)
    assert beyond.content.startswith("The bank has 2 pages, so there is no page 3.")


async def test_a_motion_from_pasted_text(
    local: LocalDiscord, world: World, runner: BotRunner
) -> None:
    picker = await submit(local, world, world.alice, {"text": ARTICLE})
    assert picker.embeds[0]["footer"]["text"].startswith("For the motion bank")
    select = next(c for c in picker.walk_components() if c["type"] == 3)
    assert len(select["options"]) >= 2
    assert [b["label"] for b in picker.buttons()] == ["Submit this", "Edit", "Cancel"]

    chosen = await local.select(world.alice, picker, select["custom_id"], ["1"])
    updated = await chosen.reply()
    assert updated.embeds[0]["fields"][1]["name"].startswith("✅ 2.")
    done = await press(local, world.alice, updated, updated.button("Submit this")["custom_id"])
    assert done.content.startswith("Motion #1 is in the bank")
    assert done.embeds == []
    row = await runner.one(MotionRow)
    article = await runner.one(ArticleRow)
    assert row.article_id == article.id
    assert "Pontevedra" in article.text

    second = await submit(local, world, world.bob, {"text": ARTICLE})
    edit = await local.click(world.bob, second, second.button("Edit")["custom_id"])
    modal = await edit.response()
    assert modal["type"] == 9
    submitted = await local.submit_modal(
        world.bob, world.channel, modal["data"]["custom_id"], {"motion": "THW pedestrianise Oslo"}
    )
    edited = await submitted.reply()
    assert edited.content.startswith(
        "Motion #2 is in the bank, waiting for a moderator's approval: “THW pedestrianise Oslo”"
    )

    third = await submit(local, world, world.carol, {"text": ARTICLE})
    cancelled = await press(local, world.carol, third, third.button("Cancel")["custom_id"])
    assert cancelled.content == "Cancelled: nothing went to the bank."
    assert await runner.count(MotionRow) == 2


async def test_a_motion_from_an_uploaded_file(
    local: LocalDiscord, world: World, runner: BotRunner
) -> None:
    handle = await local.slash(
        world.alice,
        world.channel,
        "motion submit",
        attachments={"file": ("cars.txt", f"Car-free cities\n\n{ARTICLE}".encode(), "text/plain")},
    )
    picker = await handle.reply(timeout=10)
    assert picker.ephemeral
    assert picker.embeds[0]["title"] == "Car-free cities"
    done = await press(local, world.alice, picker, picker.button("Submit this")["custom_id"])
    assert done.content.startswith("Motion #1 is in the bank")
    assert (await runner.one(ArticleRow)).filename == "cars.txt"
