"""Refusing private addresses for remote fetches and deliveries outside development mode.

A remote actor picks the URLs we fetch; without this guard it could make us probe our own network (SSRF).
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import ThreadedResolver

from fedicom.activitypub.urls import parse_url
from fedicom.errors import FetchError, MalformedUrl

_CGNAT = ipaddress.ip_network("100.64.0.0/10")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_PRIVATE_SUFFIXES = (".localhost", ".local", ".internal")


def is_public_ip(ip: str) -> bool:
    """True only for globally routable unicast addresses; anything unparsable is not public."""
    try:
        addr = ipaddress.ip_address(ip.strip("[]"))
    except ValueError:
        return False
    if isinstance(addr, ipaddress.IPv6Address):
        # An IPv6 form can carry an IPv4 address (mapped, NAT64, 6to4): judge the embedded one.
        if addr.ipv4_mapped is not None:
            addr = addr.ipv4_mapped
        elif addr in _NAT64:
            addr = ipaddress.IPv4Address(int(addr) & 0xFFFFFFFF)
        elif addr.sixtofour is not None:
            addr = addr.sixtofour
        elif addr.is_site_local:
            return False
    # Every category spelled out: is_global alone has changed meaning between Python versions.
    return not (
        addr.is_loopback
        or addr.is_private
        or addr.is_link_local
        or addr.is_multicast
        or addr.is_reserved
        or addr.is_unspecified
        or addr in _CGNAT
        or not addr.is_global
    )


def check_url(url: str, *, allow_private: bool) -> None:
    """Raise FetchError unless the URL may be fetched: https to a public host (http and private in dev)."""
    try:
        parts = parse_url(url)
    except MalformedUrl as exc:
        raise FetchError(exc.reason) from None
    host = parts.host.strip("[]")
    if allow_private:
        return
    if parts.scheme != "https":
        raise FetchError(f"The URL {url!r} is plain http; https is required.")
    if host == "localhost" or host.endswith(_PRIVATE_SUFFIXES):
        raise FetchError(f"The host {host} is a local name.")
    try:
        ipaddress.ip_address(host)
    except ValueError:
        # No TLD is numeric: "127.1" or "2130706433" is a legacy spelling that resolvers map to an address.
        if host.replace(".", "").isdigit():
            raise FetchError(f"The host {host} is not a canonical IP address.") from None
        return
    if not is_public_ip(host):
        raise FetchError(f"The address {host} is not public.")


class RefusedAddress(socket.gaierror):
    """A host name that resolves only to addresses we refuse: final, unlike a DNS failure.

    A resolver error (an OSError with errno and strerror) is what aiohttp reports cleanly; it
    wraps it in `ClientConnectorDNSError.os_error`, where callers tell it from a lookup failure.
    """


class GuardedResolver(AbstractResolver):
    """Drops non-public DNS answers at connect time, which also defeats DNS rebinding.

    A name that check_url accepted may still resolve to 127.0.0.1 when the connection is made; this is where
    that is caught. aiohttp never resolves IP literals, so check_url is what refuses those.
    """

    def __init__(self, *, allow_private: bool, resolver: AbstractResolver | None = None) -> None:
        # ThreadedResolver by default: the connector does not close resolvers it was given, and this one
        # holds nothing to close.
        self._resolver = resolver if resolver is not None else ThreadedResolver()
        self._allow_private = allow_private

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        results = await self._resolver.resolve(host, port, family)
        if self._allow_private:
            return results
        public = [r for r in results if is_public_ip(r["host"])]
        if not public:
            raise RefusedAddress(
                socket.EAI_NONAME,
                f"{host} resolves only to non-public addresses, refused outside development mode",
            )
        return public

    async def close(self) -> None:
        await self._resolver.close()


def make_client_session(
    *, allow_private: bool, user_agent: str, limit: int = 256, limit_per_host: int = 64
) -> aiohttp.ClientSession:
    """The one outbound HTTP session: guarded DNS, pooled keep-alive connections; needs a running loop."""
    asyncio.get_running_loop()  # fail here, clearly, rather than deep inside aiohttp
    connector = aiohttp.TCPConnector(
        resolver=GuardedResolver(allow_private=allow_private),
        limit=limit,
        limit_per_host=limit_per_host,
        keepalive_timeout=60,
        ttl_dns_cache=300,
    )
    return aiohttp.ClientSession(connector=connector, headers={"User-Agent": user_agent})
