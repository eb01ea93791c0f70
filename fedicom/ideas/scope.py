"""Which communities' threads are ideas (the others are not indexed, nor matched)."""

from __future__ import annotations

from fedicom.groups.models import Group


def indexes(group: Group) -> bool:
    """Whether `group`'s threads are ideas: every community for now (a kind of community will say)."""
    return True
