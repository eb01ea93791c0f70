"""Which shape each software is sent, as pure functions of the names NodeInfo gives."""

from __future__ import annotations

import pytest

from fedicom.activitypub.software import Shape, shape_for, split_inboxes


@pytest.mark.parametrize(
    ("software", "shape"),
    [
        ("lemmy", Shape.ACTIVITY),
        ("mbin", Shape.ACTIVITY),
        ("kbin", Shape.ACTIVITY),
        ("piefed", Shape.ACTIVITY),
        ("friendica", Shape.ACTIVITY),
        ("nodebb", Shape.ACTIVITY),
        ("mastodon", Shape.SHOWN),
        ("hometown", Shape.SHOWN),
        ("misskey", Shape.SHOWN),
        ("sharkey", Shape.SHOWN),
        ("firefish", Shape.SHOWN),
        ("iceshrimp", Shape.SHOWN),
        ("pleroma", Shape.SHOWN),
        ("akkoma", Shape.SHOWN),
        ("gotosocial", Shape.SHOWN),
        ("Mastodon ", Shape.SHOWN),  # names are compared trimmed and lower-cased
        ("peertube", Shape.BOTH),
        ("wordpress", Shape.BOTH),
        ("", Shape.BOTH),
        (None, Shape.BOTH),
    ],
)
def test_each_software_is_sent_the_shape_it_reads_and_unknown_software_both(
    software: str | None, shape: Shape
) -> None:
    assert shape_for(software) is shape


def test_inboxes_are_split_by_their_servers_software_once_each() -> None:
    inboxes = [
        "https://lemmy.example/inbox",
        "https://masto.example/inbox",
        "https://new.example/inbox",
        "https://lemmy.example/inbox",  # twice: sent once
        "https://masto.example/users/a/inbox",  # same server, its own inbox
    ]
    known = {"lemmy.example": "lemmy", "masto.example": "mastodon", "new.example": None}
    split = split_inboxes(inboxes, known)
    assert split.activity == ["https://lemmy.example/inbox", "https://new.example/inbox"]
    assert split.shown == [
        "https://masto.example/inbox",
        "https://new.example/inbox",
        "https://masto.example/users/a/inbox",
    ]


def test_a_server_missing_from_what_is_known_gets_both_shapes() -> None:
    split = split_inboxes(["https://x.example:8443/inbox"], {"x.example": "lemmy"})
    assert split.activity == split.shown == ["https://x.example:8443/inbox"]
