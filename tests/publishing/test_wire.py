"""The shapes of what staff publish, against what Lemmy sends (its recorded `create_page` and
`create_comment`) and what Mastodon reads; the draft checks. Pure."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from fedicom.errors import BadRequest
from fedicom.publishing import wire
from fedicom.publishing.drafts import Draft, Upload, check_uploads, content_of
from tests.support.replay import fixtures_dir

GROUP = "https://fedicom.example/c/news"
MIA = "https://fedicom.example/u/mia"
WHEN = datetime(2026, 12, 5, 10, 0, tzinfo=UTC)


def fixture(path: str) -> dict[str, Any]:
    return json.loads((fixtures_dir() / path).read_text())  # type: ignore[no-any-return]


def thread(**kw: Any) -> dict[str, Any]:
    content = content_of(Draft(body="Our **autumn** offer", title="Autumn offer", **kw), thread=True)
    return wire.build_object(
        object_id=f"{GROUP}/p/7",
        author=MIA,
        to=wire.Addressing(GROUP, private=False),
        content=content,
        published=WHEN,
        thread_id=f"{GROUP}/p/7",
    )


def test_a_thread_has_every_field_lemmy_sends_in_a_page() -> None:
    lemmy = fixture("lemmy/activities/create_or_update/create_page.json")["object"]
    page = thread(link="https://brand.example/offer", language="fr")
    assert set(lemmy) <= set(page)
    assert page["type"] == "Page" and page["name"] == "Autumn offer"
    assert page["to"] == [GROUP, wire.PUBLIC] and page["audience"] == GROUP
    assert page["content"] == "<p>Our <strong>autumn</strong> offer</p>\n"
    assert page["source"] == {"content": "Our **autumn** offer", "mediaType": "text/markdown"}
    assert page["attachment"] == [
        {"type": "Link", "href": "https://brand.example/offer", "mediaType": "text/html"}
    ]
    assert page["language"] == {"identifier": "fr", "name": "Français"}
    assert page["contentMap"] == {"fr": page["content"]}  # what Mastodon reads for the language
    assert (page["replies"], page["context"]) == (f"{GROUP}/p/7/replies", f"{GROUP}/p/7/context")


def test_a_reply_has_every_field_lemmy_sends_in_a_comment_and_mentions_the_parent_author() -> None:
    lemmy = fixture("lemmy/objects/comment.json")
    alice = wire.Mention("https://lemmy.example/u/alice", "@alice@lemmy.example")
    note = wire.build_object(
        object_id=f"{GROUP}/p/9",
        author=MIA,
        to=wire.Addressing(GROUP, private=False, mentioned=(alice.href,)),
        content=content_of(Draft(body="Thanks!"), thread=False),
        published=WHEN,
        thread_id=f"{GROUP}/p/7",
        in_reply_to="https://lemmy.example/post/1",
        mentions=(alice,),
    )
    assert set(lemmy) - {"distinguished", "updated", "language"} <= set(note)
    assert note["type"] == "Note" and "name" not in note
    assert note["inReplyTo"] == "https://lemmy.example/post/1"
    assert note["cc"] == [alice.href]
    assert note["tag"] == [{"type": "Mention", "href": alice.href, "name": "@alice@lemmy.example"}]
    assert note["context"] == f"{GROUP}/p/7/context"


def test_images_come_first_with_their_alt_text_and_a_content_warning_makes_the_post_sensitive() -> None:
    picture = wire.Picture("https://fedicom.example/media/a.png", "image/png", "A red scarf", 800, 600)
    content = content_of(
        Draft(body="", title="Look", link="https://brand.example/", warning="spoilers"),
        thread=True,
        pictures=(picture,),
    )
    page = wire.build_object(
        object_id=f"{GROUP}/p/1",
        author=MIA,
        to=wire.Addressing(GROUP, private=False),
        content=content,
        published=WHEN,
        thread_id=f"{GROUP}/p/1",
    )
    assert page["attachment"][0] == {
        "type": "Image",
        "url": picture.url,
        "mediaType": "image/png",
        "name": "A red scarf",
        "width": 800,
        "height": 600,
    }
    assert page["attachment"][1]["type"] == "Link"  # as Lemmy's page_image_and_link.json
    assert page["image"] == {"type": "Image", "url": picture.url}
    assert (page["sensitive"], page["summary"]) == (True, "spoilers")


def test_a_private_community_addresses_its_followers_never_the_public() -> None:
    page = wire.build_object(
        object_id=f"{GROUP}/p/1",
        author=MIA,
        to=wire.Addressing(GROUP, private=True),
        content=content_of(Draft(body="x", title="t"), thread=True),
        published=WHEN,
        thread_id=f"{GROUP}/p/1",
    )
    assert page["to"] == [GROUP, f"{GROUP}/followers"]
    assert wire.PUBLIC not in json.dumps(page)


def test_the_create_carries_the_object_addressed_as_it_is() -> None:
    page = thread()
    create = wire.build_activity(
        "Create", activity_id="https://fedicom.example/activities/1", obj=page, published=WHEN
    )
    lemmy = fixture("lemmy/activities/create_or_update/create_page.json")
    assert set(lemmy) <= set(create)
    assert (create["actor"], create["to"], create["audience"]) == (MIA, page["to"], GROUP)


@pytest.mark.parametrize(
    ("draft", "thread_", "reason"),
    [
        (Draft(body="x"), True, "a post needs a title"),
        (Draft(body="x", title="t" * 201), True, "the title is longer than 200 characters"),
        (Draft(body="x" * 10_001, title="t"), True, "the body is longer than 10,000 characters"),
        (Draft(body="", title=None), False, "a reply needs a body"),
        (Draft(body="x", title="t"), False, "a reply has no title or link"),
        (Draft(body="x", title="t", link="javascript:alert(1)"), True, r"is not an http\(s\) URL"),
        (Draft(body="x", title="t", language="english"), True, "is not a language code"),
        (Draft(body="a\x00b", title="t"), True, "contains a NUL character"),
    ],
)
def test_bad_drafts_are_refused_with_the_reason(draft: Draft, thread_: bool, reason: str) -> None:
    with pytest.raises(BadRequest, match=reason):
        content_of(draft, thread=thread_)


def test_every_image_needs_alt_text_and_at_most_four() -> None:
    with pytest.raises(BadRequest, match="image 2 needs an alt text"):
        check_uploads((Upload(b"x", "a cat"), Upload(b"y", "  ")))
    with pytest.raises(BadRequest, match="at most 4 images"):
        check_uploads(tuple(Upload(b"x", "alt") for _ in range(3)), kept=2)
