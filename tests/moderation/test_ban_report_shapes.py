"""Pure pieces of bans, reports and the public modlog: expiries, wire shapes, what the public sees."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from fedicom.activitypub.vocab import PUBLIC
from fedicom.errors import BadRequest
from fedicom.groups.communities import Site
from fedicom.moderation.ban_wire import build_block, parse_block
from fedicom.moderation.content_wire import build_undo
from fedicom.moderation.expiry import parse_expiry, read_time
from fedicom.moderation.models import ModlogEntry
from fedicom.moderation.modlog_public import Hiding, public_entry
from fedicom.moderation.report_wire import (
    build_author_flag,
    build_moderator_flag,
    flag_uri,
    parse_flag,
    report_of_flag,
)

NOW = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
GROUP = "https://groups.example/c/news"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30m", NOW + timedelta(minutes=30)),
        ("12h", NOW + timedelta(hours=12)),
        ("7d", NOW + timedelta(days=7)),
        (" 2W ", NOW + timedelta(weeks=2)),
        ("2026-12-31", datetime(2026, 12, 31, tzinfo=UTC)),
        ("2026-12-31T18:30:00Z", datetime(2026, 12, 31, 18, 30, tzinfo=UTC)),
        ("2026-12-31T18:30:00+02:00", datetime(2026, 12, 31, 16, 30, tzinfo=UTC)),
    ],
)
def test_expiries_moderators_type(text: str, expected: datetime) -> None:
    assert parse_expiry(text, now=NOW) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("0d", "more than zero"),
        ("2020-01-01", "in the past"),
        ("soon", "not an expiry"),
        ("7y", "not an expiry"),
    ],
)
def test_bad_expiries_are_refused(text: str, reason: str) -> None:
    with pytest.raises(BadRequest, match=reason):
        parse_expiry(text, now=NOW)


def test_a_block_round_trips_and_lemmy_019_finds_its_expiry() -> None:
    block = build_block(
        activity_uri="https://groups.example/activities/1",
        moderator="https://groups.example/u/mod",
        banned="https://bad.example/u/troll",
        target=GROUP,
        community=GROUP,
        reason="spam",
        remove_data=True,
        expires=NOW,
    )
    assert (block["to"], block["cc"], block["audience"]) == ([PUBLIC], [GROUP], GROUP)
    assert block["endTime"] == block["expires"] == "2026-11-22T10:00:00Z"
    order = parse_block(block)
    assert order is not None
    assert (order.banned, order.target, order.reason, order.remove_data, order.expires) == (
        "https://bad.example/u/troll",
        GROUP,
        "spam",
        True,
        NOW,
    )
    undo = build_undo(activity_uri="https://groups.example/activities/2", actor="m", undone=block)
    assert undo["object"]["id"] == block["id"] and "@context" not in undo["object"]
    assert undo["cc"] == [GROUP] and undo["to"] == [PUBLIC]


def test_a_permanent_ban_has_no_expiry_and_a_personal_block_is_no_ban() -> None:
    block = build_block(
        activity_uri="a",
        moderator="m",
        banned="b",
        target="t",
        community=None,
        reason="",
        remove_data=False,
        expires=None,
    )
    assert "endTime" not in block and "audience" not in block and block["cc"] == []
    assert parse_block({"type": "Block", "actor": "https://m.example/u/a", "object": GROUP}) is None
    with pytest.raises(BadRequest):
        parse_block({"type": "Block", "target": GROUP, "actor": "https://m.example/u/a"})
    assert read_time("not a time") is None and read_time("2021-11-01T12:23:50.151874Z") is not None


def test_flags_in_every_shape_are_read_alike() -> None:
    lemmy = parse_flag(
        {"id": "f1", "type": "Flag", "actor": "a", "object": "p", "to": [GROUP], "summary": "spam"}
    )
    mastodon = parse_flag(
        {
            "id": "f2",
            "type": "Flag",
            "actor": "i",
            "object": ["u", "p", "p"],
            "to": "u",
            "content": "<p>look &amp; see</p>",
        }
    )
    assert (lemmy.targets, lemmy.reason, lemmy.addressed) == (["p"], "spam", [GROUP])
    assert (mastodon.targets, mastodon.reason) == (["u", "p"], "look & see")
    with pytest.raises(BadRequest, match="reports nothing"):
        parse_flag({"id": "f3", "type": "Flag", "actor": "a", "object": []})


def test_forwarded_flags_name_their_report_and_never_the_reporter() -> None:
    base = "https://groups.example"
    uri = flag_uri(base, 12, "ab12")
    assert report_of_flag(base, uri) == 12
    assert report_of_flag(base, "https://elsewhere.example/activities/report-12-ab12") is None
    flag = build_moderator_flag(
        activity_uri=uri,
        instance_actor=f"{base}/actor",
        community=GROUP,
        target="https://x/p/1",
        reason="spam",
    )
    assert (flag["to"], flag["object"], flag["summary"], flag["content"]) == (
        [GROUP],
        "https://x/p/1",
        "spam",
        "spam",
    )
    to_author = build_author_flag(
        activity_uri=uri,
        instance_actor=f"{base}/actor",
        community=None,
        author="https://x/u/a",
        objects=["https://x/p/1"],
        reason="r",
    )
    assert to_author["object"] == ["https://x/p/1", "https://x/u/a"] and to_author["to"] == ["https://x/u/a"]


def test_what_the_public_sees_of_an_entry() -> None:
    site = Site("https://groups.example", "groups.example")
    entry = ModlogEntry(
        id=7,
        community="news",
        moderator="https://groups.example/u/mod",
        action="block_domain",
        target="nasty.example",
        reason="harassment",
        details={"severity": "suspend", "private_comment": "ticket 7", "servers": ["x.example"]},
        created_at=NOW,
    )
    shown = public_entry(site, entry, Hiding(False, frozenset(), frozenset()))
    assert (shown["moderator"], shown["target"], shown["details"]) == (
        "mod",
        "nasty.example",
        {"severity": "suspend"},
    )
    hidden = public_entry(site, entry, Hiding(True, frozenset(), frozenset({"nasty.example"})))
    assert hidden["moderator"] == "a moderator" and "nasty" not in hidden["target"]
    remote = ModlogEntry(
        id=8,
        community="news",
        moderator="https://lemmy.example/u/c",
        action="ban",
        target="https://groups.example/u/mod",
        reason="",
        details={},
        created_at=NOW,
    )
    shown = public_entry(site, remote, Hiding(True, frozenset(), frozenset()))
    assert (shown["moderator"], shown["target"]) == ("a moderator of lemmy.example", "a moderator")
