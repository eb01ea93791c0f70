"""What a conversation looks like on the wire, as pure builders: addresses, replies, context, tombstone."""

from __future__ import annotations

from fedicom.groups.actor import build_outbox_page
from fedicom.groups.conversation_wire import (
    build_context,
    build_replies,
    build_tombstone,
    context_uri,
    post_uri,
    replies_uri,
)

G = "https://c.example/c/news"
THREAD = f"{G}/p/7"


def test_a_posts_address_names_its_collections_in_the_shapes_staff_posts_carry() -> None:
    assert post_uri("https://c.example", "news", 7) == THREAD
    assert replies_uri(THREAD) == f"{THREAD}/replies"
    assert context_uri(THREAD) == f"{THREAD}/context"


def test_replies_link_their_pages_and_carry_no_items_inline() -> None:
    """NodeBB would read inline items and then the first page again; Mastodon follows `first`."""
    doc = build_replies(THREAD, total=120, page_size=50)
    assert doc["id"] == f"{THREAD}/replies" and doc["type"] == "OrderedCollection"
    assert doc["totalItems"] == 120
    assert doc["first"] == f"{THREAD}/replies?page=1" and doc["last"] == f"{THREAD}/replies?page=3"
    assert "orderedItems" not in doc and "items" not in doc
    assert doc["@context"] == "https://www.w3.org/ns/activitystreams"


def test_an_empty_collection_still_has_one_page() -> None:
    doc = build_replies(THREAD, total=0, page_size=50)
    assert doc["totalItems"] == 0 and doc["last"] == doc["first"] == f"{THREAD}/replies?page=1"


def test_a_conversation_names_the_group_as_its_authority_and_audience() -> None:
    """FEP-7888: `attributedTo` is who moderates the context, a good target for related activities."""
    doc = build_context(THREAD, G, total=51, page_size=50)
    assert doc["id"] == f"{THREAD}/context" and doc["type"] == "OrderedCollection"
    assert doc["attributedTo"] == G and doc["audience"] == G
    assert (doc["totalItems"], doc["first"], doc["last"]) == (
        51,
        f"{THREAD}/context?page=1",
        f"{THREAD}/context?page=2",
    )


def test_conversation_pages_link_both_ways_and_end() -> None:
    uri = f"{THREAD}/context"
    first = build_outbox_page(uri, 1, [THREAD, "https://m.example/r/1"], total=52, page_size=50)
    second = build_outbox_page(uri, 2, ["https://m.example/r/2", "https://m.example/r/3"], 52, 50)
    assert first["type"] == "OrderedCollectionPage" and first["partOf"] == uri
    assert first["id"] == f"{uri}?page=1" and first["next"] == f"{uri}?page=2" and "prev" not in first
    assert first["orderedItems"] == [THREAD, "https://m.example/r/1"]
    assert second["prev"] == f"{uri}?page=1" and "next" not in second


def test_a_deleted_post_answers_a_tombstone_at_its_address() -> None:
    assert build_tombstone(THREAD, "Page") == {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": THREAD,
        "type": "Tombstone",
        "formerType": "Page",
    }
