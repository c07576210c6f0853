"""``python -m bot``: run Agora, or manage its database."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import time
from pathlib import Path

import discord
from pydantic import ValidationError

from bot import doctor
from bot.app import run, utcnow
from bot.articles.cli import main as thesis_main
from bot.db.database import Database
from bot.sandbox import night
from bot.services.ratings import RatingService, Rebuilt
from bot.settings import Settings

NO_TOKEN = (
    "DISCORD_TOKEN is not set: export DISCORD_TOKEN=<your bot token>, "
    "or put DISCORD_TOKEN=<your bot token> in a .env file in this folder."
)
BAD_TOKEN = (
    "Discord rejected DISCORD_TOKEN: copy it again from the Developer Portal "
    "(your application, Bot, Reset Token)."
)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__)
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("run", help="run the bot (the default)")
    commands.add_parser(
        "doctor", help="check the token, intents, permissions and database, and say what to fix"
    )
    db = commands.add_parser("db", help="manage the database")
    db_commands = db.add_subparsers(dest="db_command", required=True)
    db_commands.add_parser("upgrade", help="apply every pending migration")
    ratings = commands.add_parser("ratings", help="manage ratings")
    ratings_commands = ratings.add_subparsers(dest="ratings_command", required=True)
    rebuild = ratings_commands.add_parser(
        "rebuild", help="recompute every rating from the stored results: rebuild [--guild ID]"
    )
    rebuild.add_argument("--guild", type=int, metavar="ID", help="only this server")
    thesis = commands.add_parser(
        "thesis",
        help="propose motions for an article: thesis PATH_OR_URL [--json] [-k 5]",
        add_help=False,
    )
    thesis.add_argument("arguments", nargs=argparse.REMAINDER)
    sandbox = commands.add_parser(
        "sandbox",
        help="play a whole debate night on a local Discord with simulated members (no token)",
    )
    sandbox.add_argument(
        "--article",
        metavar="PATH_OR_URL",
        help="the article the motion is drawn from (default: a sample that ships with Agora)",
    )
    sandbox.add_argument(
        "--speed",
        type=float,
        default=night.DEFAULT_SPEED,
        metavar="N",
        help=(
            f"server time runs N times faster than real time (default {night.DEFAULT_SPEED:g}, "
            f"at most {night.MAX_SPEED:g})"
        ),
    )
    sandbox.add_argument(
        "--out",
        type=Path,
        metavar="DIR",
        help="write the charts, the JSON record and the transcript here",
    )
    sandbox.add_argument(
        "--database",
        metavar="URL",
        help="keep the night in this database (default: a temporary one)",
    )
    return parser


def _settings() -> Settings | None:
    try:
        return Settings()
    except ValidationError as error:
        for problem in error.errors():
            name = ".".join(str(part) for part in problem["loc"]).upper()
            what = f"Setting {name} is invalid" if name else "The settings do not fit together"
            print(f"{what}: {problem['msg']}", file=sys.stderr)
        return None


async def _upgrade(db: Database) -> None:
    try:
        await db.upgrade()
    finally:
        await db.dispose()


async def _rebuild(db: Database, guild_id: int | None) -> tuple[Rebuilt, float]:
    try:
        await db.upgrade()
        begun = time.perf_counter()
        rebuilt = await RatingService(db, utcnow).rebuild(guild_id=guild_id)
        return rebuilt, time.perf_counter() - begun
    finally:
        await db.dispose()


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and do what it says; returns the exit status."""
    args = _parser().parse_args(argv)
    if args.command == "thesis":
        return thesis_main(args.arguments)
    if args.command == "sandbox":
        logging.basicConfig(level=logging.WARNING, format="%(levelname)-7s %(name)s: %(message)s")
        return night.main(args.article, speed=args.speed, out=args.out, database_url=args.database)
    settings = _settings()
    if settings is None:
        return 2
    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)-7s %(name)s: %(message)s"
    )
    if args.command == "doctor":
        return doctor.main(settings)
    if args.command == "db":
        asyncio.run(_upgrade(Database(settings.database_url)))
        print("The database schema is up to date.")
        return 0
    if args.command == "ratings":
        rebuilt, seconds = asyncio.run(_rebuild(Database(settings.database_url), args.guild))
        where = "" if args.guild is None else f" in server {args.guild}"
        print(
            f"rebuilt {rebuilt.ratings:,} ratings from {rebuilt.debates:,} debates{where} "
            f"in {seconds:.1f} s"
        )
        return 0
    token = settings.discord_token
    if token is None or not token.get_secret_value().strip():
        print(NO_TOKEN, file=sys.stderr)
        return 2
    try:
        asyncio.run(run(settings))
    except discord.LoginFailure:
        print(BAD_TOKEN, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
