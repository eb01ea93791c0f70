"""Steps the end-to-end tests share: a member of a loopback peer joins a community and posts through
its inbox; the test waits for fedicom to process what was sent, or for the peer to receive what the
group sends back. Waits poll briefly (20 ms) so a test takes as long as the servers do, no longer.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any, Literal, TypeVar

from fedicom.activitypub.models import InboxItem
from fedicom.groups.models import Post
from fedicom.jobs.models import Job
from fedicom.web.appstate import app_state
from tests.support.peer import PUBLIC, Peer, Person
from tests.support.servers import Instance

T = TypeVar("T")
POLL = 0.02


async def until(check: Callable[[], Awaitable[T]], timeout: float = 10.0) -> T:
    """The first truthy value `check()` returns (a query, typically) within `timeout` seconds."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        value = await check()
        if value:
            return value
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"condition not reached in {timeout} s")
        await asyncio.sleep(POLL)


async def processed(activity_id: str, timeout: float = 10.0) -> InboxItem:
    """The inbox item once fedicom has handled it: `error` says why when it refused the activity.

    An unexpected exception (state `failed`, or retried) fails the test at once with its message.
    """

    async def handled() -> InboxItem | None:
        item = await InboxItem.get_or_none(activity_id=activity_id)
        if item is not None and (item.state == "failed" or (item.state == "pending" and item.error)):
            raise AssertionError(f"{activity_id} crashed the handler: {item.error}")
        return item if item is not None and item.state == "done" else None

    try:
        return await until(handled, timeout)
    except AssertionError as exc:
        if "crashed" in str(exc):
            raise
        raise AssertionError(f"{activity_id} was not processed in {timeout} s") from None


async def send(p: Peer, person: Person, inbox: str, activity: dict[str, Any]) -> InboxItem:
    """POST `activity` signed by `person`, expect 202, and wait until it is processed."""
    status, body = await p.post(person, inbox, activity)
    assert status == 202, body
    return await processed(activity["id"])


async def join(
    p: Peer, person: Person, group: str, *, until: Literal["accepted", "processed"] = "accepted"
) -> dict[str, Any]:
    """Follow a community and wait for its Accept; returns the Follow.

    `until="processed"`: wait instead until the test's own instance has processed the Follow (a
    community that approves its members sends no Accept)."""
    follow = p.activity("Follow", person, group)
    if until == "processed":
        await send(p, person, f"{group}/inbox", follow)
        return follow
    status, body = await p.post(person, f"{group}/inbox", follow)
    assert status == 202, body
    await p.wait_for(lambda: [a for a in p.received_of("Accept") if a["object"]["id"] == follow["id"]])
    return follow


async def thread(
    p: Peer, person: Person, group: str, html: str, **extra: Any
) -> tuple[dict[str, Any], InboxItem]:
    """A new public thread sent to the community's inbox, once processed: the Note and the inbox item."""
    note = p.note(person, html, to=[PUBLIC], cc=[group], **extra)
    create = p.activity("Create", person, note, to=[PUBLIC], cc=[group])
    return note, await send(p, person, f"{group}/inbox", create)


async def reply(
    p: Peer, person: Person, group: str, parent: str, html: str
) -> tuple[dict[str, Any], InboxItem]:
    """A reply to `parent` in the community, once processed."""
    return await thread(p, person, group, html, inReplyTo=parent)


async def post_of(object_id: str) -> Post:
    """The stored post (with its group) of an ActivityPub object id."""
    return await Post.get(object_id=object_id).prefetch_related("group")


def announced(p: Peer, inner_type: str, object_id: str | None = None) -> list[dict[str, Any]]:
    """The group's Announces the peer received wrapping an activity of `inner_type` (about `object_id`)."""
    found = []
    for a in p.received_of("Announce", inner=inner_type):
        target = a["object"].get("object")
        target_id = target.get("id") if isinstance(target, dict) else target
        if object_id is None or target_id == object_id:
            found.append(a)
    return found


def boosts(p: Peer, object_id: str) -> list[dict[str, Any]]:
    """The group's Mastodon-style boosts (Announce of the object's URI) the peer received."""
    return [a for a in p.received_of("Announce", inner="uri") if a["object"] == object_id]


async def cleaned_up(timeout: float = 10.0) -> list[Job]:
    """The clean-up jobs queued so far (a ban's removeData, a suspension), once the instance's job
    runner has done them all."""

    async def done() -> list[Job] | None:
        jobs = await Job.filter(kind="moderation.cleanup").order_by("id")
        return jobs if jobs and all(j.state == "done" for j in jobs) else None

    return await until(done, timeout)


async def due_now(inst: Instance, kind: str) -> None:
    """Time passes: the pending jobs of `kind` are due now, and the instance's job runner is told."""
    await Job.filter(kind=kind, state="pending").update(next_try_at=time.time())
    app_state(inst.app).jobs.wake()


async def counted(timeout: float = 10.0) -> None:
    """Insights have counted every post and vote stored so far (the backlog is empty)."""
    from fedicom.insights.models import CountEvent

    async def empty() -> bool:
        return not await CountEvent.exists()

    await until(empty, timeout)
