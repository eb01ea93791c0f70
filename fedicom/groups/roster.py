"""Who belongs to each group, cached for a moment: every post and vote asks, and rarely anything changes.

Entries live `ttl` seconds (changes made by another process show within that time) and are dropped at
once when this process changes a membership.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from fedicom.groups.models import Group, Membership, MembershipState, Moderator


@dataclass(frozen=True)
class Roster:
    members: frozenset[str]
    inboxes: tuple[str, ...]
    moderators: frozenset[str]


class Rosters:
    def __init__(self, ttl: float = 2.0) -> None:
        self.ttl = ttl
        self._entries: dict[int, tuple[float, Roster]] = {}

    async def of(self, group: Group) -> Roster:
        cached = self._entries.get(group.id)
        now = time.monotonic()
        if cached and now - cached[0] < self.ttl:
            return cached[1]
        rows = await Membership.filter(group_id=group.id, state=MembershipState.ACCEPTED).values_list(
            "actor", "inbox"
        )
        mods = await Moderator.filter(group_id=group.id).values_list("actor", flat=True)
        roster = Roster(
            members=frozenset(actor for actor, _ in rows),
            inboxes=tuple(dict.fromkeys(inbox for _, inbox in rows)),
            moderators=frozenset(mods),  # type: ignore[arg-type]
        )
        self._entries[group.id] = (now, roster)
        return roster

    def forget(self, group_id: int | None = None) -> None:
        """Drop one group's entry (or all) after this process changed who belongs."""
        if group_id is None:
            self._entries.clear()
        else:
            self._entries.pop(group_id, None)
