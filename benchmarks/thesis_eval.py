"""Measure thesis extraction on the shared evaluation data; print ``key=value`` lines.

Run from the repository root: ``python benchmarks/thesis_eval.py`` (``--quick`` skips the
timings). The data lives in ``../shared/data`` and is read from there, never copied.

essays (persuasive essays with annotated major claims)
    A candidate hits when its sentence contains an annotated major claim, or when the two
    share at least half of the content words (function words left out) of the shorter.
    ``top1``: the first candidate hits; ``top3``: one of the first three does.
idebate (debate pages with their motion)
    Motions are compared by ROUGE-L F1 on their bodies ("This House would/believes that"
    removed from both, since every motion shares it). ``top1``: the first candidate is closer
    to this debate's motion than to any other debate's; ``top3``: the best of the first three
    candidates is; ``rougeL``: mean ROUGE-L of the best of three (``rougeL1`` of the first).

Baselines computed in the same run: ``lead`` (the first sentences in text order) and
``lexrank`` (sentences by LexRank centrality alone), both worded with ``make_motion``.
Items are also split by position into a ``tune`` half (even) and a ``holdout`` half (odd):
the ranker's weights were chosen looking at the tune half only.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.articles.extract import MAX_BYTES, extract_bytes  # noqa: E402
from bot.domain.thesis import (  # noqa: E402
    STOPWORDS,
    Article,
    lexrank_order,
    make_motion,
    propose_motions,
    split_sentences,
)

DATA = ROOT.parent / "shared" / "data"
Proposer = Callable[[Article], list[str]]  # an article's candidate sentences, best first
MotionProposer = Callable[[Article], list[str]]  # an article's candidate motions, best first


def _tokens(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+(?:'[a-z]+)?", text.lower().replace("’", "'"))


def _content(text: str) -> Counter[str]:
    return Counter(t for t in _tokens(text) if t not in STOPWORDS)


def _normal(text: str) -> str:
    return " ".join(_tokens(text))


def claim_hit(sentence: str, claims: Sequence[str]) -> bool:
    """Whether a candidate sentence states one of the annotated major claims."""
    for claim in claims:
        if _normal(claim) in _normal(sentence):
            return True
        a, b = _content(sentence), _content(claim)
        shorter = min(sum(a.values()), sum(b.values()))
        if shorter and sum((a & b).values()) / shorter >= 0.5:
            return True
    return False


_PREFIX = re.compile(r"^this house\s+(?:believes(?:\s+that)?|would|supports|opposes|regrets)\s+")


def _body(motion: str) -> list[str]:
    return _tokens(_PREFIX.sub("", " ".join(_tokens(motion))))


def _lcs(a: Sequence[str], b: Sequence[str]) -> int:
    previous = [0] * (len(b) + 1)
    for x in a:
        current = [0]
        for j, y in enumerate(b):
            current.append(previous[j] + 1 if x == y else max(previous[j + 1], current[j]))
        previous = current
    return previous[-1]


def rouge_l(candidate: Sequence[str], reference: Sequence[str]) -> float:
    """ROUGE-L F1 of two token lists."""
    if not candidate or not reference:
        return 0.0
    lcs = _lcs(candidate, reference)
    if lcs == 0:
        return 0.0
    precision, recall = lcs / len(candidate), lcs / len(reference)
    return 2 * precision * recall / (precision + recall)


def _load(name: str) -> list[dict[str, Any]]:
    with (DATA / name).open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def _essay_article(row: dict[str, Any]) -> Article:
    return Article(row["title"], "", "", "", "", "\n\n".join(row["paragraphs"]))


def _debate_article(row: dict[str, Any]) -> Article:
    return Article("", "", "", "", "", "\n\n".join(row["paragraphs"]))


def _lead(article: Article) -> list[str]:
    return split_sentences(article.text)[:5]


def _lexrank(article: Article) -> list[str]:
    return lexrank_order(article)[:5]


def _ranker(article: Article) -> list[str]:
    return [c.sentence for c in propose_motions(article, 5)]


def _ranker_motions(article: Article) -> list[str]:
    return [c.motion for c in propose_motions(article, 5)]


def _worded(proposer: Proposer) -> MotionProposer:
    return lambda article: [make_motion(s) for s in proposer(article)]


def _halves(n: int) -> dict[str, list[int]]:
    return {
        "": list(range(n)),
        "tune.": list(range(0, n, 2)),
        "holdout.": list(range(1, n, 2)),
    }


def essays(out: dict[str, str]) -> None:
    """Top-1 and top-3 hits on the essays' major claims, for the ranker and both baselines."""
    rows = _load("essays-dev.jsonl")
    articles = [_essay_article(row) for row in rows]
    systems: dict[str, Proposer] = {"": _ranker, "lead.": _lead, "lexrank.": _lexrank}
    for prefix, proposer in systems.items():
        started = time.perf_counter()
        proposals = [proposer(article) for article in articles]
        elapsed = time.perf_counter() - started
        for half, indexes in _halves(len(rows)).items():
            top1 = [claim_hit(" ".join(proposals[i][:1]), rows[i]["major_claims"]) for i in indexes]
            top3 = [
                any(claim_hit(s, rows[i]["major_claims"]) for s in proposals[i][:3])
                for i in indexes
            ]
            out[f"essays.{prefix}{half}top1"] = f"{statistics.mean(top1):.3f}"
            out[f"essays.{prefix}{half}top3"] = f"{statistics.mean(top3):.3f}"
        out[f"essays.{prefix}ms_per_article"] = f"{1000 * elapsed / len(articles):.1f}"
    out["essays.n"] = str(len(rows))


def idebate(out: dict[str, str]) -> None:
    """Motion recovery on the debates, for the ranker and both baselines."""
    rows = _load("idebate-dev.jsonl")
    articles = [_debate_article(row) for row in rows]
    references = [_body(row["motion"]) for row in rows]
    systems: dict[str, MotionProposer] = {
        "": _ranker_motions,
        "lead.": _worded(_lead),
        "lexrank.": _worded(_lexrank),
    }
    for prefix, proposer in systems.items():
        started = time.perf_counter()
        proposals = [proposer(article) for article in articles]
        elapsed = time.perf_counter() - started
        first_hit, best_hit, first_rouge, best_rouge = [], [], [], []
        for i, motions in enumerate(proposals):
            bodies = [_body(m) for m in motions[:3]]
            own = [rouge_l(body, references[i]) for body in bodies]
            best = max(range(len(bodies)), key=lambda j: own[j]) if bodies else None

            def closest_is_own(j: int | None, i: int = i, bodies: list[list[str]] = bodies) -> bool:
                if j is None:
                    return False
                mine = rouge_l(bodies[j], references[i])
                return all(
                    rouge_l(bodies[j], ref) < mine for r, ref in enumerate(references) if r != i
                )

            first_hit.append(closest_is_own(0 if bodies else None))
            best_hit.append(closest_is_own(best))
            first_rouge.append(own[0] if own else 0.0)
            best_rouge.append(max(own) if own else 0.0)
        for half, indexes in _halves(len(rows)).items():
            out[f"idebate.{prefix}{half}top1"] = (
                f"{statistics.mean(first_hit[i] for i in indexes):.3f}"
            )
            out[f"idebate.{prefix}{half}top3"] = (
                f"{statistics.mean(best_hit[i] for i in indexes):.3f}"
            )
            out[f"idebate.{prefix}{half}rougeL1"] = (
                f"{statistics.mean(first_rouge[i] for i in indexes):.3f}"
            )
            out[f"idebate.{prefix}{half}rougeL"] = (
                f"{statistics.mean(best_rouge[i] for i in indexes):.3f}"
            )
        out[f"idebate.{prefix}ms_per_article"] = f"{1000 * elapsed / len(articles):.1f}"
    out["idebate.n"] = str(len(rows))


def _median_ms(action: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return 1000 * statistics.median(times)


def timings(out: dict[str, str]) -> None:
    """Time a 2,000-word article, and the largest input accepted: 5 MB of text, 5 MB of HTML."""
    rows = _load("idebate-dev.jsonl")
    paragraphs: list[str] = []
    words = 0
    for row in rows:
        for paragraph in row["paragraphs"]:
            if words >= 2000:
                break
            kept = paragraph.split()[: 2000 - words]
            paragraphs.append(" ".join(kept))
            words += len(kept)
    article = Article("A title about the case", "", "", "", "", "\n\n".join(paragraphs))
    out["words_2000"] = str(sum(len(p.split()) for p in paragraphs))
    out["ms_2000_words"] = f"{_median_ms(lambda: propose_motions(article), 15):.1f}"
    corpus = "\n\n".join(p for row in rows for p in row["paragraphs"])
    text = ("Title of a very long text\n\n" + corpus * (MAX_BYTES // len(corpus) + 1)).encode()
    text = text[:MAX_BYTES].decode("utf-8", errors="ignore").encode("utf-8")
    page = ["<html><head><title>A very long page</title></head><body><article><h1>A page</h1>"]
    size = 0
    for paragraph in (p for _ in range(100) for row in rows for p in row["paragraphs"]):
        if size > MAX_BYTES - 10_000:
            break
        element = "<p>" + paragraph.replace("<", " ") + "</p>\n"
        page.append(element)
        size += len(element.encode())
    html = ("".join(page) + "</article></body></html>").encode()
    out["largest_bytes"] = str(MAX_BYTES)

    def largest(data: bytes, name: str) -> Callable[[], object]:
        return lambda: propose_motions(extract_bytes(data, filename=name, content_type=None))

    text_ms = _median_ms(largest(text, "long.txt"), 3)
    html_ms = _median_ms(largest(html, "long.html"), 3)
    out["ms_largest_text"] = f"{text_ms:.0f}"
    out["ms_largest_html"] = f"{html_ms:.0f}"
    out["ms_largest"] = f"{max(text_ms, html_ms):.0f}"


def main(argv: list[str]) -> int:
    """Run every measure and print ``key=value`` lines."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="skip the timings")
    args = parser.parse_args(argv)
    if not DATA.is_dir():
        print(f"no evaluation data at {DATA}", file=sys.stderr)
        return 1
    out: dict[str, str] = {}
    essays(out)
    idebate(out)
    if not args.quick:
        timings(out)
    for key, value in out.items():
        print(f"{key}={value}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
