"""Lease holders: a dead process's claims are released at once, a live one's never are."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from fedicom import storage
from fedicom.activitypub import delivery, holders, leases
from fedicom.activitypub.holders import (
    GONE_AFTER,
    Holder,
    LeaseHolder,
    is_gone,
    machine_identity,
    process_start,
)
from fedicom.activitypub.models import Delivery, InboxItem, WorkerProcess
from tests.support.db import make_settings

MACHINE = machine_identity()  # fedicom runs on Linux, where this is never None


def dead_pid() -> int:
    """The pid of a process that has exited."""
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def holder(
    pid: int, *, machine: str | None = MACHINE, started: int | None = None, beat: float = 0.0
) -> Holder:
    return Holder("x" * 32, machine, pid, process_start(pid) if started is None else started, beat)


def test_a_process_on_this_machine_is_gone_when_its_pid_is() -> None:
    now = time.time()
    assert not is_gone(holder(os.getpid(), beat=now), machine=MACHINE, now=now)
    assert is_gone(holder(dead_pid(), started=12345, beat=now), machine=MACHINE, now=now)
    # a reused pid is another process: its start time tells them apart
    assert is_gone(holder(os.getpid(), started=1, beat=now), machine=MACHINE, now=now)


def test_a_process_elsewhere_is_gone_only_when_its_heartbeat_is_stale() -> None:
    now = time.time()
    elsewhere = Holder("y" * 32, "another-machine", 1, 1, now - 1)
    assert not is_gone(elsewhere, machine=MACHINE, now=now)
    assert is_gone(Holder("y" * 32, "another-machine", 1, 1, now - GONE_AFTER - 1), machine=MACHINE, now=now)


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[None]:
    await storage.open_db(make_settings(tmp_path))
    yield
    await storage.close_db()


async def claimed_by(holder_id: str, pid: int) -> None:
    """A registered process `pid` that holds a delivery and an inbox item for the next 30 s."""
    now = time.time()
    await WorkerProcess.create(
        id=holder_id,
        machine=MACHINE,
        pid=pid,
        pid_started=process_start(pid) or 1,
        started_at=now,
        heartbeat_at=now,
    )
    await delivery.enqueue(
        {"id": f"http://a.test/{holder_id}", "type": "Create", "actor": "http://a.test/u", "object": "x"},
        actor="http://a.test/u",
        inboxes=[f"http://b.test/{holder_id}/inbox"],
    )
    await InboxItem.create(
        activity_id=f"http://c.test/{holder_id}",
        actor="http://c.test/u",
        payload="{}",
        next_try_at=now,
        received_at=now,
    )
    assert await leases.claim("delivery", "id", limit=10, lease=30, holder=holder_id)
    assert await leases.claim("inbox_item", "id", limit=10, lease=30, holder=holder_id)


async def test_a_restarted_process_takes_over_a_dead_ones_claims_at_once(db) -> None:
    # Given a process that was killed while holding claims, and a live one that holds others
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        await claimed_by("d" * 32, dead_pid())
        await claimed_by("l" * 32, sleeper.pid)
        # When a new process starts
        me = LeaseHolder()
        await me.start()
        # Then the dead one's claims are free again and it is forgotten; the live one keeps its own
        freed = await Delivery.filter(leased_by=None, lease_until=None).count()
        assert freed == 1 and await InboxItem.filter(lease_until=None).count() == 1
        assert set(await WorkerProcess.all().values_list("id", flat=True)) == {"l" * 32, me.id}
        assert await Delivery.filter(leased_by="l" * 32, lease_until__gt=time.time()).count() == 1
        rows = await leases.claim("delivery", "id", limit=10, lease=30, holder=me.id)
        assert len(rows) == 1
        # and a clean stop hands back what it still holds
        await me.stop()
        assert await Delivery.filter(leased_by=me.id).count() == 0
        assert not await WorkerProcess.exists(id=me.id)
    finally:
        sleeper.kill()
        sleeper.wait()


async def test_a_stalled_process_given_up_on_stops_and_rejoins_under_a_new_name(db) -> None:
    me = LeaseHolder()
    await me.start()
    first = me.id
    assert me.fresh(first)
    # When it stalls past FRESH_FOR, it may not act on its claims
    me._last_beat -= holders.FRESH_FOR + 0.1
    assert not me.fresh(first)
    # and when another process gave up on it meanwhile, its next beat rejoins under a new id
    await WorkerProcess.filter(id=first).delete()
    await me.beat()
    assert me.id != first and me.fresh(me.id) and not me.fresh(first)
    assert await WorkerProcess.exists(id=me.id)
