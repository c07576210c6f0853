"""Typed errors of fetching and extracting an article; each explains itself in one sentence."""

from __future__ import annotations

from bot.domain.errors import DomainError


def _megabytes(limit: int) -> str:
    return f"{limit / 1_000_000:g} MB"


class ArticleError(DomainError):
    """The article could not be brought in."""

    def explain(self) -> str:
        """The one sentence a user sees."""
        return "I could not read that article; try pasting its text instead."


# --- Extraction --------------------------------------------------------------------------------


class EmptyDocument(ArticleError):
    """The document has no readable article text."""

    def explain(self) -> str:
        """The one sentence a user sees."""
        return (
            "I found no article text there: check that the link or file holds the article "
            "itself, or paste its text instead."
        )


class LoginWall(ArticleError):
    """The page asks the reader to log in or subscribe instead of showing the article."""

    def explain(self) -> str:
        """The one sentence a user sees."""
        return (
            "That page shows a login or subscription wall instead of the article: paste the "
            "article's text, or upload it as a file."
        )


class BinaryContent(ArticleError):
    """The data is binary (an image, an archive, a program), not a document with text."""

    def __init__(self, what: str = "binary data") -> None:
        super().__init__(f"{what}, not text")
        self.what = what

    def explain(self) -> str:
        """The one sentence a user sees."""
        return (
            f"That file looks like {self.what}, not an article: give me a web page, a .txt, "
            ".md or .html file, or a PDF with text."
        )


class UndecodableText(ArticleError):
    """The text is in no encoding that decodes to readable text."""

    def explain(self) -> str:
        """The one sentence a user sees."""
        return (
            "I could not decode that text into readable characters: save it as UTF-8 and "
            "upload it again, or paste it."
        )


class TooLarge(ArticleError):
    """The document is larger than the cap."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"larger than {limit} bytes")
        self.limit = limit

    def explain(self) -> str:
        """The one sentence a user sees."""
        return (
            f"That document is larger than {_megabytes(self.limit)}, the most I read: give me "
            "the article alone, or paste its text."
        )


class UnsupportedType(ArticleError):
    """The document is of a type that is not an article format this bot reads."""

    def __init__(self, kind: str) -> None:
        super().__init__(f"unsupported type {kind!r}")
        self.kind = kind

    def explain(self) -> str:
        """The one sentence a user sees."""
        return (
            f"I can't read {self.kind} documents: give me a web page, a .txt, .md or .html "
            "file, or a PDF."
        )


class NoTextLayer(ArticleError):
    """The PDF has no text layer (a scan or pictures of text)."""

    def explain(self) -> str:
        """The one sentence a user sees."""
        return (
            "That PDF has no text layer (it is probably a scan), so I can't read it: upload a "
            "PDF with selectable text, or paste the article's text."
        )


class BrokenPdf(ArticleError):
    """The PDF is damaged or encrypted."""

    def explain(self) -> str:
        """The one sentence a user sees."""
        return (
            "That PDF is damaged or password-protected, so I can't read it: export it again "
            "without a password, or paste the article's text."
        )


# --- Fetching ----------------------------------------------------------------------------------


class BadUrl(ArticleError):
    """The URL is not an http or https address of a host."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"{url!r}: {reason}")
        self.url = url
        self.reason = reason

    def explain(self) -> str:
        """The one sentence a user sees."""
        return f"That link won't do ({self.reason}): give me a full http:// or https:// address."


class BlockedAddress(ArticleError):
    """The host resolves to an address the bot must not reach (private, loopback, ...)."""

    def __init__(self, host: str, address: str, reason: str) -> None:
        super().__init__(f"{host} resolves to {address} ({reason})")
        self.host = host
        self.address = address
        self.reason = reason

    def explain(self) -> str:
        """The one sentence a user sees."""
        article = "an" if self.reason[:1] in "aeiou" else "a"
        return (
            f"I won't fetch {self.host}: it points to {article} {self.reason} address, not a "
            "public web site; link to the article on its public site, or paste its text."
        )


class HostNotFound(ArticleError):
    """The host name does not resolve."""

    def __init__(self, host: str) -> None:
        super().__init__(f"{host} does not resolve")
        self.host = host

    def explain(self) -> str:
        """The one sentence a user sees."""
        return f"I couldn't find the site {self.host}: check the link for typos."


class TooManyRedirects(ArticleError):
    """The page redirected more times than allowed."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"more than {limit} redirects")
        self.limit = limit

    def explain(self) -> str:
        """The one sentence a user sees."""
        return (
            f"That link redirects more than {self.limit} times, so I stopped: open it in a "
            "browser and give me the address it ends on."
        )


class FetchTimeout(ArticleError):
    """The site did not answer in time."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"no answer within {seconds:g} s")
        self.seconds = seconds

    def explain(self) -> str:
        """The one sentence a user sees."""
        return (
            f"The site took longer than {self.seconds:g} seconds to send the page: try again "
            "later, or paste the article's text."
        )


class FetchFailed(ArticleError):
    """The site answered with an error, or the connection failed."""

    def __init__(self, reason: str, status: int | None = None) -> None:
        super().__init__(reason if status is None else f"HTTP {status}: {reason}")
        self.reason = reason
        self.status = status

    def explain(self) -> str:
        """The one sentence a user sees."""
        if self.status is not None:
            return (
                f"The site answered with an error (HTTP {self.status} {self.reason}): check the "
                "link, or paste the article's text."
            )
        return f"I couldn't get the page ({self.reason}): check the link, or paste the text."
