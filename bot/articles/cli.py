"""``thesis PATH_OR_URL [--json] [-k 5]``: propose motions for an article from the terminal."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path

from bot.articles.errors import TooLarge
from bot.articles.extract import MAX_BYTES, extract_bytes
from bot.articles.fetch import fetch_article
from bot.domain.errors import DomainError
from bot.domain.thesis import MAX_CANDIDATES, Article, Candidate, propose_motions


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="thesis", description="Propose debate motions for an article (a file or a URL)."
    )
    parser.add_argument(
        "source", metavar="PATH_OR_URL", help="a .html, .txt, .md or .pdf file, or a URL"
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of text")
    parser.add_argument(
        "-k",
        type=int,
        default=5,
        choices=range(1, MAX_CANDIDATES + 1),
        metavar="K",
        help=f"how many motions to propose (1-{MAX_CANDIDATES}, default 5)",
    )
    return parser


def load_article(source: str) -> Article:
    """The article at a URL (fetched safely) or in a local file."""
    if source.lower().startswith(("http://", "https://")):
        document = asyncio.run(fetch_article(source))
        return extract_bytes(
            document.data, filename=None, content_type=document.content_type, url=document.url
        )
    path = Path(source)
    if path.stat().st_size > MAX_BYTES:
        raise TooLarge(MAX_BYTES)
    return extract_bytes(path.read_bytes(), filename=path.name, content_type=None)


def render_text(article: Article, candidates: list[Candidate]) -> str:
    """The article's metadata and its candidate motions, for a terminal."""
    lines = [
        f"{label:<9} {value}"
        for label, value in (
            ("Title:", article.title),
            ("Subtitle:", article.subtitle),
            ("Author:", article.author),
            ("Site:", article.site),
        )
        if value
    ]
    lines.append("")
    for number, candidate in enumerate(candidates, start=1):
        lines.append(f"{number}. {candidate.motion}")
        lines.append(f"   from: {candidate.sentence}")
        lines.append(f"   score: {candidate.score:.3f}")
    return "\n".join(lines)


def render_json(article: Article, candidates: list[Candidate]) -> str:
    """The article's metadata and its candidate motions as JSON."""
    return json.dumps(
        {
            "title": article.title,
            "subtitle": article.subtitle,
            "author": article.author,
            "site": article.site,
            "candidates": [
                {"motion": c.motion, "sentence": c.sentence, "score": c.score} for c in candidates
            ],
        },
        ensure_ascii=False,
        indent=2,
    )


def main(argv: list[str]) -> int:
    """Run ``thesis PATH_OR_URL [--json] [-k K]``; returns the exit status."""
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exit_:
        return exit_.code if isinstance(exit_.code, int) else 2
    try:
        article = load_article(args.source)
        candidates = propose_motions(article, args.k)
    except DomainError as error:
        explain = getattr(error, "explain", None)
        message = explain() if callable(explain) else str(error)
        print(f"thesis: {message}", file=sys.stderr)
        return 1
    except FileNotFoundError:
        print(
            f"thesis: there is no file {args.source!r}; give a file path or an http(s) URL.",
            file=sys.stderr,
        )
        return 1
    except IsADirectoryError:
        print(
            f"thesis: {args.source!r} is a folder; give a file path or an http(s) URL.",
            file=sys.stderr,
        )
        return 1
    except OSError as error:
        print(
            f"thesis: could not read {args.source!r} ({error.strerror or error}).", file=sys.stderr
        )
        return 1
    print(render_json(article, candidates) if args.json else render_text(article, candidates))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
