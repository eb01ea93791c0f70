"""The URL and host parser every caller uses, and the column checks: pure, no server.

Issue 9: keyIds like `http://a..b/k` or `http://[zz]/k` raised UnicodeError or ValueError (a 500).
"""

from __future__ import annotations

import pytest

from fedicom.activitypub.columns import column_length, fits
from fedicom.activitypub.models import Delivery, InboxItem, RemoteActor, RemoteServer
from fedicom.activitypub.urls import MAX_HOST, MAX_URI, parse_host, parse_url, url_or_none
from fedicom.activitypub.vocab import host_of, origin_of
from fedicom.errors import MalformedUrl
from fedicom.groups.models import Group


@pytest.mark.parametrize(
    ("url", "origin", "netloc"),
    [
        ("https://Lemmy.Example/c/cats", "https://lemmy.example", "lemmy.example"),
        ("https://lemmy.example./c/cats", "https://lemmy.example", "lemmy.example"),
        ("HTTP://ex.ample:08443/a?b#c", "http://ex.ample:8443", "ex.ample:8443"),
        ("https://[2001:DB8::0:1]:8443/x", "https://[2001:db8::1]:8443", "[2001:db8::1]:8443"),
        ("https://1.2.3.4/u/a", "https://1.2.3.4", "1.2.3.4"),
        ("https://faß.de/u/a", "https://xn--fa-hia.de", "xn--fa-hia.de"),
        ("https://ÉXAMPLE.com/u/a", "https://xn--xample-9ua.com", "xn--xample-9ua.com"),
        ("https://my_host.example/u/é", "https://my_host.example", "my_host.example"),
    ],
)
def test_valid_urls_are_normalised_to_one_origin_and_host(url: str, origin: str, netloc: str) -> None:
    parsed = parse_url(url)
    assert (parsed.origin, parsed.netloc, parsed.text) == (origin, netloc, url)
    assert origin_of(url) == origin and host_of(url) == netloc


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://a..b/k", "a label is empty"),
        ("http://" + "a" * 70 + ".example/k", "too long"),
        ("http://[::1/k", "not well-formed"),
        ("http://[zz]/k", "not well-formed"),
        ("http://[::1]x/k", "port"),
        ("http://::1/k", "port"),
        ("https://ex.ample:0/", "port"),
        ("https://ex.ample:65536/", "port"),
        ("https://ex.ample:²/", "port"),
        ("https://ex.ample:/", "port"),
        ("https://evil@good.example/", "user information"),
        ("https:///path", "no host"),
        ("ftp://ex.ample/", "not an http or https URL"),
        ("urn:uuid:1234", "not an http or https URL"),
        ("https://ex ample/", "spaces"),
        ("https://ex.ample/\x00", "control characters"),
        ("https://ex.ample\\@evil/", "backslashes"),
        ("https://ex%61mple.com/", "a label"),
        ("https://xn--zz\u200b.com/", "IDNA"),
        ("https://" + "a" * 60 + ("." + "a" * 60) * 4 + "/", "longer than 253"),
        ("https://ex.ample/" + "x" * MAX_URI, f"longer than {MAX_URI}"),
    ],
)
def test_malformed_urls_raise_one_error_with_a_reason(url: str, reason: str) -> None:
    with pytest.raises(MalformedUrl, match=reason) as caught:
        parse_url(url, what="the keyId")
    assert caught.value.status == 400
    assert caught.value.reason.startswith("the keyId is not a valid URL: ")
    with pytest.raises(MalformedUrl):
        host_of(url)


def test_a_reason_never_quotes_more_than_a_short_piece_of_the_url() -> None:
    with pytest.raises(MalformedUrl) as caught:
        parse_url("ftp://" + "x" * 5000)
    assert len(caught.value.reason) < 200


def test_the_host_and_port_fit_the_host_column() -> None:
    name = ".".join(["a" * 62] * 4)  # 251 characters: a valid DNS name, too long with a port
    assert parse_url(f"https://{name}/").netloc == name
    with pytest.raises(MalformedUrl, match=f"longer than {MAX_HOST}"):
        parse_url(f"https://{name}:8443/")


@pytest.mark.parametrize(
    ("host", "expected"), [("Lemmy.World.", "lemmy.world"), ("faß.de", "xn--fa-hia.de"), ("[::1]", "[::1]")]
)
def test_hosts_are_read_as_urls_read_them(host: str, expected: str) -> None:
    assert parse_host(host) == expected == parse_url(f"https://{host}/").host


@pytest.mark.parametrize("host", ["", "a..b", "-a.example", "a_b c", "[zz]", "x" * 300])
def test_invalid_hosts_are_refused(host: str) -> None:
    with pytest.raises(MalformedUrl, match="is not a valid host name"):
        parse_host(host)


def test_the_url_bounds_are_the_columns_they_are_stored_in() -> None:
    for model, field in [(RemoteActor, "uri"), (RemoteActor, "key_id"), (InboxItem, "activity_id")]:
        assert column_length(model, field) == MAX_URI
    for model, field in [(RemoteActor, "host"), (RemoteServer, "host"), (Delivery, "host")]:
        assert column_length(model, field) == MAX_HOST


def test_a_value_fits_a_column_when_it_is_short_enough_and_holds_no_nul() -> None:
    assert fits(Group, "name", "a" * 64)
    assert not fits(Group, "name", "a" * 65)
    assert not fits(Group, "name", "a\x00b")
    with pytest.raises(TypeError, match="not a CharField"):
        column_length(Group, "summary")


def test_optional_fields_read_a_valid_url_or_nothing() -> None:
    assert url_or_none("https://a.example/x") == parse_url("https://a.example/x")
    assert url_or_none("http://[zz]/x") is None and url_or_none(42) is None and url_or_none(None) is None
