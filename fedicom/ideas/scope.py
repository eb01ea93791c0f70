"""Which communities' threads are ideas (the others are not indexed, nor matched)."""

from __future__ import annotations

from fedicom.groups.kinds import CommunityKind
from fedicom.groups.models import Group


def indexes(group: Group) -> bool:
    """Whether `group`'s threads are ideas: those of an idea board (groups/kinds.py)."""
    return group.kind == CommunityKind.IDEAS
