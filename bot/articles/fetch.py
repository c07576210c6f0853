"""Fetch an article from a URL that a user gave, without letting the URL reach inside.

Theory of operation
-------------------
A URL from a chat message is hostile until checked. For every request, the first one and
each redirect alike:

1. the URL must be ``http`` or ``https`` with a host name or a canonical IP address, and no
   user name or password; numeric spellings that only some parsers read as an address
   (``2130706433``, ``0x7f.1``, ``0177.0.0.1``, ``127.1``), percent-encoded host names and
   IPv6 zone ids are refused outright, and a trailing dot is ignored (``127.0.0.1.`` is
   127.0.0.1);
2. the host is resolved here, and *every* address it resolves to must be public: loopback,
   private, shared, link-local (cloud metadata at 169.254.169.254), multicast, reserved and
   unspecified addresses are refused, IPv6 too, and IPv4 addresses embedded in IPv6 forms
   (``::ffff:127.0.0.1``, 6to4, NAT64, Teredo) are judged as the IPv4 address they carry;
3. the connection goes to an address that was checked: the session's resolver answers only
   with the addresses pinned in step 2, so a DNS answer that changes between the check and
   the connection (DNS rebinding) is never used;
4. redirects are not followed by aiohttp but here, so each target goes through 1–3 again;
   at most ``MAX_REDIRECTS``.

The whole fetch has one deadline. Only HTML, text and PDF content types are read; the body
is read decompressed, in chunks, and refused as soon as it passes ``max_bytes``, so neither
a huge page nor a gzip bomb is held in memory. Proxies from the environment are ignored.
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
import socket
from dataclasses import dataclass

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from yarl import URL

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
from bot.articles.extract import ACCEPTED_TYPES, MAX_BYTES

MAX_REDIRECTS = 5
"""Redirects followed before giving up."""

USER_AGENT = "AgoraDebateBot/0.1 (fetches an article a moderator shared)"
_ACCEPT = (
    "text/html,application/xhtml+xml,text/plain;q=0.9,text/markdown;q=0.9,application/pdf;q=0.8"
)
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_CHUNK = 64 * 1024

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_NAT64 = (ipaddress.IPv6Network("64:ff9b::/96"), ipaddress.IPv6Network("64:ff9b:1::/48"))


@dataclass(frozen=True)
class FetchedDocument:
    """What a URL gave: the final URL after redirects, its content type, and the body."""

    url: str
    content_type: str
    data: bytes


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries (mapped, 6to4, Teredo, NAT64), if any."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if any(address in network for network in _NAT64):
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def address_refusal(address: IPAddress, *, allow_loopback: bool = False) -> str | None:
    """Why the bot must not connect to this address ("private", ...), or None if it is public."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(address)
        if embedded is not None:
            return address_refusal(embedded, allow_loopback=allow_loopback)
    if address.is_unspecified:
        return "unspecified"
    if address.is_loopback:
        return None if allow_loopback else "loopback"
    if address.is_link_local:
        return "link-local"
    if address.is_multicast:
        return "multicast"
    if address.is_private:
        return "private"
    if address.is_reserved:
        return "reserved"
    if not address.is_global:
        return "non-public"
    return None


def _check_scheme(url: URL, text: str) -> None:
    if url.scheme not in {"http", "https"}:
        raise BadUrl(text, "only http and https links are fetched")


def _check_url(url: URL) -> tuple[str, str, int]:
    """The host as written, the name to look up, and the port of a URL the bot may fetch."""
    text = str(url)
    _check_scheme(url, text)
    host = url.raw_host
    if not host:
        raise BadUrl(text, "it has no host name")
    if url.user is not None or url.password is not None:
        raise BadUrl(text, "it carries a user name or password")
    if "%" in host:
        if ":" in host:  # a zone id names a network interface of this machine
            raise BadUrl(text, "its address names a network interface of this machine")
        raise BadUrl(text, "its host name is percent-encoded")
    name = host.strip("[]").removesuffix(".")
    if re.fullmatch(r"(?:0x[0-9a-f]*|[0-9]+)(?:\.(?:0x[0-9a-f]*|[0-9]+))*", name, re.I):
        try:
            ipaddress.IPv4Address(name)
        except ValueError:
            raise BadUrl(text, "its host is a number, not an address or name") from None
    port = url.explicit_port or (443 if url.scheme == "https" else 80)
    return host.strip("[]"), name, port


async def _resolve(host: str, port: int, *, allow_loopback: bool) -> list[IPAddress]:
    """Every address of the host, each checked; refuse the host if any address is not public."""
    try:
        addresses: list[IPAddress] = [ipaddress.ip_address(host)]
    except ValueError:
        loop = asyncio.get_running_loop()
        try:
            infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError) as error:
            raise HostNotFound(host) from error
        addresses = []
        for _family, _type, _proto, _name, sockaddr in infos:
            literal = str(sockaddr[0]).split("%", 1)[0]
            address = ipaddress.ip_address(literal)
            if address not in addresses:
                addresses.append(address)
    if not addresses:
        raise HostNotFound(host)
    for address in addresses:
        reason = address_refusal(address, allow_loopback=allow_loopback)
        if reason is not None:
            raise BlockedAddress(host, str(address), reason)
    return addresses


class PinnedResolver(AbstractResolver):
    """A resolver that answers only with addresses checked beforehand, never asking DNS."""

    def __init__(self) -> None:
        self._pins: dict[str, list[IPAddress]] = {}

    def pin(self, host: str, addresses: list[IPAddress]) -> None:
        """From now on, ``host`` resolves to these (checked) addresses and nothing else."""
        self._pins[host.lower()] = list(addresses)

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        """The pinned addresses of ``host``; a host that was not checked does not resolve."""
        addresses = self._pins.get(host.lower().strip("[]"))
        if not addresses:
            raise OSError(f"{host} was not checked before connecting")
        wanted = {socket.AF_INET: 4, socket.AF_INET6: 6}.get(family)
        return [
            ResolveResult(
                hostname=host,
                host=str(address),
                port=port,
                family=socket.AF_INET if address.version == 4 else socket.AF_INET6,
                proto=0,
                flags=socket.AI_NUMERICHOST,
            )
            for address in addresses
            if wanted is None or address.version == wanted
        ]

    async def close(self) -> None:
        """Nothing to release."""


def _media_type(content_type: str) -> str:
    return content_type.partition(";")[0].strip().lower()


async def _read_body(response: aiohttp.ClientResponse, max_bytes: int) -> bytes:
    """The decompressed body, refused as soon as it passes ``max_bytes``."""
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise TooLarge(max_bytes)
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.content.iter_chunked(_CHUNK):
        size += len(chunk)
        if size > max_bytes:
            raise TooLarge(max_bytes)
        chunks.append(chunk)
    return b"".join(chunks)


async def _fetch(
    session: aiohttp.ClientSession,
    resolver: PinnedResolver,
    url: URL,
    *,
    allow_loopback: bool,
    max_bytes: int,
) -> FetchedDocument:
    """Follow the URL through at most ``MAX_REDIRECTS`` checked redirects and read the body."""
    for _hop in range(MAX_REDIRECTS + 1):
        host, name, port = _check_url(url)
        addresses = await _resolve(name, port, allow_loopback=allow_loopback)
        resolver.pin(host, addresses)
        resolver.pin(name, addresses)
        async with session.get(url, allow_redirects=False) as response:
            if response.status in _REDIRECTS:
                location = response.headers.get("Location")
                if not location:
                    raise FetchFailed("a redirect without a target", response.status)
                try:
                    url = response.url.join(URL(location))
                except ValueError as error:
                    raise BadUrl(location, "the site redirected to a malformed link") from error
                continue
            if not 200 <= response.status < 300:
                raise FetchFailed(response.reason or "error", response.status)
            content_type = response.headers.get("Content-Type", "")
            media_type = _media_type(content_type)
            if media_type and media_type not in ACCEPTED_TYPES:
                raise UnsupportedType(media_type)
            data = await _read_body(response, max_bytes)
            return FetchedDocument(str(response.url), content_type, data)
    raise TooManyRedirects(MAX_REDIRECTS)


async def fetch_article(
    url: str,
    *,
    allow_loopback: bool = False,
    timeout: float = 10.0,  # noqa: ASYNC109 - one deadline for every hop, enforced inside
    max_bytes: int = MAX_BYTES,
) -> FetchedDocument:
    """Fetch a user-given http(s) URL safely: public addresses only, checked redirects, capped."""
    try:
        parsed = URL(url.strip())
    except (ValueError, TypeError) as error:
        raise BadUrl(url, "it is not a valid link") from error
    if parsed.scheme:
        _check_scheme(parsed, url)
    if not parsed.is_absolute():
        raise BadUrl(url, "it is not a full link")
    resolver = PinnedResolver()
    connector = aiohttp.TCPConnector(resolver=resolver, use_dns_cache=False, force_close=True)
    session = aiohttp.ClientSession(
        connector=connector,
        timeout=aiohttp.ClientTimeout(total=timeout),
        headers={"User-Agent": USER_AGENT, "Accept": _ACCEPT},
        trust_env=False,
    )
    try:
        async with asyncio.timeout(timeout), session:
            return await _fetch(
                session, resolver, parsed, allow_loopback=allow_loopback, max_bytes=max_bytes
            )
    except TimeoutError as error:
        raise FetchTimeout(timeout) from error
    except aiohttp.InvalidURL as error:
        raise BadUrl(url, "it is not a valid link") from error
    except aiohttp.ClientPayloadError as error:
        raise FetchFailed("the page arrived damaged") from error
    except aiohttp.ClientConnectionError as error:
        raise FetchFailed("could not connect to the site") from error
    except aiohttp.ClientError as error:
        raise FetchFailed("the site's answer could not be read") from error
