"""Who belongs to each group, cached for a moment: every post and vote asks, and rarely anything changes.

Entries are read again once `ttl` seconds old (changes made by another process show within about that
time; `fedicom.storage.reloading`) and are dropped at once when this process changes a membership.
"""

from __future__ import annotations

from dataclasses import dataclass

from fedicom.groups.models import Group, Membership, MembershipState, Moderator
from fedicom.storage.reloading import Reloaded


@dataclass(frozen=True)
class Roster:
    members: frozenset[str]
    inboxes: tuple[str, ...]
    moderators: frozenset[str]


async def _read_roster(group_id: int) -> Roster:
    rows = await Membership.filter(group_id=group_id, state=MembershipState.ACCEPTED).values_list(
        "actor", "inbox"
    )
    mods = await Moderator.filter(group_id=group_id).values_list("actor", flat=True)
    return Roster(
        members=frozenset(actor for actor, _ in rows),
        inboxes=tuple(dict.fromkeys(inbox for _, inbox in rows)),
        moderators=frozenset(mods),  # type: ignore[arg-type]
    )


class Rosters:
    def __init__(self, ttl: float = 2.0) -> None:
        self.ttl = ttl
        self._entries: dict[int, Reloaded[Roster]] = {}

    async def of(self, group: Group) -> Roster:
        entry = self._entries.get(group.id)
        if entry is None:
            group_id = group.id
            entry = self._entries[group_id] = Reloaded(lambda: _read_roster(group_id), self.ttl)
        return await entry.get()

    def forget(self, group_id: int | None = None) -> None:
        """Drop one group's entry (or all) after this process changed who belongs: a read under way
        then fills the dropped entry, never the next one."""
        if group_id is None:
            self._entries.clear()
        else:
            self._entries.pop(group_id, None)
