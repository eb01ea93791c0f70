"""Recording every refused or held inbound post, and telling its author why, once a day at most.

Listens to `Groups.events` (connected when the runtime is built) and runs in the emitter's
transaction: the record, the daily-cap row and the queued direct message commit with the outcome of
the inbox item, or not at all.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from tortoise.backends.base.client import BaseDBAsyncClient

from fedicom.activitypub.models import RemoteActor
from fedicom.groups.context import Groups
from fedicom.groups.events import GroupEvents, PostRefused
from fedicom.groups.reasons import Kind
from fedicom.refusals.models import Refusal, RefusalNotice, Told
from fedicom.refusals.notice import build_notice, message_html


@dataclass
class Recorder:
    """The listener of refusals and holds for one runtime."""

    ctx: Groups

    def connect(self, events: GroupEvents) -> None:
        events.post_refused.connect(self.record)
        events.post_held.connect(self.record)
        events.vote_refused.connect(self.record)

    async def record(self, event: PostRefused, conn: BaseDBAsyncClient | None) -> None:
        told = await self.tell(event, conn)
        await Refusal.create(
            group=event.group,
            author=event.author[:1024],
            object_id=event.object_id[:1024],
            activity_id=event.activity_id[:1024],
            kind=event.kind,
            code=event.code,
            held=event.code.held,
            reason=event.reason,
            excerpt=event.excerpt,
            told=told,
            using_db=conn,
        )

    async def tell(self, event: PostRefused, conn: BaseDBAsyncClient | None) -> Told:
        """Queue the Group's direct message to the author, unless they must not or need not hear."""
        group = event.group
        if event.kind == Kind.VOTE:
            return Told.VOTE
        if event.code.abusive:
            return Told.WITHHELD
        if not event.code.told:
            return Told.DIRECT
        if not group.notify_refusals:
            return Told.OFF
        # the signer's actor is stored when its signature was checked: no fetch inside a transaction
        actor = await RemoteActor.filter(uri=event.author).using_db(conn).first()
        if actor is None:
            return Told.UNKNOWN
        day = datetime.now(UTC).date()
        key = {"group_id": group.id, "author": event.author, "code": event.code, "day": day}
        if await RefusalNotice.filter(**key).using_db(conn).exists():
            return Told.ALREADY
        site = self.ctx.site
        body = message_html(event.code, f"@{group.name}@{site.domain}", site.uri(group.name))
        if body is None:
            return Told.WITHHELD
        create = build_notice(
            group_uri=site.uri(group.name),
            author=event.author,
            username=actor.preferred_username,
            body_html=body,
            in_reply_to=event.object_id,
            note_uri=f"{self.ctx.fed.base_url}/notices/{uuid.uuid4()}",
        )
        # the unique key makes a second notice on the same day fail the transaction, never send twice
        await RefusalNotice.create(**key, activity_id=create["id"], using_db=conn)
        await self.ctx.fed.send(
            create, actor=site.uri(group.name), inboxes=[actor.inbox], public=False, conn=conn
        )
        return Told.SENT
