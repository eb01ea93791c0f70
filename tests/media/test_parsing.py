"""Attachments, content warnings and polls read from real payloads: what fourteen programs send
(../shared/interop/fixtures) and the shapes the shared fixtures lack (tests/fixtures)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fedicom.media.attachments import Attachment, Kind, attachments_of, content_warning, images_of
from fedicom.media.polls import poll_of
from tests.support.replay import load

OWN = Path(__file__).resolve().parents[1] / "fixtures" / "media"
NOW = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)


def own(name: str) -> dict[str, Any]:
    return json.loads((OWN / name).read_text())  # type: ignore[no-any-return]


def shared(rel: str) -> dict[str, Any]:
    document = load(rel)[1]
    return document["object"] if document.get("type") in ("Create", "Update") else document


def test_a_mastodon_picture_keeps_its_description_and_size() -> None:
    assert attachments_of(shared("mastodon/objects/note_2.json")) == [
        Attachment(
            url="https://cdn.masto.host/floss/media_attachments/files/113/306/826/682/985/891/original/c8d906a2f2ab2334.jpg",
            kind=Kind.IMAGE,
            media_type="image/jpeg",
            name="The KDE dragons Katie and Konqi stand on either side of a pot filling up with gold coins."
            " Donate!",
            width=1500,
            height=1095,
        )
    ]


def test_a_lemmy_image_post_is_its_uploaded_picture_once() -> None:
    """Lemmy sends the picture as a Link attachment and again as the thumbnail in `image`."""
    for rel in ("lemmy/objects/page.json", "lemmy/activities/create_or_update/create_page.json"):
        found = attachments_of(shared(rel))
        assert [(a.kind, a.url.rsplit("/", 1)[-1]) for a in found] == [
            (Kind.IMAGE, "eOtYb9iEiB.png" if "objects" in rel else "xl8W7FZfk9.jpg")
        ], rel


def test_a_lemmy_post_with_a_picture_and_a_link_shows_both() -> None:
    found = attachments_of(shared("lemmy/objects/page_image_and_link.json"))
    assert [(a.kind, a.url) for a in found] == [
        (Kind.IMAGE, "https://enterprise.lemmy.ml/pictrs/image/eOtYb9iEiB.png"),
        (Kind.LINK, "https://example.com/some-article"),
    ]


def test_wordpress_images_keep_the_authors_order_and_the_featured_one_is_not_repeated() -> None:
    found = attachments_of(shared("wordpress/objects/page.json"))
    assert [a.kind for a in found] == [Kind.IMAGE] * 4
    assert found[0].name == "A fleet of varied spacships" and found[1].name == ""
    assert "Splash-Art2-3.png" in found[0].url and "small-1-scaled.jpg" in found[3].url


def test_lotide_mobilizon_and_peertube_shapes() -> None:
    lotide = attachments_of(shared("lotide/activities/create_page_image.json"))
    assert [(a.kind, a.url) for a in lotide] == [
        (Kind.IMAGE, "http://ltthostname.local:3334/api/stable/posts/46/href")
    ]
    event = attachments_of(shared("mobilizon/objects/event.json"))
    assert [(a.kind, a.name, a.media_type) for a in event] == [(Kind.IMAGE, "Banner", "image/jpeg")]
    video = attachments_of(shared("peertube/objects/video.json"))
    assert [a.kind for a in video] == [Kind.IMAGE, Kind.VIDEO]
    preview, file = video
    assert preview.width is not None and preview.width > 280  # the largest preview, not the thumbnail
    assert file.url.startswith("https://tilvids.com/videos/watch/") and file.name


def test_profile_fields_and_empty_lists_are_not_attachments() -> None:
    for rel in (
        "friendica/objects/person_1.json",
        "wordpress/objects/person.json",
        "friendica/objects/note_1.json",
        "gnusocial/objects/page.json",
        "pleroma/objects/note.json",
        "mastodon/objects/note_1.json",
        "smithereen/objects/note.json",
        "mitra/activities/create_post.json",
    ):
        assert attachments_of(shared(rel)) == [], rel


def test_misskey_files_carry_their_own_sensitive_flag_and_other_files_are_named_links() -> None:
    found = attachments_of(own("note_misskey_files.json"))
    assert [(a.kind, a.name, a.sensitive) for a in found] == [
        (Kind.IMAGE, "Tomatoes and beans in a wooden box", False),
        (Kind.IMAGE, "", True),
        (Kind.AUDIO, "Rain on the roof", False),
        (Kind.FILE, "Planting plan", False),
    ]
    assert found[3].host == "s3.misskey.example"


def test_a_piefed_link_post_shows_its_thumbnail_and_its_link() -> None:
    found = attachments_of(own("page_piefed_link.json"))
    assert [(a.kind, a.host) for a in found] == [(Kind.IMAGE, "piefed.example"), (Kind.LINK, "news.example")]
    assert [a.url for a in images_of(own("page_piefed_link.json"))] == [found[0].url]


def test_hostile_values_are_dropped_not_shown() -> None:
    document = {
        "type": "Note",
        "attachment": [
            {"type": "Image", "url": "javascript:alert(1)", "name": "x"},
            {"type": "Image", "url": "data:image/png;base64,AAAA"},
            {"type": "Image", "url": {"type": "Link", "href": "https://ok.example/a.png"}, "width": -5},
            {"type": "Document", "mediaType": "image/png", "url": "https://ok.example/b.png", "height": True},
            {"type": "Document", "url": ["ftp://x", "https://ok.example/c.bin"]},
            "https://ok.example/not-an-object.png",
            {"type": "Image", "url": "https://" + "x" * 3000 + ".example/d.png"},
        ],
        "image": 42,
    }
    assert [(a.url, a.kind, a.width, a.height) for a in attachments_of(document)] == [
        ("https://ok.example/a.png", Kind.IMAGE, None, None),
        ("https://ok.example/b.png", Kind.IMAGE, None, None),
        ("https://ok.example/c.bin", Kind.FILE, None, None),
    ]


def test_content_warnings() -> None:
    assert content_warning(own("note_mastodon_video_cw.json")) == "spiders"
    assert content_warning(own("note_misskey_files.json")) == "Sensitive"
    assert content_warning(shared("mastodon/objects/note_2.json")) is None
    assert content_warning(shared("lotide/activities/create_page_image.json")) is None  # its title again
    # an article's summary is its abstract, not a warning
    assert content_warning({"type": "Article", "summary": "In short: gardens."}) is None
    assert content_warning({"type": "Page", "summary": "x", "sensitive": True}) == "Sensitive"
    found = attachments_of(own("note_mastodon_video_cw.json"))
    assert [a.kind for a in found] == [Kind.IMAGE, Kind.VIDEO]  # pictures first


def test_a_mastodon_poll_with_one_choice_counts_shares_of_the_votes() -> None:
    poll = poll_of(own("question_mastodon.json"), NOW)
    assert poll is not None
    assert [(o.name, o.votes, o.percent) for o in poll.options] == [
        ("Saturday", 6, 60),
        ("Sunday", 3, 30),
        ("A weekday evening", 1, 10),
    ]
    assert not poll.multiple and not poll.closed
    assert (poll.votes, poll.voters, poll.people) == (10, 10, 10)
    assert poll.ends == datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
    assert poll_of(own("question_mastodon.json"), datetime(2026, 12, 1, tzinfo=UTC)).closed  # type: ignore[union-attr]


def test_a_misskey_poll_with_several_choices_and_no_end() -> None:
    poll = poll_of(own("question_misskey.json"), NOW)
    assert poll is not None
    assert poll.multiple and not poll.closed and poll.ends is None
    # no votersCount: shares of all votes, and the number of people is unknown
    assert [(o.name, o.percent) for o in poll.options] == [("Vim", 45), ("Emacs", 36), ("Kate", 18)]
    assert poll.voters is None and poll.people == 0


def test_a_closed_pleroma_poll_without_votes() -> None:
    poll = poll_of(own("question_pleroma_closed.json"), NOW)
    assert poll is not None
    assert poll.closed and poll.ends == datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
    assert [(o.name, o.votes, o.percent) for o in poll.options] == [("Tabs", 0, 0), ("Spaces", 0, 0)]


def test_anything_else_is_no_poll() -> None:
    assert poll_of(shared("mastodon/objects/note_2.json")) is None
    assert poll_of(shared("lemmy/objects/page.json")) is None
    assert poll_of({"type": "Question", "oneOf": "Saturday"}) is None
    assert poll_of({"type": "Question", "oneOf": [{"name": ""}, {"type": "Note"}, 3]}) is None
    hostile = poll_of(
        {
            "type": "Question",
            "closed": True,
            "votersCount": -3,
            "anyOf": [{"name": "a", "replies": {"totalItems": "many"}}, {"name": "b" * 500}],
        }
    )
    assert hostile is not None and hostile.closed and hostile.voters is None
    assert [(len(o.name), o.votes) for o in hostile.options] == [(1, 0), (200, 0)]
