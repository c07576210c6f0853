"""``python -m bot`` as a person runs it."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path


def run_bot(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in {"DISCORD_TOKEN", "DATABASE_URL"}}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=cwd,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_without_a_token_it_says_how_to_set_one_and_exits_2(tmp_path: Path) -> None:
    done = run_bot([], tmp_path)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "DISCORD_TOKEN" in lines[0]
    assert ".env" in lines[0]
    assert "Traceback" not in done.stderr + done.stdout


def test_an_invalid_setting_is_named(tmp_path: Path) -> None:
    done = run_bot([], tmp_path, DISCORD_TOKEN="x", LOG_LEVEL="LOUD")
    assert done.returncode == 2
    assert "LOG_LEVEL" in done.stderr
    assert "Traceback" not in done.stderr


def test_the_token_can_come_from_a_dotenv_file(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("DATABASE_URL=sqlite+aiosqlite:///from-dotenv.db\n")
    done = run_bot(["db", "upgrade"], tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "from-dotenv.db").exists()


def test_db_upgrade_creates_the_schema(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'agora.db'}"
    done = run_bot(["db", "upgrade"], tmp_path, DATABASE_URL=url)
    assert done.returncode == 0, done.stderr
    assert "up to date" in done.stdout
    tables = {
        row[0]
        for row in sqlite3.connect(tmp_path / "agora.db").execute(
            "SELECT name FROM sqlite_master WHERE type='table'"
        )
    }
    assert {"debate", "signup", "alembic_version"} <= tables


def test_thesis_prints_candidates_as_json(tmp_path: Path) -> None:
    article = tmp_path / "school.md"
    article.write_text(
        "# Homework should be abolished\n\n"
        "Children learn more when their evenings are their own.\n\n"
        "Homework should be abolished in primary schools, because it widens the gap between "
        "children whose parents can help and children whose parents cannot.\n\n"
        "Studies of young pupils find almost no link between homework and results, while the "
        "stress it causes at home is well documented.\n\n"
        "Teachers could use the time they spend marking to plan better lessons instead.\n"
    )
    done = run_bot(["thesis", str(article), "--json", "-k", "2"], tmp_path)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert set(result) == {"title", "subtitle", "author", "site", "candidates"}
    assert result["title"] == "Homework should be abolished"
    assert 1 <= len(result["candidates"]) <= 2
    first = result["candidates"][0]
    assert set(first) == {"motion", "sentence", "score"}
    assert first["motion"].startswith("This House")


def test_thesis_refuses_a_private_address_in_one_line(tmp_path: Path) -> None:
    done = run_bot(["thesis", "http://10.0.0.8/article"], tmp_path)
    assert done.returncode != 0
    assert len(done.stderr.strip().splitlines()) == 1
    assert "Traceback" not in done.stderr


def test_ratings_rebuild_recomputes_from_the_stored_results(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'agora.db'}"
    assert run_bot(["db", "upgrade"], tmp_path, DATABASE_URL=url).returncode == 0
    at = "2026-11-24 19:00:00.000000"
    with sqlite3.connect(tmp_path / "agora.db") as db:
        for debate, guild in ((1, 10), (2, 10), (3, 20)):
            db.execute(
                "INSERT INTO debate (id, guild_id, channel_id, creator_id, motion, format_key,"
                " state, created_at, closed_at) VALUES (?, ?, 5, 6, 'This House would rate',"
                " 'oxford', 'finished', ?, ?)",
                (debate, guild, at, at),
            )
            for user, side in ((100 + debate, "for"), (200, "against")):
                db.execute(
                    "INSERT INTO debater (debate_id, guild_id, user_id, side, speaker_order,"
                    " reason, started_at) VALUES (?, ?, ?, ?, 0, 'preferred', ?)",
                    (debate, guild, user, side, at),
                )
            db.execute(
                "INSERT INTO result (debate_id, rule, winner, margin, reason, tallies, decided_at)"
                " VALUES (?, 'oxford', 'for', 20.0, 'For wins', ?, ?)",
                (debate, json.dumps({"pre": [1, 1, 0], "post": [2, 0, 0]}), at),
            )

    done = run_bot(["ratings", "rebuild", "--guild", "10"], tmp_path, DATABASE_URL=url)

    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("rebuilt 3 ratings from 2 debates in server 10 in "), done.stdout
    with sqlite3.connect(tmp_path / "agora.db") as db:
        rows = db.execute("SELECT guild_id, user_id, games, wins FROM rating ORDER BY user_id")
        assert rows.fetchall() == [(10, 101, 1, 1), (10, 102, 1, 1), (10, 200, 2, 0)]
    everything = run_bot(["ratings", "rebuild"], tmp_path, DATABASE_URL=url)
    assert everything.stdout.startswith("rebuilt 5 ratings from 3 debates in "), everything.stdout
    assert "Traceback" not in everything.stderr
