"""Each server gets as many requests at once as it copes with, end to end on loopback.

Four member servers answer in 100 ms. One is healthy; while overloaded, the others cope with three
requests at once and answer more with a 429 and `Retry-After`, with no answer at all (the request
times out), or with a 500. The sender must back off each of them without slowing the healthy one,
then use them fully again once they recover, and every activity must arrive.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from tortoise import connections

from fedicom import storage
from fedicom.activitypub import delivery
from fedicom.activitypub.keys import KeyStore
from fedicom.activitypub.models import Delivery
from fedicom.activitypub.netguard import make_client_session
from tests.support.db import make_settings
from tests.support.sender import SENDER, post

POSTS = 200
COPES_WITH = 3
ANSWER_IN = 0.1
TIMEOUT = 2.0  # our own process may stall for a second on a loaded machine: that is no sign from the server
PER_HOST = 64


@dataclass
class Member:
    """A member server: answers in ANSWER_IN; while `overloaded`, what is over COPES_WITH fails its way."""

    fails_with: str  # "nothing" (healthy), "429", "timeout" or "500"
    overloaded: bool = True
    in_flight: int = 0
    peak: dict[bool, int] = field(default_factory=lambda: {True: 0, False: 0})  # overloaded? -> most at once
    refused: int = 0
    received: list[str] = field(default_factory=list)
    base: str = ""

    async def inbox(self, request: web.Request) -> web.Response:
        body = await request.read()
        self.in_flight += 1
        self.peak[self.overloaded] = max(self.peak[self.overloaded], self.in_flight)
        try:
            if self.overloaded and self.fails_with != "nothing" and self.in_flight > COPES_WITH:
                self.refused += 1
                if self.fails_with == "429":
                    return web.Response(status=429, headers={"Retry-After": "1"})
                if self.fails_with == "500":
                    return web.Response(status=500)
                self.in_flight -= 1  # held aside: it keeps serving what it copes with
                try:
                    await asyncio.sleep(3 * TIMEOUT)  # no answer before the sender gives up
                finally:
                    self.in_flight += 1
                return web.Response(status=202)
            await asyncio.sleep(ANSWER_IN)
            self.received.append(json.loads(body)["id"])
            return web.Response(status=202)
        finally:
            self.in_flight -= 1


@pytest.fixture
async def members(tmp_path: Path) -> AsyncIterator[dict[str, Member]]:
    await storage.open_db(make_settings(tmp_path))
    servers = {kind: Member(kind) for kind in ("nothing", "429", "timeout", "500")}
    runners = []
    for n, member in enumerate(servers.values()):
        app = web.Application()
        app.router.add_post("/inbox", member.inbox)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.1)
        await runner.setup()
        site = web.TCPSite(runner, f"127.0.0.{60 + n}", 0)
        await site.start()
        member.base = f"http://127.0.0.{60 + n}:{site._server.sockets[0].getsockname()[1]}"  # type: ignore[union-attr]
        runners.append(runner)
    yield servers
    for runner in runners:
        await runner.cleanup()
    await storage.close_db()


async def eventually(check: Any, timeout: float, what: str) -> float:
    started = time.monotonic()
    while True:
        result = check()
        if result if isinstance(result, bool) else await result:
            return time.monotonic() - started
        assert time.monotonic() - started < timeout, f"timed out waiting for {what}"
        await asyncio.sleep(0.05)


async def test_overloaded_servers_get_less_then_recover_and_a_healthy_one_is_unaffected(members) -> None:
    healthy, throttling, timing_out, failing = members.values()
    keys = KeyStore()
    session = make_client_session(allow_private=True, user_agent="test", limit=0, limit_per_host=PER_HOST)
    worker = delivery.DeliveryWorker(
        session, keys, allow_private=True, concurrency=256, per_host=PER_HOST, timeout=TIMEOUT, hang_after=3.0
    )
    stop = asyncio.Event()
    running = asyncio.create_task(worker.run(stop))
    try:
        # When 200 activities go to each of the four servers while three of them are overloaded
        inboxes = [f"{m.base}/inbox" for m in members.values()]
        await delivery.enqueue_many([(post(n), inboxes) for n in range(POSTS)], actor=SENDER)

        # Then the healthy server gets them all at once, as if the others were not there: its limit
        # read no sign of trouble and grew from 4 towards the ceiling of 64, so it got more at once than
        # any overloaded server may (how many more is what this process signs in a round trip of 100 ms:
        # on a loaded machine, short of the ceiling), 200 in a few round trips
        took = await eventually(lambda: len(healthy.received) == POSTS, 15, "the healthy server")
        limit = next(slots.limit for host, slots in worker._hosts.items() if healthy.base.endswith(host))
        if not limit.slow_start:  # say what it read as trouble, as the server's answers recorded it
            host = healthy.base.split("//")[1]
            errors = await Delivery.filter(inbox__startswith=healthy.base).exclude(last_error=None)
            pytest.fail(f"{vars(limit)}; errors from {host}: {[d.last_error for d in errors][:5]}")
        assert limit.limit > 4 * COPES_WITH and healthy.refused == 0, vars(limit)
        assert healthy.peak[True] > 4 * COPES_WITH, healthy.peak
        assert took < 60 * ANSWER_IN, took
        await asyncio.sleep(2)

        # And each overloaded server got a few more than it copes with at most, not the 64 at once the
        # healthy one took: its limit stopped growing while a request was held, was halved at each sign
        # of trouble (the 429 one was left alone for its Retry-After); some arrived meanwhile
        for member in (throttling, timing_out, failing):
            assert member.peak[True] <= 4 * COPES_WITH, (member.fails_with, member.peak)
            assert member.refused <= POSTS / 5, (member.fails_with, member.refused)
            assert 0 < len(member.received) < POSTS, (member.fails_with, len(member.received))

        # When they recover, and the retries of what they refused come due
        for member in (throttling, timing_out, failing):
            member.overloaded = False

        async def all_delivered() -> bool:
            conn = connections.get("default")
            # time passes; rows the worker is writing are skipped (PostgreSQL would pick a deadlock victim)
            skip = " FOR UPDATE SKIP LOCKED" if conn.capabilities.dialect == "postgres" else ""
            await conn.execute_query(
                "UPDATE delivery SET next_try_at = 0 WHERE id IN (SELECT id FROM delivery "
                f"WHERE state = 'pending' AND next_try_at > 0{skip})"
            )
            worker.wake()
            return await Delivery.filter(state="done").count() == 4 * POSTS

        await eventually(all_delivered, 60, "every delivery to be done")
    finally:
        stop.set()
        await running
        await session.close()

    # Then each has everything, and was sent more at once again than while it was overloaded
    for member in members.values():
        assert sorted(set(member.received)) == sorted(post(n)["id"] for n in range(POSTS)), member.fails_with
    for member in (throttling, timing_out, failing):
        assert member.peak[False] > COPES_WITH + 1, (member.fails_with, member.peak)
