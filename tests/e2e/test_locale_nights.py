"""The motion bank and debate nights answer each member in their Discord language."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import cast

from bot.i18n import t
from bot.sandbox import LocalDiscord, Member, Message
from tests.conftest import FakeClock
from tests.e2e.conftest import World
from tests.support.harness import BotRunner


async def ask(
    local: LocalDiscord, world: World, member: Member, command: str, **options: object
) -> Message:
    """The member's private answer to a slash command."""
    reply = await (await local.slash(member, world.channel, command, options)).reply(timeout=10)
    assert reply.ephemeral, reply.content
    return reply


async def test_the_motion_bank_answers_in_the_members_language(
    local: LocalDiscord, world: World, runner: BotRunner
) -> None:
    hans = local.add_member(world.guild, "hans", locale="de")
    ada = local.add_member(world.guild, "ada", locale="en-US")

    german = await ask(local, world, hans, "motion submit", motion="THW ban homework")
    english = await ask(local, world, ada, "motion submit", motion="THW tax meat")
    assert german.content == (
        "Thema #1 ist in der Themenbank und wartet darauf, dass die Moderation es annimmt: "
        "“THW ban homework”"
    )
    assert english.content == (
        "Motion #2 is in the bank, waiting for a moderator's approval: “THW tax meat”"
    )

    bank = (await ask(local, world, hans, "motion list")).embeds[0]
    assert bank["title"] == "Themenbank"
    assert bank["fields"][0]["name"].endswith("⏳ wartet auf die Moderation")
    assert bank["footer"]["text"] == "Seite 1 von 1 · 2 Themen"
    assert (await ask(local, world, ada, "motion list")).embeds[0]["title"] == "Motion bank"

    # A refusal of the bank's own rules, in each member's language.
    nothing = await ask(local, world, hans, "motion submit")
    assert nothing.content.startswith("Gib das Thema an oder einen Artikel")
    no_page = await ask(local, world, ada, "motion list", page=3)
    assert no_page.content == (
        "The bank has 1 page, so there is no page 3. Ask for a page from 1 to 1."
    )
    assert (await ask(local, world, hans, "motion list", page=3)).content == t(
        "bank.error.no_such_page_one", "de", page=3
    )


async def test_debate_nights_are_listed_in_the_members_language(
    local: LocalDiscord, world: World, runner: BotRunner
) -> None:
    clock = cast(FakeClock, runner.clock)
    clock.now = max(clock.now, datetime.now(UTC).replace(second=0, microsecond=0))
    hans = local.add_member(world.guild, "hans", locale="de")
    ada = local.add_member(world.guild, "ada", locale="en-US")

    empty = (await ask(local, world, hans, "schedule list")).embeds[0]
    assert (empty["title"], empty["description"]) == (
        "Debattenabende",
        "Noch keine Debattenabende. Erstell einen mit `/schedule create`.",
    )
    night = {"name": "Thursday debates", "weekday": "Thursday", "time": "20:00"}
    created = await local.slash(
        world.admin, world.channel, "schedule create", {**night, "timezone": "Europe/Berlin"}
    )
    assert "Scheduled **Thursday debates**" in (await created.reply()).content

    (german,) = (await ask(local, world, hans, "schedule list")).embeds[0]["fields"]
    (english,) = (await ask(local, world, ada, "schedule list")).embeds[0]["fields"]
    assert german["name"] == english["name"] == "#1 · Thursday debates"
    assert german["value"].startswith("Jeden Donnerstag um 20:00 Europe/Berlin (nächster: Do., ")
    assert "\nErinnerungen 1d,1h · Quorum 2" in german["value"]
    assert english["value"].startswith("Every Thursday at 20:00 Europe/Berlin (next: Thu ")
    assert "\nreminders 1d,1h · quorum 2" in english["value"]

    refused = await local.slash(hans, world.channel, "schedule skip", {"schedule": "Friday"})
    assert (await refused.reply()).content == (
        "Nur Mitglieder mit der Berechtigung **Server verwalten** oder der Moderationsrolle "
        "des Servers können Debattenabende ändern. Frag eine von ihnen."
    )
