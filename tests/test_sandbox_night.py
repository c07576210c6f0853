"""``python -m bot sandbox``: a whole night with simulated members, as a person runs it."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.articles.extract import extract_bytes
from bot.domain.export import DebateExport, from_json
from bot.domain.sides import Side
from bot.domain.thesis import propose_motions
from bot.sandbox.night import (
    AUDIENCE,
    DEBATERS,
    MAX_STEP,
    SAMPLE_ARTICLE,
    SpedUpClock,
    ballots,
    claim,
    speech,
)

SHARED_ARTICLE = (
    Path(__file__).resolve().parents[2] / "shared" / "articles" / "the-peace-delusion.txt"
)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
FAST = "1000"


def sandbox(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run the sandbox in ``tmp_path`` with no token, no database and no .env."""
    clean = {k: v for k, v in os.environ.items() if k not in {"DISCORD_TOKEN", "DATABASE_URL"}}
    return subprocess.run(
        [sys.executable, "-m", "bot", "sandbox", "--speed", FAST, "--out", "out", *args],
        cwd=tmp_path,
        env={**clean, "PYTHONIOENCODING": "utf-8"},
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        check=False,
    )


def first_motion(path: Path) -> str:
    """The first motion the bot proposes for an article: the one the moderator takes."""
    article = extract_bytes(path.read_bytes(), filename=path.name, content_type=None)
    return propose_motions(article)[0].motion


def exported(out: Path) -> DebateExport:
    (path,) = out.glob("debate-*.json")
    text = path.read_text(encoding="utf-8")
    assert json.loads(text)["in_progress"] is False
    return from_json(text)


def check_night(done: subprocess.CompletedProcess[str], out: Path, motion: str) -> None:
    """A night that ended with a verdict, a leaderboard, a chart and a record that parses."""
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Traceback" not in done.stderr
    transcript = done.stdout
    record = exported(out)

    # The motion was drawn from the article; four debaters took sides.
    assert record.motion == motion
    assert f"**{motion}**" in transcript
    assert Counter(seat.side for seat in record.seats) == {Side.FOR: 2, Side.AGAINST: 2}
    # Six speeches, each by a debater of the side that had the floor; two audience questions.
    seats = {seat.user_id: seat.side for seat in record.seats}
    speeches = [s for s in record.transcript if s.side is not None]
    assert [(seats[s.author_id], s.phase_index) for s in speeches] == [
        (s.side, s.phase_index) for s in speeches
    ]
    assert [s.phase_index for s in speeches] == [0, 1, 2, 3, 5, 6]
    assert [s.phase_index for s in record.transcript if s.side is None] == [4, 4]
    # Both votes, the verdict with its chart, and the same verdict in the record.
    assert [poll.voters for poll in record.votes.polls] == [len(AUDIENCE)] * 2
    assert record.decision is not None
    winner = record.decision.winner
    verdict = "No winner" if winner is None else f"{winner.label} wins"
    assert f"Debate #{record.debate_id}: {verdict}" in transcript
    assert "📎 result.png" in transcript
    assert (out / "result.png").read_bytes()[:8] == PNG_SIGNATURE
    # The leaderboard after, with every debater on it, and one debater's stats.
    board = transcript.split("uses /leaderboard show", 1)[1].split("uses /stats", 1)[0]
    assert "Rating · All time" in board
    assert all(f"@{name} ·" in board for name, _ in DEBATERS)
    assert (out / "rating.png").read_bytes()[:8] == PNG_SIGNATURE
    # Buttons as a member sees them, and a private reply marked as such.
    assert "[Join For] [Join Against] [Join either side] [Leave] [Start]" in transcript
    assert "Agora (only morgan can see this):" in transcript
    assert (out / "transcript.txt").read_text(encoding="utf-8").strip() in transcript


def test_a_night_on_the_sample_article(tmp_path: Path) -> None:
    done = sandbox(tmp_path)
    check_night(done, tmp_path / "out", first_motion(SAMPLE_ARTICLE))
    assert "file:sample_article.txt" in done.stdout


@pytest.mark.skipif(
    not SHARED_ARTICLE.is_file(), reason=f"the shared article is not there ({SHARED_ARTICLE})"
)
def test_a_night_on_an_article_given_by_path(tmp_path: Path) -> None:
    done = sandbox(tmp_path, "--article", str(SHARED_ARTICLE))
    check_night(done, tmp_path / "out", first_motion(SHARED_ARTICLE))
    assert "The peace delusion" in done.stdout


def test_a_link_the_bot_refuses_stops_the_night_with_its_answer(tmp_path: Path) -> None:
    done = sandbox(tmp_path, "--article", "http://127.0.0.1:9/article.html")
    assert done.returncode == 1
    assert "The night stopped" in done.stderr
    assert "Traceback" not in done.stderr
    assert "uses /debate new article:http://127.0.0.1:9/article.html" in done.stdout
    assert "Agora (only morgan can see this):" in done.stdout
    assert "loopback" in done.stdout
    assert not (tmp_path / "out").exists()


def test_a_missing_article_is_named_and_nothing_runs(tmp_path: Path) -> None:
    done = sandbox(tmp_path, "--article", "nowhere.txt")
    assert done.returncode == 2
    assert "nowhere.txt" in done.stderr
    assert not (tmp_path / "out").exists()


def test_speeches_and_votes_are_the_same_for_the_same_seed() -> None:
    motion = "This House believes that towns should keep libraries open late"
    assert claim(motion) == "towns should keep libraries open late"
    assert claim("This House would ban homework.") == "ban homework"
    one = speech(motion, "For", "Opening: For", "ada", 7)
    assert one == speech(motion, "For", "Opening: For", "ada", 7)
    assert "towns should keep libraries open late" in one
    assert one != speech(motion, "For", "Opening: For", "ada", 8)
    assert "vote Against" in speech(motion, "Against", "Closing: Against", "cleo", 7)
    assert ballots(7) == ballots(7)
    before, after = ballots(7)
    assert len(before) == len(after) == len(AUDIENCE)


async def test_the_sped_up_clock_never_jumps_more_than_a_step() -> None:
    start = datetime(2026, 11, 24, 19, 0, tzinfo=UTC)
    clock = SpedUpClock(60, start)
    clock.step(0.01)
    assert (clock() - start).total_seconds() == pytest.approx(0.6)
    clock.step(10)
    assert (clock() - start).total_seconds() == pytest.approx(0.6 + MAX_STEP)

    woken: list[datetime] = []
    running = asyncio.create_task(clock.run(lambda: woken.append(clock())))
    try:
        await asyncio.wait_for(clock.sleep(3), timeout=10)
    finally:
        running.cancel()
    assert (clock() - start).total_seconds() >= 3.6
    assert woken == sorted(woken)
    assert woken
