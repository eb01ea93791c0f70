"""What other areas add to the posts a page shows (media and polls, for one): named page add-ons.

Groups renders the pages but does not know those areas; each registers a provider in `create_app`,
and the community and thread pages pass what the providers return to their templates as `addons`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from fedicom.groups.models import Group, Post


class PostAddOn(Protocol):
    async def for_posts(self, group: Group, posts: Sequence[Post]) -> Mapping[int, Any]:
        """What to show with each post, by post id (posts with nothing to add are left out)."""
        ...


@dataclass
class PageAddOns:
    providers: dict[str, PostAddOn] = field(default_factory=dict)

    def add(self, name: str, provider: PostAddOn) -> None:
        self.providers[name] = provider

    async def for_posts(self, group: Group, posts: Sequence[Post]) -> dict[str, Mapping[int, Any]]:
        """Each provider's additions, by provider name (every name present, even with nothing to add)."""
        return {name: await p.for_posts(group, posts) for name, p in self.providers.items()}
