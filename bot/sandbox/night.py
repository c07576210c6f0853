"""``python -m bot sandbox``: a whole debate night on the local Discord, no token needed.

The real bot (the services and cogs ``python -m bot`` runs, on a temporary SQLite database
unless ``--database`` names one) plays against ``LocalDiscord`` on loopback. Simulated
members play a night the way people would: the moderator opens a debate from an article
with ``/debate new`` and takes the first motion the bot proposes, four debaters join with
their preferences, the moderator presses Start, ten members of the audience vote before and
after, each debater speaks in turn (short texts built from the motion by a seeded random
generator) and yields the floor, the audience asks its questions, and the clock closes the
vote after the debate. Then a member asks for the leaderboard, a debater's stats and the
debate's record. What the members see is written out as it happens (``transcript``).

Server time is a ``SpedUpClock``: the bot and the members wait by it, and it runs ``speed``
times faster than the wall clock.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import re
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path

from bot.app import Agora, Services, utcnow
from bot.db.database import Database
from bot.sandbox.emulator import LocalDiscord
from bot.sandbox.interactions import InteractionHandle
from bot.sandbox.models import Channel, Guild, Member, Message
from bot.sandbox.transcript import Transcript
from bot.settings import Settings

SAMPLE_ARTICLE = Path(__file__).with_name("sample_article.txt")
DEFAULT_SPEED = 60.0
SEED = 2026

MODERATOR = "morgan"
DEBATERS = (("ada", "For"), ("basil", "For"), ("cleo", "Against"), ("dara", "either side"))
AUDIENCE = ("eli", "fay", "gus", "hana", "ivo", "jun", "kai", "lea", "milo", "nia")
CHOICES = ("For", "Against", "Undecided")

TICK = 0.004
"""Real seconds between two steps of the sped-up clock."""
MAX_STEP = 1.0
"""Server seconds one step may add at most: deadlines are met within a second even when
the machine is busy (the clock then slows down rather than jumping ahead)."""
MAX_SPEED = MAX_STEP / TICK
"""The fastest the clock runs, whatever speed is asked for."""

FILE_TYPES = {".txt": "text/plain", ".md": "text/markdown", ".html": "text/html"}
FILE_TYPES |= {".htm": "text/html", ".pdf": "application/pdf"}
_FLOOR = re.compile(r"<@(\d+)> \((For|Against)\)")
_THREAD = re.compile(r"<#(\d+)>")


class NightFailed(Exception):
    """The night could not go on: what a member would have been stuck on."""


class SpedUpClock:
    """Server time that runs ``speed`` times faster than the wall clock.

    The bot's dispatchers sleep until their next deadline on the event loop's real timer,
    reading the span from this clock, so each step of the clock wakes them to look again.
    It runs at most ``MAX_SPEED`` times faster.
    """

    def __init__(self, speed: float, start: datetime | None = None) -> None:
        if speed <= 0:
            raise ValueError("the speed must be more than 0")
        self.speed = speed
        self.now = start or utcnow()
        self._sleepers: list[tuple[datetime, asyncio.Future[None]]] = []

    def __call__(self) -> datetime:
        return self.now

    def step(self, real_seconds: float) -> None:
        """Let ``real_seconds`` of wall-clock time pass (at most ``MAX_STEP`` server seconds)."""
        self.now += timedelta(seconds=min(real_seconds * self.speed, MAX_STEP))

    async def run(self, wake: Callable[[], None]) -> None:
        """Move the clock on until cancelled, calling ``wake`` after every step."""
        loop = asyncio.get_running_loop()
        last = loop.time()
        while True:
            await asyncio.sleep(TICK)
            now = loop.time()
            self.step(now - last)
            last = now
            wake()
            waiting = []
            for until, sleeper in self._sleepers:
                if until <= self.now:
                    if not sleeper.done():
                        sleeper.set_result(None)
                else:
                    waiting.append((until, sleeper))
            self._sleepers = waiting

    async def sleep(self, seconds: float) -> None:
        """Wait until ``seconds`` of server time have passed."""
        sleeper = asyncio.get_running_loop().create_future()
        self._sleepers.append((self.now + timedelta(seconds=seconds), sleeper))
        await sleeper


# ------------------------------------------------------------------------- speeches


def claim(motion: str) -> str:
    """The motion as a clause a speaker can use: "towns should keep ..."."""
    for prefix in ("This House believes that ", "This House would ", "This House "):
        if motion.startswith(prefix):
            return motion.removeprefix(prefix).rstrip(".…")
    return motion.rstrip(".…")


_FOR = (
    "Look at who gains most: the people with the fewest other choices.",
    "Every objection we will hear tonight is a problem of design, not a reason to do nothing.",
    "The cost is small next to what we already spend on things that matter far less.",
    "Where this has been tried, the results were calm, steady and popular.",
    "Doing nothing is also a choice, and its price is paid by those who can least afford it.",
)
_AGAINST = (
    "Good intentions are not a plan, and the money has to come from somewhere.",
    "My opponents describe the best case and call it the typical one.",
    "There are cheaper ways to reach the very same people.",
    "A rule that fits one place badly will fit many places badly.",
    "The people this is meant to help were never asked what they need.",
)
_OPENINGS = ("Friends,", "Madam Chair,", "Members of the house,", "Let me be plain:")


def speech(motion: str, side: str, phase: str, speaker: str, seed: int) -> str:
    """A short speech for ``side`` in ``phase``, the same for the same seed."""
    rng = random.Random(f"{seed}:{phase}:{speaker}")
    reasons = rng.sample(_FOR if side == "For" else _AGAINST, 2)
    clause = claim(motion)
    opening = rng.choice(_OPENINGS)
    if phase.startswith("Rebuttal"):
        other = _AGAINST if side == "For" else _FOR
        first = f"{opening} we heard that “{rng.choice(other).rstrip('.')}”. That misses the point."
    elif phase.startswith("Closing"):
        verb = "vote For" if side == "For" else "vote Against"
        first = f"{opening} it all comes down to the motion: {clause}. I ask you to {verb}."
    elif side == "For":
        first = f"{opening} I stand for the motion: {clause}."
    else:
        first = f"{opening} I oppose the motion that {clause}."
    return " ".join([first, *reasons])


def question(motion: str, asker: str, seed: int) -> str:
    """An audience question about the motion."""
    rng = random.Random(f"{seed}:question:{asker}")
    asks = (
        "what would change your mind?",
        "who pays for this, in practice?",
        "is there any place where this has failed?",
        "what should happen in the first year?",
    )
    return f"A question for both sides about whether {claim(motion)}: {rng.choice(asks)}"


def ballots(seed: int) -> tuple[list[str], list[str]]:
    """The audience's votes before and after: some undecided decide, a few change sides."""
    rng = random.Random(f"{seed}:votes")
    before = [rng.choices(CHOICES, weights=(4, 4, 3))[0] for _ in AUDIENCE]
    after = []
    for choice in before:
        if choice == "Undecided":
            after.append(rng.choices(CHOICES, weights=(5, 3, 2))[0])
        elif rng.random() < 0.2:
            after.append("Against" if choice == "For" else "For")
        else:
            after.append(choice)
    return before, after


# ---------------------------------------------------------------------------- night


@dataclass
class Cast:
    """The server and the simulated members."""

    guild: Guild
    channel: Channel
    moderator: Member
    debaters: list[tuple[Member, str]]
    audience: list[Member]

    def by_id(self, user_id: int) -> Member:
        """A simulated member by user id."""
        everyone = [self.moderator, *(m for m, _ in self.debaters), *self.audience]
        return next(m for m in everyone if m.user_id == user_id)


@dataclass
class Outcome:
    """What a night left behind."""

    verdict: str = ""
    files: list[Path] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


class ErrorRecords(logging.Handler):
    """Keeps what the bot logged at ERROR: a night with errors does not end well."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(f"{record.name}: {record.getMessage()}")


class Night:
    """One night on a running bot and local Discord, written out through ``transcript``."""

    def __init__(
        self,
        local: LocalDiscord,
        cast: Cast,
        clock: SpedUpClock,
        transcript: Transcript,
        seed: int,
    ) -> None:
        self.local = local
        self.cast = cast
        self.clock = clock
        self.transcript = transcript
        self.seed = seed
        self.motion = ""
        self.thread_id = 0
        # Waits in real seconds for what the clock decides: two server minutes and more.
        self.patience = 30.0 + 600.0 / min(clock.speed, MAX_SPEED)

    async def until(self, check: Callable[[], Message | None], what: str) -> Message:
        """The message ``check`` finds, once it exists."""
        found: list[Message] = []

        def holds() -> bool:
            message = check()
            if message is not None:
                found.append(message)
            return message is not None

        try:
            await self.local.wait_for(holds, self.patience, what)
        except TimeoutError as error:
            raise NightFailed(f"waited in vain for {what}") from error
        return found[-1]

    async def act(self, handle: InteractionHandle, what: str) -> Message:
        """The bot's answer to a member's command or click."""
        try:
            return await handle.reply(timeout=self.patience)
        except (TimeoutError, LookupError) as error:
            raise NightFailed(f"the bot did not answer {what}") from error

    async def click(self, member: Member, message: Message, label: str) -> InteractionHandle:
        """Press a button of a message as a member."""
        current = self.local.message(message.id)
        return await self.local.click(member, current, current.button(label)["custom_id"])

    def posted(self, channel_id: int) -> list[Message]:
        """The public messages of a channel or thread."""
        return [m for m in self.local.messages(channel_id) if not m.ephemeral]

    # ------------------------------------------------------------------ the parts

    async def open(self, article: str) -> None:
        """The moderator opens a debate from the article and takes the first motion."""
        cast, local = self.cast, self.local
        self.transcript.section("The moderator opens a debate from an article")
        if "://" in article:
            self.transcript.note(f"{MODERATOR} uses /debate new article:{article}")
            handle = await local.slash(
                cast.moderator, cast.channel, "debate new", options={"article": article}
            )
        else:
            path = Path(article)
            content_type = FILE_TYPES.get(path.suffix.lower(), "text/plain")
            self.transcript.note(f"{MODERATOR} uses /debate new file:{path.name}")
            handle = await local.slash(
                cast.moderator,
                cast.channel,
                "debate new",
                attachments={
                    "file": (path.name, await asyncio.to_thread(path.read_bytes), content_type)
                },
            )
        picker = await self.act(handle, "/debate new")
        self.transcript.flush()
        if not picker.buttons() or not any(b.get("label") == "Use this" for b in picker.buttons()):
            raise NightFailed("the bot proposed no motion (its answer is above)")
        self.transcript.note(f"{MODERATOR} keeps the first motion and presses Use this")
        await self.act(await self.click(cast.moderator, picker, "Use this"), "Use this")
        lobby = await self.until(self._lobby, "the lobby")
        description = lobby.embeds[0].get("description", "") if lobby.embeds else ""
        self.motion = re.sub(r"\\(.)", r"\1", description.split("\n")[0].strip("*"))
        self.transcript.flush()

    def _lobby(self) -> Message | None:
        return next(
            (
                m
                for m in self.posted(self.cast.channel.id)
                if any(b.get("label") == "Start" for b in m.buttons())
            ),
            None,
        )

    async def lobby(self) -> None:
        """The debaters join with their preferences; the moderator presses Start."""
        self.transcript.section("The lobby")
        lobby = await self.until(self._lobby, "the lobby")
        for member, preference in self.cast.debaters:
            label = "Join either side" if preference == "either side" else f"Join {preference}"
            self.transcript.note(f"{member.user.name} presses {label}")
            await self.act(await self.click(member, lobby, label), label)
        await self.local.wait_for(
            lambda: all(
                f"<@{m.user_id}>" in str(self.local.message(lobby.id).embeds)
                for m, _ in self.cast.debaters
            ),
            self.patience,
            "the lobby to list every debater",
        )
        self.transcript.flush()
        self.transcript.section("Start")
        self.transcript.note(f"{MODERATOR} presses Start")
        handle = await self.click(self.cast.moderator, lobby, "Start")
        (said,) = await handle.followups(1, timeout=self.patience)
        match = _THREAD.search(said.content)
        if match is None:
            raise NightFailed(f"the start named no thread: {said.content!r}")
        self.thread_id = int(match[1])

    def _poll(self, words: str) -> Message | None:
        return next(
            (m for m in reversed(self.posted(self.thread_id)) if f"Vote {words}" in m.content),
            None,
        )

    async def vote(self, words: str, choices: list[str]) -> None:
        """The audience votes, all at once, on the poll that says ``words``."""
        poll = await self.until(lambda: self._poll(words), f"the vote {words}")
        self.transcript.flush()
        self.transcript.note(f"the audience votes {words}")
        handles = await asyncio.gather(
            *(
                self.click(member, poll, choice)
                for member, choice in zip(self.cast.audience, choices, strict=True)
            )
        )
        await asyncio.gather(*(self.act(h, f"a vote {words}") for h in handles))
        voted = f"{len(choices)} voted"
        await self.local.wait_for(
            lambda: voted in self.local.message(poll.id).content,
            self.patience,
            "the poll to count every vote",
        )
        self.transcript.flush()

    def _phase_after(self, last: int) -> Message | None:
        for message in reversed(self.posted(self.thread_id)):
            if message.id <= last:
                return None
            if any(c.startswith("agora:clock:") for c in message.custom_ids()):
                return message
        return None

    def _next(self, last: int) -> Message | None:
        """The message that says the speeches are over, or else a phase message after ``last``."""
        over = (m for m in self.posted(self.thread_id) if "the speeches are over" in m.content)
        return next(over, None) or self._phase_after(last)

    async def speeches(self) -> None:
        """Each phase in turn: its speakers speak and yield; the audience asks questions."""
        thread = self.local.channel(self.thread_id)
        last = 0
        while True:
            current = await self.until(partial(self._next, last), "the next phase")
            if "the speeches are over" in current.content:
                break
            last = current.id
            phase = current.content.split("·", 2)[1].split("**")[0].strip()
            self.transcript.section(phase)
            self.transcript.flush()
            speakers = [(int(u), side) for u, side in _FLOOR.findall(current.content)]
            await self.clock.sleep(random.Random(f"{self.seed}:{last}").uniform(20, 50))
            if speakers:
                for user_id, side in speakers:
                    member = self.cast.by_id(user_id)
                    text = speech(self.motion, side, phase, member.user.name, self.seed)
                    self.local.say(member, thread, text)
                await self._settle()
                first = self.cast.by_id(speakers[0][0])
                self.transcript.note(f"{first.user.name} presses Yield")
                await self._press(first, current, "Yield")
            else:
                for asker in self.cast.audience[:2]:
                    self.local.say(asker, thread, question(self.motion, asker.user.name, self.seed))
                    await self.clock.sleep(15)
                await self._settle()
                self.transcript.note(f"{MODERATOR} presses Skip: the questions are answered")
                await self._press(self.cast.moderator, current, "Skip")
        self.transcript.section("The speeches are over")

    async def _press(self, member: Member, message: Message, label: str) -> None:
        handle = await self.click(member, message, label)
        try:
            await handle.response(timeout=self.patience)
        except TimeoutError as error:
            raise NightFailed(f"the bot did not answer {label}") from error

    async def _settle(self) -> None:
        """Let the bot see what was said (it keeps or removes each message), then show it."""
        await asyncio.sleep(0.2)
        self.transcript.flush()

    async def verdict(self) -> str:
        """The vote after closes by the clock; the verdict with its chart. Its title."""
        self.transcript.section("The vote after the debate closes by the clock")
        result = await self.until(
            lambda: next((m for m in self.posted(self.thread_id) if m.attachments), None),
            "the verdict",
        )
        self.transcript.flush()
        return str(result.embeds[0].get("title", "")) if result.embeds else ""

    async def after(self) -> None:
        """A member looks at the leaderboard and at a debater's stats; the debate's record."""
        cast, local = self.cast, self.local
        viewer, debater = cast.audience[0], cast.debaters[0][0]
        self.transcript.section("After the debate")
        self.transcript.note(f"{viewer.user.name} uses /leaderboard show")
        await self.act(await local.slash(viewer, cast.channel, "leaderboard show"), "/leaderboard")
        self.transcript.flush()
        self.transcript.note(f"{viewer.user.name} uses /stats member:{debater.user.name}")
        handle = await local.slash(viewer, cast.channel, "stats", options={"member": debater})
        await self.act(handle, "/stats")
        self.transcript.flush()
        self.transcript.note(f"{MODERATOR} uses /debate export format:json")
        handle = await local.slash(
            cast.moderator, cast.channel, "debate export", options={"format": "json"}
        )
        await self.act(handle, "/debate export")
        self.transcript.flush()

    async def play(self, article: str) -> str:
        """The whole night; the verdict's title."""
        before, after = ballots(self.seed)
        await self.open(article)
        await self.lobby()
        await self.vote("before the debate", before)
        await self.speeches()
        await self.vote("after the debate", after)
        return await self.verdict()


def cast_of(local: LocalDiscord) -> Cast:
    """A server with a debates channel, a moderator, four debaters and ten in the audience."""
    guild = local.add_guild("Agora Sandbox", owner=MODERATOR)
    channel = local.add_channel(guild, "debates", topic="Debate night")
    return Cast(
        guild=guild,
        channel=channel,
        moderator=local.member(guild.id, guild.owner_id),
        debaters=[(local.add_member(guild, name), side) for name, side in DEBATERS],
        audience=[local.add_member(guild, name) for name in AUDIENCE],
    )


def save_files(local: LocalDiscord, cast: Cast, out: Path) -> list[Path]:
    """Write every file the bot posted in the server (charts, the export) into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    channels = [c.id for c in local.world.channels.values() if c.guild_id == cast.guild.id]
    for channel_id in channels:
        for message in local.messages(channel_id):
            if message.author_id != local.application_id:
                continue
            for attachment in message.attachments:
                stored = local.world.files.get(int(attachment["id"]))
                if stored is None:
                    continue
                path = out / attachment["filename"]
                if path in written:
                    path = out / f"{message.id}-{attachment['filename']}"
                path.write_bytes(stored.data)
                written.append(path)
    return written


@contextlib.contextmanager
def _scratch(database_url: str | None) -> Iterator[str]:
    """The database URL to use: the given one, or a fresh SQLite file that goes away."""
    if database_url is not None:
        yield database_url
        return
    folder = tempfile.mkdtemp(prefix="agora-sandbox-")
    try:
        yield f"sqlite+aiosqlite:///{Path(folder) / 'agora.db'}"
    finally:
        shutil.rmtree(folder, ignore_errors=True)


async def night(
    article: str,
    *,
    speed: float,
    database_url: str,
    write: Callable[[str], None],
    out: Path | None = None,
    seed: int = SEED,
) -> Outcome:
    """Start the local Discord and the bot, play a night, stop both; what it left behind."""
    errors = ErrorRecords()
    logging.getLogger().addHandler(errors)
    outcome = Outcome()
    clock = SpedUpClock(speed)
    try:
        async with LocalDiscord(interaction_deadline=30.0) as local:
            cast = cast_of(local)
            settings = Settings(
                discord_token=local.token,
                database_url=database_url,
                discord_api_base=local.api_base,
                discord_gateway_url=local.gateway_url,
                dev_guild_id=cast.guild.id,
                log_level="WARNING",
                article_fetch_allow_loopback=False,
                shard_count=None,
                shard_ids=None,
            )
            db = Database(settings.database_url)
            await db.upgrade()
            services = Services.build(db, clock)
            bot = Agora(settings, services, guild_ready_timeout=0.05)

            def wake() -> None:
                for dispatcher in (
                    services.clocks.dispatcher,
                    services.votes.dispatcher,
                    services.schedules.dispatcher,
                ):
                    dispatcher.poke()

            ticking = asyncio.create_task(clock.run(wake))
            connected: asyncio.Task[None] | None = None
            try:
                await bot.login(local.token)
                connected = asyncio.create_task(bot.connect(reconnect=True))
                await asyncio.wait_for(bot.wait_until_ready(), timeout=30)
                transcript = Transcript(local, cast.guild.id, clock, write)
                played = Night(local, cast, clock, transcript, seed)
                outcome.verdict = await played.play(article)
                await played.after()
                if out is not None:
                    outcome.files = save_files(local, cast, out)
            finally:
                ticking.cancel()
                await bot.close()
                if connected is not None:
                    with contextlib.suppress(asyncio.CancelledError):
                        await connected
                await services.writer.close()
                await db.dispose()
    finally:
        logging.getLogger().removeHandler(errors)
        outcome.errors = errors.messages
    return outcome


def main(
    article: str | None,
    *,
    speed: float = DEFAULT_SPEED,
    out: Path | None = None,
    database_url: str | None = None,
    seed: int = SEED,
) -> int:
    """Play a night and print what members see; 0 when it ended with a verdict."""
    source = article or str(SAMPLE_ARTICLE)
    if "://" not in source and not Path(source).is_file():
        print(f"No such article file: {source}", file=sys.stderr)
        return 2
    if speed <= 0:
        print("--speed must be more than 0", file=sys.stderr)
        return 2
    # discord.py warns that voice needs packages the sandbox has no use for.
    logging.getLogger("discord.client").setLevel(logging.ERROR)
    lines: list[str] = []

    def write(text: str) -> None:
        lines.append(text)
        print(text, flush=True)

    with _scratch(database_url) as url:
        try:
            outcome = asyncio.run(
                night(source, speed=speed, database_url=url, write=write, out=out, seed=seed)
            )
        except NightFailed as failed:
            print(f"The night stopped: {failed}.", file=sys.stderr)
            return 1
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        transcript = out / "transcript.txt"
        transcript.write_text("\n".join(lines) + "\n", encoding="utf-8")
        outcome.files.append(transcript)
    print(f"\n{outcome.verdict}." if outcome.verdict else "\nNo verdict.")
    for path in outcome.files:
        print(f"Wrote {path}")
    for error in outcome.errors:
        print(f"The bot logged an error: {error}", file=sys.stderr)
    return 0 if outcome.verdict and not outcome.errors else 1
