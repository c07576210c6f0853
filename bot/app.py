"""The bot: discord.py wired to Agora's services.

Services are built once and handed to the constructor; extensions (the cogs) load in
``setup_hook``; one command-tree error handler answers every failed slash command.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import discord
import yarl
from discord import app_commands
from discord.ext import commands

from bot.db.database import Database
from bot.db.writer import BatchWriter
from bot.domain.shards import ALL_SHARDS, Shards
from bot.domain.throttle import ClickLimiter
from bot.formats import builtin_formats
from bot.services.articles import ArticleService
from bot.services.clock import ClockService
from bot.services.debates import DebateService
from bot.services.exports import ExportService
from bot.services.formats import FormatCatalog
from bot.services.guilds import GuildService
from bot.services.motions import MotionService
from bot.services.ratings import RatingService
from bot.services.schedules import ScheduleService
from bot.services.votes import VoteService
from bot.settings import Settings
from bot.ui.errors import answer_error
from bot.ui.i18n import CatalogueTranslator
from bot.ui.throttle import throttle_clicks

log = logging.getLogger("agora")

EXTENSIONS = (
    "cogs.debate",
    "cogs.formats",
    "cogs.server",
    "cogs.motions",
    "cogs.nights",
    "cogs.ratings",
    "cogs.config",
    "cogs.help",
)


def utcnow() -> datetime:
    """The wall clock, in UTC: the one clock the services are given."""
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class Services:
    """Every use case the cogs may call."""

    debates: DebateService
    articles: ArticleService
    clocks: ClockService
    formats: FormatCatalog
    guilds: GuildService
    votes: VoteService
    exports: ExportService
    ratings: RatingService
    motions: MotionService
    schedules: ScheduleService
    writer: BatchWriter
    """The group-commit writer they share: closed at shutdown, before the database."""

    @classmethod
    def build(
        cls,
        db: Database,
        clock: Callable[[], datetime] = utcnow,
        *,
        allow_loopback: bool = False,
        shards: Shards = ALL_SHARDS,
    ) -> Services:
        """The services over one database, sharing one group-commit writer; the clocks,
        votes and nights they serve on their own are those of the servers of ``shards``."""
        writer = BatchWriter(db)
        formats = FormatCatalog(db, builtin_formats(), clock)
        votes = VoteService(db, writer, formats, clock, shards=shards)
        articles = ArticleService(db, clock, allow_loopback=allow_loopback)
        debates = DebateService(db, writer, formats, clock)
        motions = MotionService(db, writer, articles, clock)
        return cls(
            debates=debates,
            articles=articles,
            clocks=ClockService(db, writer, formats, clock, votes, shards=shards),
            formats=formats,
            guilds=GuildService(db),
            votes=votes,
            exports=ExportService(db, formats, clock),
            ratings=RatingService(db, clock),
            motions=motions,
            schedules=ScheduleService(db, debates, clock, motions=motions, shards=shards),
            writer=writer,
        )


class AgoraTree(app_commands.CommandTree["Agora"]):
    """The command tree: refuses direct messages and answers every error."""

    async def interaction_check(self, interaction: discord.Interaction[Agora], /) -> bool:
        """Agora plays in servers only; a command from a DM gets a clear answer."""
        if interaction.guild_id is None:
            raise app_commands.NoPrivateMessage()
        return True

    async def on_error(
        self, interaction: discord.Interaction[Agora], error: app_commands.AppCommandError, /
    ) -> None:
        """Answer the member; log what they cannot fix."""
        await answer_error(interaction, error)


GC_THRESHOLD = (20_000, 50, 100)
"""Young-generation collections every 20,000 allocations instead of 700: a burst of votes
allocates a few objects per vote and frees nearly all of them by itself, so the default
threshold only spends the burst's time walking live objects (votes/s went from about 13,000
to 20,000 in ``benchmarks/votes.py``)."""


def settle_heap() -> None:
    """After start-up: exempt what lives as long as the process from the collector (whose
    full passes would otherwise stall interactions for tens of ms) and collect less often."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLD)


RATE_LIMIT_SWEEP_SECONDS = 60.0


def _sweep_rate_limits_sometimes(http: discord.http.HTTPClient) -> None:
    """Let discord.py drop idle rate-limit buckets once a minute, not on every request.

    Past 256 buckets discord.py walks all of them on each request that creates one. Every
    debate thread brings its own buckets, so with thousands of running debates that walk
    took 12 ms per request (measured in ``benchmarks/clock.py``). Buckets only expire after
    minutes of disuse, so sweeping once a minute drops the same ones.
    """
    sweep = http._try_clear_expired_ratelimits
    last = [float("-inf")]

    def sweep_sometimes() -> None:
        now = time.monotonic()
        if now - last[0] >= RATE_LIMIT_SWEEP_SECONDS:
            last[0] = now
            sweep()

    http._try_clear_expired_ratelimits = sweep_sometimes  # type: ignore[method-assign]


def point_at(api_base: str, gateway_url: str) -> None:
    """Send discord.py's REST calls and gateway connection to the given Discord."""
    discord.http.Route.BASE = api_base
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)


class Agora(commands.AutoShardedBot):
    """Agora's Discord client: one or more gateway shards (all of them, as many as Discord
    recommends, unless ``SHARD_COUNT`` and ``SHARD_IDS`` say which this process runs)."""

    def __init__(self, settings: Settings, services: Services, **options: Any) -> None:
        point_at(settings.discord_api_base, settings.discord_gateway_url)
        intents = discord.Intents.none()
        intents.guilds = True
        # Speaking turns: the bot sees messages in debate threads to keep the floor and the
        # transcript (message content is privileged), and who stands on a stage.
        intents.guild_messages = True
        intents.message_content = True
        intents.voice_states = True
        if settings.shard_ids is not None:
            options["shard_ids"] = sorted(settings.shard_ids)
        super().__init__(
            command_prefix=commands.when_mentioned,
            help_command=None,
            intents=intents,
            tree_cls=AgoraTree,
            allowed_mentions=discord.AllowedMentions.none(),
            chunk_guilds_at_startup=False,
            # Agora reads no message history: a message cache would only grow the heap
            # that every garbage collection has to walk.
            max_messages=None,
            shard_count=settings.shard_count,
            **options,
        )
        self.settings = settings
        self.services = services
        self.commands_synced = asyncio.Event()
        _sweep_rate_limits_sometimes(self.http)
        # One member's button spam is answered with a note and goes no further.
        self.clicks = ClickLimiter()
        throttle_clicks(self, self.clicks)

    async def setup_hook(self) -> None:
        """Load every extension, then publish the slash commands, translated."""
        for extension in EXTENSIONS:
            await self.load_extension(extension)
        await self.tree.set_translator(CatalogueTranslator())
        await self.sync_commands()
        settle_heap()

    async def sync_commands(self) -> None:
        """Publish the command tree: to the dev server only when one is set (instant)."""
        if self.settings.dev_guild_id is not None:
            guild = discord.Object(id=self.settings.dev_guild_id)
            self.tree.copy_global_to(guild=guild)
            synced = await self.tree.sync(guild=guild)
        else:
            synced = await self.tree.sync()
        log.info("Synced %d commands", len(synced))
        self.commands_synced.set()

    async def on_ready(self) -> None:
        """Say who we are once connected."""
        assert self.user is not None
        log.info("Ready as %s (%s) in %d servers", self.user, self.user.id, len(self.guilds))


def agora(interaction: discord.Interaction[Any]) -> Agora:
    """The bot behind an interaction."""
    client = interaction.client
    assert isinstance(client, Agora)
    return client


async def run(settings: Settings) -> None:
    """Migrate the database, then run the bot until it is stopped."""
    assert settings.discord_token is not None
    db = Database(settings.database_url)
    services: Services | None = None
    try:
        await db.upgrade()
        services = Services.build(
            db, allow_loopback=settings.article_fetch_allow_loopback, shards=settings.shards()
        )
        bot = Agora(settings, services)
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, lambda: asyncio.ensure_future(bot.close()))
        async with bot:
            await bot.start(settings.discord_token.get_secret_value())
    finally:
        if services is not None:
            # Votes and moves already taken commit before the database goes away.
            await services.writer.close()
        await db.dispose()
