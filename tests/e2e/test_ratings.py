"""Seasons, leaderboards, stats and histories, end to end: the real bot, the local Discord,
a real database.

Ratings come from debates played through the bot where what is checked is the path from a
result to the boards; boards whose shape matters (empty, one page, ties, a caller far down)
are seeded through the repository.
"""

from __future__ import annotations

import csv
import io
import struct
from datetime import UTC, datetime
from typing import Any

from bot.db import repository as repo
from bot.db.models import RatingRow
from bot.domain.clock import ClockEvent
from bot.domain.debate import Actor, Preference
from bot.domain.ratings import ALL_TIME_SEASON, Rating, Record
from bot.domain.votes import Choice, VotePhase, Voter
from bot.sandbox import LocalDiscord, Member, Message
from tests.e2e.conftest import World
from tests.e2e.test_rounds import (
    MOTION,
    heading,
    lobby_with,
    phase_shows,
    press,
    start,
    thread_messages,
)
from tests.e2e.test_votes import poll_message, vote
from tests.support.harness import BotRunner, eventually

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SEEDED = 500_000
"""User ids of seeded members, who never click anything."""


async def ask(
    local: LocalDiscord, world: World, who: Member, command: str, /, **options: Any
) -> Message:
    """Run ``/command`` in the debates channel; the message the member sees."""
    handle = await local.slash(who, world.channel, command, options=options)
    return await handle.reply()


async def refused(
    local: LocalDiscord, world: World, who: Member, command: str, /, **options: Any
) -> str:
    """Run a command that must be refused; the private answer."""
    answer = await ask(local, world, who, command, **options)
    assert answer.ephemeral, answer.content
    assert answer.visible_to == who.user_id
    return answer.content


async def turn(local: LocalDiscord, who: Member, board: Message, label: str) -> Message:
    """Press Previous or Next; the board as it reads after the edit."""
    handle = await local.click(who, local.message(board.id), board.button(label)["custom_id"])
    response = await handle.response()
    assert response["type"] == 7, response
    return local.message(board.id)


def rows(board: Message) -> list[tuple[str, int]]:
    """The (rank, user id) of each row of a board message."""
    found = []
    for line in board.embeds[0]["description"].split("\n"):
        if line.startswith("`#"):
            rank = line[1:].split("`", 1)[0].strip()
            user = int(line.split("<@", 1)[1].split(">", 1)[0])
            found.append((rank, user))
    return found


def edges(board: Message) -> tuple[bool, bool]:
    """Whether Previous and Next are disabled."""
    return (
        bool(board.button("◀ Previous").get("disabled")),
        bool(board.button("Next ▶").get("disabled")),
    )


async def seed(
    runner: BotRunner, world: World, records: list[Record], season: int = ALL_TIME_SEASON
) -> None:
    """Store members' records on a board of the server, and count its boards' members."""
    assert runner.db is not None
    guild_id = world.guild.id
    async with runner.db.write() as session:
        await repo.save_records(session, guild_id=guild_id, season=season, records=records)
        await repo.recount_boards(session, guild_id=guild_id)


def player(user_id: int, mu: float, games: int = 3, wins: int = 2) -> Record:
    """A seeded debater's record (sigma 2: ordinal ``mu - 6``)."""
    return Record(user_id, Rating(mu, 2.0), games=games, wins=wins, losses=games - wins)


async def play(local: LocalDiscord, world: World, runner: BotRunner, audience: list[Member]) -> int:
    """An Oxford debate in the channel, Bob For against Carol, that For wins; its thread."""
    lobby = await lobby_with(local, world, "oxford", {"for": [world.bob], "against": [world.carol]})
    thread_id, _ = await start(local, world.alice, lobby)
    before = await eventually(lambda: poll_message(local, thread_id, "before the debate"))
    for member, label in zip(audience, ["For", "Against", "Undecided", "Undecided"], strict=True):
        assert "is counted" in await vote(local, member, before, label)
    await press(
        local, world.alice, await phase_shows(local, thread_id, heading("Opening: For")), "Skip"
    )
    current = await phase_shows(local, thread_id, heading("Opening: Against"))
    await press(local, world.alice, current, "End")
    after = await eventually(lambda: poll_message(local, thread_id, "after the debate"))
    for member, label in zip(audience, ["For", "For", "Against", "Undecided"], strict=True):
        assert "is counted" in await vote(local, member, after, label)
    runner.advance(121)
    result = await eventually(
        lambda: next((m for m in thread_messages(local, thread_id) if m.attachments), None)
    )
    assert "For wins" in result.embeds[0]["title"]
    return thread_id


def png_size(local: LocalDiscord, message: Message, filename: str) -> tuple[int, int]:
    (attachment,) = message.attachments
    assert attachment["filename"] == filename
    png = local.world.files[int(attachment["id"])].data
    assert png[:8] == PNG_SIGNATURE
    width, height = struct.unpack(">II", png[16:24])
    return width, height


def csv_of(local: LocalDiscord, message: Message) -> list[dict[str, str]]:
    (attachment,) = message.attachments
    assert attachment["filename"].endswith(".csv")
    text = local.world.files[int(attachment["id"])].data.decode("utf-8")
    return list(csv.DictReader(io.StringIO(text)))


# -- seasons ------------------------------------------------------------------------------------


async def test_moderators_start_and_end_seasons_and_everyone_lists_them(
    local: LocalDiscord, world: World, runner: BotRunner
) -> None:
    nobody = await ask(local, world, world.alice, "season list")
    assert nobody.ephemeral
    assert "no season yet" in nobody.embeds[0]["description"]

    only = "Only members with the **Manage Server** permission or the server's moderator role"
    assert (await refused(local, world, world.alice, "season start", name="Spring")).startswith(
        only
    )

    started = await ask(local, world, world.admin, "season start", name="  Spring   2025 ")
    assert not started.ephemeral
    assert started.content.startswith("Season **Spring 2025** has started")
    assert "still running" in await refused(
        local, world, world.admin, "season start", name="Summer"
    )
    listed = await ask(local, world, world.bob, "season list")
    assert "**Spring 2025**: running since <t:" in listed.embeds[0]["description"]

    assert (await refused(local, world, world.bob, "season end")).startswith(only)
    ended = await ask(local, world, world.admin, "season end")
    assert ended.content.startswith("Season **Spring 2025** is over")
    assert await refused(local, world, world.admin, "season end") == (
        "No season is running in this server."
    )
    assert "another season of this server has it" in await refused(
        local, world, world.admin, "season start", name="spring 2025"
    )
    assert "names the board of every season" in await refused(
        local, world, world.admin, "season start", name="All-Time"
    )

    # The server's moderator role may run seasons too.
    moderators = local.add_role(world.guild, "Moderators")
    mod = local.add_member(world.guild, "mod", roles=[moderators])
    await ask(local, world, world.admin, "settings moderator-role", role=moderators)
    summer = await ask(local, world, mod, "season start", name="Summer")
    assert summer.content.startswith("Season **Summer** has started")
    listed = await ask(local, world, world.bob, "season list")
    lines = listed.embeds[0]["description"].split("\n")
    assert lines[0].startswith("**Summer**: running since")
    assert lines[1].startswith("**Spring 2025**: <t:")

    late = await refused(local, world, world.bob, "leaderboard export", season="Winter")
    assert late.startswith("This server has no season called “Winter”")
    unknown = await refused(local, world, world.bob, "leaderboard show", season="Winter")
    assert unknown == ("This server has no season called “Winter” (seasons: Spring 2025, Summer).")


# -- a debate played through the bot ------------------------------------------------------------


async def test_a_played_debate_shows_on_boards_stats_history_and_export(
    local: LocalDiscord, world: World, runner: BotRunner
) -> None:
    audience = [local.add_member(world.guild, f"voter{i}") for i in range(4)]
    await play(local, world, runner, audience)
    bob, carol = world.bob.user_id, world.carol.user_id

    board = await ask(local, world, world.carol, "leaderboard show")
    assert not board.ephemeral
    embed = board.embeds[0]
    assert embed["title"] == "Rating · All time"
    assert rows(board) == [("#1", bob), ("#2", carol)]
    assert embed["footer"]["text"].startswith("Page 1 of 1 · You (carol): #2 of 2 · ")
    assert edges(board) == (True, True)

    # Voters are on the participation board (two votes each), debaters on every other.
    everyone = await ask(local, world, world.bob, "leaderboard show", metric="participation")
    assert {user for _, user in rows(everyone)} == {bob, carol} | {m.user_id for m in audience}
    rate = await ask(local, world, world.bob, "leaderboard show", metric="win-rate")
    assert rows(rate) == []
    assert "among members with 5 debates or more" in rate.embeds[0]["description"]
    assert "You (bob) are not ranked yet: play 5 rated debates." in rate.embeds[0]["footer"]["text"]

    stats = await ask(local, world, world.alice, "stats", member=world.bob)
    assert not stats.ephemeral
    fields = {f["name"]: f["value"] for f in stats.embeds[0]["fields"]}
    assert fields["Record"] == "1 win · 0 losses · 0 ties\nin 1 rated debate"
    assert fields["Sides"] == "For 1 · Against 0"
    assert "#1 on the rating board" in fields["Rating"]
    assert f"#1 · For · by 25 points: {MOTION}" in fields["Best wins"]
    assert fields["Persuasion"].startswith("+25.0 points per debate")
    assert stats.embeds[0]["image"]["url"] == "attachment://rating.png"
    assert png_size(local, stats, "rating.png") == (800, 400)

    mine = await ask(local, world, world.carol, "stats")
    fields = {f["name"]: f["value"] for f in mine.embeds[0]["fields"]}
    assert fields["Record"] == "0 wins · 1 loss · 0 ties\nin 1 rated debate"
    assert "Best wins" not in fields

    history = await ask(local, world, world.alice, "history", member=world.carol)
    assert not history.ephemeral
    (entry,) = history.embeds[0]["fields"]
    assert entry["name"].startswith("#1 · Against · Lost · rating -")
    assert entry["value"].startswith(MOTION)
    assert "For wins by gaining more of the vote" in entry["value"]
    assert history.buttons() == []

    export = await ask(local, world, world.dave, "leaderboard export")
    assert export.ephemeral
    assert "Nobody's audience votes are in it." in export.content
    table = csv_of(local, export)
    assert [(r["rank"], r["user_id"], r["wins"], r["losses"]) for r in table] == [
        ("1", str(bob), "1", "0"),
        ("2", str(carol), "0", "1"),
    ]
    assert list(table[0]) == [
        "rank",
        "user_id",
        "display_name",
        "value",
        "debates",
        "wins",
        "losses",
        "ties",
        "rating",
        "mu",
        "sigma",
    ]
    # Voters appear on the participation export only as a count, never with their choices.
    votes = csv_of(
        local, await ask(local, world, world.dave, "leaderboard export", metric="participation")
    )
    voters = [r for r in votes if int(r["user_id"]) in {m.user_id for m in audience}]
    assert [(r["value"], r["debates"], r["rating"]) for r in voters] == [("2", "0", "")] * 4


async def test_an_unrated_debate_changes_no_rating(
    local: LocalDiscord, world: World, runner: BotRunner
) -> None:
    lobby = await lobby_with(local, world, "oxford", {"for": [world.bob], "against": [world.carol]})
    assert "Only" in await refused(local, world, world.bob, "debate rated", value=False)
    marked = await ask(local, world, world.alice, "debate rated", value=False)
    assert not marked.ephemeral
    assert marked.content == (
        "Debate #1 is unrated: its result changes none of the debaters' ratings."
    )

    # Played to the end: a result, and no rating.
    thread_id, _ = await start(local, world.alice, lobby)
    assert "only in its lobby, before it starts" in await refused(
        local, world, world.alice, "debate rated", value=True
    )
    audience = [local.add_member(world.guild, f"voter{i}") for i in range(2)]
    before = await eventually(lambda: poll_message(local, thread_id, "before the debate"))
    await vote(local, audience[0], before, "For")
    await vote(local, audience[1], before, "Against")
    await press(
        local, world.alice, await phase_shows(local, thread_id, heading("Opening: For")), "Skip"
    )
    current = await phase_shows(local, thread_id, heading("Opening: Against"))
    await press(local, world.alice, current, "End")
    after = await eventually(lambda: poll_message(local, thread_id, "after the debate"))
    await vote(local, audience[0], after, "For")
    await vote(local, audience[1], after, "For")
    runner.advance(121)
    await eventually(
        lambda: next((m for m in thread_messages(local, thread_id) if m.attachments), None)
    )

    assert await runner.count(RatingRow) == 0
    board = await ask(local, world, world.bob, "leaderboard show")
    assert rows(board) == []
    (entry,) = (await ask(local, world, world.bob, "history")).embeds[0]["fields"]
    assert entry["name"] == "#1 · For · Won · unrated"


# -- the shape of a board -----------------------------------------------------------------------


async def test_an_empty_board_says_how_to_get_on_it(
    local: LocalDiscord, world: World, runner: BotRunner
) -> None:
    board = await ask(local, world, world.alice, "leaderboard show")
    embed = board.embeds[0]
    assert "Nobody is on this board yet" in embed["description"]
    assert embed["footer"]["text"] == (
        "Page 1 of 1 · You (alice) are not ranked yet: play a rated debate."
    )
    assert edges(board) == (True, True)
    export = await ask(local, world, world.alice, "leaderboard export", metric="wins")
    assert csv_of(local, export) == []
    assert "0 members" in export.content
    history = await ask(local, world, world.alice, "history")
    assert (
        history.embeds[0]["description"] == f"<@{world.alice.user_id}> has no decided debate yet."
    )
    stats = await ask(local, world, world.alice, "stats")
    assert "has not played a rated debate yet" in stats.embeds[0]["description"]
    assert stats.attachments == []


async def test_one_page_with_ties(local: LocalDiscord, world: World, runner: BotRunner) -> None:
    alice = world.alice.user_id
    await seed(
        runner,
        world,
        [player(SEEDED + 1, 30), player(SEEDED + 2, 30), player(alice, 28), player(SEEDED + 3, 30)],
    )
    board = await ask(local, world, world.alice, "leaderboard show")
    # Equal values share a rank; the next rank counts everyone above.
    assert rows(board) == [
        ("#1", SEEDED + 3),
        ("#1", SEEDED + 2),
        ("#1", SEEDED + 1),
        ("#4", alice),
    ]
    assert board.embeds[0]["footer"]["text"] == "Page 1 of 1 · You (alice): #4 of 4 · 22.0"
    assert edges(board) == (True, True)
    table = csv_of(local, await ask(local, world, world.alice, "leaderboard export"))
    assert [r["rank"] for r in table] == ["1", "1", "1", "4"]
    assert table[3]["display_name"] == "alice"
    assert table[3]["value"] == "22"


async def test_pages_turn_and_the_caller_is_shown_off_the_page(
    local: LocalDiscord, world: World, runner: BotRunner
) -> None:
    alice, bob = world.alice.user_id, world.bob.user_id
    await seed(runner, world, [player(SEEDED + n, 40 - n) for n in range(11)] + [player(alice, 10)])

    board = await ask(local, world, world.alice, "leaderboard show")
    assert [user for _, user in rows(board)] == [SEEDED + n for n in range(10)]
    assert board.embeds[0]["footer"]["text"] == "Page 1 of 2 · You (alice): #12 of 12 · 4.0"
    assert edges(board) == (True, False)

    # Bob is on no board: the footer says so for whoever turns the page.
    second = await turn(local, world.bob, board, "Next ▶")
    assert rows(second) == [("#11", SEEDED + 10), ("#12", alice)]
    assert second.embeds[0]["footer"]["text"] == (
        "Page 2 of 2 · You (bob) are not ranked yet: play a rated debate."
    )
    assert edges(second) == (False, True)

    # The buttons keep their board in their custom id: they work after a restart, and
    # show the board as it stands when clicked.
    await runner.restart()
    await seed(runner, world, [player(bob, 45)])
    first = await turn(local, world.alice, second, "◀ Previous")
    assert rows(first)[0] == ("#1", bob)
    assert first.embeds[0]["footer"]["text"] == "Page 1 of 2 · You (alice): #13 of 13 · 4.0"

    # A page past the end shows the last page.
    last = await ask(local, world, world.alice, "leaderboard show", page=9)
    assert last.embeds[0]["footer"]["text"].startswith("Page 2 of 2 · ")


async def test_boards_default_to_the_running_season(
    local: LocalDiscord, world: World, runner: BotRunner
) -> None:
    await seed(runner, world, [player(SEEDED + n, 40 - n) for n in range(12)])
    await ask(local, world, world.admin, "season start", name="Spring")
    assert runner.db is not None
    async with runner.db.read() as session:
        (spring,) = await repo.seasons_of(session, guild_id=world.guild.id)
    await seed(runner, world, [player(SEEDED + n, 30 - n) for n in range(11)], season=spring.id)

    board = await ask(local, world, world.alice, "leaderboard show")
    assert board.embeds[0]["title"] == "Rating · Season “Spring”"
    assert rows(board)[0] == ("#1", SEEDED)
    assert board.button("Next ▶")["custom_id"] == f"agora:board:rating:{spring.id}:2"

    everyone = await ask(local, world, world.alice, "leaderboard show", season="all-time")
    assert everyone.embeds[0]["title"] == "Rating · All time"
    assert everyone.button("Next ▶")["custom_id"] == "agora:board:rating:all:2"
    # After the season ends, its board is still there by name, and its old buttons still
    # show the season, not the all-time board the default now is.
    await ask(local, world, world.admin, "season end")
    old = await turn(local, world.alice, board, "Next ▶")
    assert old.embeds[0]["title"] == "Rating · Season “Spring” (ended)"
    assert rows(old) == [("#11", SEEDED + 10)]
    named = await ask(local, world, world.alice, "leaderboard show", season="spring")
    assert rows(named)[0] == ("#1", SEEDED)
    assert (await ask(local, world, world.alice, "leaderboard show")).embeds[0]["title"] == (
        "Rating · All time"
    )


async def quick_debates(runner: BotRunner, world: World, count: int) -> None:
    """``count`` quick debates of Bob (For) against Carol, decided by one voter each, played
    through the bot's services in the other channel."""
    assert runner.bot is not None
    services, guild_id = runner.bot.services, world.guild.id
    moderator = Actor(world.alice.user_id)
    for n in range(count):
        opened = await services.debates.create(
            guild_id=guild_id,
            channel_id=world.other_channel.id,
            creator_id=world.alice.user_id,
            motion=f"This House would hold debate number {n + 1}",
            format_key="quick",
        )
        debate_id = opened.debate.id
        for member, side in ((world.bob, Preference.FOR), (world.carol, Preference.AGAINST)):
            await services.debates.join(
                guild_id=guild_id, debate_id=debate_id, user_id=member.user_id, preference=side
            )
        started = await services.clocks.start(
            guild_id=guild_id, debate_id=debate_id, actor=moderator
        )
        await services.clocks.move(
            guild_id=guild_id,
            debate_id=debate_id,
            event=ClockEvent.END,
            version=started.change.floor.clock.version,
            actor=moderator,
        )
        voter = Voter(world.dave.user_id, False, frozenset(), datetime(2020, 1, 1, tzinfo=UTC))
        choice = Choice.FOR if n % 2 else Choice.AGAINST
        await services.votes.cast(
            guild_id=guild_id, debate_id=debate_id, phase=VotePhase.POST, voter=voter, choice=choice
        )
        await services.votes.close(
            guild_id=guild_id, debate_id=debate_id, phase=VotePhase.POST, actor=moderator
        )
        runner.advance(60)


async def test_a_history_pages_through_every_debate(
    local: LocalDiscord, world: World, runner: BotRunner
) -> None:
    await quick_debates(runner, world, 11)
    history = await ask(local, world, world.alice, "history", member=world.bob)
    names = [f["name"] for f in history.embeds[0]["fields"]]
    assert len(names) == 10
    assert names[0].startswith("#11 · For · Lost · rating -")
    assert names[1].startswith("#10 · For · Won · rating +")
    assert history.embeds[0]["footer"]["text"] == "Page 1"
    assert edges(history) == (True, False)

    older = await turn(local, world.erin, history, "Next ▶")
    (oldest,) = older.embeds[0]["fields"]
    assert oldest["name"].startswith("#1 · For · Lost")
    assert oldest["value"].startswith("This House would hold debate number 1\n")
    assert edges(older) == (False, True)
    back = await turn(local, world.erin, older, "◀ Previous")
    assert len(back.embeds[0]["fields"]) == 10

    stats = await ask(local, world, world.carol, "stats")
    fields = {f["name"]: f["value"] for f in stats.embeds[0]["fields"]}
    assert fields["Record"] == "6 wins · 5 losses · 0 ties\nin 11 rated debates"
    assert len(fields["Best wins"].split("\n")) == 3
    assert png_size(local, stats, "rating.png") == (800, 400)
    rate = await ask(local, world, world.carol, "leaderboard show", metric="win-rate")
    assert rate.embeds[0]["footer"]["text"].endswith("You (carol): #1 of 2 · 55%")


async def test_season_names_are_offered_as_you_type(
    local: LocalDiscord, world: World, runner: BotRunner
) -> None:
    await ask(local, world, world.admin, "season start", name="Spring")
    await ask(local, world, world.admin, "season end")
    await ask(local, world, world.admin, "season start", name="Summer")
    for command in ("leaderboard show", "leaderboard export", "stats"):
        handle = await local.autocomplete(
            world.bob, world.channel, command, {"season": "s"}, "season"
        )
        await handle.response()
        assert handle.choices is not None
        assert [c["value"] for c in handle.choices] == ["Summer", "Spring"]
    handle = await local.autocomplete(world.bob, world.channel, "stats", {"season": ""}, "season")
    await handle.response()
    assert [c["value"] for c in handle.choices or []] == ["Summer", "Spring", "all-time"]
