"""The audience votes before and after, end to end: 30 members, the reveal and its chart."""

from __future__ import annotations

import asyncio
import struct

from sqlmodel import update

from bot.db.models import ResultRow, VoteChangeRow, VoteRow
from bot.sandbox import LocalDiscord, Member, Message
from tests.e2e.conftest import World
from tests.e2e.test_rounds import heading, lobby_with, phase_shows, press, start, thread_messages
from tests.support.harness import BotRunner, eventually


def poll_message(local: LocalDiscord, thread_id: int, words: str) -> Message:
    """The poll message whose text says ``words`` ("before the debate", ...)."""
    found = [m for m in thread_messages(local, thread_id) if f"Vote {words}" in m.content]
    assert found, [m.content for m in thread_messages(local, thread_id)]
    return found[-1]


async def vote(local: LocalDiscord, member: Member, poll: Message, label: str) -> str:
    handle = await local.click(member, local.message(poll.id), poll.button(label)["custom_id"])
    answer = await handle.reply()
    assert answer.ephemeral
    return answer.content


async def shown_result(runner: BotRunner) -> ResultRow:
    """The stored result, once it is recorded as shown (after Discord has taken the post)."""
    for _ in range(50):
        stored: ResultRow = await runner.one(ResultRow)
        if stored.message_id is not None:
            return stored
        await asyncio.sleep(0.1)
    raise AssertionError("the result was never recorded as shown")


async def test_thirty_members_vote_before_and_after_and_see_the_result(
    local: LocalDiscord, world: World, runner: BotRunner
) -> None:
    audience = [local.add_member(world.guild, f"voter{i}") for i in range(30)]
    lobby = await lobby_with(local, world, "oxford", {"for": [world.bob], "against": [world.carol]})
    thread_id, _ = await start(local, world.alice, lobby)
    before = await eventually(lambda: poll_message(local, thread_id, "before the debate"))
    assert "0 voted so far" in before.content

    # Before: 10 For, 12 Against, 8 Undecided, all at once.
    plan = ["For"] * 10 + ["Against"] * 12 + ["Undecided"] * 8
    answers = await asyncio.gather(
        *(vote(local, m, before, label) for m, label in zip(audience, plan, strict=True))
    )
    assert all("is counted" in a for a in answers), answers
    await eventually(lambda: "30 voted so far" in local.message(before.id).content)
    assert "For" not in local.message(before.id).content.split("so far")[0].split("\n")[-1]

    # A debater may not vote in their own debate; a member may change their vote.
    refused = await vote(local, world.bob, before, "For")
    assert refused == "Debaters can't vote in their own debate."
    changed = await vote(local, audience[29], before, "Against")
    assert "**Against**" in changed

    # The first speech ends: the vote before closes and loses its buttons.
    first = await phase_shows(local, thread_id, heading("Opening: For"))
    await press(local, world.alice, first, "Skip")
    await eventually(lambda: "has closed: 30 voted" in local.message(before.id).content)
    assert local.message(before.id).buttons() == []

    # The moderator ends the speeches: the vote after opens in the same message.
    current = await phase_shows(local, thread_id, heading("Opening: Against"))
    await press(local, world.alice, current, "End")
    after = await eventually(lambda: poll_message(local, thread_id, "after the debate"))
    assert "speeches are over" in after.content
    # After: For gains (16 For, 10 Against, 4 Undecided).
    plan = ["For"] * 16 + ["Against"] * 10 + ["Undecided"] * 4
    await asyncio.gather(
        *(vote(local, m, after, label) for m, label in zip(audience, plan, strict=True))
    )

    # The clock closes the vote; the result is revealed with its chart.
    runner.advance(121)
    result = await eventually(
        lambda: next((m for m in thread_messages(local, thread_id) if m.attachments), None)
    )
    embed = result.embeds[0]
    assert "For wins" in embed["title"]
    assert "For 33% → 53%" in embed["description"]
    assert embed["image"]["url"] == "attachment://result.png"
    (attachment,) = result.attachments
    assert attachment["filename"] == "result.png"
    png = local.world.files[int(attachment["id"])].data
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", png[16:24]) == (1200, 675)
    assert "has closed: 30 voted" in local.message(after.id).content

    stored = await shown_result(runner)
    assert (stored.rule, stored.winner) == ("oxford", "for")
    assert stored.tallies["pre"] == [10, 13, 7]
    assert stored.tallies["post"] == [16, 10, 4]
    assert await runner.count(VoteRow) == 60
    assert await runner.count(VoteChangeRow) == 61
    assert stored.message_id == result.id


async def test_a_verdict_stored_but_never_shown_is_shown_after_a_restart(
    local: LocalDiscord, world: World, runner: BotRunner
) -> None:
    lobby = await lobby_with(local, world, "oxford", {"for": [world.bob], "against": [world.carol]})
    thread_id, _ = await start(local, world.alice, lobby)
    before = await eventually(lambda: poll_message(local, thread_id, "before the debate"))
    assert "is counted" in await vote(local, world.dave, before, "Against")
    first = await phase_shows(local, thread_id, heading("Opening: For"))
    await press(local, world.alice, first, "Skip")
    current = await phase_shows(local, thread_id, heading("Opening: Against"))
    await press(local, world.alice, current, "End")
    after = await eventually(lambda: poll_message(local, thread_id, "after the debate"))
    assert "is counted" in await vote(local, world.dave, after, "For")
    runner.advance(121)

    def verdicts() -> list[Message]:
        return [m for m in thread_messages(local, thread_id) if m.attachments]

    await eventually(lambda: verdicts() or None)
    await shown_result(runner)
    # As if the bot had died between storing the result and posting it:
    assert runner.db is not None
    async with runner.db.write() as session:
        await session.exec(update(ResultRow).values(message_id=None))

    await runner.restart()
    await eventually(lambda: len(verdicts()) == 2 or None)
    shown = verdicts()[-1]
    assert "For wins" in shown.embeds[0]["title"]
    assert (await shown_result(runner)).message_id == shown.id
    await runner.restart()  # shown and remembered: nothing is posted again
    await asyncio.sleep(0.5)
    assert len(verdicts()) == 2


async def test_the_servers_voting_rules_refuse_with_a_reason(
    local: LocalDiscord, world: World, runner: BotRunner
) -> None:
    voters = local.add_role(world.guild, "Voters")
    member = local.add_member(world.guild, "newcomer")
    regular = local.add_member(world.guild, "regular", roles=[voters])
    handle = await local.slash(
        world.admin,
        world.channel,
        "settings voting",
        options={"role": voters, "debaters_may_vote": True},
    )
    answer = (await handle.reply()).content
    assert f"Voters need the <@&{voters.id}> role." in answer
    assert "Debaters **may** vote" in answer

    lobby = await lobby_with(local, world, "quick", {"for": [world.bob], "against": [world.carol]})
    thread_id, _ = await start(local, world.alice, lobby)
    before = await eventually(lambda: poll_message(local, thread_id, "before the debate"))
    assert await vote(local, member, before, "For") == (
        f"Voting in this server needs the <@&{voters.id}> role."
    )
    assert "is counted" in await vote(local, regular, before, "Against")
    # Debaters may vote here, so what stops Bob is the role, not his being a debater.
    assert "needs the" in await vote(local, world.bob, before, "For")
    assert await runner.count(VoteRow) == 1

    shown = await local.slash(world.admin, world.channel, "settings show")
    fields = {f["name"]: f["value"] for f in (await shown.reply()).embeds[0]["fields"]}
    assert f"<@&{voters.id}>" in fields["Audience votes"]


async def test_judges_decide_a_lincoln_douglas_debate(
    local: LocalDiscord, world: World, runner: BotRunner
) -> None:
    lobby = await lobby_with(
        local, world, "lincoln-douglas", {"for": [world.bob], "against": [world.carol]}
    )
    for judge in (world.dave, world.erin):
        named = await local.slash(
            world.alice, world.channel, "debate judge", options={"member": judge}
        )
        assert "is a judge of debate" in (await named.reply()).content
    refused = await local.slash(
        world.bob, world.channel, "debate judge", options={"member": world.bob}
    )
    assert "Only" in (await refused.reply()).content

    early = await local.slash(
        world.dave, world.channel, "debate ballot", options={"for_points": 60, "against_points": 40}
    )
    assert "after the speeches" in (await early.reply()).content

    thread_id, _ = await start(local, world.alice, lobby)
    first = await phase_shows(local, thread_id, heading("Affirmative constructive"))
    await press(local, world.alice, first, "End")
    await eventually(lambda: poll_message(local, thread_id, "after the debate"))

    async def ballot(member: Member, for_points: int, against_points: int) -> str:
        handle = await local.slash(
            member,
            local.channel(thread_id),
            "debate ballot",
            options={"for_points": for_points, "against_points": against_points},
        )
        answer = await handle.reply()
        assert answer.ephemeral
        return answer.content

    assert "(For)" in await ballot(world.dave, 60, 40)
    assert "(For)" in await ballot(world.erin, 55, 45)
    assert "Only the judges" in await ballot(world.alice, 0, 100)

    runner.advance(121)
    result = await eventually(
        lambda: next((m for m in thread_messages(local, thread_id) if m.attachments), None)
    )
    assert "For wins" in result.embeds[0]["title"]
    stored = await runner.one(ResultRow)
    assert (stored.rule, stored.winner) == ("judges", "for")
