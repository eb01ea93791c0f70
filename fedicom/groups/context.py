"""What the community services share at run time: the federation runtime, the site, caches, limits."""

from __future__ import annotations

import time
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

    _by_name: dict[str, tuple[float, Group]] = field(default_factory=dict)

    def uri(self, group: Group) -> str:
        return self.site.uri(group.name)

    async def group(self, name: str) -> Group:
        """The community by name, cached like rosters (every inbox POST and page view asks)."""
        name = name.lower()
        cached = self._by_name.get(name)
        now = time.monotonic()
        if cached and now - cached[0] < self.rosters.ttl:
            return cached[1]
        group = await get_community(name)
        self._by_name[name] = (now, group)
        return group

    def forget_group(self, name: str) -> None:
        self._by_name.pop(name.lower(), None)
