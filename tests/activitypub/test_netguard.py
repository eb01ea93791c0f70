"""Outside development mode, remote URLs never lead fedicom to private or local addresses."""

from __future__ import annotations

import aiohttp
import pytest

from fedicom.activitypub.netguard import GuardedResolver, check_url, is_public_ip, make_client_session
from fedicom.errors import FetchError
from tests.support.dns import FixedResolver

NOT_PUBLIC = [
    "127.0.0.1",
    "10.1.2.3",
    "172.16.0.1",
    "192.168.1.1",
    "169.254.169.254",  # cloud metadata
    "100.64.0.1",  # CGNAT
    "0.0.0.0",
    "224.0.0.1",
    "239.255.255.250",
    "240.0.0.1",
    "255.255.255.255",
    "192.0.2.1",
    "::1",
    "::",
    "fe80::1",
    "fec0::1",  # site-local
    "fc00::1",
    "fd12:3456::1",  # unique local
    "ff02::1",
    "::ffff:127.0.0.1",
    "::ffff:10.0.0.1",
    "64:ff9b::a00:1",  # NAT64 of 10.0.0.1
    "2002:7f00:1::",  # 6to4 of 127.0.0.1
    "2001:db8::1",
    "[::1]",
    "not an address",
    "",
]
PUBLIC = ["8.8.8.8", "1.1.1.1", "93.184.215.14", "2606:4700:4700::1111", "::ffff:8.8.8.8", "[2a00:1450::1]"]


@pytest.mark.parametrize("ip", NOT_PUBLIC)
def test_non_public_addresses_are_refused(ip: str) -> None:
    assert not is_public_ip(ip)


@pytest.mark.parametrize("ip", PUBLIC)
def test_public_addresses_are_allowed(ip: str) -> None:
    assert is_public_ip(ip)


@pytest.mark.parametrize(
    "url",
    [
        "https://social.example/users/alice",
        "https://8.8.8.8/actor",
        "https://[2606:4700:4700::1111]:8443/x",
        "https://lemmy.example./c/cats",
    ],
)
def test_public_https_urls_pass(url: str) -> None:
    check_url(url, allow_private=False)


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://social.example/users/alice", "https is required"),
        ("ftp://social.example/x", "not an http or https URL"),
        ("file:///etc/passwd", "not an http or https URL"),
        ("https:///path-only", "no host"),
        ("not a url", "spaces"),
        ("https://social.example:99999/", "port is not a number"),
        ("https://social.example:0/", "port is not a number"),
        ("https://127.0.0.1/", "not public"),
        ("https://[::1]:8000/", "not public"),
        ("https://169.254.169.254/latest/meta-data", "not public"),
        ("https://[::ffff:192.168.0.1]/", "not public"),
        ("https://localhost/", "local name"),
        ("https://LOCALHOST./", "local name"),
        ("https://app.localhost/", "local name"),
        ("https://printer.local/", "local name"),
        ("https://db.internal/", "local name"),
        ("https://127.1/", "canonical"),
        ("https://2130706433/", "canonical"),
    ],
)
def test_unsafe_urls_are_refused_in_production(url: str, reason: str) -> None:
    with pytest.raises(FetchError, match=reason):
        check_url(url, allow_private=False)


@pytest.mark.parametrize("url", ["http://localhost:8000/u/a", "http://127.0.0.1:9/x", "https://[::1]/"])
def test_development_mode_allows_plain_http_and_loopback(url: str) -> None:
    check_url(url, allow_private=True)


@pytest.mark.parametrize("url", ["ftp://localhost/", "http:///x", "javascript:alert(1)"])
def test_development_mode_still_needs_an_http_url_with_a_host(url: str) -> None:
    with pytest.raises(FetchError):
        check_url(url, allow_private=True)


async def test_resolver_drops_private_answers_and_keeps_public_ones() -> None:
    resolver = GuardedResolver(allow_private=False, resolver=FixedResolver(["10.0.0.5", "8.8.8.8", "::1"]))
    results = await resolver.resolve("rebind.example", 443)
    assert [r["host"] for r in results] == ["8.8.8.8"]


async def test_resolver_refuses_a_name_with_only_private_answers() -> None:
    resolver = GuardedResolver(allow_private=False, resolver=FixedResolver(["127.0.0.1", "fd00::1"]))
    with pytest.raises(OSError, match="non-public"):
        await resolver.resolve("rebind.example", 443)


async def test_resolver_in_development_mode_passes_everything() -> None:
    resolver = GuardedResolver(allow_private=True, resolver=FixedResolver(["127.0.0.1"]))
    assert [r["host"] for r in await resolver.resolve("dev.example", 80)] == ["127.0.0.1"]


async def test_session_refuses_to_connect_to_a_name_resolving_to_loopback() -> None:
    """The check runs at connect time, so it holds even for URLs that never went through check_url."""
    async with make_client_session(allow_private=False, user_agent="fedicom-test") as session:
        with pytest.raises(aiohttp.ClientConnectorError, match="non-public"):
            await session.get("http://localhost:9/")


async def test_session_sends_the_user_agent_and_pools_connections() -> None:
    async with make_client_session(
        allow_private=True, user_agent="fedicom/0.1", limit=10, limit_per_host=3
    ) as session:
        assert session.headers["User-Agent"] == "fedicom/0.1"
        connector = session.connector
        assert isinstance(connector, aiohttp.TCPConnector)
        assert (connector.limit, connector.limit_per_host) == (10, 3)


def test_session_needs_a_running_loop() -> None:
    with pytest.raises(RuntimeError):
        make_client_session(allow_private=False, user_agent="fedicom-test")
