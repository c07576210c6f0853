"""One look everywhere: each side has one colour, and every chart comes with a text
alternative (the attachment's description, which screen readers read out)."""

from __future__ import annotations

from bot.charts import COLOURS
from bot.domain.votes import Choice
from bot.sandbox import LocalDiscord
from bot.ui.style import side_colour, side_hex, side_icon
from tests.e2e.conftest import World
from tests.e2e.test_ratings import ask, play
from tests.e2e.test_rounds import thread_messages
from tests.support.harness import BotRunner


def test_a_side_has_one_colour_and_one_icon_in_embeds_buttons_and_charts() -> None:
    assert COLOURS[Choice.FOR] == side_hex("for") != side_hex("against") == COLOURS[Choice.AGAINST]
    assert COLOURS[Choice.UNDECIDED] == side_hex("undecided") == side_hex("either")
    assert side_colour("for").value == int(side_hex("for")[1:], 16)
    assert (side_icon("for"), side_icon("against"), side_icon("either")) == ("🟦", "🟥", "⬜")


async def test_the_verdict_and_rating_charts_carry_their_numbers_in_words(
    local: LocalDiscord, world: World, runner: BotRunner
) -> None:
    audience = [local.add_member(world.guild, f"voter{i}") for i in range(4)]
    thread_id = await play(local, world, runner, audience)
    [result] = [m for m in thread_messages(local, thread_id) if m.attachments]
    assert result.embeds[0]["color"] == side_colour("for").value
    [chart] = result.attachments
    words = chart["description"]
    assert words.startswith("Result chart of debate #1. For wins: ")
    assert "before: For 25% · Against 25% · Undecided 50% (4)" in words
    assert "after: For 50% · Against 25% · Undecided 25% (4)" in words
    assert "4 voted both times: For to Against 0, Against to For 1, Undecided to For 0, " in words
    assert "Undecided to Against 1, stayed 2." in words
    assert len(words) <= 1024

    stats = await ask(local, world, world.alice, "stats", member=world.bob)
    [chart] = stats.attachments
    words = chart["description"]
    assert words.startswith("Chart of the skill of bob over 1 rated debate, from ")
    assert "it went from " in words
    assert "lowest " in words
    assert "highest " in words
    assert len(words) <= 1024
