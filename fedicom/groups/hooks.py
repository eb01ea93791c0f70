"""What communities ask of the areas that plug into them (moderation, today), wired in `create_app`.

The pattern of `FederationHooks` one layer up: groups declares the questions (may this actor take part
here? is this post held? what about this server?) and a table of inbound activities other areas handle
themselves (a moderator's Block, Flag, Lock...); it never imports the areas that answer. Without them a
community admits everyone and holds nothing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol

from tortoise.backends.base.client import BaseDBAsyncClient

from fedicom.groups.models import Group
from fedicom.groups.reasons import Reason, Refused

Activity = dict[str, Any]


class Action(StrEnum):
    """What screening decided about a post."""

    ACCEPT = "accept"
    HOLD = "hold"  # stored, announced only when a moderator approves it
    REJECT = "reject"  # refused, the reason recorded on the inbox item


@dataclass(frozen=True)
class Verdict:
    action: Action
    reason: str = ""
    code: Reason | None = None  # what the author is told (groups/reasons.py); None when accepted

    @property
    def held(self) -> bool:
        return self.action == Action.HOLD

    @property
    def rejected(self) -> bool:
        return self.action == Action.REJECT


ACCEPT = Verdict(Action.ACCEPT)


class ServerPolicy(Protocol):
    """What communities and the areas beside them ask about a remote server (domain blocks, allowlist).

    `community_id` None asks about the instance as a whole; otherwise instance-wide and that
    community's own blocks both count.
    """

    async def allows(self, host: str) -> bool: ...
    async def severity(self, host: str, community_id: int | None = None) -> str | None: ...
    async def limits(self, host: str, community_id: int | None) -> bool: ...
    async def hold_reason(self, host: str, community_id: int | None) -> str | None: ...
    async def rejects_media(self, host: str, community_id: int | None = None) -> bool: ...
    async def rejects_reports(self, host: str) -> bool: ...
    def forget(self) -> None: ...


class OpenServers:
    """Every server federates, none is limited: the answer when nothing is plugged in."""

    async def allows(self, host: str) -> bool:
        return True

    async def severity(self, host: str, community_id: int | None = None) -> str | None:
        return None

    async def limits(self, host: str, community_id: int | None) -> bool:
        return False

    async def hold_reason(self, host: str, community_id: int | None) -> str | None:
        return None

    async def rejects_media(self, host: str, community_id: int | None = None) -> bool:
        return False

    async def rejects_reports(self, host: str) -> bool:
        return False

    def forget(self) -> None:
        return None


class CommunityHooks(Protocol):
    """The decisions a community leaves to moderation, asked before anything is stored."""

    async def barrier(self, group: Group, actor: str) -> Refused | None:
        """Why `actor` may not take part in `group` at all (banned, server suspended), if so."""
        ...

    async def follow_needs_approval(self, group: Group, actor: str) -> bool:
        """Whether a follow of an open community still waits for a moderator (a limited server)."""
        ...

    async def screen(
        self, group: Group, author: str, obj: Activity, content_html: str, *, exempt: bool
    ) -> Verdict:
        """The verdict on a new post (exempt: the author moderates the community)."""
        ...

    async def screen_edit(self, group: Group, obj: Activity, content_html: str, *, exempt: bool) -> Verdict:
        """The verdict on an edit of a stored post; a held one is refused (the shown version stays)."""
        ...

    async def after_store(self, activity: Activity) -> None:
        """After a Create or Update of a post was handled: what is kept of it may be trimmed."""
        ...

    def forget(self) -> None:
        """What the answers are cached from changed in this process (a ban): answer from fresh data."""
        ...


async def admit(hooks: CommunityHooks, group: Group, actor: str) -> None:
    """Refused when `actor` may not take part in `group`: posts and votes ask this first."""
    refused = await hooks.barrier(group, actor)
    if refused is not None:
        raise refused


class OpenHooks:
    """Everyone takes part, nothing is held: the answers when nothing is plugged in."""

    async def barrier(self, group: Group, actor: str) -> Refused | None:
        return None

    async def follow_needs_approval(self, group: Group, actor: str) -> bool:
        return False

    async def screen(
        self, group: Group, author: str, obj: Activity, content_html: str, *, exempt: bool
    ) -> Verdict:
        return ACCEPT

    async def screen_edit(self, group: Group, obj: Activity, content_html: str, *, exempt: bool) -> Verdict:
        return ACCEPT

    async def after_store(self, activity: Activity) -> None:
        return None

    def forget(self) -> None:
        return None


class JoinPasses(Protocol):
    """Whether a request to join a private community is let in without a moderator (an invite)."""

    async def let_in(self, group: Group, actor: str, conn: BaseDBAsyncClient) -> bool:
        """True when `actor` holds a pass for `group`: the pass is used up in `conn`, the Follow's
        transaction, so a request is let in once or waits, never both."""
        ...


class NoPasses:
    """Every request to join a private community waits for a moderator: nothing plugged in."""

    async def let_in(self, group: Group, actor: str, conn: BaseDBAsyncClient) -> bool:
        return False


Handle = Callable[[Activity], Awaitable[object]]
When = Callable[[Activity], Awaitable[bool]]


async def _always(_activity: Activity) -> bool:
    return True


@dataclass(frozen=True)
class Handler:
    handle: Handle
    when: When = _always


@dataclass
class InboundHandlers:
    """Inbound activities other areas handle, by type: the first whose `when` holds takes it, before
    the community's own handling (a `Delete` with a summary is a moderator's removal, not the author's)."""

    by_type: dict[str, list[Handler]] = field(default_factory=dict)

    def add(self, kinds: str | Iterable[str], handle: Handle, when: When = _always) -> None:
        for kind in [kinds] if isinstance(kinds, str) else kinds:
            self.by_type.setdefault(kind, []).append(Handler(handle, when))

    async def take(self, activity: Activity) -> bool:
        """Whether a registered handler took the activity (and handled it)."""
        kind = activity.get("type")
        for handler in self.by_type.get(kind, []) if isinstance(kind, str) else []:
            if await handler.when(activity):
                await handler.handle(activity)
                return True
        return False
