"""Given steps shared by the content moderation end-to-end tests: a community with a staff moderator,
members on loopback peers, and their threads and replies arriving through the inbox."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from fedicom import storage
from fedicom.activitypub.models import InboxItem
from fedicom.groups.models import Group, Moderator, Post
from fedicom.moderation.staff import create_staff
from fedicom.settings import load_settings
from tests.support.cli import DOMAIN
from tests.support.db import _in_thread
from tests.support.peer import PUBLIC, Peer, Person
from tests.support.servers import Instance

PASSWORD = "a long password"
RULES = "1. Be kind.\n2. Stay on topic."


async def community_with_moderator(inst: Instance, name: str = "news", **kw: Any) -> tuple[str, str]:
    """The community's URI and its moderator's (a local staff Person); `kw` are settings of the group."""
    await inst.community(name, rules=RULES)
    if kw:
        await Group.filter(name=name).update(**kw)
    await create_staff("mia", PASSWORD)
    mod = inst.site.staff_uri("mia")
    await Moderator.create(group=await inst.groups.group(name), actor=mod)
    return f"{inst.base}/c/{name}", mod


async def join(p: Peer, person: Person, group: str) -> None:
    assert (await p.post(person, f"{group}/inbox", p.activity("Follow", person, group)))[0] == 202
    await p.wait_for(lambda: [a for a in p.received_of("Accept") if a["object"]["actor"] == person.uri])


async def send(p: Peer, person: Person, group: str, activity: dict[str, Any]) -> InboxItem:
    """POST to the group inbox and wait until the activity is processed."""
    status, body = await p.post(person, f"{group}/inbox", activity)
    assert status == 202, body
    return await processed(activity["id"])


async def thread(
    p: Peer, person: Person, group: str, html: str, **extra: Any
) -> tuple[dict[str, Any], InboxItem]:
    note = p.note(person, html, to=[PUBLIC], cc=[group], **extra)
    return note, await send(p, person, group, p.activity("Create", person, note, to=[PUBLIC]))


async def reply(
    p: Peer, person: Person, group: str, parent: str, html: str
) -> tuple[dict[str, Any], InboxItem]:
    note = p.note(person, html, to=[PUBLIC], cc=[group], inReplyTo=parent)
    return note, await send(p, person, group, p.activity("Create", person, note, to=[PUBLIC]))


async def processed(activity_id: str) -> InboxItem:
    for _ in range(200):
        item = await InboxItem.get_or_none(activity_id=activity_id)
        if item is not None and item.state == "done":
            return item
        await asyncio.sleep(0.05)
    raise AssertionError(f"{activity_id} was not processed")


async def post_of(object_id: str) -> Post:
    return await Post.get(object_id=object_id).prefetch_related("group")


def announced(p: Peer, inner_type: str, object_id: str | None = None) -> list[dict[str, Any]]:
    """Announces the peer received wrapping an activity of `inner_type` (about `object_id`)."""
    found = []
    for a in p.received_of("Announce", inner=inner_type):
        inner = a["object"]
        target = inner.get("object")
        target_id = target.get("id") if isinstance(target, dict) else target
        if object_id is None or target_id == object_id:
            found.append(a)
    return found


def boosts(p: Peer, object_id: str) -> list[dict[str, Any]]:
    return [a for a in p.received_of("Announce", inner="uri") if a["object"] == object_id]


def in_db(env: dict[str, str], work: Callable[[], Awaitable[Any]]) -> Any:
    """Run `work` against a CLI test's database (outside the test's event loop)."""
    settings = load_settings(
        data_dir=Path(env["FEDICOM_DATA_DIR"]),
        dev=True,
        domain=DOMAIN,
        database_url=env.get("FEDICOM_DATABASE_URL", ""),
    )
    out: list[Any] = []

    async def wrapped() -> None:
        await storage.open_db(settings)
        try:
            out.append(await work())
        finally:
            await storage.close_db()

    _in_thread(wrapped())
    return out[0]
