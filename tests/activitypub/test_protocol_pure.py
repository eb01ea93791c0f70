"""Pure protocol functions: vocabulary helpers, order keys, discovery documents, actor parsing."""

from __future__ import annotations

import pytest

from fedicom.activitypub import discovery, vocab
from fedicom.activitypub.actors import ActorStore, parse_actor
from fedicom.errors import FetchError

PERSON = {
    "id": "https://m.example/users/a",
    "type": "Person",
    "inbox": "https://m.example/users/a/inbox",
    "endpoints": {"sharedInbox": "https://m.example/inbox"},
    "preferredUsername": "a",
    "publicKey": {
        "id": "https://m.example/users/a#main-key",
        "owner": "https://m.example/users/a",
        "publicKeyPem": "PEM",
    },
}


def test_update_and_create_of_one_object_share_an_order_key() -> None:
    create = {"type": "Create", "id": "1", "object": {"id": "https://x/p/1"}}
    update = {"type": "Update", "id": "2", "object": {"id": "https://x/p/1"}}
    other = {"type": "Create", "id": "3", "object": {"id": "https://x/p/2"}}
    assert vocab.order_key(create) == vocab.order_key(update) != vocab.order_key(other)
    announce = {"type": "Announce", "id": "4", "object": create}
    assert vocab.order_key(announce) == vocab.order_key(create)


def test_an_undo_orders_after_what_it_undoes() -> None:
    like = {"type": "Like", "id": "https://x/like/1", "object": "https://x/p/1"}
    undo = {"type": "Undo", "id": "https://x/undo/1", "object": like}
    undo_by_id = {"type": "Undo", "id": "https://x/undo/2", "object": "https://x/like/1"}
    assert vocab.order_key(like) == vocab.order_key(undo) == vocab.order_key(undo_by_id)


def test_addressing_helpers() -> None:
    activity = {"to": [vocab.PUBLIC], "cc": "https://g/c/x", "object": {"audience": "https://g/c/y"}}
    assert vocab.audience_of(activity) == {vocab.PUBLIC, "https://g/c/x", "https://g/c/y"}
    assert vocab.is_public({"cc": ["as:Public"]}) and not vocab.is_public({"to": ["https://a/followers"]})
    assert vocab.mentions_of(
        {"tag": [{"type": "Mention", "href": "h"}, {"type": "Hashtag", "href": "t"}]}
    ) == ["h"]
    assert vocab.origin_of("HTTPS://Ex.ample:8443/a?b") == "https://ex.ample:8443"
    assert vocab.unique_ids(["a", None, "b", "a"]) == ["a", "b"]


@pytest.mark.parametrize(
    ("resource", "name"),
    [
        ("acct:news@c.example", "news"),
        ("acct:News@C.example", "news"),
        ("group:news@c.example", "news"),
        ("@news@c.example", "news"),
        ("news@brand.example", "news"),
        ("acct:news@other.example", None),
        ("acct:news", None),
        ("acct:a@b@c.example", None),
    ],
)
def test_webfinger_resources(resource: str, name: str | None) -> None:
    assert discovery.parse_resource(resource, domains={"c.example", "brand.example"}) == name


def test_webfinger_document_has_a_self_link_mastodon_accepts() -> None:
    jrd = discovery.webfinger_jrd(
        subject="acct:n@d", actor_uri="https://d/c/n", actor_type="Group", profile_url=None
    )
    self_link = next(link for link in jrd["links"] if link["rel"] == "self")
    assert self_link["type"] == "application/activity+json" and self_link["href"] == "https://d/c/n"


def test_nodeinfo_documents() -> None:
    doc = discovery.nodeinfo_document("2.1", software_version="1", usage={"users": 3, "posts": 2}, name="x")
    assert doc["software"]["name"] == "fedicom" and doc["usage"]["users"]["total"] == 3
    assert (
        "repository"
        not in discovery.nodeinfo_document("2.0", software_version="1", usage={}, name="x")["software"]
    )
    assert "{uri}" in discovery.host_meta_xrd("https://d") and "lrdd" in discovery.host_meta_xrd("https://d")


def test_actor_parsing_prefers_the_shared_inbox() -> None:
    fields = parse_actor(PERSON)
    assert fields["shared_inbox"] == "https://m.example/inbox" and fields["key_id"].endswith("#main-key")


@pytest.mark.parametrize(
    "change",
    [
        {"type": "Note"},
        {"inbox": "https://elsewhere.example/inbox"},
        {"publicKey": {"id": "k", "owner": "https://m.example/users/b", "publicKeyPem": "PEM"}},
    ],
)
def test_unusable_actors_are_refused(change: dict) -> None:
    with pytest.raises(FetchError):
        parse_actor({**PERSON, **change})


def test_a_shared_inbox_on_another_server_is_not_trusted() -> None:
    fields = parse_actor({**PERSON, "endpoints": {"sharedInbox": "https://evil.example/inbox"}})
    assert fields["shared_inbox"] is None


def test_key_refetches_are_bounded_per_actor() -> None:
    store = ActorStore(fetcher=None)  # type: ignore[arg-type]
    assert store.may_refetch("https://a/u", 30)
    assert not store.may_refetch("https://a/u", 30)
    assert store.may_refetch("https://b/u", 30)
