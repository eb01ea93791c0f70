"""Invite links of private communities: made by staff with an optional number of uses and lifetime,
listed with what is left of them, revoked. A link is `BASE/c/NAME/invite/CODE`."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from fedicom.errors import BadRequest, NotFound
from fedicom.groups.models import Group
from fedicom.invites.models import Invite

MAX_USES = 100_000
MAX_LIFETIME = timedelta(days=3650)
CODE_BYTES = 12  # 16 URL-safe characters: not guessable
_CODE_RE = re.compile(r"^[A-Za-z0-9_-]{8,32}$")
_DURATION = re.compile(r"^([1-9][0-9]{0,5})([mhdw])$")
_UNITS = {"m": timedelta(minutes=1), "h": timedelta(hours=1), "d": timedelta(days=1), "w": timedelta(weeks=1)}


class InviteState(StrEnum):
    """Whether a link still lets people in, and if not, why (worked out from its row, never stored)."""

    ACTIVE = "active"
    EXPIRED = "expired"
    USED_UP = "used_up"
    REVOKED = "revoked"


REFUSALS = {
    InviteState.EXPIRED: "this invite link has expired: ask a moderator for a new one",
    InviteState.USED_UP: "this invite link has been used up: ask a moderator for a new one",
    InviteState.REVOKED: "this invite link was withdrawn by the community's moderators",
}


def parse_duration(text: str) -> timedelta:
    """`30m`, `12h`, `7d` or `2w`: how long a link lives."""
    match = _DURATION.match(text.strip().lower())
    if not match:
        raise BadRequest(f"{text!r} is not a duration: use a number and m, h, d or w (e.g. 7d or 12h)")
    value = int(match[1]) * _UNITS[match[2]]
    if value > MAX_LIFETIME:
        raise BadRequest("an invite link lives at most 3650 days")
    return value


def state_of(invite: Invite, now: datetime | None = None) -> InviteState:
    if invite.revoked_at is not None:
        return InviteState.REVOKED
    if invite.expires_at is not None and invite.expires_at <= (now or datetime.now(UTC)):
        return InviteState.EXPIRED
    if invite.max_uses is not None and invite.uses >= invite.max_uses:
        return InviteState.USED_UP
    return InviteState.ACTIVE


def check_code(code: str) -> str:
    """A code as typed or taken from an address; one that cannot be ours is refused before any query."""
    if not _CODE_RE.match(code):
        raise NotFound("there is no such invite link: check that it was copied whole")
    return code


@dataclass(frozen=True)
class Shown:
    """An invite as lists show it: its link, state and what is left of it."""

    invite: Invite
    community: str
    url: str
    state: InviteState

    @property
    def uses_left(self) -> int | None:
        return None if self.invite.max_uses is None else max(0, self.invite.max_uses - self.invite.uses)

    def as_json(self) -> dict[str, object]:
        i = self.invite
        return {
            "code": i.code,
            "community": self.community,
            "url": self.url,
            "state": self.state.value,
            "uses": i.uses,
            "max_uses": i.max_uses,
            "uses_left": self.uses_left,
            "expires_at": i.expires_at,
            "created_at": i.created_at,
            "created_by": i.created_by,
            "revoked_at": i.revoked_at,
        }


def invite_url(base_url: str, group: Group, code: str) -> str:
    return f"{base_url}/c/{group.name}/invite/{code}"


def code_of(code_or_link: str) -> str:
    """The code of an invite link as shared (`invite_url`), or the code itself."""
    return code_or_link.rstrip("/").rsplit("/invite/", 1)[-1]


def shown(base_url: str, group: Group, invite: Invite, now: datetime | None = None) -> Shown:
    return Shown(invite, group.name, invite_url(base_url, group, invite.code), state_of(invite, now))


def new_code() -> str:
    """A random code that never starts with "-": `fedicom invite revoke CODE` would read it as an option
    (one code in 64 did)."""
    while (code := secrets.token_urlsafe(CODE_BYTES)).startswith("-"):
        pass
    return code


async def create_invite(
    group: Group, created_by: str, *, uses: int | None = None, lifetime: timedelta | None = None
) -> Invite:
    """A new link; only a private community has them (anyone may follow a public one already)."""
    if not group.private:
        raise BadRequest(
            f"{group.name} is public: anyone may join it without an invite (share /c/{group.name}/invite)"
        )
    if uses is not None and not 1 <= uses <= MAX_USES:
        raise BadRequest(f"the number of uses is between 1 and {MAX_USES}")
    if lifetime is not None and not timedelta(0) < lifetime <= MAX_LIFETIME:
        raise BadRequest("an invite link lives between a minute and 3650 days")
    expires = datetime.now(UTC) + lifetime if lifetime is not None else None
    return await Invite.create(
        group=group,
        code=new_code(),
        created_by=created_by,
        expires_at=expires,
        max_uses=uses,
    )


async def invites_of(groups: list[Group]) -> list[tuple[Group, Invite]]:
    """The invites of these communities, newest first."""
    by_id = {g.id: g for g in groups}
    found = await Invite.filter(group_id__in=list(by_id)).order_by("-created_at", "-id")
    return [(by_id[i.group_id], i) for i in found]  # type: ignore[attr-defined]


async def find_invite(code: str) -> tuple[Group, Invite]:
    invite = await Invite.get_or_none(code=check_code(code)).prefetch_related("group")
    if invite is None:
        raise NotFound("there is no such invite link: check that it was copied whole")
    return invite.group, invite


async def revoke_invite(invite: Invite) -> Invite:
    """From now on the link lets nobody in, and passes taken from it and not yet used are void."""
    if invite.revoked_at is not None:
        raise BadRequest(f"the invite {invite.code} was revoked already")
    invite.revoked_at = datetime.now(UTC)
    await invite.save(update_fields=["revoked_at"])
    return invite
