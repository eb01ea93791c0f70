"""The notice to an author, as pure functions: its words per reason, and a wire shape Mastodon reads as a
direct message (compared with a direct reply Mastodon sends, tests/fixtures/create_direct_reply.json)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from fedicom.errors import BadRequest
from fedicom.groups.reasons import Reason
from fedicom.refusals.listing import parse_since
from fedicom.refusals.notice import build_notice, message, message_html

PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
GROUP = "https://groups.example/c/news"
ALICE = "https://social.example/users/alice"


def mastodon_visibility(activity: dict[str, Any], followers: str) -> str:
    """How Mastodon classifies a status's visibility from its addressing (ActivityPub::Activity::Create):
    direct when neither Public nor the author's followers are addressed and every addressee is mentioned.
    """
    note = activity["object"]
    audience = set(note.get("to", [])) | set(note.get("cc", []))
    mentioned = {t["href"] for t in note.get("tag", []) if t.get("type") == "Mention"}
    if PUBLIC in note.get("to", []):
        return "public"
    if PUBLIC in note.get("cc", []):
        return "unlisted"
    if followers in audience:
        return "private"
    return "direct" if audience and audience <= mentioned else "limited"


def test_every_reason_has_words_naming_the_community_and_abusers_get_none() -> None:
    for code in Reason:
        text = message(code, "@news@groups.example")
        if code in (Reason.BANNED, Reason.BLOCKED_SERVER, Reason.DIRECT_MESSAGE):
            assert text is None
            continue
        assert text is not None and "@news@groups.example" in text, code
        assert text.startswith("Your post was not shared: ") != code.held, code
    assert message(Reason.NOT_MEMBER, "@news@groups.example") == (
        "Your post was not shared: only members can post in @news@groups.example: "
        "follow the community first, then post again."
    )
    assert message(Reason.HELD_ALL, "@news@groups.example") == (
        "Your post in @news@groups.example is waiting for a moderator: it is shared with the members "
        "once approved."
    )


def test_the_message_links_the_handle_and_escapes_what_it_shows() -> None:
    body = message_html(Reason.NOT_MEMBER, "@news@groups.example", 'https://groups.example/c/news?"x')
    assert body is not None
    assert '<a href="https://groups.example/c/news?&quot;x">@news@groups.example</a>' in body
    assert message_html(Reason.BANNED, "@news@groups.example", GROUP) is None


def test_the_notice_is_a_direct_message_as_mastodon_sends_one() -> None:
    mastodon = json.loads((Path(__file__).parents[1] / "fixtures" / "create_direct_reply.json").read_text())
    ours = build_notice(
        group_uri=GROUP,
        author=ALICE,
        username="alice",
        body_html="only members can post here",
        in_reply_to="https://social.example/users/alice/statuses/1",
        note_uri="https://groups.example/notices/1",
    )
    assert mastodon_visibility(mastodon, "https://mastodon.example/users/carol/followers") == "direct"
    assert mastodon_visibility(ours, f"{GROUP}/followers") == "direct"
    note = ours["object"]
    # the same fields, in the same shapes, as Mastodon's own direct reply
    assert {"to", "cc", "tag", "content", "inReplyTo", "attributedTo"} <= set(mastodon["object"]) & set(note)
    assert (ours["to"], ours["cc"], note["to"], note["cc"]) == ([ALICE], [], [ALICE], [])
    assert note["tag"] == [{"type": "Mention", "href": ALICE, "name": "@alice@social.example"}]
    assert note["content"].startswith(
        '<p><span class="h-card" translate="no"><a href="https://social.example/users/alice" '
        'class="u-url mention">@alice</a></span> only members'
    )
    assert (ours["actor"], note["attributedTo"], ours["id"]) == (GROUP, GROUP, f"{note['id']}/activity")
    assert note["inReplyTo"] == "https://social.example/users/alice/statuses/1"


def test_since_reads_durations_and_dates() -> None:
    now = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)
    assert parse_since("24h", now) == now - timedelta(hours=24)
    assert parse_since("7d", now) == now - timedelta(days=7)
    assert parse_since("30m", now) == now - timedelta(minutes=30)
    assert parse_since("2026-12-01", now) == datetime(2026, 12, 1, tzinfo=UTC)
    with pytest.raises(BadRequest, match="since is 30m, 24h, 7d or an ISO date"):
        parse_since("yesterday", now)
