"""Hostile links, each through the real fetcher: refused, with a message a user can act on.

A link is hostile when it would make the bot read something a user must not reach through it
(this machine, the private network, the cloud's metadata service, local files) or hold more
than it should (an endless body, a gzip bomb). Every case here asserts both halves: the fetch
is refused with the right error, and what the user is told names the problem and what to do.

A local server on loopback answers the requests. Where a case needs a public site, a fake
DNS answer gives a public-looking name the loopback address and the fetch runs with
``allow_loopback=True``: loopback stands in for the public internet there and nowhere else.
"""

from __future__ import annotations

import asyncio
import gzip
import socket
import zlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from bot.articles.errors import (
    ArticleError,
    BadUrl,
    BlockedAddress,
    FetchTimeout,
    TooLarge,
)
from bot.articles.extract import MAX_BYTES
from bot.articles.fetch import fetch_article

ARTICLE = b"<html><head><title>Zoos</title></head><body><p>Zoos should close.</p></body></html>"

PUBLIC_SITE = "news.example"
"""A public-looking name that the fake DNS resolves to the local server."""

PRIVATE_NAMES = {
    "intranet.example": "10.0.0.5",
    "db.example": "172.20.1.2",
    "router.example": "192.168.1.1",
    "metadata.example": "169.254.169.254",
    "v6-private.example": "fd00::1",
    "mapped.example": "::ffff:192.168.1.1",
    "home.example": "127.0.0.1",
}
"""Names a hostile DNS answers with private addresses."""


def assert_clear(error: ArticleError, *phrases: str) -> None:
    """The user's message names the problem and says what to do instead, in one sentence."""
    message = error.explain()
    for phrase in phrases:
        assert phrase in message, f"{phrase!r} not in {message!r}"
    assert any(advice in message for advice in ("give me", "paste", "link to")), message
    assert message.endswith("."), message
    assert message.count(". ") == 0, f"more than one sentence: {message!r}"
    for noise in ("Traceback", "Errno", "Error", "None", "\n"):
        assert noise not in message, message


def refused_address(error: BaseException, reason: str) -> BlockedAddress:
    assert isinstance(error, BlockedAddress), f"{type(error).__name__}: {error}"
    assert error.reason == reason
    assert_clear(error, "won't fetch", f"{reason} address", "not a public web site")
    return error


def refused_link(error: BaseException, reason: str) -> BadUrl:
    assert isinstance(error, BadUrl), f"{type(error).__name__}: {error}"
    assert reason in error.reason
    assert_clear(error, "That link won't do", reason, "http:// or https://")
    return error


# --- The fake DNS and the local server ------------------------------------------------------


@pytest.fixture
async def dns(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Names the fake DNS knows, mutable by a test; any other name does not resolve."""
    names = dict(PRIVATE_NAMES)
    names[PUBLIC_SITE] = "127.0.0.1"
    names["localhost"] = "127.0.0.1"
    names["mixed.example"] = "93.184.216.34,172.16.5.5"

    async def getaddrinfo(host: str, port: int, **kwargs: Any) -> list[Any]:
        if host not in names:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [
            (
                socket.AF_INET6 if ":" in address else socket.AF_INET,
                socket.SOCK_STREAM,
                6,
                "",
                (address, port),
            )
            for address in names[host].split(",")
        ]

    monkeypatch.setattr(asyncio.get_running_loop(), "getaddrinfo", getaddrinfo)
    return names


@dataclass
class Site:
    """The local server, and every path it was asked for."""

    server: TestServer
    requests: list[str] = field(default_factory=list)

    @property
    def port(self) -> int:
        port = self.server.port
        assert port is not None
        return port

    def url(self, path: str, host: str = PUBLIC_SITE) -> str:
        return f"http://{host}:{self.port}{path}"


async def redirect(request: web.Request) -> web.Response:
    raise web.HTTPFound(request.query["to"].replace("{port}", str(request.url.port)))


async def article(request: web.Request) -> web.Response:
    return web.Response(body=ARTICLE, content_type="text/html")


async def endless(request: web.Request) -> web.StreamResponse:
    """A body that never ends, sent as fast as the client reads it."""
    response = web.StreamResponse(headers={"Content-Type": "text/html"})
    response.enable_chunked_encoding()
    await response.prepare(request)
    chunk = b"<p>" + b"a" * 65_530 + b"</p>"
    try:
        while True:
            await response.write(chunk)
            await asyncio.sleep(0)  # the client runs in this event loop too: let it read
    except ConnectionError:
        return response


async def trickle(request: web.Request) -> web.StreamResponse:
    """A body that never ends, one byte at a time: it never grows large, it just never stops."""
    response = web.StreamResponse(headers={"Content-Type": "text/html"})
    response.enable_chunked_encoding()
    await response.prepare(request)
    try:
        while True:
            await response.write(b"a")
            await asyncio.sleep(0.02)
    except ConnectionError:
        return response


def endless_compressed(encoding: str) -> Callable[[web.Request], Any]:
    """An endless stream of compressed zeros: a few bytes on the wire, without end inflated."""

    async def handler(request: web.Request) -> web.StreamResponse:
        wbits = 31 if encoding == "gzip" else 15
        compressor = zlib.compressobj(9, zlib.DEFLATED, wbits)
        zeros = b"\0" * 1_000_000
        response = web.StreamResponse(
            headers={"Content-Type": "text/plain", "Content-Encoding": encoding}
        )
        response.enable_chunked_encoding()
        await response.prepare(request)
        try:
            while True:
                await response.write(
                    compressor.compress(zeros) + compressor.flush(zlib.Z_SYNC_FLUSH)
                )
                await asyncio.sleep(0)
        except ConnectionError:
            return response

    return handler


GZIP_BOMB = gzip.compress(b"\0" * 50_000_000, compresslevel=9)
DEFLATE_BOMB = zlib.compress(b"\0" * 50_000_000, 9)


async def gzip_bomb(request: web.Request) -> web.Response:
    return web.Response(
        body=GZIP_BOMB, headers={"Content-Type": "text/html", "Content-Encoding": "gzip"}
    )


async def deflate_bomb(request: web.Request) -> web.Response:
    return web.Response(
        body=DEFLATE_BOMB, headers={"Content-Type": "text/html", "Content-Encoding": "deflate"}
    )


async def huge_declared(request: web.Request) -> web.StreamResponse:
    """Announces ten gigabytes; the fetcher must refuse on the header, not after reading."""
    response = web.StreamResponse(
        headers={"Content-Type": "text/html", "Content-Length": str(10_000_000_000)}
    )
    await response.prepare(request)
    try:
        while True:
            await response.write(b"a" * 65_536)
            await asyncio.sleep(0)
    except ConnectionError:
        return response


@pytest.fixture
async def site(dns: dict[str, str]) -> AsyncIterator[Site]:
    seen: list[str] = []

    @web.middleware
    async def record(request: web.Request, handler: Any) -> web.StreamResponse:
        seen.append(request.path_qs)
        response: web.StreamResponse = await handler(request)
        return response

    app = web.Application(middlewares=[record])
    app.router.add_get("/article", article)
    app.router.add_get("/redirect", redirect)
    app.router.add_get("/endless", endless)
    app.router.add_get("/trickle", trickle)
    app.router.add_get("/endless-gzip", endless_compressed("gzip"))
    app.router.add_get("/endless-deflate", endless_compressed("deflate"))
    app.router.add_get("/gzip-bomb", gzip_bomb)
    app.router.add_get("/deflate-bomb", deflate_bomb)
    app.router.add_get("/huge-declared", huge_declared)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        yield Site(server, seen)
    finally:
        await server.close()


async def test_the_public_stand_in_is_reachable(site: Site) -> None:
    """The control: the fake public site serves an article, so refusals below mean something."""
    document = await fetch_article(site.url("/article"), allow_loopback=True)
    assert document.data == ARTICLE
    document = await fetch_article(site.url("/article", f"{PUBLIC_SITE}."), allow_loopback=True)
    assert document.data == ARTICLE
    assert site.requests == ["/article", "/article"]


# --- Private destinations, named directly ----------------------------------------------------

ADDRESSES = [
    ("http://127.0.0.1:{port}/", "loopback"),
    ("http://127.8.9.10:{port}/", "loopback"),
    ("http://localhost:{port}/", "loopback"),
    ("http://LOCALHOST:{port}/", "loopback"),
    ("http://localhost.:{port}/", "loopback"),
    ("http://127.0.0.1.:{port}/", "loopback"),
    ("HTTP://127.0.0.1:{port}/", "loopback"),
    ("hTTp://localhost:{port}/", "loopback"),
    ("http://[::1]:{port}/", "loopback"),
    ("http://[0:0:0:0:0:0:0:1]:{port}/", "loopback"),
    ("http://[::ffff:127.0.0.1]:{port}/", "loopback"),
    ("http://[::ffff:7f00:1]:{port}/", "loopback"),
    ("http://[0:0:0:0:0:ffff:127.0.0.1]:{port}/", "loopback"),
    ("http://[2002:7f00:1::1]:{port}/", "loopback"),
    ("http://10.0.0.1/", "private"),
    ("http://10.255.255.254/admin", "private"),
    ("HTTPS://10.1.2.3/", "private"),
    ("http://172.16.0.1/", "private"),
    ("http://172.31.255.254/", "private"),
    ("http://192.168.0.1/", "private"),
    ("http://192.168.255.254:8080/", "private"),
    ("http://[::ffff:10.0.0.1]/", "private"),
    ("http://[::ffff:c0a8:101]/", "private"),
    ("http://[fd00::1]/", "private"),
    ("http://169.254.169.254/latest/meta-data/iam/security-credentials/", "link-local"),
    ("http://169.254.169.254./latest/meta-data/", "link-local"),
    ("http://[::ffff:169.254.169.254]/latest/meta-data/", "link-local"),
    ("http://[64:ff9b::a9fe:a9fe]/latest/meta-data/", "link-local"),
    ("http://[fe80::1]/", "link-local"),
    ("http://0.0.0.0:{port}/", "unspecified"),
    ("http://[::]:{port}/", "unspecified"),
    ("http://100.64.0.1/", "non-public"),
]


@pytest.mark.parametrize(("url", "reason"), ADDRESSES)
async def test_private_addresses_are_refused(site: Site, url: str, reason: str) -> None:
    with pytest.raises(ArticleError) as caught:
        await fetch_article(url.format(port=site.port))
    refused_address(caught.value, reason)
    assert site.requests == []


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("intranet.example", "private"),
        ("db.example", "private"),
        ("router.example", "private"),
        ("metadata.example", "link-local"),
        ("v6-private.example", "private"),
        ("mapped.example", "private"),
        ("home.example", "loopback"),
        ("mixed.example", "private"),
        ("Intranet.Example.", "private"),
    ],
)
async def test_names_resolving_to_private_addresses_are_refused(
    site: Site, name: str, reason: str
) -> None:
    with pytest.raises(ArticleError) as caught:
        await fetch_article(site.url("/article", name))
    error = refused_address(caught.value, reason)
    assert name.lower().rstrip(".") in error.explain()
    assert site.requests == []


# --- Spellings that are not plain links ------------------------------------------------------

SPELLINGS = [
    # Decimal, octal and hex spellings of 127.0.0.1, 10.0.0.1, 192.168.0.1, 169.254.169.254.
    ("http://2130706433:{port}/", "its host is a number"),
    ("http://167772161/", "its host is a number"),
    ("http://3232235521/", "its host is a number"),
    ("http://2852039166/latest/meta-data/", "its host is a number"),
    ("http://017700000001:{port}/", "its host is a number"),
    ("http://0177.0.0.1:{port}/", "its host is a number"),
    ("http://0177.0.0.01:{port}/", "its host is a number"),
    ("http://127.000.000.001:{port}/", "its host is a number"),
    ("http://012.0.0.1/", "its host is a number"),
    ("http://0x7f000001:{port}/", "its host is a number"),
    ("http://0x7f.1:{port}/", "its host is a number"),
    ("http://0X7F.0X0.0X0.0X1:{port}/", "its host is a number"),
    ("http://0xa9.0xfe.0xa9.0xfe/", "its host is a number"),
    ("http://0x7f.0.0.1:{port}/", "its host is a number"),
    ("http://0x.0x.0x.0x/", "its host is a number"),
    ("http://127.1:{port}/", "its host is a number"),
    ("http://127.0.1:{port}/", "its host is a number"),
    ("http://10.1/", "its host is a number"),
    ("http://0:{port}/", "its host is a number"),
    ("http://2130706433.:{port}/", "its host is a number"),
    ("http://0x7f.1.:{port}/", "its host is a number"),
    # IPv6 zone ids name an interface of this machine.
    ("http://[fe80::1%25eth0]/", "network interface"),
    ("http://[::1%25lo]:{port}/", "network interface"),
    ("http://[2606:4700:4700::1111%25eth0]/", "network interface"),
    # Percent-encoded host names.
    ("http://%31%32%37.0.0.1:{port}/", "percent-encoded"),
    ("http://127.0.0.1%2f:{port}/", "percent-encoded"),
    # User names and passwords, including the ones that make a link look like another site.
    ("http://public@127.0.0.1:{port}/", "user name or password"),
    ("http://news.example@127.0.0.1:{port}/", "user name or password"),
    ("http://news.example:80@10.0.0.1/", "user name or password"),
    ("http://user:secret@news.example/", "user name or password"),
    ("http://:@127.0.0.1:{port}/", "user name or password"),
    # Other schemes.
    ("file:///etc/passwd", "only http and https"),
    ("FILE:///etc/passwd", "only http and https"),
    ("file://localhost/etc/passwd", "only http and https"),
    ("File:/etc/passwd", "only http and https"),
    ("gopher://127.0.0.1:{port}/_GET%20/%20HTTP/1.0%0D%0A", "only http and https"),
    ("GOPHER://news.example/", "only http and https"),
    ("ftp://news.example/a.txt", "only http and https"),
    ("dict://127.0.0.1:11211/stat", "only http and https"),
    ("ldap://127.0.0.1/", "only http and https"),
    ("data:text/html,<p>hi</p>", "only http and https"),
    ("javascript:alert(1)", "only http and https"),
    ("//127.0.0.1:{port}/", "only http and https"),
    # Not full links at all.
    ("news.example/article", "not a full link"),
    ("http:/127.0.0.1/", "not a full link"),
]


@pytest.mark.parametrize(("url", "reason"), SPELLINGS)
async def test_links_that_are_not_plain_public_http_are_refused(
    site: Site, url: str, reason: str
) -> None:
    with pytest.raises(ArticleError) as caught:
        await fetch_article(url.format(port=site.port), allow_loopback=True)
    refused_link(caught.value, reason)
    assert site.requests == []


# --- A public site that redirects inside -----------------------------------------------------


@pytest.mark.parametrize(
    ("target", "refusal"),
    [
        ("http://10.0.0.1/", ("address", "private")),
        ("http://172.16.0.1/", ("address", "private")),
        ("http://192.168.1.1/", ("address", "private")),
        ("http://169.254.169.254/latest/meta-data/", ("address", "link-local")),
        ("http://[::ffff:10.0.0.1]/", ("address", "private")),
        ("http://[fd00::1]/", ("address", "private")),
        ("http://intranet.example/", ("address", "private")),
        ("http://metadata.example/latest/meta-data/", ("address", "link-local")),
        ("http://0.0.0.0:{port}/article", ("address", "unspecified")),
        ("http://167772161/", ("link", "its host is a number")),
        ("http://0xa9fea9fe/", ("link", "its host is a number")),
        ("http://0177.0.0.1:{port}/article", ("link", "its host is a number")),
        ("http://127.1:{port}/article", ("link", "its host is a number")),
        ("http://public@10.0.0.1/", ("link", "user name or password")),
        ("http://[fe80::1%25eth0]/", ("link", "network interface")),
        ("file:///etc/passwd", ("link", "only http and https")),
        ("gopher://127.0.0.1:{port}/_x", ("link", "only http and https")),
        ("//10.0.0.1/", ("address", "private")),
    ],
)
async def test_a_public_site_redirecting_inside_is_refused(
    site: Site, target: str, refusal: tuple[str, str]
) -> None:
    url = site.url("/redirect?to=" + target.replace("%", "%25").replace("?", "%3F"))
    with pytest.raises(ArticleError) as caught:
        await fetch_article(url, allow_loopback=True)
    kind, reason = refusal
    if kind == "address":
        refused_address(caught.value, reason)
    else:
        refused_link(caught.value, reason)
    assert len(site.requests) == 1, "the redirect target itself is never requested"
    assert site.requests[0].startswith("/redirect")


async def test_a_redirect_chain_is_checked_at_every_hop(site: Site) -> None:
    inner = site.url("/redirect?to=http://192.168.0.1/router")
    url = site.url("/redirect?to=" + inner.replace("?", "%3F"))
    with pytest.raises(ArticleError) as caught:
        await fetch_article(url, allow_loopback=True)
    refused_address(caught.value, "private")
    assert len(site.requests) == 2


# --- Bodies that would not end --------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    ["/endless", "/endless-gzip", "/endless-deflate", "/gzip-bomb", "/deflate-bomb"],
)
async def test_endless_and_exploding_bodies_are_cut_off_at_the_cap(site: Site, path: str) -> None:
    assert len(GZIP_BOMB) < MAX_BYTES // 20
    assert len(DEFLATE_BOMB) < MAX_BYTES // 20
    with pytest.raises(ArticleError) as caught:
        await fetch_article(site.url(path), allow_loopback=True, timeout=30)
    error = caught.value
    assert isinstance(error, TooLarge), f"{type(error).__name__}: {error}"
    assert error.limit == MAX_BYTES
    assert_clear(error, "larger than 5 MB", "the most I read")


async def test_a_body_announced_as_huge_is_refused_on_its_header(site: Site) -> None:
    with pytest.raises(ArticleError) as caught:
        await fetch_article(site.url("/huge-declared"), allow_loopback=True)
    assert isinstance(caught.value, TooLarge)
    assert_clear(caught.value, "larger than 5 MB")


async def test_a_body_that_trickles_forever_runs_into_the_deadline(site: Site) -> None:
    with pytest.raises(ArticleError) as caught:
        await fetch_article(site.url("/trickle"), allow_loopback=True, timeout=0.5)
    assert isinstance(caught.value, FetchTimeout), f"{type(caught.value).__name__}"
    assert_clear(caught.value, "took longer than 0.5 seconds")
