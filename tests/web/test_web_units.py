"""The small pieces of the web layer: CSRF tokens, the security policy, how people and times show."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from starlette.requests import Request
from starlette.responses import Response

from fedicom.activitypub.models import RemoteActor
from fedicom.errors import Forbidden
from fedicom.groups.authors import describe_remote, describe_unknown, web_url
from fedicom.groups.communities import Site
from fedicom.web.about import contact_link
from fedicom.web.csrf import FIELD, Csrf
from fedicom.web.headers import content_security_policy
from fedicom.web.ratelimit import RateLimit, TooManyRequests
from fedicom.web.templating import ago, sentence


def request(cookies: str = "", **headers: str) -> Request:
    raw = [(k.lower().replace("_", "-").encode(), v.encode()) for k, v in headers.items()]
    if cookies:
        raw.append((b"cookie", cookies.encode()))
    return Request({"type": "http", "method": "POST", "headers": raw, "path": "/", "query_string": b""})


def issue(csrf: Csrf) -> tuple[str, str]:
    """A first visit: the token for the page and the cookie header the browser keeps."""
    first = request()
    token = csrf.token(first)
    response = csrf.persist(first, Response())
    cookie = response.headers["set-cookie"].split(";")[0]
    assert response.headers["cache-control"] == "private, no-store"
    return token, cookie


def test_a_token_verifies_only_with_the_cookie_it_was_made_for() -> None:
    csrf = Csrf("secret", base_url="https://community.example")
    token, cookie = issue(csrf)
    assert cookie.startswith("__Host-fedicom-csrf=")
    csrf.verify(request(cookie, origin="https://community.example"), {FIELD: token})
    other_token, other_cookie = issue(csrf)
    assert other_token != token
    with pytest.raises(Forbidden, match="the form has expired"):
        csrf.verify(request(other_cookie), {FIELD: token})
    with pytest.raises(Forbidden, match="the form has expired"):
        csrf.verify(request(), {FIELD: token})
    with pytest.raises(Forbidden, match="the form has expired"):
        csrf.verify(request(cookie), {})


def test_tokens_depend_on_the_secret_key() -> None:
    token, cookie = issue(Csrf("secret", base_url="https://community.example"))
    with pytest.raises(Forbidden):
        Csrf("another secret", base_url="https://community.example").verify(request(cookie), {FIELD: token})


def test_a_returning_visitor_keeps_their_cookie() -> None:
    csrf = Csrf("secret", base_url="http://localhost:8000")
    token, cookie = issue(csrf)
    assert cookie.startswith("fedicom-csrf=")  # no __Host- prefix without https
    again = request(cookie)
    assert csrf.token(again) == token
    assert "set-cookie" not in csrf.persist(again, Response()).headers


def test_requests_from_other_sites_are_refused_before_the_token_is_read() -> None:
    csrf = Csrf("secret", base_url="https://community.example")
    token, cookie = issue(csrf)
    with pytest.raises(Forbidden, match=r"not from https://evil\.example"):
        csrf.verify(request(cookie, origin="https://evil.example"), {FIELD: token})
    with pytest.raises(Forbidden, match="not from null"):
        csrf.verify(request(cookie, origin="null"), {FIELD: token})
    with pytest.raises(Forbidden, match="another site"):
        csrf.verify(request(cookie, sec_fetch_site="cross-site"), {FIELD: token})


def test_images_come_from_this_server_or_its_bucket_and_follows_may_lead_to_https() -> None:
    policy = content_security_policy(dev=False)
    assert "default-src 'self'" in policy and "script-src 'self'" in policy
    assert "'unsafe-inline'" not in policy and "http:" not in policy
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
    assert "img-src 'self';" in policy and "form-action 'self' https:" in policy
    assert "img-src 'self';" in content_security_policy(dev=True)
    bucket = content_security_policy(dev=False, media_origin="https://media.example")
    assert "img-src 'self' https://media.example;" in bucket


def test_only_web_addresses_are_links() -> None:
    assert web_url("https://a.example/x") == "https://a.example/x"
    assert web_url(" http://a.example ") == "http://a.example"
    for bad in ("javascript:alert(1)", "data:text/html,x", "//a.example", "/relative", "https://", None, 3):
        assert web_url(bad) is None


def test_a_hostile_actor_document_shows_as_escaped_text_without_links() -> None:
    actor = RemoteActor(
        uri="https://evil.example/users/m",
        type="Person",
        host="evil.example",
        preferred_username="m",
        name="<b>Mallory</b>  " + "x" * 200,
        inbox="https://evil.example/inbox",
        document={"url": "javascript:alert(1)", "icon": {"url": "javascript:alert(2)"}},
        fetched_at=0,
    )
    author = describe_remote(actor)
    assert author.name.startswith("<b>Mallory</b> x") and len(author.name) == 100  # escaped by templates
    assert author.url == "https://evil.example/users/m"  # the javascript: profile URL is ignored
    assert author.avatar is None  # only web addresses (shown through the media proxy)
    assert author.handle == "@m@evil.example"


def test_local_staff_and_unknown_actors_still_have_a_name() -> None:
    site = Site("https://community.example", "community.example")
    staff = describe_unknown("https://community.example/u/mia", site)
    assert (staff.name, staff.handle) == ("mia", "@mia@community.example")
    stranger = describe_unknown("https://far.example/people/42/", site)
    assert (stranger.name, stranger.handle, stranger.url) == ("42", None, "https://far.example/people/42/")


def test_ages_read_like_people_say_them() -> None:
    now = datetime(2026, 11, 22, 12, tzinfo=UTC)
    assert ago(now - timedelta(seconds=20), now) == "just now"
    assert ago(now + timedelta(hours=3), now) == "just now"  # a server whose clock runs ahead
    assert ago(now - timedelta(minutes=1), now) == "1 minute ago"
    assert ago(now - timedelta(hours=5, minutes=59), now) == "5 hours ago"
    assert ago(now - timedelta(days=40), now) == "1 month ago"
    assert ago(now - timedelta(days=800), now) == "2 years ago"
    assert ago(None) == ""


def test_error_reasons_read_as_sentences() -> None:
    assert sentence("there is no community named x") == "There is no community named x."
    assert sentence("“alice” is not a full handle.") == "“alice” is not a full handle."
    assert sentence("noisy.example is not blocked") == "noisy.example is not blocked."
    assert sentence("@bob@lemmy.example is banned") == "@bob@lemmy.example is banned."
    assert sentence("mia_2 does not moderate news") == "mia_2 does not moderate news."


def test_the_contact_becomes_the_right_kind_of_link() -> None:
    assert contact_link("admin@community.example") == (
        "admin@community.example",
        "mailto:admin@community.example",
    )
    assert contact_link("https://community.example/contact") == (
        "https://community.example/contact",
        "https://community.example/contact",
    )
    assert contact_link("@admin@social.example") == ("@admin@social.example", None)
    assert contact_link("javascript:alert(1)") == ("javascript:alert(1)", None)


def test_multi_line_texts_can_come_from_env_files() -> None:
    from fedicom.settings import Settings

    settings = Settings(_env_file=None, dev=True, instance_rules="1. Be kind.\\n2. No spam.")  # type: ignore[call-arg]
    assert settings.instance_rules == "1. Be kind.\n2. No spam."


def test_a_rate_limit_counts_per_address_within_its_window() -> None:
    limit = RateLimit(3, 60, what="server look-ups")
    for t in (0, 1, 2):
        limit.check("198.51.100.7", now=t)
    limit.check("203.0.113.9", now=2)  # another address has its own count
    with pytest.raises(
        TooManyRequests, match="too many server look-ups from your address: try again in 58 seconds"
    ):
        limit.check("198.51.100.7", now=2)
    limit.check("198.51.100.7", now=60.5)  # the first attempt has left the window
