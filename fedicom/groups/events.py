"""What happens in communities, told to the areas that plug into them (notifications, notices, insights).

Groups and moderation emit; the other areas connect their listeners in `create_app`. Listeners run in
the emitter's transaction (`conn`), so what they record commits with the event or not at all; a
listener that fails fails the emitter's work, which is retried like any inbox item.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, TypeVar

from tortoise.backends.base.client import BaseDBAsyncClient

from fedicom.groups.models import Group, Membership, Post
from fedicom.groups.reasons import Kind, Reason

T = TypeVar("T")
Listener = Callable[[T, BaseDBAsyncClient | None], Awaitable[None]]


class Signal(Generic[T]):
    """One kind of event: listeners are called in the order they connected."""

    def __init__(self) -> None:
        self._listeners: list[Listener[T]] = []

    def connect(self, listener: Listener[T]) -> None:
        self._listeners.append(listener)

    async def send(self, event: T, conn: BaseDBAsyncClient | None = None) -> None:
        for listener in self._listeners:
            await listener(event, conn)


class Claim(Generic[T]):
    """An inbound activity that an area may take instead of the community's own path: the first
    listener that returns True has handled it (a poll vote is a `Create{Note}`, never a reply)."""

    def __init__(self) -> None:
        self._takers: list[Callable[[T], Awaitable[bool]]] = []

    def connect(self, taker: Callable[[T], Awaitable[bool]]) -> None:
        self._takers.append(taker)

    async def take(self, event: T) -> bool:
        for taker in self._takers:
            if await taker(event):
                return True
        return False


@dataclass(frozen=True)
class PostRefused:
    """An inbound post (or vote) a community did not share: refused, or held for a moderator when
    `code.held`; who, where, and why in words staff and author read."""

    group: Group
    author: str
    activity_id: str
    object_id: str  # the post, or for a vote the post voted on
    code: Reason
    reason: str
    kind: Kind = Kind.THREAD
    excerpt: str = ""  # the start of the post as plain text: never more of the author's words


@dataclass(frozen=True)
class ReportFiled:
    """A report (Flag) opened about content of a community, or of the instance when `group` is None."""

    report_id: int
    group: Group | None
    reporter: str
    reason: str
    at: datetime  # when it was filed


@dataclass(frozen=True)
class VoteCast:
    """A vote stored, changed (`previous` is the old value) or withdrawn (`value` 0), on `post`."""

    group: Group
    post: Post
    actor: str
    value: int
    previous: int | None
    cast_at: datetime  # when the vote was first cast: a withdrawal is counted against that day


@dataclass(frozen=True)
class MemberChange:
    """An actor became a member of a community (accepted), or stopped being one."""

    group: Group
    actor: str
    at: datetime


@dataclass(frozen=True)
class AlertRaised:
    """Something about a community needs its staff's eyes (insights saw negative posts, reports or
    leaves spike); `alert_id` names the alert on the staff pages."""

    group: Group
    metric: str
    text: str
    alert_id: int


@dataclass
class GroupEvents:
    """The signals of communities; one instance per runtime, on `Groups.events`."""

    post_stored: Signal[Post] = field(default_factory=Signal)  # shown, or held (post.state == "held")
    post_edited: Signal[Post] = field(default_factory=Signal)  # its author changed its text
    # deleted by its author, removed, restored, approved or rejected by a moderator: shown or not since
    post_state_changed: Signal[Post] = field(default_factory=Signal)
    post_refused: Signal[PostRefused] = field(default_factory=Signal)  # not stored: refused
    post_held: Signal[PostRefused] = field(default_factory=Signal)  # stored held (after post_stored)
    vote_refused: Signal[PostRefused] = field(default_factory=Signal)  # kind == Kind.VOTE
    join_requested: Signal[Membership] = field(default_factory=Signal)  # a pending request to join
    report_filed: Signal[ReportFiled] = field(default_factory=Signal)
    vote_changed: Signal[VoteCast] = field(default_factory=Signal)
    member_joined: Signal[MemberChange] = field(default_factory=Signal)
    member_left: Signal[MemberChange] = field(default_factory=Signal)
    alert_raised: Signal[AlertRaised] = field(default_factory=Signal)
    create_claimed: Claim[dict[str, Any]] = field(default_factory=Claim)  # before the post path
