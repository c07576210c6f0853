"""Extraction keeps the article's own text and refuses bad input with a clear, typed error."""

from __future__ import annotations

import gzip
import random

import pytest

from bot.articles.errors import (
    ArticleError,
    BinaryContent,
    BrokenPdf,
    EmptyDocument,
    LoginWall,
    NoTextLayer,
    TooLarge,
    UndecodableText,
    UnsupportedType,
)
from bot.articles.extract import (
    MAX_BYTES,
    decode_text,
    extract_bytes,
    extract_html,
    extract_pdf,
    extract_text,
)
from bot.domain.errors import DomainError
from bot.domain.thesis import NoSentences, NotEnglish, propose_motions

BODY = [
    "Zoos claim to protect endangered species, but most animals kept in zoos are not "
    "endangered at all.",
    "Captivity causes lasting stress in large mammals, and breeding programmes rarely return "
    "animals to the wild.",
    "Money spent on zoos would do more good if it protected wild habitats directly.",
    "We should therefore phase out zoos and fund habitat protection instead.",
]
COMMENTS = ["I love zoos and my kids do too, this is nonsense.", "Great post, totally agree!"]


def page(body: list[str] = BODY) -> str:
    paragraphs = "".join(f"<p>{p}</p>" for p in body)
    comments = "".join(f'<div class="comment"><p>{c}</p></div>' for c in COMMENTS)
    return f"""<!doctype html><html><head><title>Zoos should close | The Daily</title>
<meta name="description" content="Captivity harms animals more than it helps conservation.">
<meta name="author" content="Jane Roe"><meta property="og:site_name" content="The Daily">
<meta property="article:published_time" content="2024-05-01"></head>
<body><nav><ul><li><a href="/">Home</a></li><li><a href="/news">News</a></li>
<li><a href="/opinion">Opinion</a></li></ul></nav>
<article><h1>Zoos should close</h1>
<p class="dek">Captivity harms animals more than it helps conservation.</p>
{paragraphs}
<p>Thanks for reading! Subscribe to The Daily to get every new column in your inbox.</p>
<p>Twitter: @janeroe</p></article>
<aside><h3>Sign up for our newsletter</h3><p>Get the best stories every morning.</p></aside>
<section id="comments"><h2>2 Comments</h2>{comments}</section>
<footer><p>© 2024 The Daily. All rights reserved.</p></footer></body></html>"""


def assert_only_the_article(text: str) -> None:
    for paragraph in BODY:
        assert paragraph in text
    for junk in (*COMMENTS, "Thanks for reading", "Twitter", "newsletter", "Home", "©"):
        assert junk not in text


# --- HTML -------------------------------------------------------------------------------------


def test_html_keeps_the_article_and_its_metadata_and_drops_the_rest() -> None:
    article = extract_html(page(), url="https://daily.example/zoos")
    assert article.title.startswith("Zoos should close")
    assert article.subtitle == "Captivity harms animals more than it helps conservation."
    assert article.author == "Jane Roe"
    assert article.site == "The Daily"
    assert article.date == "2024-05-01"
    assert article.url == "https://daily.example/zoos"
    assert_only_the_article(article.text)
    assert article.text.split("\n\n")[0] == BODY[0]


def test_a_description_that_only_repeats_the_opening_is_not_a_subtitle() -> None:
    html = page().replace("Captivity harms animals more than it helps conservation.", BODY[0][:80])
    assert extract_html(html).subtitle == ""


def test_a_login_wall_is_refused() -> None:
    html = """<html><head><title>Members only</title></head><body>
    <h1>Subscribe to continue reading</h1>
    <p>Log in or create an account to read this article. Already a subscriber? Sign in.</p>
    <form><input type="email"><input type="password"><button>Sign in</button></form>
    </body></html>"""
    with pytest.raises(LoginWall) as caught:
        extract_html(html)
    assert "login" in caught.value.explain()


def test_an_empty_page_is_refused() -> None:
    with pytest.raises(EmptyDocument):
        extract_html("   ")
    with pytest.raises(EmptyDocument):
        extract_html("<html><body><nav><a href='/'>Home</a></nav></body></html>")


# --- Text and Markdown ------------------------------------------------------------------------

SIGNED_OFF = (
    "Zoos should close\n"
    "Captivity harms animals more than it helps conservation\n"
    + "\n".join(BODY)
    + "\nRead the full column here. If you can't access it, write to me.\n"
    "Thanks for reading. Please consider becoming a paid subscriber.\n"
    "Jane Roe\n"
    "Website: janeroe.example\n"
    "Latest book: Cages (2023)\n" + "\n".join(COMMENTS) + "\n"
)


def test_pasted_text_gives_title_subtitle_and_cuts_sign_off_bio_and_comments() -> None:
    article = extract_text(SIGNED_OFF)
    assert article.title == "Zoos should close"
    assert article.subtitle == "Captivity harms animals more than it helps conservation"
    assert article.text == "\n\n".join(BODY)


def test_blank_line_paragraphs_a_menu_a_byline_and_a_comments_heading() -> None:
    text = (
        "Zoos should close\nCaptivity harms animals more than it helps conservation\n\n"
        "Home | News | Opinion | Subscribe\n\n"
        "By Jane Roe\n\n" + "\n\n".join(BODY) + "\n\nShare this post\n\n"
        "Comments\n\n" + "\n\n".join(COMMENTS)
    )
    article = extract_text(text)
    assert article.title == "Zoos should close"
    assert article.subtitle == "Captivity harms animals more than it helps conservation"
    assert article.author == "Jane Roe"
    assert article.text == "\n\n".join(BODY)


def test_a_subscription_pitch_near_the_top_is_dropped_without_losing_the_article() -> None:
    text = "Zoos should close\n\nSubscribe to get new posts.\n\n" + "\n\n".join(BODY)
    assert extract_text(text).text == "\n\n".join(BODY)


def test_text_without_a_title_line_takes_the_file_name() -> None:
    article = extract_text(" ".join(BODY), name="why-zoos_should-close.txt")
    assert article.title == "why zoos should close"
    assert article.text == " ".join(BODY)


def test_markdown_syntax_is_stripped() -> None:
    markdown = (
        "# Zoos should close\n\n*Captivity harms animals more than it helps conservation.*\n\n"
        "By Jane Roe\n\n"
        f"## Why\n\n{BODY[0].replace('endangered species', '[endangered species](https://x.example)')}"
        f" {BODY[1].replace('lasting stress', '**lasting stress**')}\n\n"
        f"> {BODY[2]}\n\n"
        "![a lion](lion.png)\n\n"
        "```\nprint('code is not prose')\n```\n\n"
        f"- {BODY[3]}\n\n---\n\n"
        "Thanks for reading! Share this post.\n\n**Comments**\n\n" + COMMENTS[0]
    )
    article = extract_text(markdown, name="zoos.md")
    assert article.title == "Zoos should close"
    assert article.subtitle == "Captivity harms animals more than it helps conservation."
    assert article.author == "Jane Roe"
    assert article.text == "\n\n".join(["Why", f"{BODY[0]} {BODY[1]}", BODY[2], BODY[3]])


def test_an_article_extracted_from_text_yields_motions_without_comments() -> None:
    candidates = propose_motions(extract_text(SIGNED_OFF))
    assert candidates
    assert all(c.sentence not in COMMENTS for c in candidates)
    assert all("Thanks for reading" not in c.sentence for c in candidates)


# --- PDF --------------------------------------------------------------------------------------


def make_pdf(lines: list[str], title: str = "") -> bytes:
    """A one-page PDF whose text layer holds these lines (an empty list: a drawing, no text)."""

    def escape(text: str) -> str:
        return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    if lines:
        shown = " ".join(f"({escape(line)}) Tj T*" for line in lines)
        stream = f"BT /F1 11 Tf 72 740 Td 14 TL {shown} ET"
    else:
        stream = "0 0 m 200 200 l S"
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        "/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        f"<< /Title ({escape(title)}) /Author (Jane Roe) >>",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{offset:010d} 00000 n \n" for offset in offsets).encode()
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R /Info 6 0 R >>\n"
        f"startxref\n{xref}\n%%EOF\n"
    ).encode()
    return out


PDF_LINES = [
    "Zoos claim to protect endangered species, but most animals kept in",
    "zoos are not endangered at all. Captivity causes lasting stress in large",
    "mammals, and breeding programmes rarely return animals to the wild.",
    "",
    "We should therefore phase out zoos and fund habitat protection instead.",
]


def test_a_pdf_text_layer_becomes_an_article() -> None:
    article = extract_bytes(
        make_pdf(PDF_LINES, title="Zoos should close"), filename="zoos.pdf", content_type=None
    )
    assert article.title == "Zoos should close"
    assert article.author == "Jane Roe"
    assert "most animals kept in zoos are not endangered at all." in article.text
    assert "phase out zoos and fund habitat protection instead." in article.text
    assert propose_motions(article)


def test_a_pdf_without_a_text_layer_is_refused() -> None:
    with pytest.raises(NoTextLayer) as caught:
        extract_pdf(make_pdf([]))
    assert "scan" in caught.value.explain()


def test_a_broken_pdf_is_refused() -> None:
    with pytest.raises(BrokenPdf):
        extract_bytes(b"%PDF-1.4\nthis is not really a pdf", filename="x.pdf", content_type=None)
    with pytest.raises(BrokenPdf):
        extract_bytes(b"plain words", filename=None, content_type="application/pdf")


# --- Bytes: dispatch and bad input -------------------------------------------------------------


def test_bytes_dispatch_on_content_type_then_extension_then_content() -> None:
    html = page().encode()
    assert extract_bytes(html, filename=None, content_type="text/html; charset=utf-8").author
    assert extract_bytes(html, filename="zoos.htm", content_type=None).site == "The Daily"
    assert extract_bytes(html, filename=None, content_type=None).author == "Jane Roe"
    text = SIGNED_OFF.encode()
    assert extract_bytes(text, filename="zoos.txt", content_type=None).text == "\n\n".join(BODY)
    assert (
        extract_bytes(text, filename=None, content_type="text/plain").title == "Zoos should close"
    )


def test_text_in_windows_1252_or_latin_1_is_decoded() -> None:
    text = "Café owners’ taxes should fall. “Small firms” carry too much of the burden."
    assert decode_text(text.encode("cp1252")) == text
    assert (
        decode_text("Déjà vu costs money.".encode("latin-1"), "latin-1") == "Déjà vu costs money."
    )
    assert decode_text("\ufeffHello there.".encode()) == "Hello there."
    assert decode_text("Hello there, friends.".encode("utf-16")) == "Hello there, friends."


@pytest.mark.parametrize(
    ("data", "filename", "content_type", "error"),
    [
        (b"", "a.txt", None, EmptyDocument),
        (b"  \n\t ", None, "text/plain", EmptyDocument),
        (b"\x89PNG\r\n\x1a\n" + bytes(200), "photo.txt", None, BinaryContent),
        (b"PK\x03\x04" + bytes(200), "essay.docx", None, BinaryContent),
        (random.Random(7).randbytes(4000), "notes.txt", None, BinaryContent),
        ("日本語の記事です。".encode("shift_jis") * 40, "ja.txt", None, UndecodableText),
        (b"a,b,c\n1,2,3\n", "table.csv", None, UnsupportedType),
        (b'{"a": 1}', None, "application/json", UnsupportedType),
        (b"{\\rtf1 hello}", "letter.rtf", None, UnsupportedType),
        (b"x" * (MAX_BYTES + 1), "big.txt", None, TooLarge),
    ],
)
def test_bad_input_is_refused_with_a_typed_error_and_an_explanation(
    data: bytes, filename: str | None, content_type: str | None, error: type[ArticleError]
) -> None:
    with pytest.raises(error) as caught:
        extract_bytes(data, filename=filename, content_type=content_type)
    assert isinstance(caught.value, DomainError)
    explanation = caught.value.explain()
    assert explanation.endswith((".", "!"))
    assert len(explanation) < 300


def test_the_size_cap_is_stated_in_the_explanation() -> None:
    assert "5 MB" in TooLarge(MAX_BYTES).explain()


def test_a_gzip_file_is_binary_not_an_article() -> None:
    with pytest.raises(BinaryContent) as caught:
        extract_bytes(gzip.compress(b"hello " * 100), filename="a.txt", content_type=None)
    assert "gzip" in caught.value.explain()


def test_text_with_no_sentences_and_text_not_in_english_are_refused_by_the_ranker() -> None:
    with pytest.raises(NoSentences):
        propose_motions(extract_text("Shopping list\n\n- apples\n- pears\n- plums"))
    german = (
        "Warum Zoos schließen sollten\n\n"
        "Die meisten Tiere in Zoos sind nicht vom Aussterben bedroht. Die Gefangenschaft "
        "verursacht bei großen Säugetieren dauerhaften Stress, und Zuchtprogramme bringen "
        "kaum Tiere in die Wildnis zurück. Deshalb sollten wir Zoos schrittweise abschaffen "
        "und das Geld direkt in den Schutz der Lebensräume stecken."
    )
    with pytest.raises(NotEnglish):
        propose_motions(extract_text(german))


def test_a_short_article_under_a_menu_with_sign_in_and_subscribe_is_not_a_wall() -> None:
    html = (
        "<html><head><title>Zoos</title></head><body><header><a href='/login'>Sign in</a> "
        "<a href='/subscribe'>Subscribe</a></header><article><h1>Zoos should close</h1>"
        f"<p>{BODY[0]}</p><p>{BODY[3]}</p></article></body></html>"
    )
    assert BODY[3] in extract_html(html).text
