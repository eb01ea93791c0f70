"""Running queued jobs: claimed with a lease, run by a handler picked by kind, retried with backoff.

A handler that changes the database does so in a transaction that also calls `mark_job_done(conn)`:
the change and the job's completion then commit together, and only while this process still holds
the job (a process that stalled and was given up on has its transaction rolled back), so the change
happens exactly once even with several processes and a crash in between. Work outside the database
(an email, a webhook) happens at least once: a crash after it and before the job is marked done
repeats it. A long job works in steps, each a transaction that also calls `save_progress(conn, …)`
with where it got to: a crash loses at most the step under way, and the next try starts after the
last one committed; between steps it checks `job.stopping()` and raises `Paused` to hand the job back
when its process shuts down.

Jobs run beside inbox processing and delivery with a concurrency of their own: a slow SMTP server
or webhook holds job slots only, never what federation needs.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import json
import logging
import re
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from tortoise import connections
from tortoise.backends.base.client import BaseDBAsyncClient

from fedicom.activitypub import backoff, leases
from fedicom.activitypub.holders import LeaseHolder
from fedicom.jobs.models import JobState
from fedicom.jobs.queue import prune

log = logging.getLogger("fedicom.jobs")
TABLE = "job"
MAX_TRIES = len(backoff.SCHEDULE) + 1  # the delivery schedule: the last retry about a week later
KIND = re.compile(r"^[a-z0-9_.:-]{1,64}$")


@dataclass(frozen=True)
class RunningJob:
    """What a handler is given."""

    id: int
    kind: str
    payload: dict[str, Any]
    tries: int  # failed tries before this one
    stopping: Callable[[], bool] = lambda: False  # the process is shutting down: stop between steps


JobHandler = Callable[[RunningJob], Awaitable[None]]


class FinalFailure(Exception):
    """Trying again would not help (an address refused, a 4xx answer): the job fails now, saying why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class RetryLater(Exception):
    """A failure that may pass (a server down, a 5xx); `retry_after` seconds when the other side said."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


class Paused(Exception):
    """A long job stopped between two steps (its process is stopping): handed back as it is, due now,
    no try counted, so whichever process runs next resumes it from its saved progress."""


class LostClaim(Exception):
    """Raised inside a handler's transaction when the job is no longer this process's: it rolls back."""


@dataclass
class _Current:
    job_id: int
    holder: str
    marked: bool = False


_current: contextvars.ContextVar[_Current | None] = contextvars.ContextVar("fedicom_job", default=None)


async def mark_job_done(conn: BaseDBAsyncClient) -> None:
    """Inside a handler's transaction: the job being run is done when (and only if) it commits.

    LostClaim when another process has taken the job over meanwhile, so the transaction rolls back.
    """
    current = _current.get()
    if current is None or current.marked:
        return
    sql = (
        "UPDATE job SET state = 'done', last_error = NULL, tries = tries + 1, lease_until = NULL, "
        "updated_at = ? WHERE id = ? AND state = 'pending' AND leased_by = ?"
    )
    count, _ = await conn.execute_query(
        leases.dialect_sql(conn, sql), [time.time(), current.job_id, current.holder]
    )
    if not count:
        raise LostClaim(f"job {current.job_id} was taken over by another process")
    current.marked = True


async def save_progress(conn: BaseDBAsyncClient, payload: Mapping[str, Any]) -> None:
    """Inside a handler's transaction: the job's payload becomes `payload` (where a long job got to)
    when (and only if) the transaction commits; LostClaim, rolling it back, when the job is no longer
    this process's."""
    current = _current.get()
    if current is None:
        raise RuntimeError("save_progress is called inside a job's handler")
    text = json.dumps(dict(payload), separators=(",", ":"), ensure_ascii=False)
    sql = "UPDATE job SET payload = ?, updated_at = ? WHERE id = ? AND state = 'pending' AND leased_by = ?"
    count, _ = await conn.execute_query(
        leases.dialect_sql(conn, sql), [text, time.time(), current.job_id, current.holder]
    )
    if not count:
        raise LostClaim(f"job {current.job_id} was taken over by another process")


@dataclass(frozen=True)
class Outcome:
    """How a try ended, as written to the job's row."""

    state: JobState
    error: str | None
    next_try_at: float


def outcome_of_failure(
    tries: int, reason: str, *, final: bool, retry_after: float | None, max_tries: int, now: float
) -> Outcome:
    """After the `tries`-th failed try: pending again later, or failed for good with the reason."""
    delay = None if final or tries >= max_tries else backoff.retry_delay(tries, retry_after)
    if delay is None:
        said = reason if final else f"{reason} (gave up after {tries} tries)"
        return Outcome(JobState.FAILED, said[:1000], now)
    return Outcome(JobState.PENDING, reason[:1000], now + delay)


class JobRunner:
    """Claims due jobs of the kinds it has handlers for and runs them until stopped."""

    def __init__(
        self,
        handlers: Mapping[str, JobHandler],
        *,
        holder: LeaseHolder | None = None,
        concurrency: int = 4,
        lease: float = 60.0,
        max_tries: int = MAX_TRIES,
        poll: float = 1.0,
        observe: Callable[[str, str], None] | None = None,
    ) -> None:
        self.handlers: dict[str, JobHandler] = {}
        # told each try's kind and outcome (done, pending: retried later, failed), for the metrics
        self.observe = observe or (lambda _kind, _state: None)
        self.holder = holder  # names this process in claims; None runs under a name of its own
        if holder is not None:
            holder.also_holds(TABLE)
        self.concurrency = concurrency
        self.lease = lease
        self.max_tries = max_tries
        self.poll = poll
        self._own_name = uuid.uuid4().hex
        self._wake = asyncio.Event()
        self._stopping = False
        self._inflight: dict[int, str] = {}  # job id: kind
        # one kind never takes every slot: emails hanging on a dead SMTP server leave room for webhooks
        self.per_kind = max(1, concurrency // 2) if concurrency > 1 else 1
        self._tasks: set[asyncio.Task[None]] = set()
        self.register(handlers)

    def register(self, handlers: Mapping[str, JobHandler]) -> None:
        """Add handlers by kind (each area brings its own)."""
        for kind in handlers:
            if not KIND.match(kind):
                raise ValueError(f"job kind {kind!r}: use 1 to 64 of a-z, 0-9 and _ . : -")
        self.handlers.update(handlers)

    @property
    def name(self) -> str:
        return self.holder.id if self.holder is not None else self._own_name

    def wake(self) -> None:
        """New work was queued in this process: claim without waiting for the next poll."""
        self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        """Claim and run until `stop`; running jobs get a while to finish, the rest are handed back."""
        helpers = [asyncio.create_task(self._renew_loop(stop)), asyncio.create_task(self._maintain(stop))]
        self._stopping = False
        try:
            while not stop.is_set():
                limit, kinds = self._room()
                rows = await self._claim(limit, kinds) if limit > 0 else []
                for row in rows:
                    self._start(row)
                await leases.nap(self._wake, stop, self.poll)  # a job finishing or queued here wakes it
        finally:
            self._stopping = True  # long jobs hand themselves back at their next step
            if self._tasks:
                await asyncio.wait(list(self._tasks), timeout=15)
            for helper in helpers:
                helper.cancel()

    async def run_due(self) -> int:
        """Run every job due now, to the end (tests, and `fedicom jobs run`); how many were run."""
        total = 0
        while rows := await self._claim(*self._room()):
            await asyncio.gather(*(self._run(row) for row in rows))
            total += len(rows)
        return total

    async def run_job(self, job_id: int) -> bool:
        """Claim job `job_id` if it is due and nobody holds it, and run it to the end with its lease
        renewed (a command that waits for its own job); False when it could not be claimed."""
        rows = await self._claim(1, sorted(self.handlers), only=job_id)
        if not rows:
            return False
        self._inflight[job_id] = rows[0]["kind"]
        stop = asyncio.Event()
        renewing = asyncio.create_task(self._renew_loop(stop))
        try:
            await self._run(rows[0])
        finally:
            stop.set()
            renewing.cancel()
            self._inflight.pop(job_id, None)
        return True

    def _room(self) -> tuple[int, list[str]]:
        """How many jobs may be claimed now, and of which kinds: no kind past its share."""
        busy = Counter(self._inflight.values())
        kinds = sorted(k for k in self.handlers if busy[k] < self.per_kind)
        room = self.concurrency - len(self._inflight)
        return min([room, *(self.per_kind - busy[k] for k in kinds)]) if kinds else 0, kinds

    def _start(self, row: dict[str, Any]) -> None:
        self._inflight[row["id"]] = row["kind"]
        task = asyncio.create_task(self._run(row))
        self._tasks.add(task)

        def finished(t: asyncio.Task[None]) -> None:
            self._tasks.discard(t)
            self._inflight.pop(row["id"], None)
            self._wake.set()

        task.add_done_callback(finished)

    async def _claim(self, limit: int, kinds: list[str], *, only: int | None = None) -> list[dict[str, Any]]:
        """Lease up to `limit` due jobs of `kinds` (or job `only`), the longest due first."""
        if not kinds:
            return []
        listed = ", ".join(f"'{k}'" for k in kinds)  # checked against KIND: no quotes
        one = f" AND d.id = {int(only)}" if only is not None else ""
        try:
            rows = await leases.claim(
                TABLE,
                "id, kind, payload, tries, leased_by",
                limit=limit,
                lease=self.lease,
                holder=self.name,
                extra_where=f"AND d.kind IN ({listed}){one}",
                order="next_try_at",
            )
        except Exception:  # the database may be briefly unavailable; try again on the next round
            log.exception("claiming jobs failed")
            await asyncio.sleep(1)
            return []
        return rows

    async def _run(self, row: dict[str, Any]) -> None:
        current = _Current(row["id"], row["leased_by"])
        token = _current.set(current)
        failure: tuple[str, bool, float | None] | None = None
        try:
            if self.holder is not None and not self.holder.fresh(current.holder):
                return  # this process stalled and its claim was given up on: not ours any more
            payload = json.loads(row["payload"])
            job = RunningJob(
                row["id"],
                row["kind"],
                payload if isinstance(payload, dict) else {},
                row["tries"],
                stopping=lambda: self._stopping,
            )
            await self.handlers[row["kind"]](job)
        except LostClaim:
            return
        except Paused:
            await self._hand_back(row["id"], current.holder)
            return
        except FinalFailure as exc:
            failure = (exc.reason, True, None)
        except RetryLater as exc:
            log.warning("job %s (%s) will be retried: %s", row["id"], row["kind"], exc.reason)
            failure = (exc.reason, False, exc.retry_after)
        except Exception as exc:
            log.exception("job %s (%s) failed", row["id"], row["kind"])
            failure = (f"{type(exc).__name__}: {exc}", False, None)
        finally:
            _current.reset(token)
        if failure is None and current.marked:
            self.observe(row["kind"], JobState.DONE.value)
            return
        now = time.time()
        if failure is None:
            outcome = Outcome(JobState.DONE, None, now)
        else:
            reason, final, retry_after = failure
            outcome = outcome_of_failure(
                row["tries"] + 1,
                reason,
                final=final,
                retry_after=retry_after,
                max_tries=self.max_tries,
                now=now,
            )
        await self._write(row["id"], current.holder, outcome, now)
        self.observe(row["kind"], outcome.state.value)

    async def _write(self, job_id: int, holder: str, outcome: Outcome, now: float) -> None:
        """The try's outcome, only while the job is still ours (a stale process writes nothing)."""
        conn = connections.get("default")
        sql = (
            "UPDATE job SET state = ?, last_error = ?, next_try_at = ?, tries = tries + 1, "
            "lease_until = NULL, leased_by = NULL, updated_at = ? "
            "WHERE id = ? AND state = 'pending' AND leased_by = ?"
        )
        params = [outcome.state.value, outcome.error, outcome.next_try_at, now, job_id, holder]
        try:
            await conn.execute_query(leases.dialect_sql(conn, sql), params)
        except Exception:
            log.exception("writing the outcome of job %s failed; it is retried after its lease", job_id)

    async def _hand_back(self, job_id: int, holder: str) -> None:
        """A paused job: pending and due now, its tries as they were, claimable by any process."""
        conn = connections.get("default")
        sql = (
            "UPDATE job SET next_try_at = ?, lease_until = NULL, leased_by = NULL, updated_at = ? "
            "WHERE id = ? AND state = 'pending' AND leased_by = ?"
        )
        now = time.time()
        try:
            await conn.execute_query(leases.dialect_sql(conn, sql), [now, now, job_id, holder])
        except Exception:
            log.exception("handing back job %s failed; it is taken over after its lease", job_id)

    async def _renew_loop(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            await asyncio.sleep(self.lease / 3)
            try:
                await leases.renew(TABLE, sorted(self._inflight), self.lease)
            except Exception:
                log.exception("renewing job leases failed")

    async def _maintain(self, stop: asyncio.Event) -> None:
        """Every minute: drop finished jobs."""
        while not stop.is_set():
            try:
                await prune(time.time())
            except Exception:
                log.exception("pruning jobs failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=60)
