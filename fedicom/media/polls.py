"""Polls of members' posts read from their stored `Question` documents: a pure function.

Mastodon, Misskey, Pleroma and GoToSocial send the same shape: the options in `oneOf` (one choice)
or `anyOf` (several), each a `Note` whose `name` is the option and whose `replies.totalItems` counts
its votes; `votersCount` (Mastodon's extension) counts people; `endTime` says when voting stops and
`closed` that it has (a date, or `true` in some programs). Their servers send `Update{Question}` as
votes come in, so the stored document holds the latest counts; staff polls are stored the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

MAX_OPTIONS = 20  # Misskey allows 10, Mastodon 4 by default; a longer list is cut
MAX_OPTION = 200  # characters of an option's text
MAX_COUNT = 10**12


@dataclass(frozen=True)
class Option:
    name: str
    votes: int
    percent: int  # of voters (several choices) or of votes (one choice), rounded


@dataclass(frozen=True)
class Poll:
    options: list[Option]
    multiple: bool  # several options may be chosen (`anyOf`)
    votes: int  # all votes cast, one per chosen option
    voters: int | None  # people who voted, when the author's server says
    ends: datetime | None  # when voting stops (or stopped)
    closed: bool

    @property
    def people(self) -> int:
        """Who voted: `votersCount`, or for a single-choice poll the votes themselves."""
        if self.voters is not None:
            return self.voters
        return self.votes if not self.multiple else 0


def poll_of(document: dict[str, Any], now: datetime | None = None) -> Poll | None:
    """The poll of a `Question`, or None for anything else (or a Question with no usable option)."""
    if document.get("type") != "Question":
        return None
    multiple = isinstance(document.get("anyOf"), list) and not isinstance(document.get("oneOf"), list)
    raw = document.get("anyOf" if multiple else "oneOf")
    counted = [_option(o) for o in raw[:MAX_OPTIONS]] if isinstance(raw, list) else []
    options = [o for o in counted if o is not None]
    if not options:
        return None
    votes = sum(v for _, v in options)
    voters = _count(document.get("votersCount"))
    # Mastodon shows a multiple-choice option's share of the people who voted; one choice, of the votes
    whole = (voters or votes) if multiple else votes
    ends = _when(document.get("endTime"))
    closed_field = document.get("closed")
    closed = (
        closed_field is True
        or _when(closed_field) is not None
        or (ends is not None and ends <= (now or datetime.now(UTC)))
    )
    return Poll(
        options=[Option(name, v, round(100 * v / whole) if whole else 0) for name, v in options],
        multiple=multiple,
        votes=votes,
        voters=voters,
        ends=_when(closed_field) or ends,
        closed=closed,
    )


def _option(value: Any) -> tuple[str, int] | None:
    if not isinstance(value, dict) or not isinstance(value.get("name"), str):
        return None
    name = " ".join(value["name"].split())[:MAX_OPTION]
    replies = value.get("replies")
    votes = _count(replies.get("totalItems")) if isinstance(replies, dict) else None
    return (name, votes or 0) if name else None


def _count(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_COUNT:
        return value
    return None


def _when(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
