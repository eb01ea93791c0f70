"""What the idea board shows: ideas sorted and filtered by status, each idea's status with its note and
history, and the roadmap (planned, started, completed). Reads only; a private board lists nothing."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from tortoise.expressions import F, Subquery
from tortoise.functions import Count
from tortoise.queryset import QuerySet

from fedicom.groups.browse import HOT_CANDIDATES, PAGE_SIZE, PostPage, hottest
from fedicom.groups.kinds import CommunityKind
from fedicom.groups.models import Group, Post, PostState
from fedicom.ideas.board_models import IdeaState, IdeaStatusChange
from fedicom.ideas.lifecycle import LABELS, ROADMAP, IdeaStatus

ROADMAP_SHOWN = 50  # ideas per roadmap column


@dataclass(frozen=True)
class ShownStatus:
    """An idea's status as its badge and page show it."""

    status: IdeaStatus
    note: str
    merged_into: int | None  # the original's post id
    merged_here: int  # duplicates merged into this idea
    changed_at: datetime | None

    @property
    def label(self) -> str:
        return LABELS[self.status]

    def as_json(self) -> dict[str, object]:
        return {
            "status": self.status.value,
            "note": self.note,
            "merged_into": self.merged_into,
            "merged_here": self.merged_here,
            "changed_at": self.changed_at.isoformat() if self.changed_at else None,
        }


def _threads(group: Group) -> QuerySet[Post]:
    return Post.filter(group=group, parent_id=None, deleted=False, state=PostState.VISIBLE)


def with_status(group: Group, status: IdeaStatus | None) -> QuerySet[Post]:
    """The board's shown ideas, all or in one status (open: those with no row, or set open again)."""
    threads = _threads(group)
    if status is None:
        return threads
    if status == IdeaStatus.OPEN:
        others = IdeaState.filter(group=group).exclude(status=IdeaStatus.OPEN).values("post_id")
        return threads.exclude(id__in=Subquery(others))
    return threads.filter(id__in=Subquery(IdeaState.filter(group=group, status=status).values("post_id")))


async def ordered(
    group: Group, sort: str, status: IdeaStatus | None, offset: int, want: int, now: datetime | None = None
) -> list[Post]:
    """`want` ideas from `offset` in `status` (or all), by votes (top), trending (hot) or newest (new)."""
    found = with_status(group, status)
    if sort == "new":
        return await found.order_by("-id").offset(offset).limit(want)
    if sort == "top":
        by_votes = found.annotate(net=F("upvotes") - F("downvotes")).order_by("-net", "-id")
        return await by_votes.offset(offset).limit(want)
    ranked, _ = await hottest(found, HOT_CANDIDATES, now or datetime.now(UTC))
    window = ranked[offset : offset + want]
    by_id = {p.id: p for p in await Post.filter(id__in=window)} if window else {}
    return [by_id[i] for i in window if i in by_id]


async def ideas_page(group: Group, sort: str, status: IdeaStatus | None, number: int) -> PostPage:
    """One page of the board filtered by status; pinned ideas take their place among the others, as a
    filtered list shows only what was asked for. Nothing for a private board (visitors)."""
    if group.private:
        return PostPage(sort, number, [], [], False)
    rows = await ordered(group, sort, status, (number - 1) * PAGE_SIZE, PAGE_SIZE + 1)
    return PostPage(sort, number, rows[:PAGE_SIZE], [], len(rows) > PAGE_SIZE)


async def statuses_of(group: Group, posts: Sequence[Post]) -> dict[int, ShownStatus]:
    """The status of each of these ideas (threads only; nothing outside an idea board)."""
    if group.kind != CommunityKind.IDEAS:
        return {}
    ids = [p.id for p in posts if p.is_thread]
    if not ids:
        return {}
    stored = {s.post_id: s for s in await IdeaState.filter(post_id__in=ids)}  # type: ignore[attr-defined]
    merged = dict(
        await IdeaState.filter(merged_into_id__in=ids)
        .annotate(n=Count("id"))
        .group_by("merged_into_id")
        .values_list("merged_into_id", "n")
    )
    shown = {}
    for post_id in ids:
        row = stored.get(post_id)
        shown[post_id] = ShownStatus(
            IdeaStatus(row.status) if row else IdeaStatus.OPEN,
            row.note if row else "",
            row.merged_into_id if row else None,  # type: ignore[attr-defined]
            merged.get(post_id, 0),
            row.changed_at if row else None,
        )
    return shown


class IdeaBadges:
    """The page add-on (groups/showing.py): each idea's status beside it on the board and its page."""

    async def for_posts(self, group: Group, posts: Sequence[Post]) -> Mapping[int, ShownStatus]:
        return await statuses_of(group, posts)


async def history_of(post: Post) -> list[IdeaStatusChange]:
    """The idea's status changes, oldest first."""
    return await IdeaStatusChange.filter(post_id=post.id).order_by("id")


async def roadmap(group: Group) -> dict[IdeaStatus, list[Post]]:
    """The roadmap's columns: planned and started ideas by votes, completed ones most recent first."""
    columns: dict[IdeaStatus, list[Post]] = {}
    for status in ROADMAP:
        found = with_status(group, status)
        if status == IdeaStatus.COMPLETED:
            states = IdeaState.filter(group=group, status=status).order_by("-changed_at").limit(ROADMAP_SHOWN)
            ids = [s.post_id for s in await states]  # type: ignore[attr-defined]
            by_id = {p.id: p for p in await found.filter(id__in=ids)} if ids else {}
            columns[status] = [by_id[i] for i in ids if i in by_id]
        else:
            columns[status] = (
                await found.annotate(net=F("upvotes") - F("downvotes"))
                .order_by("-net", "-id")
                .limit(ROADMAP_SHOWN)
            )
    return columns


async def original_of(group: Group, post: Post) -> Post | None:
    """The idea a duplicate was merged into (None for any other idea)."""
    state = await IdeaState.get_or_none(post_id=post.id)
    merged_into = state.merged_into_id if state else None  # type: ignore[attr-defined]
    return await Post.get_or_none(id=merged_into, group=group) if merged_into else None
