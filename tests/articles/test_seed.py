"""The real seed article: a Substack post pasted as text, with sign-off and reader comments."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.articles.extract import extract_bytes
from bot.domain.thesis import propose_motions

SEED = Path(__file__).resolve().parents[2].parent / "shared" / "articles" / "the-peace-delusion.txt"
pytestmark = pytest.mark.skipif(
    not SEED.is_file(), reason=f"the seed article is not there ({SEED}); shared/ is beside the repo"
)


def _comments(raw: str) -> list[str]:
    """The readers' comments: every line after the author's bio ("Latest book: ...")."""
    lines = raw.splitlines()
    bio_end = next(i for i, line in enumerate(lines) if line.startswith("Latest book:"))
    return [line for line in lines[bio_end + 1 :] if line.strip()]


def test_the_seed_article_is_read_without_its_sign_off_and_comments() -> None:
    raw = SEED.read_text(encoding="utf-8")
    article = extract_bytes(raw.encode(), filename=SEED.name, content_type=None)
    assert article.title == "The peace delusion"
    assert article.subtitle.startswith("Though Putin and Trump share a tactical interest")
    for gone in ("Read the article here", "Thanks for reading", "Website:", "Twitter:"):
        assert gone not in article.text
    for comment in _comments(raw):
        assert comment not in article.text
    assert article.text.endswith("while Russia continues to advance.")


def test_the_top_motion_carries_the_subtitle_claim_and_no_comment_is_offered() -> None:
    raw = SEED.read_text(encoding="utf-8")
    candidates = propose_motions(extract_bytes(raw.encode(), filename=SEED.name, content_type=None))
    assert len(candidates) == 5
    top = candidates[0].motion
    assert top.startswith("This House believes that Russia remains a strategic adversary")
    assert "true peace remains out of reach" in top
    comments = "\n".join(_comments(raw))
    for candidate in candidates:
        assert candidate.sentence not in comments
        assert len(candidate.motion) <= 300
