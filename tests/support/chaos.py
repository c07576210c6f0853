"""A scripted debate night with the bot killed at a seeded moment, then restarted.

Shared by ``tests/e2e/test_chaos.py`` and ``benchmarks/chaos.py``. One *round* runs one
``python -m bot`` process on a SQLite file and several nights at once, each in its own
channel with its own members: a host opens a lobby, two debaters join, the host presses
Start, the audience votes before, the debaters speak in the thread through four short
phases, the audience votes after, the host closes the vote and the verdict is revealed.

The nights start staggered so that the round's one SIGKILL lands at a different, seeded
moment of each night (``Trial.kill_offset`` seconds after its Start). While the bot is
down every member simply tries again once it is back, the way people press a button
again. When every night is over (or has given up) the round checks, for each night:

- every vote the bot acknowledged ("is counted") is in the database with that choice;
- the debate reached its verdict: a stored result and a revealed verdict message;
- every phase change was announced within ``LATENESS_LIMIT`` s of the deadline it ended
  (the stored deadline, polled from the database; for a deadline that passed while the
  bot was down, of the restarted bot's gateway IDENTIFY);
- no announcement (the start, each phase, each poll, the verdict) was posted twice, and
  none is missing.

Announcements are read from the REST exchanges the local Discord recorded: a phase
message is later edited to "over", so its text at creation is what counts.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import re
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlmodel import select

from bot.db.database import Database
from bot.db.models import ClockRow, ResultRow, VoteRow
from bot.sandbox import Channel, Guild, InteractionRejected, LocalDiscord, Member, Message
from tests.support.harness import BotProcess

PHASE_SECONDS = 2
PHASES = ("Opening: For", "Opening: Against", "Closing: For", "Closing: Against")
SPEAKERS = ("for", "against", "for", "against")
FORMAT_KEY = "chaos"
CHAOS_FORMAT = (
    'name = "Chaos night"\n'
    'description = "Four short speeches, a vote before and after."\n'
    'vote = "oxford"\n'
    "debaters_per_side = { min = 1, max = 1 }\n"
    + "".join(
        f'\n[[phase]]\nname = "{name}"\nspeaker = "{speaker}"\nseconds = {PHASE_SECONDS}\n'
        for name, speaker in zip(PHASES, SPEAKERS, strict=True)
    )
)
NIGHT_SECONDS = 12.0
"""About how long a night lasts from Start to the verdict; the kill lands within it."""
LATENESS_LIMIT = 1.0
"""The most a phase change may come after its deadline (or after the restart)."""
GIVE_UP_SECONDS = 40.0
"""A night not over this long after the restart is stuck."""
ANSWER_SECONDS = 3.0
"""How long a member waits for the bot's answer before pressing again."""
CHOICES = ("For", "Against", "Undecided")
_HEADING = re.compile(r"\*\*(\d+)/(\d+) · ")
_OVER = "the speeches are over"


class BotDown(Exception):
    """The bot did not answer: it is down, or it died before answering."""


@dataclass
class Uptime:
    """Whether the bot is up, and when it last came back."""

    up: asyncio.Event = field(default_factory=asyncio.Event)
    killed_at: float | None = None
    ready_at: float | None = None
    """Wall time of the restarted bot's IDENTIFY."""


@dataclass
class Trial:
    """One night of a round and what it saw."""

    number: int
    kill_offset: float
    """Seconds from the night's Start to the kill."""
    channel: Channel
    host: Member
    debaters: tuple[Member, Member]
    audience: list[Member]
    lobby: Message | None = None
    thread_id: int | None = None
    debate_id: int | None = None
    started_at: float | None = None
    acked: dict[tuple[str, int], str] = field(default_factory=dict)
    """(phase, user id) -> the choice the bot said is counted."""
    over: bool = False
    failure: str | None = None


@dataclass
class Outcome:
    """What the checks found for one night."""

    trial: int
    kill_offset: float
    acked_votes: int
    lost_votes: list[tuple[str, int]]
    stuck: str | None
    lateness: list[float]
    duplicates: list[str]
    missing: list[str]


@dataclass
class Totals:
    """The checks over every night of a run."""

    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def trials(self) -> int:
        """Nights played."""
        return len(self.outcomes)

    @property
    def acked_votes(self) -> int:
        """Votes the bot acknowledged."""
        return sum(o.acked_votes for o in self.outcomes)

    @property
    def lost_votes(self) -> int:
        """Acknowledged votes not in the database as acknowledged."""
        return sum(len(o.lost_votes) for o in self.outcomes)

    @property
    def stuck_debates(self) -> int:
        """Nights that never reached a revealed verdict."""
        return sum(o.stuck is not None for o in self.outcomes)

    @property
    def max_resume_lateness_s(self) -> float:
        """The latest phase change, in seconds after its deadline (or the restart)."""
        return max((x for o in self.outcomes for x in o.lateness), default=0.0)

    @property
    def duplicate_announcements(self) -> int:
        """Announcements posted more than once."""
        return sum(len(o.duplicates) for o in self.outcomes)

    @property
    def missing_announcements(self) -> int:
        """Announcements never posted."""
        return sum(len(o.missing) for o in self.outcomes)

    def problems(self) -> list[str]:
        """Every failed check, one line each (empty when all passed)."""
        lines = []
        for o in self.outcomes:
            where = f"night {o.trial} (killed {o.kill_offset:.2f} s after Start)"
            if o.lost_votes:
                lines.append(f"{where}: acknowledged votes lost: {o.lost_votes}")
            if o.stuck:
                lines.append(f"{where}: stuck: {o.stuck}")
            late = [round(x, 3) for x in o.lateness if x >= LATENESS_LIMIT]
            if late:
                lines.append(f"{where}: phase changes late by {late} s")
            if o.duplicates:
                lines.append(f"{where}: announced twice: {o.duplicates}")
            if o.missing:
                lines.append(f"{where}: never announced: {o.missing}")
        return lines


class Chaos:
    """Rounds of nights against one ``python -m bot`` on one SQLite file."""

    def __init__(self, local: LocalDiscord, guild: Guild, host: Member, workdir: Path) -> None:
        self.local = local
        self.guild = guild
        self.admin = host
        self.url = f"sqlite+aiosqlite:///{workdir / 'chaos.db'}"
        self.bot = BotProcess(local, database_url=self.url, dev_guild_id=guild.id)
        self.uptime = Uptime()
        self._format_added = False
        self._trials = 0
        self._deadlines: dict[tuple[int, int], datetime] = {}

    async def run(self, trials: int, *, per_round: int, seed: int) -> Totals:
        """Play ``trials`` nights, ``per_round`` at a time, each round with one kill."""
        rng = random.Random(seed)
        totals = Totals()
        try:
            while totals.trials < trials:
                count = min(per_round, trials - totals.trials)
                totals.outcomes.extend(await self.round(count, random.Random(rng.getrandbits(64))))
        finally:
            if self.bot.process is not None:
                await self.bot.stop()
        return totals

    async def round(self, count: int, rng: random.Random) -> list[Outcome]:
        """One bot process, ``count`` nights, one SIGKILL, one restart."""
        await self._start_bot()
        if not self._format_added:
            await self._add_format()
        nights = [self._trial(rng) for _ in range(count)]
        await asyncio.gather(*(self._open_lobby(t) for t in nights))
        polling = asyncio.create_task(self._poll_deadlines())
        began = time.monotonic()
        kill_at = began + NIGHT_SECONDS
        plays = [
            asyncio.create_task(self._play(t, kill_at - t.kill_offset, rng.random()))
            for t in nights
        ]
        try:
            await asyncio.sleep(max(0.0, kill_at - time.monotonic()))
            await self._kill()
            await asyncio.sleep(rng.uniform(0.0, 1.0))  # the service manager takes a moment
            await self._start_bot()
            await asyncio.gather(*plays)
            # Let the last announcements and polled deadlines settle before reading them.
            await asyncio.sleep(0.3)
        finally:
            for play in plays:
                play.cancel()
            polling.cancel()
            await asyncio.gather(*plays, polling, return_exceptions=True)
        outcomes = [await self._check(t) for t in nights]
        await self.bot.stop()
        self.uptime.up.clear()
        return outcomes

    # -- the bot's life -------------------------------------------------------------------

    async def _start_bot(self) -> None:
        await self.bot.start()
        self.uptime.ready_at = time.time()
        self.uptime.up.set()

    async def _kill(self) -> None:
        assert self.bot.process is not None
        self.uptime.up.clear()
        self.bot.process.kill()  # SIGKILL: no shutdown, no last flush
        await self.bot.process.wait()
        self.bot.process = None
        self.uptime.killed_at = time.time()

    async def _add_format(self) -> None:
        channel = self.local.add_channel(self.guild, "formats")
        attachments = {"file": ("chaos.toml", CHAOS_FORMAT.encode(), "application/toml")}
        await self.local.wait_for_commands(self.guild.id, timeout=30)
        handle = await self.local.slash(
            self.admin, channel, "format add", {"key": FORMAT_KEY}, attachments
        )
        reply = await handle.reply(timeout=15)
        assert "chaos" in reply.content.lower(), reply.content
        self._format_added = True

    # -- one night ------------------------------------------------------------------------

    def _trial(self, rng: random.Random) -> Trial:
        self._trials += 1
        n = self._trials
        local, guild = self.local, self.guild
        return Trial(
            number=n,
            kill_offset=rng.uniform(0.0, NIGHT_SECONDS),
            channel=local.add_channel(guild, f"night-{n}"),
            host=local.add_member(guild, f"host{n}"),
            debaters=(local.add_member(guild, f"pro{n}"), local.add_member(guild, f"con{n}")),
            audience=[local.add_member(guild, f"aud{n}-{i}") for i in range(6)],
        )

    async def _open_lobby(self, trial: Trial) -> None:
        """Before the night: the lobby and its two debaters (the bot is up)."""
        local = self.local
        handle = await local.slash(
            trial.host,
            trial.channel,
            "debate new",
            {"motion": f"This House would test night {trial.number}", "format": FORMAT_KEY},
        )
        lobby = await handle.reply(timeout=10)
        for member, label in zip(trial.debaters, ("Join For", "Join Against"), strict=True):
            click = await local.click(
                member, local.message(lobby.id), lobby.button(label)["custom_id"]
            )
            await click.reply(timeout=10)
        trial.lobby = lobby

    async def _play(self, trial: Trial, at: float, jitter: float) -> None:
        """The night from Start to the verdict, pressing again whenever the bot is down."""
        await asyncio.sleep(max(0.0, at - time.monotonic()))
        trial.started_at = time.time()
        try:
            await self._start_debate(trial)
            await self._vote(trial, "before the debate", "pre", jitter)
            speaking = asyncio.create_task(self._speak(trial))
            try:
                poll = await self._wait(
                    lambda: self._poll(trial, "after the debate"), "the vote after"
                )
                await self._vote(trial, "after the debate", "post", jitter, poll)
                await self._close(trial, poll)
                await self._wait(lambda: self._verdict(trial), "the verdict")
            finally:
                speaking.cancel()
            trial.over = True
        except TimeoutError as error:
            trial.failure = str(error) or "gave up waiting"

    async def _press(
        self, member: Member, message: Message, label: str
    ) -> dict[str, Any] | InteractionRejected:
        """Press a button and wait for the answer; ``BotDown`` if none comes."""
        local = self.local
        await asyncio.wait_for(self.uptime.up.wait(), GIVE_UP_SECONDS)
        current = local.message(message.id)
        custom_id = current.button(label)["custom_id"]  # LookupError once it is gone
        try:
            handle = await local.click(member, current, custom_id)
        except RuntimeError as error:  # no gateway session: the bot is down
            raise BotDown() from error
        try:
            return await handle.response(timeout=ANSWER_SECONDS)
        except InteractionRejected as rejected:
            return rejected
        except (TimeoutError, AssertionError) as error:
            raise BotDown() from error

    async def _retrying(self, act: Callable[[], Awaitable[bool]], what: str) -> None:
        """Do ``act`` until it says it is done, waiting for the bot between tries."""
        deadline = time.monotonic() + GIVE_UP_SECONDS
        while time.monotonic() < deadline:
            try:
                if await act():
                    return
            except BotDown:
                pass
            except LookupError:  # the button is gone: the message moved on
                return
            await asyncio.sleep(0.1)
        raise TimeoutError(f"{what} never got through")

    async def _start_debate(self, trial: Trial) -> None:
        assert trial.lobby is not None
        lobby = trial.lobby

        async def press_start() -> bool:
            if self._thread(trial) is not None:
                return True  # started before the bot died: the thread is there
            answer = await self._press(trial.host, lobby, "Start")
            if isinstance(answer, InteractionRejected):
                return False
            # Start answers later (deferred): wait for its thread.
            with contextlib.suppress(TimeoutError):
                await self.local.wait_for(lambda: self._thread(trial) is not None, ANSWER_SECONDS)
            return self._thread(trial) is not None

        await self._retrying(press_start, "Start")
        trial.thread_id = self._thread(trial)
        match = re.match(r"Debate #(\d+)", self.local.channel(trial.thread_id or 0).name)
        assert match is not None
        trial.debate_id = int(match[1])

    def _thread(self, trial: Trial) -> int | None:
        for channel in list(self.local.world.channels.values()):
            if channel.parent_id == trial.channel.id and channel.name.startswith("Debate #"):
                return channel.id
        return None

    def _thread_messages(self, trial: Trial) -> list[Message]:
        assert trial.thread_id is not None
        return [m for m in self.local.messages(trial.thread_id) if not m.ephemeral]

    def _poll(self, trial: Trial, words: str) -> Message | None:
        found = [m for m in self._thread_messages(trial) if f"Vote {words}" in m.content]
        return found[-1] if found else None

    def _verdict(self, trial: Trial) -> Message | None:
        return next((m for m in self._thread_messages(trial) if m.attachments), None)

    async def _wait(self, find: Callable[[], Message | None], what: str) -> Message:
        deadline = time.monotonic() + GIVE_UP_SECONDS
        while (found := find()) is None:
            if time.monotonic() > deadline:
                raise TimeoutError(f"waited {GIVE_UP_SECONDS:.0f} s for {what}")
            await asyncio.sleep(0.05)
        return found

    async def _vote(
        self, trial: Trial, words: str, phase: str, jitter: float, poll: Message | None = None
    ) -> None:
        """Every member of the audience votes once, pressing again until answered."""
        if poll is None:
            poll = await self._wait(lambda: self._poll(trial, words), f"the vote {words}")
        rng = random.Random(trial.number * 2 + (phase == "post"))

        async def one(member: Member, choice: str) -> None:
            await asyncio.sleep(jitter * 0.3 * rng.random())

            async def press() -> bool:
                answer = await self._press(member, poll, choice)
                if isinstance(answer, InteractionRejected):
                    return False
                content = (answer.get("data") or {}).get("content", "")
                if "is counted" in content:
                    trial.acked[(phase, member.user_id)] = choice.lower()
                return True  # counted, or refused (the vote has closed)

            with contextlib.suppress(TimeoutError):
                await self._retrying(press, f"a vote {words}")

        await asyncio.gather(*(one(m, rng.choice(CHOICES)) for m in trial.audience))

    async def _speak(self, trial: Trial) -> None:
        """Each debater says something when their phase is announced."""
        assert trial.thread_id is not None
        thread = self.local.channel(trial.thread_id)
        for index, speaker in enumerate(SPEAKERS):
            member = trial.debaters[0 if speaker == "for" else 1]
            heading = f"**{index + 1}/{len(PHASES)} · "
            await self._wait(
                lambda h=heading: next(
                    (m for m in self._thread_messages(trial) if h in m.content), None
                ),
                f"phase {index + 1}",
            )
            self.local.say(member, thread, f"Speech {index + 1} of night {trial.number}.")

    async def _close(self, trial: Trial, poll: Message) -> None:
        async def press() -> bool:
            answer = await self._press(trial.host, poll, "Close vote")
            return not isinstance(answer, InteractionRejected)

        await self._retrying(press, "Close vote")

    # -- observing ------------------------------------------------------------------------

    async def _poll_deadlines(self) -> None:
        """Keep every deadline the database stores, as (debate, phase) -> deadline."""
        db = Database(self.url)
        try:
            while True:
                with contextlib.suppress(Exception):  # the file is busy: look again
                    async with db.read() as session:
                        rows = await session.exec(
                            select(ClockRow.debate_id, ClockRow.phase_index, ClockRow.deadline)
                        )
                        for debate_id, index, deadline in rows.all():
                            if deadline is not None:
                                self._deadlines[(debate_id, index)] = deadline
                await asyncio.sleep(0.05)
        finally:
            await db.dispose()

    def _announcements(self, thread_id: int) -> list[tuple[float, dict[str, Any]]]:
        """Messages the bot created in a thread, with when Discord received them."""
        path = f"/channels/{thread_id}/messages"
        return [
            (e.at, e.response_json)
            for e in self.local.exchanges
            if e.method == "POST" and e.path == path and e.status == 200
        ]

    async def _check(self, trial: Trial) -> Outcome:
        lost: list[tuple[str, int]] = []
        result = None
        stored: dict[tuple[str, int], str] = {}
        db = Database(self.url)
        try:
            async with db.read() as session:
                if trial.debate_id is not None:
                    rows = await session.exec(
                        select(VoteRow.phase, VoteRow.user_id, VoteRow.choice).where(
                            VoteRow.debate_id == trial.debate_id
                        )
                    )
                    stored = {(p, u): c for p, u, c in rows.all()}
                    result = await session.get(ResultRow, trial.debate_id)
        finally:
            await db.dispose()
        for key, choice in trial.acked.items():
            if stored.get(key) != choice:
                lost.append(key)

        lateness: list[float] = []
        duplicates: list[str] = []
        missing: list[str] = []
        stuck = trial.failure if not trial.over else None
        if trial.thread_id is None or trial.debate_id is None:
            stuck = stuck or "no thread"
            return Outcome(
                trial.number, trial.kill_offset, len(trial.acked), lost, stuck, [], [], []
            )
        if result is None:
            stuck = stuck or "no result stored"
        seen: Counter[str] = Counter()
        first_at: dict[int, float] = {}
        for at, message in self._announcements(trial.thread_id):
            content = message.get("content") or ""
            embeds = message.get("embeds") or []
            if message.get("attachments"):
                seen["verdict"] += 1
            elif embeds and "has started" in (embeds[0].get("title") or ""):
                seen["start"] += 1
            elif "Vote before the debate" in content:
                seen["poll before"] += 1
            elif (heading := _HEADING.search(content)) is not None:
                index = int(heading[1]) - 1
                seen[f"phase {index + 1}"] += 1
                first_at.setdefault(index, at)
            elif _OVER in content:
                seen["speeches over"] += 1
                first_at.setdefault(len(PHASES), at)
                if "Vote after the debate" in content:
                    seen["poll after"] += 1
        expected = [
            "start",
            "poll before",
            *(f"phase {i + 1}" for i in range(len(PHASES))),
            "speeches over",
            "poll after",
            "verdict",
        ]
        duplicates = [name for name, n in seen.items() if n > 1]
        missing = [name for name in expected if seen[name] == 0]
        if seen["verdict"] == 0:
            stuck = stuck or "no verdict revealed"
        killed, ready = self.uptime.killed_at, self.uptime.ready_at
        for index in range(1, len(PHASES) + 1):
            at = first_at.get(index)
            deadline = self._deadlines.get((trial.debate_id, index - 1))
            if at is None or deadline is None:
                continue
            due = deadline.timestamp()
            if killed is not None and ready is not None and at > killed:
                due = max(due, ready)  # it fell due while the bot was down
            lateness.append(at - due)
        return Outcome(
            trial.number,
            trial.kill_offset,
            len(trial.acked),
            lost,
            stuck,
            lateness,
            duplicates,
            missing,
        )
