"""What the community services share at run time: the federation runtime, the site, caches, limits."""

from __future__ import annotations

from dataclasses import dataclass, field

from fedicom.activitypub.federation import Federation
from fedicom.groups.communities import Site
from fedicom.groups.models import Group
from fedicom.groups.roster import Rosters


@dataclass
class Groups:
    fed: Federation
    site: Site
    backfill_posts: int = 10
    max_group_mentions: int = 3
    rosters: Rosters = field(default_factory=Rosters)

    def uri(self, group: Group) -> str:
        return self.site.uri(group.name)
