"""The fetcher against a local server (loopback allowed for the test), and its address rules."""

from __future__ import annotations

import asyncio
import gzip
import ipaddress
import socket
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from bot.articles.errors import (
    BadUrl,
    BlockedAddress,
    FetchFailed,
    FetchTimeout,
    HostNotFound,
    TooLarge,
    TooManyRedirects,
    UnsupportedType,
)
from bot.articles.fetch import MAX_REDIRECTS, PinnedResolver, address_refusal, fetch_article

ARTICLE = b"<html><head><title>Zoos</title></head><body><p>Zoos should close.</p></body></html>"


# --- Address rules: a pure table ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "refusal"),
    [
        ("127.0.0.1", "loopback"),
        ("127.8.9.10", "loopback"),
        ("::1", "loopback"),
        ("10.0.0.1", "private"),
        ("10.255.255.255", "private"),
        ("172.16.0.1", "private"),
        ("172.31.255.254", "private"),
        ("192.168.1.1", "private"),
        ("169.254.169.254", "link-local"),
        ("fe80::1", "link-local"),
        ("fc00::1", "private"),
        ("fd12:3456::1", "private"),
        ("::ffff:127.0.0.1", "loopback"),
        ("::ffff:10.0.0.1", "private"),
        ("::ffff:169.254.169.254", "link-local"),
        ("2002:7f00:1::1", "loopback"),  # 6to4 wrapping 127.0.0.1
        ("64:ff9b::a9fe:a9fe", "link-local"),  # NAT64 wrapping 169.254.169.254
        ("0.0.0.0", "unspecified"),
        ("::", "unspecified"),
        ("224.0.0.1", "multicast"),
        ("239.255.255.250", "multicast"),
        ("ff02::1", "multicast"),
        ("100.64.0.1", "non-public"),  # carrier-grade NAT
        ("192.0.2.1", "private"),  # documentation
        ("240.0.0.1", "private"),  # reserved
        ("255.255.255.255", "private"),
        ("93.184.216.34", None),
        ("8.8.8.8", None),
        ("172.32.0.1", None),
        ("2606:4700:4700::1111", None),
        ("::ffff:8.8.8.8", None),
    ],
)
def test_only_public_addresses_may_be_fetched(address: str, refusal: str | None) -> None:
    assert address_refusal(ipaddress.ip_address(address)) == refusal


@pytest.mark.parametrize(
    ("address", "refusal"),
    [
        ("127.0.0.1", None),
        ("127.0.0.2", None),
        ("::1", None),
        ("::ffff:127.0.0.1", None),
        ("10.0.0.1", "private"),
        ("169.254.169.254", "link-local"),
        ("0.0.0.0", "unspecified"),
        ("fc00::1", "private"),
    ],
)
def test_allow_loopback_allows_loopback_and_nothing_else(address: str, refusal: str | None) -> None:
    assert address_refusal(ipaddress.ip_address(address), allow_loopback=True) == refusal


async def test_the_pinned_resolver_answers_only_for_checked_hosts() -> None:
    resolver = PinnedResolver()
    with pytest.raises(OSError, match="not checked"):
        await resolver.resolve("example.com", 443)
    resolver.pin("Example.com", [ipaddress.ip_address("93.184.216.34")])
    [result] = await resolver.resolve("example.com", 443, socket.AF_UNSPEC)
    assert (result["host"], result["port"], result["family"]) == (
        "93.184.216.34",
        443,
        socket.AF_INET,
    )
    assert await resolver.resolve("example.com", 443, socket.AF_INET6) == []


# --- URLs refused before any connection ------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com/a.txt",
        "file:///etc/passwd",
        "javascript:alert(1)",
        "example.com/article",
        "http://user:secret@example.com/",
        "http://2130706433/",
        "http://0x7f.1/",
    ],
)
async def test_urls_that_are_not_plain_http_are_refused(url: str) -> None:
    with pytest.raises(BadUrl) as caught:
        await fetch_article(url)
    assert "http" in caught.value.explain()


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://[::1]/",
        "http://10.1.2.3/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::ffff:127.0.0.1]/",
        "http://0.0.0.0/",
        "http://localhost/",
    ],
)
async def test_private_destinations_are_refused_before_connecting(url: str) -> None:
    with pytest.raises(BlockedAddress) as caught:
        await fetch_article(url)
    assert "public" in caught.value.explain()


async def test_an_unknown_host_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    async def no_such_host(*args: Any, **kwargs: Any) -> list[Any]:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(asyncio.get_running_loop(), "getaddrinfo", no_such_host)
    with pytest.raises(HostNotFound) as caught:
        await fetch_article("https://no-such-host.invalid/article")
    assert "no-such-host.invalid" in caught.value.explain()


# --- A local server --------------------------------------------------------------------------


async def article(request: web.Request) -> web.Response:
    return web.Response(body=ARTICLE, content_type="text/html")


async def redirect(request: web.Request) -> web.Response:
    left = int(request.match_info["left"])
    target = "/article" if left == 0 else f"/redirect/{left - 1}"
    raise web.HTTPFound(target)


async def to_private(request: web.Request) -> web.Response:
    raise web.HTTPFound("http://10.0.0.1/secret")


async def to_metadata(request: web.Request) -> web.Response:
    raise web.HTTPMovedPermanently("http://169.254.169.254/latest/meta-data/")


async def to_ftp(request: web.Request) -> web.Response:
    raise web.HTTPFound("ftp://127.0.0.1/file")


async def loop(request: web.Request) -> web.Response:
    raise web.HTTPTemporaryRedirect("/loop")


async def big(request: web.Request) -> web.Response:
    return web.Response(body=b"a" * 200_000, content_type="text/plain")


async def big_chunked(request: web.Request) -> web.StreamResponse:
    response = web.StreamResponse(headers={"Content-Type": "text/plain"})
    response.enable_chunked_encoding()
    await response.prepare(request)
    for _ in range(50):
        await response.write(b"b" * 10_000)
    await response.write_eof()
    return response


BOMB = gzip.compress(b" " * 20_000_000, compresslevel=9)


async def bomb(request: web.Request) -> web.Response:
    return web.Response(
        body=BOMB, headers={"Content-Type": "text/html", "Content-Encoding": "gzip"}
    )


async def gzipped(request: web.Request) -> web.Response:
    return web.Response(
        body=gzip.compress(ARTICLE),
        headers={"Content-Type": "text/html; charset=utf-8", "Content-Encoding": "gzip"},
    )


async def image(request: web.Request) -> web.Response:
    return web.Response(body=b"\x89PNG\r\n\x1a\n", content_type="image/png")


async def missing(request: web.Request) -> web.Response:
    raise web.HTTPNotFound()


async def slow(request: web.Request) -> web.Response:
    await asyncio.sleep(30)
    return web.Response(body=ARTICLE, content_type="text/html")


@pytest.fixture
async def server() -> AsyncIterator[TestServer]:
    app = web.Application()
    app.router.add_get("/article", article)
    app.router.add_get("/redirect/{left}", redirect)
    app.router.add_get("/to-private", to_private)
    app.router.add_get("/to-metadata", to_metadata)
    app.router.add_get("/to-ftp", to_ftp)
    app.router.add_get("/loop", loop)
    app.router.add_get("/big", big)
    app.router.add_get("/big-chunked", big_chunked)
    app.router.add_get("/bomb", bomb)
    app.router.add_get("/gzipped", gzipped)
    app.router.add_get("/image", image)
    app.router.add_get("/missing", missing)
    app.router.add_get("/slow", slow)
    test_server = TestServer(app, host="127.0.0.1")
    await test_server.start_server()
    try:
        yield test_server
    finally:
        await test_server.close()


def at(server: TestServer, path: str, host: str = "127.0.0.1") -> str:
    return f"http://{host}:{server.port}{path}"


async def test_a_page_is_fetched_from_an_allowed_loopback_server(server: TestServer) -> None:
    document = await fetch_article(at(server, "/article"), allow_loopback=True)
    assert document.data == ARTICLE
    assert document.content_type.startswith("text/html")
    assert document.url == at(server, "/article")


async def test_loopback_is_refused_unless_explicitly_allowed(server: TestServer) -> None:
    with pytest.raises(BlockedAddress) as caught:
        await fetch_article(at(server, "/article"))
    assert caught.value.reason == "loopback"


async def test_a_gzipped_page_is_decompressed(server: TestServer) -> None:
    document = await fetch_article(at(server, "/gzipped"), allow_loopback=True)
    assert document.data == ARTICLE


async def test_redirects_are_followed_up_to_the_limit(server: TestServer) -> None:
    document = await fetch_article(
        at(server, f"/redirect/{MAX_REDIRECTS - 1}"), allow_loopback=True
    )
    assert document.url == at(server, "/article")
    with pytest.raises(TooManyRedirects) as caught:
        await fetch_article(at(server, f"/redirect/{MAX_REDIRECTS}"), allow_loopback=True)
    assert str(MAX_REDIRECTS) in caught.value.explain()
    with pytest.raises(TooManyRedirects):
        await fetch_article(at(server, "/loop"), allow_loopback=True)


@pytest.mark.parametrize(
    ("path", "address", "reason"),
    [("/to-private", "10.0.0.1", "private"), ("/to-metadata", "169.254.169.254", "link-local")],
)
async def test_a_redirect_to_a_private_address_is_refused(
    server: TestServer, path: str, address: str, reason: str
) -> None:
    with pytest.raises(BlockedAddress) as caught:
        await fetch_article(at(server, path), allow_loopback=True)
    assert (caught.value.address, caught.value.reason) == (address, reason)


async def test_a_redirect_to_another_scheme_is_refused(server: TestServer) -> None:
    with pytest.raises(BadUrl):
        await fetch_article(at(server, "/to-ftp"), allow_loopback=True)


@pytest.mark.parametrize("path", ["/big", "/big-chunked"])
async def test_a_body_over_the_cap_is_refused(server: TestServer, path: str) -> None:
    with pytest.raises(TooLarge) as caught:
        await fetch_article(at(server, path), allow_loopback=True, max_bytes=100_000)
    assert caught.value.limit == 100_000
    document = await fetch_article(at(server, path), allow_loopback=True, max_bytes=1_000_000)
    assert len(document.data) in {200_000, 500_000}


async def test_a_gzip_bomb_is_cut_off_at_the_decompressed_cap(server: TestServer) -> None:
    assert len(BOMB) < 100_000
    with pytest.raises(TooLarge):
        await fetch_article(at(server, "/bomb"), allow_loopback=True)


async def test_content_types_other_than_html_text_and_pdf_are_refused(server: TestServer) -> None:
    with pytest.raises(UnsupportedType) as caught:
        await fetch_article(at(server, "/image"), allow_loopback=True)
    assert "image/png" in caught.value.explain()


async def test_an_http_error_is_reported_with_its_status(server: TestServer) -> None:
    with pytest.raises(FetchFailed) as caught:
        await fetch_article(at(server, "/missing"), allow_loopback=True)
    assert caught.value.status == 404
    assert "404" in caught.value.explain()


async def test_a_slow_site_times_out(server: TestServer) -> None:
    with pytest.raises(FetchTimeout) as caught:
        await fetch_article(at(server, "/slow"), allow_loopback=True, timeout=0.3)
    assert "0.3 seconds" in caught.value.explain()


async def test_the_connection_goes_to_the_checked_address_not_a_second_lookup(
    server: TestServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    answers = ["127.0.0.1", "127.0.0.2"]  # a rebinding DNS: the second answer differs
    lookups: list[str] = []

    async def rebinding(host: str, port: int, **kwargs: Any) -> list[Any]:
        lookups.append(host)
        address = answers[min(len(lookups) - 1, 1)]
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

    monkeypatch.setattr(asyncio.get_running_loop(), "getaddrinfo", rebinding)
    document = await fetch_article(at(server, "/article", "rebind.test"), allow_loopback=True)
    assert document.data == ARTICLE
    assert lookups == ["rebind.test"]


async def test_a_host_with_any_private_address_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    async def mixed(host: str, port: int, **kwargs: Any) -> list[Any]:
        return [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", port)),
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("192.168.0.10", port)),
        ]

    monkeypatch.setattr(asyncio.get_running_loop(), "getaddrinfo", mixed)
    with pytest.raises(BlockedAddress) as caught:
        await fetch_article("https://mixed.test/")
    assert caught.value.address == "192.168.0.10"


async def test_proxy_settings_in_the_environment_are_ignored(
    server: TestServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy"):
        monkeypatch.setenv(name, "http://127.0.0.1:9")  # nothing listens there
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    document = await fetch_article(at(server, "/article"), allow_loopback=True)
    assert document.data == ARTICLE
