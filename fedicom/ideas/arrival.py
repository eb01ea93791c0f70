"""Ideas as they arrive: each new, edited or shown-again idea is logged in the transaction that stored
it (`idea_change`), and its likely duplicates are found beside the inbox from that log, so a crash
loses none: a change stays `pending` until the transaction that stores its matches (and queues the
community's reply, where it is on) commits. The first process to claim a change does it, once.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta

from tortoise.backends.base.client import BaseDBAsyncClient

from fedicom.activitypub.leases import nap
from fedicom.groups.context import Groups
from fedicom.groups.events import GroupEvents
from fedicom.groups.models import Group, Post, PostState
from fedicom.ideas import scope
from fedicom.ideas.catalog import KEEP, LIKELY, THRESHOLD, Catalog, Similar
from fedicom.ideas.features import idea_text
from fedicom.ideas.models import ChangeKind, IdeaChange, IdeaMatch
from fedicom.ideas.reply import reply_markdown
from fedicom.publishing.compose import reply_as_community

log = logging.getLogger("fedicom.ideas")

BATCH = 50
IDLE = 1.0  # seconds between looks at the log (a new idea wakes it at once)
PRUNE_EVERY = 3600.0


class Arrivals:
    """The listener of ideas' changes, and the loop that finds new ideas' likely duplicates."""

    def __init__(self, ctx: Groups, catalog: Catalog) -> None:
        self.ctx = ctx
        self.catalog = catalog
        self._wake = asyncio.Event()

    def connect(self, events: GroupEvents) -> None:
        async def stored(post: Post, conn: BaseDBAsyncClient | None) -> None:
            await self.log(post, ChangeKind.STORED, conn)

        async def edited(post: Post, conn: BaseDBAsyncClient | None) -> None:
            await self.log(post, ChangeKind.EDITED, conn)

        async def state(post: Post, conn: BaseDBAsyncClient | None) -> None:
            await self.log(post, ChangeKind.STATE, conn)

        events.post_stored.connect(stored)
        events.post_edited.connect(edited)
        events.post_state_changed.connect(state)

    async def log(self, post: Post, kind: ChangeKind, conn: BaseDBAsyncClient | None) -> None:
        """One row in the emitter's transaction, for a thread of a community whose threads are ideas."""
        if not post.is_thread:
            return
        cached = getattr(post, "_group", None)  # set when the post was read or created with its group
        group = cached if isinstance(cached, Group) else await Group.get(id=post.group_id).using_db(conn)  # type: ignore[attr-defined]
        if not scope.indexes(group):
            return
        pending = kind != ChangeKind.STATE or (post.state == PostState.VISIBLE and not post.deleted)
        await IdeaChange.create(group_id=group.id, post_id=post.id, kind=kind, pending=pending, using_db=conn)
        self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        """Find duplicates until `stop`: at once when woken, at least every IDLE seconds."""
        pruned = 0.0
        loop = asyncio.get_running_loop()
        while not stop.is_set():
            try:
                await self.drain()
                if loop.time() - pruned > PRUNE_EVERY:
                    await prune()
                    pruned = loop.time()
            except Exception:  # the database went away: the log is kept and read again
                log.exception("finding similar ideas failed; the pending ideas are tried again")
            await nap(self._wake, stop, poll=IDLE)

    async def drain(self) -> int:
        """Match every pending idea (tests, the CLI); the ideas matched."""
        done, after = 0, 0
        while changes := await IdeaChange.filter(pending=True, id__gt=after).order_by("id").limit(BATCH):
            for change in changes:
                try:
                    done += await self.match(change)
                except Exception:  # one bad idea never stops the others: dropped (while the database
                    # answers), logged with its post
                    log.exception("the similar ideas of post %s could not be found", change.post_id)  # type: ignore[attr-defined]
                    await IdeaChange.filter(id=change.id).update(pending=False)
            after = changes[-1].id
        return done

    async def match(self, change: IdeaChange) -> int:
        """Store the idea's likely duplicates, and reply to its author where the community says so;
        1 when this process claimed the change, 0 when another had."""
        post = await Post.get_or_none(id=change.post_id).prefetch_related("group")  # type: ignore[attr-defined]
        if post is None or post.deleted:
            await IdeaChange.filter(id=change.id).update(pending=False)
            return 0
        group = post.group
        found = await self.catalog.similar(
            group, idea_text(post.title, post.content), limit=LIKELY, threshold=THRESHOLD, exclude=post.id
        )
        async with self.ctx.fed.transaction() as conn:
            if not await IdeaChange.filter(id=change.id, pending=True).using_db(conn).update(pending=False):
                return 0
            await IdeaMatch.filter(post_id=post.id).using_db(conn).delete()
            if found:
                await IdeaMatch.bulk_create(
                    [IdeaMatch(post_id=post.id, other_id=s.post_id, score=s.score) for s in found],
                    using_db=conn,
                )
            if change.kind == ChangeKind.STORED and found and self._replies(group, post):
                await self.reply(group, post, found, conn)
        return 1

    def _replies(self, group: Group, post: Post) -> bool:
        """The community replies to a shown idea from another server (its staff see matches on
        their pages), where it says so."""
        return (
            group.reply_similar
            and post.state == PostState.VISIBLE
            and not post.locked
            and not post.author.startswith(f"{self.ctx.fed.base_url}/")
        )

    async def reply(self, group: Group, post: Post, found: list[Similar], conn: BaseDBAsyncClient) -> None:
        pages = {s.post_id: f"{self.ctx.uri(group)}/p/{s.post_id}" for s in found}
        await reply_as_community(self.ctx, group, post, reply_markdown(found, pages), conn)


async def prune() -> int:
    """Drop the log's rows every process has had time to read (pending ones stay)."""
    before = datetime.now(UTC) - timedelta(seconds=KEEP)
    return await IdeaChange.filter(pending=False, created_at__lt=before).delete()
