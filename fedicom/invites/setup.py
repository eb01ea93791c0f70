"""Plug invites into communities (called from `build_federation`): passes let private joins in."""

from __future__ import annotations

from fedicom.groups.context import Groups
from fedicom.invites.passes import InvitePasses


def install(groups: Groups) -> None:
    groups.passes = InvitePasses()
