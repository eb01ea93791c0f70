"""The best threads of the week from a parent community's children, shown on the parent's page.

Only a parent that chose to (`Group.feature_children`) shows them, and only from its direct children
that are public and listed in the directory: a private child's posts are its members' business, and
an unlisted one asked not to be shown around. Ranked by the same Hot rank as a community's page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from fedicom.groups.browse import hottest
from fedicom.groups.models import Group, Post, PostState
from fedicom.groups.ranking import HOT_HORIZON_HOURS

FEATURED = 5
CANDIDATES = 500  # the newest threads of the week considered: a busy family still ranks quickly


@dataclass(frozen=True)
class Featured:
    group: Group  # the child community the thread is in
    post: Post


async def featured_threads(
    parent: Group, now: datetime | None = None, limit: int = FEATURED
) -> list[Featured]:
    """The hottest threads of the week in its public, listed children; none unless it features them."""
    if not parent.feature_children:
        return []
    children = {g.id: g for g in await Group.filter(parent_id=parent.id, private=False, discoverable=True)}
    if not children:
        return []
    now = now or datetime.now(UTC)
    week = Post.filter(
        group_id__in=list(children),
        parent_id=None,
        deleted=False,
        state=PostState.VISIBLE,
        created_at__gte=now - timedelta(hours=HOT_HORIZON_HOURS),
    )
    ranked = (await hottest(week, CANDIDATES, now))[0][:limit]
    posts = {p.id: p for p in await Post.filter(id__in=ranked)} if ranked else {}
    return [Featured(children[posts[i].group_id], posts[i]) for i in ranked if i in posts]  # type: ignore[attr-defined]
