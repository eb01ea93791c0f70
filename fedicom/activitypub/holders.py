"""Which processes hold job leases, and whether they still live, so a dead one's work resumes at once.

Every process that claims deliveries or inbox items registers a `WorkerProcess` row and beats
its heartbeat every second; each claim names its holder. A holder is gone when
- it ran on this machine (same kernel boot and process-id namespace) and its pid no longer is
  that process: known at once, e.g. when a process restarts after a SIGKILL or an OOM kill;
- its heartbeat is older than `GONE_AFTER` (another machine, another container): known within seconds.
A gone holder's leases are released, so its unfinished work is claimed now rather than when the
leases run out. A process whose own heartbeat is older than `FRESH_FOR` (shorter than
`GONE_AFTER`) sends nothing: one that stalled long enough to be given up on never sends what
another process has taken over. Leases still expire as a last resort.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from fedicom.activitypub.leases import LEASED_TABLES, release
from fedicom.activitypub.models import WorkerProcess

log = logging.getLogger("fedicom.holders")
HEARTBEAT = 1.0
FRESH_FOR = 4.0
GONE_AFTER = 6.0


def machine_identity() -> str | None:
    """Processes with the same identity see the same pids: kernel boot id + pid namespace (Linux)."""
    try:
        boot = Path("/proc/sys/kernel/random/boot_id").read_text().strip()
        namespace = os.readlink("/proc/self/ns/pid")
    except OSError:
        return None
    return f"{boot}/{namespace}"[:128]


def process_start(pid: int) -> int | None:
    """When `pid` started, in clock ticks since boot; None when no such process runs."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # the command name (field 2) may hold spaces and parentheses: count fields after the last ")"
    return int(stat.rsplit(")", 1)[1].split()[19])


@dataclass(frozen=True)
class Holder:
    """What the registry says of one process."""

    id: str
    machine: str | None
    pid: int
    pid_started: int | None
    heartbeat_at: float


def is_gone(holder: Holder, *, machine: str | None, now: float) -> bool:
    """True when the holder's leases may be released (see the module docstring)."""
    if now - holder.heartbeat_at > GONE_AFTER:
        return True
    if machine is None or holder.machine != machine:
        return False
    return process_start(holder.pid) != holder.pid_started


class LeaseHolder:
    """This process in the registry: its id for claims, its heartbeat, and the sweep of gone ones."""

    def __init__(self) -> None:
        self.id = uuid.uuid4().hex
        self.machine = machine_identity()
        self._last_beat = -GONE_AFTER  # time.monotonic() before the latest committed heartbeat
        self.tables: tuple[str, ...] = LEASED_TABLES  # whose leases a gone holder's release frees

    def also_holds(self, table: str) -> None:
        """Leases on another queue's table (e.g. the job queue's) are released with the others."""
        if table not in self.tables:
            self.tables = (*self.tables, table)

    def fresh(self, holder_id: str) -> bool:
        """May work claimed under `holder_id` still be done? (No after a stall others gave up on.)"""
        return holder_id == self.id and time.monotonic() - self._last_beat < FRESH_FOR

    async def start(self) -> None:
        await self._register()
        await self.sweep()

    async def run(self, stop: asyncio.Event) -> None:
        """Beat and sweep every second until stopped."""
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=HEARTBEAT)
            if stop.is_set():
                break
            try:
                await self.beat()
                await self.sweep()
            except Exception:
                log.exception("the lease heartbeat failed")

    async def beat(self) -> None:
        began = time.monotonic()
        updated = await WorkerProcess.filter(id=self.id).update(heartbeat_at=time.time())
        if not updated:  # given up on by another process after a stall: what we held is theirs
            log.warning(
                "this process was taken for gone (stalled %.0f s); rejoining", began - self._last_beat
            )
            self.id = uuid.uuid4().hex
            await self._register()
            return
        self._last_beat = began

    async def sweep(self) -> None:
        """Release the leases of every gone holder and forget it."""
        now = time.time()
        rows = await WorkerProcess.exclude(id=self.id).values(
            "id", "machine", "pid", "pid_started", "heartbeat_at"
        )
        for row in rows:
            holder = Holder(**row)
            if is_gone(holder, machine=self.machine, now=now):
                released = await release(holder.id, self.tables)
                await WorkerProcess.filter(id=holder.id).delete()
                log.info("process %s (pid %s) is gone; released %d leases", holder.id, holder.pid, released)

    async def stop(self) -> None:
        """On a clean shutdown: hand back what is still claimed, leave the registry."""
        await release(self.id, self.tables)
        await WorkerProcess.filter(id=self.id).delete()

    async def _register(self) -> None:
        began = time.monotonic()
        now = time.time()
        await WorkerProcess.create(
            id=self.id,
            machine=self.machine,
            pid=os.getpid(),
            pid_started=process_start(os.getpid()),
            started_at=now,
            heartbeat_at=now,
        )
        self._last_beat = began
