"""Scheduled posts end to end: one comes out at its time, exactly once, even when the server stops
before its time and starts again; a repeated one comes out and queues its next time; a cancelled one
never comes out; a time in the past, an unknown zone or rule are refused and nothing is queued."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import uvicorn

from fedicom.app import create_app
from fedicom.errors import BadRequest
from fedicom.groups.models import Post
from fedicom.jobs.models import Job
from fedicom.publishing.compose import Author
from fedicom.publishing.drafts import Draft
from fedicom.publishing.models import ScheduledPost, ScheduleState
from fedicom.publishing.scheduling import KIND, cancel, schedule
from fedicom.web.appstate import app_state
from tests.moderation.helpers import community_with_moderator
from tests.support.peer import Peer
from tests.support.servers import Instance, free_socket
from tests.support.steps import announced, join, until

DRAFT = Draft(title="Friday offer", body="**20%** off today.")


async def restart(inst: Instance) -> Instance:
    """The same server (same settings and database) started again after a stop."""
    await inst.stop()
    sock = free_socket()
    app = create_app(inst.settings)
    server = uvicorn.Server(uvicorn.Config(app, lifespan="on", log_level="warning", access_log=False))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    await until(lambda: asyncio.sleep(0, server.started or None))
    return Instance(inst.settings, app, server, task)


async def published(title: str) -> list[Post]:
    return await Post.filter(title=title)


async def test_a_scheduled_post_comes_out_once_at_its_time(instance, peer: Peer) -> None:
    inst = await instance(hostname="localhost")
    group, mia = await community_with_moderator(inst)
    await join(peer, peer.person("alice"), group)
    news = await inst.groups.group("news")
    at = datetime.now(UTC) + timedelta(seconds=2)
    item = await schedule(inst.groups, Author(mia, inst.files), news, DRAFT, at=at)
    assert not await published("Friday offer")

    [post] = await until(lambda: published("Friday offer"))
    assert post.published >= at - timedelta(seconds=1) and post.author == mia
    await peer.wait_for(lambda: announced(peer, "Create", post.object_id))
    await asyncio.sleep(1)
    assert len(await published("Friday offer")) == 1
    stored = await ScheduledPost.get(id=item.id)
    assert (stored.state, stored.published, stored.last_post_id) == (ScheduleState.DONE, 1, post.id)
    assert [j.state for j in await Job.filter(kind=KIND)] == ["done"]


async def test_a_post_due_while_the_server_is_down_comes_out_once_after_the_restart(instance) -> None:
    inst = await instance(hostname="localhost")
    _, mia = await community_with_moderator(inst)
    news = await inst.groups.group("news")
    await schedule(
        inst.groups,
        Author(mia, inst.files),
        news,
        DRAFT,
        at=datetime.now(UTC) + timedelta(seconds=1.5),
    )
    await inst.stop()
    await asyncio.sleep(2)  # its time passes while nothing runs
    again = await restart(inst)
    try:
        await until(lambda: published("Friday offer"))
        await asyncio.sleep(1)
        assert len(await published("Friday offer")) == 1
    finally:
        await again.stop()


async def test_a_repeated_post_comes_out_and_queues_its_next_time(instance) -> None:
    inst = await instance(hostname="localhost")
    _, mia = await community_with_moderator(inst)
    news = await inst.groups.group("news")
    item = await schedule(
        inst.groups,
        Author(mia, inst.files),
        news,
        DRAFT,
        every="fri 10:00",
        timezone="Europe/Paris",
    )
    first = item.run_at
    assert first.astimezone(UTC) > datetime.now(UTC) and first.weekday() == 4
    # bring its time forward to now: it comes out, and the next Friday is queued
    await Job.filter(kind=KIND).update(next_try_at=datetime.now(UTC).timestamp())
    app_state(inst.app).jobs.wake()
    await until(lambda: published("Friday offer"))
    stored = await until(lambda: ScheduledPost.get_or_none(id=item.id, published=1))
    assert stored.state == ScheduleState.SCHEDULED and stored.run_at == first + timedelta(days=7)
    assert sorted(j.state for j in await Job.filter(kind=KIND)) == ["done", "pending"]


async def test_a_cancelled_post_never_comes_out_and_bad_schedules_are_refused(instance) -> None:
    inst = await instance(hostname="localhost")
    _, mia = await community_with_moderator(inst)
    news = await inst.groups.group("news")
    author = Author(mia, inst.files)
    item = await schedule(inst.groups, author, news, DRAFT, at=datetime.now(UTC) + timedelta(seconds=2))

    async def allowed(_group: Any) -> None:
        return None

    await cancel(item.id, may_act=allowed)
    await asyncio.sleep(3)
    assert not await published("Friday offer")
    assert [j.state for j in await Job.filter(kind=KIND)] == ["cancelled"]
    with pytest.raises(BadRequest, match="nothing to cancel"):
        await cancel(item.id, may_act=allowed)

    cases = [
        ({"at": datetime.now(UTC) - timedelta(hours=1)}, "is in the past"),
        ({"every": "someday 10:00"}, "is not a day"),
        ({"every": "fri 10:00", "timezone": "Mars/Olympus"}, "is not a time zone"),
        ({}, "say when"),
    ]
    for kwargs, reason in cases:
        with pytest.raises(BadRequest, match=reason):
            await schedule(inst.groups, author, news, DRAFT, **kwargs)
    with pytest.raises(BadRequest, match="needs a title"):
        await schedule(inst.groups, author, news, Draft(body="x"), at=datetime.now(UTC) + timedelta(hours=1))
    assert await ScheduledPost.all().count() == 1 and await Job.filter(kind=KIND).count() == 1
