"""The article's own text from a web page, a text or Markdown file, or a PDF.

Theory of operation
-------------------
Every format ends in the same place: a list of paragraphs that a generic cleaner turns
into an :class:`~bot.domain.thesis.Article`.

* HTML goes through trafilatura (``include_comments=False, favor_precision=True``: it keeps
  reader comments by default), whose metadata gives the title, the subtitle (the page's
  description, when it is not just the opening of the text), author, date and site.
* Text and Markdown: the first line is the title when it reads like one; a short second
  line with no full stop (or set off by Markdown) is the subtitle; Markdown syntax goes.
* PDF: pypdf's text layer, with hyphenated line breaks mended and wrapped lines joined.

Every extractor, trafilatura included, keeps the writer's sign-off, bio, social links and
subscription pitch, and a pasted text keeps the readers' comments below them. The cleaner
therefore drops boilerplate lines wherever they are ("Share", "Subscribe now") and cuts the
tail at the first sign-off line ("Thanks for reading", "Read the article here", "Website:",
"12 comments", ...) found once most of the article has been read, together with a name
line just above it. The markers are generic: they describe how articles end, not one site.

Input limits: at most ``MAX_BYTES`` (5 MB) of input; of a text, only the first
``MAX_TEXT_CHARS`` characters are read as the article; a page over ``FAST_HTML_CHARS``
skips trafilatura's fallback extractors. Bytes are decoded from their BOM, their declared
charset, UTF-8, or else Windows-1252 when that reads as text; binary data and text that
decodes only to junk are refused. Text in another language is extracted like any other;
the ranker then refuses it (``bot.domain.thesis.NotEnglish``), since its cues and its
wording of motions are English.
"""

from __future__ import annotations

import codecs
import io
import re
from pathlib import PurePosixPath

import trafilatura
from pypdf import PdfReader
from pypdf.errors import PyPdfError
from trafilatura.settings import Document

from bot.articles.errors import (
    BinaryContent,
    BrokenPdf,
    EmptyDocument,
    LoginWall,
    NoTextLayer,
    TooLarge,
    UndecodableText,
    UnsupportedType,
)
from bot.domain.thesis import Article, split_sentences

MAX_BYTES = 5_000_000
"""The largest document accepted, fetched or uploaded."""

MAX_TEXT_CHARS = 500_000
"""Only this much of a text is read as the article (the ranker reads less still)."""

FAST_HTML_CHARS = 1_000_000
"""Above this size a page skips trafilatura's fallback extractors, to stay within time."""

LOGIN_WALL_WORDS = 150
"""A page with less article text than this and login words is taken for a login wall."""

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
TEXT_TYPES = frozenset({"text/plain", "text/markdown", "text/x-markdown"})
PDF_TYPES = frozenset({"application/pdf", "application/x-pdf"})
ACCEPTED_TYPES = HTML_TYPES | TEXT_TYPES | PDF_TYPES

_EXTENSIONS = {
    ".html": "html", ".htm": "html", ".xhtml": "html",
    ".txt": "text", ".text": "text", ".md": "text", ".markdown": "text",
    ".pdf": "pdf",
}  # fmt: skip

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"RIFF", "a media file"),
    (b"PK\x03\x04", "a ZIP archive (or a Word, EPUB or OpenDocument file)"),
    (b"\xd0\xcf\x11\xe0", "an old Microsoft Office file"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"BZh", "a bzip2 archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
    (b"Rar!", "a RAR archive"),
    (b"\x7fELF", "a program"),
    (b"MZ", "a Windows program"),
    (b"OggS", "an audio file"),
    (b"ID3", "an MP3 file"),
    (b"fLaC", "an audio file"),
    (b"wOFF", "a font"),
    (b"\x00\x00\x01\x00", "an icon"),
)


# ---------------------------------------------------------------------------------------------
# Cleaning paragraphs: boilerplate lines, the sign-off tail

_BOILERPLATE = re.compile(
    r"""^(?:
        share(?:\s+this(?:\s+(?:post|article|story))?)?|subscribe(?:\s+now)?|subscribed|
        leave\s+a\s+comment|advertisement|sponsored(?:\s+content)?|continue\s+reading|
        read\s+more|read\s+next|listen\s+to\s+(?:this\s+)?(?:article|story).*|click\s+here\b.*|
        upgrade\s+to\s+paid|give\s+a\s+gift\s+subscription|like|reply|restack|
        \d+\s+(?:likes?|shares?|restacks?)|(?:image|photo|photograph|illustration|credit)\s*:.*|
        skip\s+to\s+(?:main\s+)?content|table\s+of\s+contents|back\s+to\s+top|menu|home|
        print|email|tweet|pin\s+it|copy\s+link|more|previous|next|loading\.*
    )\W*$""",
    re.IGNORECASE | re.VERBOSE,
)
_SOCIAL = (
    r"website|web|site|twitter|x|instagram|facebook|linkedin|mastodon|bluesky|threads|"
    r"substack|youtube|tiktok|telegram|e-?mail|contact|latest\s+book|new\s+book|"
    r"my\s+(?:new\s+|latest\s+)?book|books?|podcast|newsletter|blog|patreon|follow\s+me"
)
_TAIL = re.compile(
    rf"""^(?:
        (?:thanks|thank\s+you)(?:\s+so\s+much|\s+again|\s+all)?\s+for\s+
            (?:reading|your\s+support|subscribing|being\s+a\s+subscriber)|
        (?:read|see)\s+(?:the\s+|my\s+)?(?:full\s+|whole\s+|rest\s+of\s+the\s+|original\s+)?
            (?:article|piece|story|post|essay|interview|report|column)\s+(?:here|at|on|in)\b|
        (?:this\s+(?:post|article|piece|essay|story|column)\s+(?:was|is|first)\s+
            (?:originally\s+)?(?:published|appeared|posted))|originally\s+(?:published|appeared)|
        if\s+you\s+(?:enjoyed|liked|found\s+this|appreciate|value)\b|
        (?:please\s+)?(?:consider\s+)?(?:subscribing|becoming\s+a\s+(?:paid\s+)?
            (?:subscriber|member|supporter|patron)|upgrading\s+to\s+(?:a\s+)?paid)|
        subscribe\s+(?:to|for|now\s+to)\b|
        support\s+(?:my|our|this|independent)\s+(?:work|journalism|writing|newsletter)|
        sign\s+up\s+(?:for|to)\s+(?:my|our|the)\s+(?:free\s+)?newsletter|
        [^\n]{{0,60}}\bis\s+a\s+reader-supported\s+publication|
        (?:about\s+the\s+author|author\s+bio|more\s+from\s+(?:the\s+|this\s+)?author|
            related\s+(?:articles|posts|stories|reading)|you\s+(?:may|might)\s+also\s+
            (?:like|enjoy)|recommended(?:\s+for\s+you|\s+reading)?|(?:\d+\s+)?comments?|
            (?:\d+\s+)?(?:responses|replies)|discussion\s+about\s+this\s+(?:post|article)|
            join\s+the\s+(?:discussion|conversation)|leave\s+a\s+(?:comment|reply)|
            (?:top|reader|readers['’]?)\s+comments|what\s+readers\s+(?:say|think))\W*$|
        ©|\(c\)\s*\d{{4}}|copyright\s+(?:©\s*)?\d{{4}}|all\s+rights\s+reserved|
        (?:{_SOCIAL})\s*:\s*\S
    )""",
    re.IGNORECASE | re.VERBOSE,
)
_MENU_SEPARATORS = re.compile(r"\s+[|·•»]\s+|\s+/\s+")


def _is_menu(line: str) -> bool:
    """A row of short links ("Home | News | Opinion | Subscribe")."""
    items = _MENU_SEPARATORS.split(line.strip())
    return len(items) >= 3 and all(
        0 < len(item.split()) <= 4 and not item.rstrip().endswith((".", "?", "!")) for item in items
    )


_NAME_LINE = re.compile(r"^(?:[A-Z][\w.'’-]*\s*){1,4}$")


def _is_noise(paragraph: str) -> bool:
    """A menu, a share button, a caption: page furniture, not the article."""
    return (
        not paragraph.strip() or bool(_BOILERPLATE.match(paragraph.strip())) or _is_menu(paragraph)
    )


def _clean_paragraphs(paragraphs: list[str]) -> list[str]:
    """Drop boilerplate lines and cut the sign-off tail with everything below it."""
    kept = [p for p in paragraphs if not _is_noise(p)]
    total = sum(len(p) for p in kept) or 1
    read = 0
    body: list[str] = []
    for index, paragraph in enumerate(kept):
        if _TAIL.match(paragraph.strip()):
            if len(body) >= 3 or read >= 0.35 * total:
                while body and _NAME_LINE.match(body[-1].strip()) and index > 1:
                    body.pop()
                return body
            continue  # a pitch near the top: drop the line, keep reading
        body.append(paragraph)
        read += len(paragraph)
    return body


# ---------------------------------------------------------------------------------------------
# Markdown

_FENCE = re.compile(r"^(```|~~~).*?^\1[^\n]*$", re.MULTILINE | re.DOTALL)
_MARKDOWN_LINES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^\s*\[[^\]]+\]:\s*\S+.*$", re.M), ""),  # reference definitions
    (re.compile(r"^\s*\[\^[^\]]+\]:.*$", re.M), ""),  # footnote definitions
    (re.compile(r"^\s*([-*_])(?:\s*\1){2,}\s*$", re.M), ""),  # rules
    (re.compile(r"^\s*\|?\s*:?-{3,}.*$", re.M), ""),  # table separators
    (re.compile(r"^\s*\|(.*)\|\s*$", re.M), ""),  # table rows
    (re.compile(r"^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$", re.M), r"\1"),  # headings
    (re.compile(r"^\s{0,3}(?:>\s?)+", re.M), ""),  # block quotes
    (re.compile(r"^\s*(?:[-*+]|\d{1,3}[.)])\s+", re.M), ""),  # list markers
)
_MARKDOWN_INLINE: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"!\[[^\]]*\]\([^)]*\)"), ""),  # images
    (re.compile(r"\[([^\]]+)\]\([^)]*\)"), r"\1"),  # links
    (re.compile(r"\[([^\]]+)\]\[[^\]]*\]"), r"\1"),  # reference links
    (re.compile(r"\[\^[^\]]+\]"), ""),  # footnote marks
    (re.compile(r"<https?://[^>]+>"), ""),  # autolinks
    (re.compile(r"</?[A-Za-z][^>\n]*>"), ""),  # inline HTML
    (re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1"), r"\2"),  # strong
    (re.compile(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])"), r"\1"),  # emphasis
    (re.compile(r"(?<![\w_])_(?=\S)([^_\n]+?)(?<=\S)_(?![\w_])"), r"\1"),  # emphasis
    (re.compile(r"~~(.+?)~~"), r"\1"),  # strike-through
    (re.compile(r"`([^`\n]*)`"), r"\1"),  # code
)
_SET_OFF = re.compile(r"^\s*(?:#{1,6}\s+|>\s*|\*[^*].*\*\s*$|_[^_].*_\s*$|\*\*.*\*\*\s*$)")


def _strip_markdown(text: str) -> str:
    """Markdown source as plain text."""
    text = _FENCE.sub("", text)
    for pattern, replacement in (*_MARKDOWN_LINES, *_MARKDOWN_INLINE):
        text = pattern.sub(replacement, text)
    return text


# ---------------------------------------------------------------------------------------------
# Text into an Article

_BYLINE = re.compile(r"^(?:by|written\s+by|words\s+by|author\s*:)\s+(?P<name>[^\n]{2,80})$", re.I)
_MONTHS = (
    r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
_DATE_LINE = re.compile(
    rf"^(?:(?:published|updated|posted)\s*:?\s*)?(?:\w+day,?\s+)?(?:"
    rf"\d{{4}}-\d{{2}}-\d{{2}}|(?:{_MONTHS})\.?\s+\d{{1,2}},?\s+\d{{4}}|"
    rf"\d{{1,2}}\s+(?:{_MONTHS})\.?,?\s+\d{{4}})\b[^\n]{{0,30}}$",
    re.I,
)


def _normalise(text: str) -> str:
    """Unix newlines, no BOM, no control characters, no trailing spaces."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    text = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b\u200c\u200d\u2060]", "", text)
    text = text.replace("\u00a0", " ")
    return re.sub(r"[ \t]+\n", "\n", text)


def _raw_paragraphs(text: str) -> list[str]:
    """Blank-line separated blocks; with no blank line at all, every line is a paragraph."""
    text = text.strip()
    blank = re.compile(r"\n[ \t]*\n")
    blocks = blank.split(text) if blank.search(text) else text.split("\n")
    return [b.strip() for b in blocks if b.strip()]


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _looks_like_title(line: str) -> bool:
    words = line.split()
    return (
        "\n" not in line
        and 0 < len(words) <= 30
        and len(line) <= 200
        and (not line.endswith(".") or len(words) <= 12)
        and len(split_sentences(line)) <= 2
    )


def _looks_like_subtitle(raw: str, plain: str) -> bool:
    if "\n" in raw.strip() or not 3 <= len(plain.split()) <= 60 or len(plain) > 350:
        return False
    if _SET_OFF.match(raw):
        return True
    return len(split_sentences(plain)) == 1 and not plain.endswith((".", ":"))


def _stem_title(name: str) -> str:
    stem = PurePosixPath(name.replace("\\", "/")).stem if name else ""
    return _one_line(re.sub(r"[-_]+", " ", stem))


def _article_from_text(
    text: str, name: str, *, markdown: bool, url: str = "", title: str = "", author: str = ""
) -> Article:
    """The shared path of text, Markdown and PDF text: title, subtitle, byline, body."""
    text = _normalise(text[:MAX_TEXT_CHARS])
    if markdown:
        text = _FENCE.sub("", text)
    raw = [p for p in _raw_paragraphs(text) if not _is_noise(p)]
    if raw and "\n" in raw[0]:
        first, rest = raw[0].split("\n", 1)
        head = _one_line(_strip_markdown(first) if markdown else first)
        if _looks_like_title(head) and rest.count("\n") < 3 and not head.endswith((",", ";")):
            raw = [first, *(line for line in rest.split("\n") if line.strip()), *raw[1:]]
    plain = [_one_line(_strip_markdown(p)) if markdown else p for p in raw]
    position = 0
    if not title and plain and _looks_like_title(_one_line(plain[0])) and len(plain) > 1:
        title = _one_line(plain[0])
        position = 1
    elif title and plain and _one_line(plain[0]).lower() == title.lower():
        position = 1
    subtitle = ""
    date = ""
    for _ in range(3):
        if position >= len(plain) - 1:
            break
        line = _one_line(plain[position])
        byline = _BYLINE.match(line)
        if byline and not author:
            author = byline.group("name").strip()
            position += 1
        elif _DATE_LINE.match(line) and not date:
            date = line
            position += 1
        elif not subtitle and position <= 2 and _looks_like_subtitle(raw[position], line):
            subtitle = line
            position += 1
        else:
            break
    body = [p if markdown else p.strip() for p in plain[position:]]
    body = _clean_paragraphs(body)
    if not body or not any(any(c.isalpha() for c in p) for p in body):
        raise EmptyDocument("no article text")
    return Article(
        title=title or _stem_title(name),
        subtitle=subtitle,
        author=author,
        site="",
        date=date,
        text="\n\n".join(body),
        url=url,
    )


def extract_text(text: str, name: str = "") -> Article:
    """An article from plain text or Markdown: first line title, a short second line subtitle."""
    if not text.strip():
        raise EmptyDocument("empty text")
    markdown = name.lower().endswith((".md", ".markdown")) or bool(
        re.search(r"^#{1,6}\s|\]\(https?://|\*\*\S|^```", text[:50_000], re.M)
    )
    return _article_from_text(text, name, markdown=markdown)


# ---------------------------------------------------------------------------------------------
# HTML

_LOGIN_WORDS = re.compile(
    r"\b(?:log\s?in|sign\s?in|sign\s?up|subscribe|subscribers?\s+only|subscription|"
    r"create\s+(?:a\s+free\s+|an\s+)?account|register|password|paywall|already\s+a\s+subscriber|"
    r"to\s+continue\s+reading|members?\s+only|unlock\s+(?:this|the)\s+(?:article|story))\b",
    re.I,
)


def _login_words(text: str) -> int:
    """How many distinct login or subscription phrases a text has."""
    return len({" ".join(m.group(0).lower().split()) for m in _LOGIN_WORDS.finditer(text)})


def _login_wall(html: str, text: str) -> bool:
    """The page's main text (or, with none, the whole page) is a request to log in."""
    if text.strip():
        # A menu's "Sign in | Subscribe" is not in the main text; a wall's message is.
        password = re.search(r"<input[^>]+type\s*=\s*[\"']?password", html[:500_000], re.I)
        return _login_words(text) >= (1 if password else 2)
    return _login_words((trafilatura.html2txt(html) or "")[:200_000]) >= 2


def _description_is_subtitle(description: str, text: str) -> bool:
    """A page description is a subtitle unless it merely repeats the text's opening."""
    description = _one_line(description)
    if not description or description.endswith(("...", "…")):
        return False
    opening = _one_line(text[: len(description) + 40]).lower()
    return not opening.startswith(description.lower()[: max(40, len(description) - 5)])


def extract_html(html: str, url: str = "") -> Article:
    """An article from a web page: trafilatura's main text and metadata, then the tail cut."""
    if not html.strip():
        raise EmptyDocument("empty page")
    document = trafilatura.bare_extraction(
        html,
        url=url or None,
        fast=len(html) > FAST_HTML_CHARS,
        include_comments=False,
        favor_precision=True,
        include_tables=False,
        with_metadata=True,
    )
    text = document.text if isinstance(document, Document) and document.text else ""
    words = len(text.split())
    if words < LOGIN_WALL_WORDS and _login_wall(html, text):
        raise LoginWall("login words and little text")
    if not isinstance(document, Document) or not text.strip():
        raise EmptyDocument("no main text found")
    text = text[:MAX_TEXT_CHARS]
    title = _one_line(document.title or "")
    description = _one_line(document.description or "")
    paragraphs = [_one_line(line) for line in _normalise(text).split("\n") if line.strip()]
    while paragraphs and paragraphs[0].lower() in {title.lower(), description.lower()}:
        paragraphs.pop(0)
    subtitle = description if _description_is_subtitle(description, "\n".join(paragraphs)) else ""
    body = _clean_paragraphs(paragraphs)
    if not body:
        raise EmptyDocument("nothing left after removing boilerplate")
    return Article(
        title=title,
        subtitle=subtitle,
        author=_one_line(document.author or ""),
        site=_one_line(document.sitename or ""),
        date=_one_line(document.date or ""),
        text="\n\n".join(body),
        url=url,
    )


# ---------------------------------------------------------------------------------------------
# PDF


def _pdf_paragraphs(text: str) -> str:
    """Mend hyphenated line breaks and join wrapped lines into blank-line paragraphs.

    A line ends its paragraph when it finishes a sentence well short of the page width, or
    when it is a short unpunctuated line (a heading) followed by a capitalised one.
    """
    text = _normalise(text)
    text = re.sub(r"(\w)-\n(\w)", r"\1\2", text)
    lines = [line.strip() for line in text.split("\n")]
    width = max((len(line) for line in lines), default=0)
    paragraphs: list[str] = []
    current: list[str] = []
    for index, line in enumerate(lines):
        if not line:
            if current:
                paragraphs.append(" ".join(current))
                current = []
            continue
        current.append(line)
        following = lines[index + 1] if index + 1 < len(lines) else ""
        finished = line.endswith((".", "!", "?", ":", '"', "”")) and len(line) < 0.8 * width
        heading = (
            not line.endswith((".", ",", ";"))
            and len(line) < 0.7 * width
            and following[:1].isupper()
        )
        if finished or heading:
            paragraphs.append(" ".join(current))
            current = []
    if current:
        paragraphs.append(" ".join(current))
    return "\n\n".join(paragraphs)


def extract_pdf(data: bytes, name: str = "") -> Article:
    """An article from a PDF's text layer; a PDF without one is refused."""
    if len(data) > MAX_BYTES:
        raise TooLarge(MAX_BYTES)
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise BrokenPdf("encrypted")
        pages = [page.extract_text() or "" for page in reader.pages[:200]]
        metadata = reader.metadata
        meta_title = _one_line(str(metadata.title or "")) if metadata else ""
        meta_author = _one_line(str(metadata.author or "")) if metadata else ""
    except BrokenPdf:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, IndexError, AssertionError) as error:
        raise BrokenPdf(str(error)) from error
    text = "\n\n".join(_pdf_paragraphs(page) for page in pages)
    if sum(1 for c in text if c.isalpha()) < 20:
        raise NoTextLayer("no text layer")
    title = meta_title if _looks_like_title(meta_title) and len(meta_title.split()) > 1 else ""
    return _article_from_text(text, name, markdown=False, title=title, author=meta_author)


# ---------------------------------------------------------------------------------------------
# Bytes of any accepted kind


def _media_type(content_type: str | None) -> tuple[str, str | None]:
    """``("text/html", "utf-8")`` from ``"text/html; charset=UTF-8"``."""
    if not content_type:
        return "", None
    main, _, params = content_type.partition(";")
    charset = re.search(r"charset\s*=\s*[\"']?([\w.:-]+)", params, re.I)
    return main.strip().lower(), charset.group(1) if charset else None


def _readable(text: str, *, strict: bool) -> bool:
    """Whether decoded text reads as text rather than mojibake or binary."""
    sample = text[:100_000]
    if not sample:
        return True
    controls = sum(1 for c in sample if ord(c) < 32 and c not in "\t\n\r\f")
    if controls > 0.01 * len(sample) or (strict and "\ufffd" in sample[:10_000]):
        return False
    letters = [c for c in sample if c.isalpha()]
    if not letters:
        return False
    if strict:
        return sum(1 for c in letters if c.isascii()) >= 0.6 * len(letters)
    return True


def decode_text(data: bytes, charset: str | None = None) -> str:
    """Decode text bytes: BOM, declared charset, UTF-8, then Windows-1252 if it reads as text."""
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError as error:
                raise UndecodableText(str(error)) from error
    head = data[:4096]
    controls = sum(1 for byte in head if byte < 32 and byte not in b"\t\n\r\f\x00")
    if controls > len(head) // 100 + 1:
        raise BinaryContent()
    if head.count(b"\x00") > len(head) // 4:
        for encoding in ("utf-16-le", "utf-16-be"):
            try:
                decoded = data.decode(encoding)
            except UnicodeDecodeError:
                continue
            if _readable(decoded, strict=False):
                return decoded
        raise BinaryContent()
    attempts: list[tuple[str, bool]] = []
    if charset:
        try:
            codecs.lookup(charset)
            attempts.append((charset, False))
        except LookupError:
            pass
    attempts += [("utf-8", False), ("cp1252", True)]
    for encoding, fallback in attempts:
        try:
            decoded = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _readable(decoded, strict=fallback):
            return decoded
        if b"\x00" in head or not _readable(decoded, strict=False):
            raise BinaryContent()
    raise UndecodableText("no encoding gives readable text")


def _sniff_html(data: bytes) -> bool:
    head = data[:2048].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html", b"<?xml")) or b"<body" in head


def _meta_charset(data: bytes) -> str | None:
    match = re.search(rb"<meta[^>]+charset\s*=\s*[\"']?([\w.:-]+)", data[:4096], re.I)
    return match.group(1).decode("ascii", "replace") if match else None


def _kind(data: bytes, filename: str | None, media_type: str) -> str:
    """``html``, ``text`` or ``pdf``; refuse binary data and other document types."""
    if data.lstrip()[:5] == b"%PDF-":
        return "pdf"
    for magic, what in _MAGIC:
        if data.startswith(magic):
            raise BinaryContent(what)
    if data.lstrip()[:5] == b"{\\rtf":
        raise UnsupportedType("RTF")
    if media_type in HTML_TYPES:
        return "html"
    if media_type in TEXT_TYPES:
        return "text"
    if media_type in PDF_TYPES:
        return "pdf"
    if media_type and media_type not in {"application/octet-stream", "binary/octet-stream"}:
        raise UnsupportedType(media_type)
    suffix = PurePosixPath((filename or "").replace("\\", "/")).suffix.lower()
    if suffix in _EXTENSIONS:
        return _EXTENSIONS[suffix]
    if suffix:
        raise UnsupportedType(suffix)
    return "html" if _sniff_html(data) else "text"


def extract_bytes(
    data: bytes, *, filename: str | None, content_type: str | None, url: str = ""
) -> Article:
    """An article from uploaded or fetched bytes, dispatched on content type, name and content."""
    if len(data) > MAX_BYTES:
        raise TooLarge(MAX_BYTES)
    if not data.strip():
        raise EmptyDocument("no data")
    media_type, charset = _media_type(content_type)
    kind = _kind(data, filename, media_type)
    name = filename or ""
    if kind == "pdf":
        if data.lstrip()[:5] != b"%PDF-":
            raise BrokenPdf("not a PDF")
        return extract_pdf(data, name)
    if kind == "html":
        html = decode_text(data, charset or _meta_charset(data))
        return extract_html(html, url)
    text = decode_text(data, charset)
    return extract_text(text, name)
