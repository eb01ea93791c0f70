"""Broken member servers never hold up healthy ones, and receive everything once they recover.

1,000 loopback servers, a fifth of them broken: a third refuse connections, a third answer 500,
a third read the request and never answer. The request timeout is set far beyond the test's
deadlines, so a healthy delivery that waited for a hung one could not finish in time.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
from asyncpg.exceptions import DeadlockDetectedError
from tortoise import connections

from bench.servers import Recorder, SimServer, SimServers
from fedicom import storage
from fedicom.activitypub import delivery
from fedicom.activitypub.keys import KeyStore
from fedicom.activitypub.models import Delivery
from fedicom.activitypub.netguard import make_client_session
from tests.support.db import make_settings
from tests.support.sender import SENDER, post

HEALTHY, CLOSED, ERROR, HUNG = 800, 67, 67, 66
TIMEOUT = 120.0  # no test phase may come near it
HANG_AFTER = 1.0


async def eventually(check: Callable[[], Awaitable[bool] | bool], timeout: float, what: str) -> float:
    """Seconds until `check` holds; fails after `timeout`."""
    started = time.monotonic()
    while True:
        result = check()
        if result if isinstance(result, bool) else await result:
            return time.monotonic() - started
        assert time.monotonic() - started < timeout, f"timed out waiting for {what}"
        await asyncio.sleep(0.05)


@pytest.fixture
async def fleet(tmp_path: Path) -> AsyncIterator[tuple[SimServers, dict[str, list[SimServer]], Recorder]]:
    await storage.open_db(make_settings(tmp_path))
    recorder = Recorder(verify=True, keep_payloads=True)
    sims = SimServers()
    groups = {
        "healthy": await sims.open(HEALTHY, recorder),
        "closed": await sims.open(CLOSED, recorder, mode="closed"),
        "error": await sims.open(ERROR, recorder, mode="error"),
        "hung": await sims.open(HUNG, recorder, mode="hang"),
    }
    yield sims, groups, recorder
    await sims.close()
    await storage.close_db()


def received(recorder: Recorder, servers: list[SimServer], activity_id: str) -> int:
    ports = {s.port for s in servers}
    return sum(
        1 for a in recorder.arrivals if a.port in ports and (a.activity or {}).get("id") == activity_id
    )


async def test_broken_servers_never_delay_healthy_ones_and_get_everything_on_recovery(fleet) -> None:
    sims, groups, recorder = fleet
    everyone = [s for servers in groups.values() for s in servers]
    random.Random(9).shuffle(everyone)  # broken servers among the healthy ones, in queue order too
    broken = groups["closed"] + groups["error"] + groups["hung"]
    keys = KeyStore()
    key_id, _ = await keys.signer(SENDER)
    recorder.trusted[key_id] = await keys.public_pem(SENDER)
    inboxes = [f"{s.base}/inbox" for s in everyone]
    session = make_client_session(allow_private=True, user_agent="test", limit=0, limit_per_host=64)
    worker = delivery.DeliveryWorker(
        session, keys, allow_private=True, concurrency=32, timeout=TIMEOUT, hang_after=HANG_AFTER
    )
    stop = asyncio.Event()
    running = asyncio.create_task(worker.run(stop))
    try:
        # When a first post goes to every member server (32 slots, 66 servers that never answer)
        await delivery.enqueue(post(1), actor=SENDER, inboxes=inboxes)
        first = await eventually(
            lambda: received(recorder, groups["healthy"], post(1)["id"]) == HEALTHY, 60, "the first post"
        )

        # Then every healthy server has it while every hung server still holds its request
        async def only_hung_ones_unanswered() -> bool:
            return await Delivery.filter(state="pending", tries=0).count() == HUNG

        await eventually(only_hung_ones_unanswered, 30, "every other server's outcome")
        assert [s.failed_posts for s in groups["hung"]] == [1] * HUNG

        # When a second post follows once the hung servers are known to hang
        await asyncio.sleep(HANG_AFTER)
        await delivery.enqueue(post(2), actor=SENDER, inboxes=inboxes)
        second = await eventually(
            lambda: received(recorder, groups["healthy"], post(2)["id"]) == HEALTHY, 60, "the second post"
        )
        # Then healthy servers get it too, and the hung and refusing servers are not even tried:
        # their deliveries wait, untried, with the reason staff see
        assert [s.failed_posts for s in groups["hung"]] == [1] * HUNG
        waiting: list[str] = []

        async def all_deferred() -> bool:
            waiting[:] = await deferred_reasons(groups["hung"] + groups["closed"], post(2)["id"])
            return len(waiting) == HUNG + CLOSED

        await eventually(all_deferred, 10, "the deliveries to hung and refusing servers to be deferred")
        assert [s.failed_posts for s in groups["hung"]] == [1] * HUNG
        assert any("has not answered a request" in r for r in waiting)
        assert any("did not answer (ClientConnectorError" in r for r in waiting)
        assert first < TIMEOUT / 4 and second < TIMEOUT / 4
        print(f"healthy servers had the first post after {first:.2f} s, the second after {second:.2f} s")

        # When the broken servers recover and their retries come due
        await sims.recover(broken)

        async def all_delivered() -> bool:
            try:  # time passes: every pending retry is due now
                await connections.get("default").execute_query(
                    "UPDATE delivery SET next_try_at = 0 WHERE state = 'pending'"
                )
            except DeadlockDetectedError:  # PostgreSQL: the worker was writing its results to the same rows
                return False  # the next round tries again
            worker.wake()
            return await Delivery.filter(state="done").count() == 2 * len(everyone)

        await eventually(all_delivered, 60, "every delivery to be done")
    finally:
        stop.set()
        await running
        await session.close()

    # Then every server has both posts, and healthy servers got nothing twice
    per_server = Counter((a.port, (a.activity or {}).get("id")) for a in recorder.arrivals)
    assert set(per_server) == {(s.port, post(n)["id"]) for s in everyone for n in (1, 2)}
    assert all(per_server[(s.port, post(n)["id"])] == 1 for s in groups["healthy"] for n in (1, 2))
    assert recorder.rejected == []


async def deferred_reasons(servers: list[SimServer], activity_id: str) -> list[str]:
    hosts = [f"127.0.0.1:{s.port}" for s in servers]
    rows = await Delivery.filter(host__in=hosts, activity__activity_id=activity_id).values(
        "state", "tries", "last_error"
    )
    return [
        r["last_error"]
        for r in rows
        if r["state"] == "pending" and r["tries"] == 0 and (r["last_error"] or "").startswith("deferred: ")
    ]
