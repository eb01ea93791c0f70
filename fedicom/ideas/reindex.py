"""Finding every idea's likely duplicates again (after an upgrade, or a change of threshold): the
community's index is built afresh and each shown idea's stored matches are replaced, a page at a time.
Nobody is replied to: replies are for ideas as they arrive."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from tortoise.transactions import in_transaction

from fedicom.groups.models import Group, Post, PostState
from fedicom.ideas.catalog import LIKELY, PAGE, THRESHOLD, Catalog
from fedicom.ideas.features import features, idea_text
from fedicom.ideas.models import IdeaMatch

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class Reindexed:
    community: str
    ideas: int  # shown ideas indexed and matched
    with_matches: int  # ideas with at least one likely duplicate
    matches: int
    seconds: float

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


async def reindex(catalog: Catalog, group: Group, progress: Progress | None = None) -> Reindexed:
    started = time.monotonic()
    catalog.forget(group.id)
    index = await catalog.index_of(group)
    total, done, with_matches, matches, after = len(index), 0, 0, 0, 0
    while (
        rows := await Post.filter(
            group_id=group.id, parent_id=None, deleted=False, state=PostState.VISIBLE, id__gt=after
        )
        .order_by("id")
        .limit(PAGE)
        .values_list("id", "title", "content")
    ):
        found = {
            post_id: index.similar(
                features(idea_text(title, content)), limit=LIKELY, threshold=THRESHOLD, exclude=post_id
            )
            for post_id, title, content in rows
        }
        async with in_transaction() as conn:
            await IdeaMatch.filter(post_id__in=list(found)).using_db(conn).delete()
            made = [
                IdeaMatch(post_id=p, other_id=s.post_id, score=s.score) for p, ss in found.items() for s in ss
            ]
            if made:
                await IdeaMatch.bulk_create(made, batch_size=1000, using_db=conn)
        done += len(rows)
        with_matches += sum(1 for ss in found.values() if ss)
        matches += len(made)
        after = rows[-1][0]
        if progress:
            progress(group.name, done, max(total, done))
    if progress:
        progress(group.name, done, max(total, done))
    return Reindexed(group.name, done, with_matches, matches, round(time.monotonic() - started, 2))
