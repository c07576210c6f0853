"""``thesis PATH_OR_URL [--json] [-k K]``: terminal and JSON output, and one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.articles.cli import main

ARTICLE = """Cities should close their centres to cars
Car-free centres make streets safer, cleaner and richer for everyone

For a century we have built our city centres around the private car. The result is streets \
that are loud, dangerous and bad for business.

Cities should close their historic centres to private cars and give the space back to people \
on foot. Traffic deaths fall, air quality improves and shops see more customers, not fewer.

Therefore, every large city should set a date to make its centre car-free.

Thanks for reading! Subscribe to get the next essay in your inbox.

Comments

Great piece, totally agree!
"""


@pytest.fixture
def article_file(tmp_path: Path) -> Path:
    path = tmp_path / "cars.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    return path


def test_text_output_lists_metadata_and_numbered_candidates(
    article_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([str(article_file)]) == 0
    out = capsys.readouterr().out
    assert "Title:    Cities should close their centres to cars" in out
    assert "Subtitle: Car-free centres make streets safer" in out
    assert "1. This House believes that car-free centres make streets safer" in out
    assert "   from: " in out
    assert "   score: " in out
    assert "Great piece" not in out


def test_json_output_has_exactly_the_documented_fields(
    article_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([str(article_file), "--json", "-k", "2"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) == {"title", "subtitle", "author", "site", "candidates"}
    assert data["title"] == "Cities should close their centres to cars"
    assert len(data["candidates"]) == 2
    for candidate in data["candidates"]:
        assert set(candidate) == {"motion", "sentence", "score"}
        assert candidate["motion"].startswith("This House")
        assert isinstance(candidate["score"], float)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["no-such-file.txt"], "there is no file"),
        (["http://127.0.0.1:9/article"], "public web site"),
        (["ftp://example.com/a.txt"], "http"),
    ],
)
def test_errors_are_one_clear_line_on_stderr_and_a_failing_status(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1
    assert message in lines[0]
    assert "Traceback" not in captured.err


def test_a_binary_file_is_refused_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "photo.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(100))
    assert main([str(path)]) == 1
    assert capsys.readouterr().err.count("\n") == 1


def test_a_folder_and_bad_arguments_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([str(tmp_path)]) == 1
    assert "folder" in capsys.readouterr().err
    assert main([]) == 2
    assert main(["x.txt", "-k", "99"]) == 2
