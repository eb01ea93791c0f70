"""A populated fedicom database: one of everything an instance stores, for the copy and backup tests."""

from __future__ import annotations

import datetime
import json
import os
import time
from dataclasses import dataclass
from typing import Any

from tortoise import Tortoise
from tortoise.backends.base.executor import EXECUTOR_CACHE

from fedicom import storage
from fedicom.activitypub.keys import KeyStore
from fedicom.activitypub.models import Delivery, InboxItem, OutgoingActivity, RemoteActor, RemoteServer
from fedicom.groups.communities import Site, create_community
from fedicom.groups.models import Membership, Moderator, Post, Vote
from fedicom.moderation import modlog
from fedicom.moderation.models import Ban, DomainAllow, DomainBlock, Filter, Report
from fedicom.settings import Settings
from fedicom.staff.accounts import create_staff, name_reserved
from fedicom.staff.models import ApiToken

HOST = "127.0.0.3"
POSTGRES = (
    os.environ.get("FEDICOM_TEST_DATABASE")
    or os.environ.get("FEDICOM_TEST_POSTGRES")
    or "postgres://postgres@127.0.0.1:5432/test"
)


def switching_dialect() -> None:
    """Tortoise caches each model's INSERT per connection name, not per dialect: these tests run SQLite
    and PostgreSQL in one process under the name "default", so the cache is dropped at each switch."""
    EXECUTOR_CACHE.clear()


@dataclass
class Source:
    settings: Settings
    site: Site
    port: int

    @property
    def url(self) -> str:
        return self.settings.database_url


def at(day: int) -> datetime.datetime:
    return datetime.datetime(2025, 3, day, 12, 30, 15, 123456, tzinfo=datetime.UTC)


async def populate(site: Site) -> None:
    """One of everything an instance stores, through the services where they exist."""
    keys = KeyStore()
    news = await create_community(
        keys, site, "news", title="News ✓", rules="1. Be kind.", reserved=name_reserved
    )
    quiet = await create_community(keys, site, "quiet", title="Quiet", private=True, reserved=name_reserved)
    admin = await create_staff("alice", "a long password", is_admin=True)
    await create_staff("bob", "another long password")
    await ApiToken.create(staff=admin, name="ci", token_hash="ab" * 32, scopes=["modlog:read"])
    remote = "http://peer.example/users/"
    for name in ("carol", "dave"):
        await RemoteActor.create(
            uri=remote + name,
            type="Person",
            host="peer.example",
            preferred_username=name,
            inbox=remote + name + "/inbox",
            shared_inbox="http://peer.example/inbox",
            document={"id": remote + name, "name": f"{name} ☕"},
            fetched_at=time.time(),
        )
    await Membership.create(
        group=news,
        actor=remote + "carol",
        inbox="http://peer.example/inbox",
        state="accepted",
        follow_id="f1",
        follow_activity="{}",
    )
    await Membership.create(
        group=quiet,
        actor=remote + "dave",
        inbox="http://peer.example/inbox",
        state="pending",
        follow_id="f2",
        follow_activity="{}",
    )
    await Moderator.create(group=news, actor=site.staff_uri("alice"), role="owner")
    # a reply stored before its thread (fetched late): its parent has the higher id
    reply = await Post.create(
        group=news,
        object_id="http://peer.example/objects/2",
        type="Note",
        author=remote + "dave",
        content="<p>Agreed</p>",
        document={"type": "Note"},
        published=at(2),
    )
    thread = await Post.create(
        group=news,
        object_id="http://peer.example/objects/1",
        type="Page",
        author=remote + "carol",
        title="Hello",
        content="<p>First</p>",
        document={"type": "Page", "name": "Hello"},
        published=at(1),
        updated=at(3),
        upvotes=1,
        reply_count=1,
        locked=True,
        pinned_at=at(4),
    )
    reply.parent_id = reply.root_id = thread.id  # type: ignore[attr-defined]
    await reply.save()
    await Post.create(
        group=news,
        object_id="http://peer.example/objects/3",
        type="Page",
        author=remote + "dave",
        title="Held",
        document={},
        published=at(5),
        state="held",
        activity={"type": "Create"},
        state_reason="links",
    )
    await Vote.create(post=thread, actor=remote + "dave", value=1, activity_id="http://peer.example/likes/1")
    for n in range(3):
        announce = {"id": f"{site.uri('news')}/activities/{n}", "type": "Announce", "actor": site.uri("news")}
        activity = await OutgoingActivity.create(
            activity_id=announce["id"],
            actor=site.uri("news"),
            type="Announce",
            inner_type="Page",
            payload=json.dumps(announce),
            created_at=time.time(),
        )
        for state in ("done", "pending", "failed"):
            await Delivery.create(
                activity=activity,
                inbox="http://peer.example/inbox",
                host="peer.example",
                order_key=str(n),
                state=state,
                next_try_at=time.time() + 3600,
                updated_at=time.time(),
                last_status=None if state == "pending" else 202,
            )
    await RemoteServer.create(
        host="gone.example", failing_since=time.time() - 9 * 86400, unreachable=True, last_error="timeout"
    )
    await InboxItem.create(
        activity_id="http://peer.example/a/9",
        actor=remote + "carol",
        payload="{}",
        state="failed",
        next_try_at=time.time() + 0.5,
        received_at=time.time() + 0.25,  # recent: a server running on the copy must not prune it yet
        error="bad",
    )
    await DomainBlock.create(
        domain="spam.example", severity="suspend", public_comment="spam", reject_media=True
    )
    await DomainBlock.create(domain="noisy.example", community=news, severity="silence")
    await DomainAllow.create(domain="friends.example", comment="trusted")
    await Ban.create(
        community=news,
        actor=remote + "dave",
        reason="rude",
        moderator=site.staff_uri("alice"),
        expires_at=at(28),
    )
    await Report.create(community=news, reporter=remote + "carol", targets=[remote + "dave"], reason="rude")
    await Filter.create(pattern="casino", action="reject")
    await modlog.record(site.staff_uri("alice"), "block_domain", "spam.example", reason="spam")
    await modlog.record(
        site.staff_uri("alice"), "ban", remote + "dave", reason="rude", community="news", details={"days": 30}
    )


async def dump(settings: Settings, url: str) -> dict[str, list[dict[str, Any]]]:
    """Every row of every table, as the ORM reads it (typed values: comparable across databases).

    Not the registry of running processes: a backup taken while serving holds the server's row, which
    its clean stop removes from the live database (and which a restored server sweeps as gone)."""
    await storage.open_db(settings.model_copy(update={"database_url": url}))
    try:
        return {
            model._meta.db_table: await model.all().order_by(model._meta.pk_attr).values()
            for model in Tortoise.apps["fedicom"].values()
            if model._meta.db_table != "worker_process"
        }
    finally:
        await storage.close_db()
