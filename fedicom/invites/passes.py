"""Redeeming an invite: the person who opened the link gives their handle, and their join request is let
in without a moderator, at once when it is already waiting, or when their Follow arrives.

A Follow names only its actor, never the link that led to it, so the invite page asks for the handle
first (as the follow-from-your-server page does), resolves it to an actor URI and keeps a pass for that
URI; the community's follow handling asks `InvitePasses.let_in` in the Follow's own transaction.
A use of the link is counted when a pass is taken; a pass is void once its link expires or is revoked.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import F, Q

from fedicom.errors import BadRequest
from fedicom.groups.context import Groups
from fedicom.groups.membership import approve
from fedicom.groups.models import Group, Membership, MembershipState
from fedicom.invites.links import REFUSALS, InviteState, state_of
from fedicom.invites.models import Invite, InvitePass


class Redeemed(StrEnum):
    """What taking an invite did."""

    LET_IN = "let_in"  # their request was waiting: it is approved now
    PASS = "pass"  # their Follow will be approved when it arrives
    MEMBER = "member"  # they were a member already: no use counted


async def redeem(ctx: Groups, group: Group, invite: Invite, actor_uri: str) -> Redeemed:
    """Take a pass from `invite` for `actor_uri` (one use; the same person again takes none)."""
    if not group.private or invite.group_id != group.id:  # type: ignore[attr-defined]
        raise BadRequest(f"this invite link is not one of {group.name}'s")
    membership = await Membership.get_or_none(group=group, actor=actor_uri)
    if membership is not None and membership.state == MembershipState.ACCEPTED:
        return Redeemed.MEMBER
    held = await InvitePass.get_or_none(invite=invite, actor=actor_uri)
    if held is None or held.used_at is not None:  # new, or they left since it let them in: one more use
        await _take_use(invite)
        if held is None:
            held = await InvitePass.create(invite=invite, actor=actor_uri)
        else:
            held.used_at = None
            await held.save(update_fields=["used_at"])
    elif state_of(invite) in (InviteState.EXPIRED, InviteState.REVOKED):
        raise BadRequest(REFUSALS[state_of(invite)])
    if membership is None:
        return Redeemed.PASS
    # their Follow came first and waits: let it in now, the pass used up
    await InvitePass.filter(id=held.id).update(used_at=datetime.now(UTC))
    await approve(ctx, group, actor_uri)
    return Redeemed.LET_IN


async def _take_use(invite: Invite) -> None:
    """Count one use, in one conditional UPDATE so two people cannot take the last use together."""
    now = datetime.now(UTC)
    taken = (
        await Invite.filter(id=invite.id, revoked_at__isnull=True)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .filter(Q(max_uses__isnull=True) | Q(uses__lt=F("max_uses")))
        .update(uses=F("uses") + 1)
    )
    await invite.refresh_from_db(fields=["uses", "revoked_at"])
    if not taken:
        state = state_of(invite, now)
        raise BadRequest(REFUSALS[state if state != InviteState.ACTIVE else InviteState.USED_UP])


class InvitePasses:
    """groups' `JoinPasses`: a private community's request is let in when its actor holds a valid pass."""

    async def let_in(self, group: Group, actor: str, conn: BaseDBAsyncClient) -> bool:
        if not group.private:
            return False
        now = datetime.now(UTC)
        passes = (
            InvitePass.filter(
                actor=actor, used_at__isnull=True, invite__group_id=group.id, invite__revoked_at__isnull=True
            )
            .filter(Q(invite__expires_at__isnull=True) | Q(invite__expires_at__gt=now))
            .using_db(conn)
        )
        held = await passes.order_by("id").first()
        if held is None:
            return False
        used = await InvitePass.filter(id=held.id, used_at__isnull=True).using_db(conn).update(used_at=now)
        return bool(used)
