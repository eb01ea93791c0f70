"""What the community services share at run time: the federation runtime, the site, caches, limits."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from fedicom.activitypub.federation import Federation
from fedicom.groups.communities import Site, get_community
from fedicom.groups.events import GroupEvents
from fedicom.groups.hooks import (
    CommunityHooks,
    InboundHandlers,
    JoinPasses,
    NoPasses,
    OpenHooks,
    OpenServers,
    ServerPolicy,
)
from fedicom.groups.models import Group
from fedicom.groups.roster import Rosters
from fedicom.groups.showing import PageAddOns
from fedicom.storage.reloading import Reloaded


@dataclass
class Groups:
    fed: Federation
    site: Site
    backfill_posts: int = 10
    backfill_replies: int = 20  # per backfilled thread
    max_group_mentions: int = 3
    rate_limit_actor: int = 0  # posts per hour, 0 for no limit (moderation/screening.py)
    rate_limit_server: int = 0
    max_links: int = 25
    move_grace: timedelta = timedelta(days=90)  # a moved community passes its new home's posts on
    rosters: Rosters = field(default_factory=Rosters)
    defed: ServerPolicy = field(default_factory=OpenServers)  # moderation's Defederation, when plugged in
    hooks: CommunityHooks = field(default_factory=OpenHooks)  # who takes part, what is held
    inbound: InboundHandlers = field(default_factory=InboundHandlers)  # activities other areas handle
    events: GroupEvents = field(default_factory=GroupEvents)
    addons: PageAddOns = field(default_factory=PageAddOns)  # what other areas add to pages' posts
    passes: JoinPasses = field(default_factory=NoPasses)  # invites that let a private join in at once

    _by_name: dict[str, Reloaded[Group]] = field(default_factory=dict)
    _forgotten: int = 0  # forget_group() calls: a first read begun before one is not kept

    def uri(self, group: Group) -> str:
        return self.site.uri(group.name)

    async def group(self, name: str) -> Group:
        """The community by name, cached like rosters (every inbox POST and page view asks)."""
        name = name.lower()
        entry = self._by_name.get(name)
        if entry is not None:
            return await entry.get()
        entry, forgotten = Reloaded(lambda: get_community(name), self.rosters.ttl), self._forgotten
        group = await entry.get()  # NotFound for a name nobody has: such names are never kept
        if forgotten == self._forgotten:
            self._by_name[name] = entry
        return group

    def forget_group(self, name: str) -> None:
        """Read the community again at the next call (this process has just changed it)."""
        self._by_name.pop(name.lower(), None)
        self._forgotten += 1
