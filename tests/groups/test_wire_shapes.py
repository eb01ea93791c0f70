"""What a community sends, as pure builders: the Group actor, announces, Accept, collections."""

from __future__ import annotations

from datetime import UTC, datetime

from fedicom.activitypub.vocab import PUBLIC
from fedicom.groups import policy
from fedicom.groups.actor import build_group_actor, build_outbox, build_outbox_page
from fedicom.groups.announce import build_announce, build_object_announce
from fedicom.groups.membership import build_follow_response
from fedicom.groups.text import plain_text, render_markdown, sanitize

G = "https://c.example/c/news"


def actor(**kw: object) -> dict:
    values: dict = dict(
        base_url="https://c.example",
        domain="brand.example",
        name="news",
        title="News",
        summary="**hi**",
        rules="Be kind.",
        privacy_policy="We keep nothing.",
        private=False,
        posting_policy="members",
        sensitive=False,
        discoverable=True,
        public_key_pem="PEM",
        published=datetime(2026, 1, 1, tzinfo=UTC),
        updated=datetime(2026, 1, 2, tzinfo=UTC),
    )
    values.update(kw)
    return build_group_actor(**values)


def test_group_actor_has_what_mastodon_and_lemmy_read() -> None:
    doc = actor()
    assert doc["type"] == "Group" and doc["id"] == G and doc["preferredUsername"] == "news"
    assert (
        doc["attributedTo"] == f"{G}/moderators"
        and doc["endpoints"]["sharedInbox"] == "https://c.example/inbox"
    )
    assert doc["publicKey"] == {"id": f"{G}#main-key", "owner": G, "publicKeyPem": "PEM"}
    assert "<strong>hi</strong>" in doc["summary"] and "Be kind." in doc["summary"]
    assert doc["source"]["mediaType"] == "text/markdown" and doc["webfinger"] == "news@brand.example"
    assert "We keep nothing." in doc["privacyPolicy"]["content"]
    assert doc["published"] == "2026-01-01T00:00:00Z" and doc["manuallyApprovesFollowers"] is False
    assert actor(private=True)["manuallyApprovesFollowers"] is True
    assert actor(posting_policy="moderators")["postingRestrictedToMods"] is True
    urls = [c for c in doc["@context"] if isinstance(c, str)]
    assert urls == ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"]


def test_announce_wraps_the_activity_unchanged_and_addresses_lemmy_style() -> None:
    create = {"@context": "x", "id": "https://m/a/1", "type": "Create", "unknown": {"kept": [1, 2.5]}}
    wrapped = build_announce(G, create, activity_uri="https://c.example/activities/1", private=False)
    assert (
        wrapped["object"] is create and wrapped["to"] == [G, PUBLIC] and wrapped["cc"] == [f"{G}/followers"]
    )
    private = build_announce(G, create, activity_uri="u", private=True)
    assert PUBLIC not in private["to"] + private["cc"]


def test_object_announce_is_a_mastodon_boost_that_notifies_the_author() -> None:
    boost = build_object_announce(G, "https://m/p/1", author="https://m/u/a", activity_uri="u", private=False)
    assert boost["object"] == "https://m/p/1" and boost["to"] == [PUBLIC] and "https://m/u/a" in boost["cc"]


def test_accept_embeds_the_follow_and_names_the_follower_first() -> None:
    follow = {"id": "https://m/f/1", "type": "Follow", "actor": "https://m/u/a", "object": G}
    accept = build_follow_response("Accept", G, follow, "u")
    assert accept["object"] is follow and accept["to"] == ["https://m/u/a"] and accept["actor"] == G


def test_outbox_pages() -> None:
    root = build_outbox(f"{G}/outbox", [{"id": 1}], total=45, page_size=20)
    assert root["first"].endswith("page=1") and root["last"].endswith("page=3") and root["orderedItems"]
    page2 = build_outbox_page(f"{G}/outbox", 2, [], total=45, page_size=20)
    assert page2["prev"].endswith("page=1") and page2["next"].endswith("page=3")
    assert "next" not in build_outbox_page(f"{G}/outbox", 3, [], total=45, page_size=20)


def test_posting_policy() -> None:
    base = dict(is_thread=True, is_member=True, is_moderator=False, private=False, public=True)
    assert policy.may_post(policy="members", **base).accepted
    assert not policy.may_post(policy="members", **{**base, "is_member": False}).accepted
    assert policy.may_post(policy="open", **{**base, "is_member": False}).accepted
    assert not policy.may_post(policy="moderators", **base).accepted
    assert policy.may_post(policy="moderators", **{**base, "is_thread": False}).accepted
    assert policy.may_post(policy="moderators", **{**base, "is_moderator": True}).accepted
    assert not policy.may_post(policy="open", **{**base, "public": False}).accepted
    assert policy.may_post(policy="members", **{**base, "private": True, "public": False}).accepted
    assert not policy.too_many_groups(4, 3).accepted and policy.too_many_groups(3, 3).accepted


def test_remote_html_is_made_inert() -> None:
    dirty = (
        '<p onclick="x()">hi<script>alert(1)</script><a href="javascript:alert(1)">x</a>'
        "<img src=x onerror=alert(1)><svg><script>alert(1)</script></svg><style>*{}</style></p>"
    )
    clean = sanitize(dirty)
    for bad in ("script", "onclick", "onerror", "javascript:", "<svg", "<style"):
        assert bad not in clean
    assert 'rel="nofollow noopener noreferrer ugc"' in sanitize('<a href="https://x">x</a>')
    assert render_markdown("<b>raw</b> *em*") == "<p>&lt;b&gt;raw&lt;/b&gt; <em>em</em></p>\n"
    assert plain_text("<p>Hello <b>world</b></p>") == "Hello world"
