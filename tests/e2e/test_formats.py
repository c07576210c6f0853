"""A server's debate formats, end to end: the real bot, the local Discord, a real database."""

from __future__ import annotations

from typing import Any

from bot.db.models import FormatRow
from bot.sandbox import LocalDiscord, Member, Message
from tests.e2e.conftest import World
from tests.support.formats import HOUSE_RULES
from tests.support.harness import BotRunner

BROKEN = HOUSE_RULES.replace('speaker = "against"', 'speaker = "moderator"').replace(
    "seconds = 180", "seconds = -5"
)


def toml_file(name: str, text: str | bytes) -> dict[str, tuple[str, bytes, str]]:
    data = text.encode() if isinstance(text, str) else text
    return {"file": (name, data, "application/toml")}


async def add(
    local: LocalDiscord,
    world: World,
    member: Member,
    key: str,
    attachments: dict[str, tuple[str, bytes, str]],
) -> Message:
    handle = await local.slash(member, world.channel, "format add", {"key": key}, attachments)
    reply = await handle.reply(timeout=10)
    assert reply.ephemeral, reply.content
    return reply


async def listed(local: LocalDiscord, world: World, member: Member) -> dict[str, str]:
    """``/format list`` as ``member`` sees it: field heading -> field text."""
    reply = await (await local.slash(member, world.channel, "format list")).reply()
    assert reply.ephemeral
    return {f["name"]: f["value"] for f in reply.embeds[0]["fields"]}


async def test_the_list_shows_the_built_in_formats(
    local: LocalDiscord, world: World, runner: BotRunner
) -> None:
    shown = await listed(local, world, world.alice)
    assert list(shown) == [
        "Lincoln-Douglas (`lincoln-douglas`) · built-in",
        "Oxford (`oxford`) · built-in",
        "Quick (`quick`) · built-in",
    ]
    quick = shown["Quick (`quick`) · built-in"].splitlines()
    assert quick[1] == "👥 1 per side · 🗳️ majority vote after the debate · ⏱️ 8 min in all"
    assert quick[2] == "1. **Round 1: For**: 90 s · For speaks"
    assert len(quick) == 2 + 6
    assert "3 per side" in shown["Oxford (`oxford`) · built-in"].replace("1–3", "3")


async def test_a_format_added_from_a_file_is_listed_and_used(
    local: LocalDiscord, world: World, runner: BotRunner
) -> None:
    reply = await add(
        local, world, world.admin, "house-rules", attachments=toml_file("h.toml", HOUSE_RULES)
    )
    assert reply.content == (
        "Saved format **House rules** (`house-rules`): 3 phases, total 7 min. "
        "Use it with `/debate new format:house-rules`."
    )
    row = await runner.one(FormatRow)
    assert (row.guild_id, row.key, row.created_by) == (
        world.guild.id,
        "house-rules",
        world.admin.user_id,
    )

    shown = await listed(local, world, world.bob)
    assert list(shown)[-1] == "House rules (`house-rules`)"
    lines = shown["House rules (`house-rules`)"].splitlines()
    assert lines[1] == "👥 1–2 per side · 🗳️ majority vote after the debate · ⏱️ 7 min in all"
    assert lines[4] == "3. **Floor**: 3 min · the audience asks questions"

    await runner.restart()
    opened = await local.slash(
        world.alice,
        world.channel,
        "debate new",
        {"motion": "This House would ban homework", "format": "house-rules"},
    )
    lobby = await opened.reply()
    assert not lobby.ephemeral, lobby.content
    assert "House rules" in lobby.embeds[0]["title"]
    assert "0/4 debaters" in lobby.embeds[0]["footer"]["text"]

    again = await add(
        local, world, world.owner, "House-Rules", attachments=toml_file("h.toml", HOUSE_RULES)
    )
    assert again.content.startswith("Replaced format **House rules** (`house-rules`)")
    assert await runner.count(FormatRow) == 1


async def test_bad_files_are_explained_and_store_nothing(
    local: LocalDiscord, world: World, runner: BotRunner
) -> None:
    broken = await add(local, world, world.admin, "broken", attachments=toml_file("b.toml", BROKEN))
    lines = broken.content.splitlines()
    assert lines[0] == "The format 'broken' has 2 problems:"
    assert lines[1].startswith("• line 13: ")
    assert "speaker" in lines[1]
    assert lines[2].startswith("• line 19: ")
    assert "seconds" in lines[2]

    syntax = await add(
        local, world, world.admin, "broken", attachments=toml_file("b.toml", 'name = "x\n')
    )
    assert "• line 1: " in syntax.content

    text = await add(
        local, world, world.admin, "notes", attachments=toml_file("notes.txt", HOUSE_RULES)
    )
    assert "a format is a `.toml` file" in text.content

    latin = await add(
        local, world, world.admin, "latin", attachments=toml_file("l.toml", b'name = "D\xe9bat"\n')
    )
    assert "not UTF-8 text (line 1)" in latin.content

    huge = await add(
        local, world, world.admin, "huge", attachments=toml_file("h.toml", "#" * 20_001)
    )
    assert "at most 20,000 bytes" in huge.content

    clash = await add(
        local, world, world.admin, "Oxford", attachments=toml_file("o.toml", HOUSE_RULES)
    )
    assert "'oxford' is a built-in format" in clash.content
    assert await runner.count(FormatRow) == 0


async def test_members_without_manage_server_are_refused(
    local: LocalDiscord, world: World, runner: BotRunner
) -> None:
    by_file = await add(
        local, world, world.alice, "mine", attachments=toml_file("m.toml", HOUSE_RULES)
    )
    assert by_file.content.startswith(
        "Only members with the **Manage Server** permission can add debate formats."
    )
    by_form = await local.slash(world.alice, world.channel, "format add", {"key": "mine"})
    response = await by_form.response()
    assert response["type"] == 4, "no form for a member who could not submit it"
    assert "Manage Server" in response["data"]["content"]
    assert await runner.count(FormatRow) == 0


def form_field(modal: dict[str, Any]) -> dict[str, Any]:
    first = modal["data"]["components"][0]
    return dict(first.get("component") or first["components"][0])


async def test_a_format_written_in_the_form_is_saved_after_a_restart(
    local: LocalDiscord, world: World, runner: BotRunner
) -> None:
    handle = await local.slash(world.admin, world.channel, "format add", {"key": "lunch"})
    modal = await handle.response()
    assert modal["type"] == 9
    assert modal["data"]["custom_id"] == "agora:format:lunch"
    prefilled = form_field(modal)["value"]
    assert '\nname = "Quick"\n' in prefilled

    await runner.restart()
    lunch = prefilled.replace('name = "Quick"', 'name = "Lunch"')
    submitted = await local.submit_modal(
        world.admin, world.channel, "agora:format:lunch", {"source": lunch}
    )
    reply = await submitted.reply()
    assert reply.ephemeral
    assert reply.content.startswith("Saved format **Lunch** (`lunch`): 6 phases, total 8 min.")
    assert (await runner.one(FormatRow)).source == lunch

    again = await local.slash(world.admin, world.channel, "format add", {"key": "lunch"})
    await again.response()
    wrong = lunch.replace('speaker = "against"', 'speaker = "nobody"', 1)
    line = wrong.splitlines().index('speaker = "nobody"') + 1
    bad = await local.submit_modal(
        world.admin, world.channel, "agora:format:lunch", {"source": wrong}
    )
    answer = await bad.reply()
    assert answer.ephemeral
    assert answer.content.startswith(f"The format 'lunch' has 1 problem:\n• line {line}: ")
    assert "speaker" in answer.content
    assert (await runner.one(FormatRow)).source == lunch
