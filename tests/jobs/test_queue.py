"""The job queue: a job runs once even with two processes and a crash between, a key is queued once,
a cancelled job never runs, and failures are retried with backoff until they fail with their reason."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from tortoise.transactions import in_transaction

from fedicom import storage
from fedicom.activitypub import backoff
from fedicom.activitypub.holders import LeaseHolder, machine_identity
from fedicom.activitypub.models import WorkerProcess
from fedicom.jobs.models import Job, JobState
from fedicom.jobs.queue import cancel, enqueue, list_jobs, prune
from fedicom.jobs.runner import (
    FinalFailure,
    JobRunner,
    RetryLater,
    RunningJob,
    mark_job_done,
    outcome_of_failure,
)
from fedicom.moderation.models import ModlogAction, ModlogEntry
from tests.support.db import make_settings
from tests.support.steps import until


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[None]:
    await storage.open_db(make_settings(tmp_path))
    yield
    await storage.close_db()


RAN = ModlogAction.EDIT_COMMUNITY  # any action: the modlog is only a table the handlers write to


async def record(job: RunningJob) -> None:
    """A handler whose effect is a row, committed with the job's completion."""
    async with in_transaction() as conn:
        await ModlogEntry.create(moderator="jobs", action=RAN, target=str(job.payload["n"]), using_db=conn)
        await mark_job_done(conn)


async def effects() -> list[str]:
    return sorted(await ModlogEntry.filter(moderator="jobs").values_list("target", flat=True))  # type: ignore[arg-type]


async def due(job_id: int) -> None:
    """Time passes: the job's next try is now."""
    await Job.filter(id=job_id).update(next_try_at=time.time())


def test_a_failure_is_retried_on_the_delivery_schedule_then_fails_with_its_reason() -> None:
    now = 1000.0
    first = outcome_of_failure(1, "SMTP down", final=False, retry_after=None, max_tries=3, now=now)
    assert (first.state, first.error, first.next_try_at) == (JobState.PENDING, "SMTP down", now + 30)
    slow = outcome_of_failure(2, "HTTP 429", final=False, retry_after=900, max_tries=3, now=now)
    assert slow.next_try_at == now + 900  # the receiver's Retry-After, when longer than the schedule
    last = outcome_of_failure(3, "SMTP down", final=False, retry_after=None, max_tries=3, now=now)
    assert (last.state, last.error) == (JobState.FAILED, "SMTP down (gave up after 3 tries)")
    final = outcome_of_failure(1, "HTTP 404", final=True, retry_after=None, max_tries=3, now=now)
    assert (final.state, final.error) == (JobState.FAILED, "HTTP 404")
    whole = outcome_of_failure(
        len(backoff.SCHEDULE) + 1, "x", final=False, retry_after=None, max_tries=99, now=0
    )
    assert whole.state == JobState.FAILED  # past the schedule's last step, even with tries to spare


async def test_a_key_is_queued_once_and_a_cancelled_job_never_runs(db: None) -> None:
    assert await enqueue("test.record", {"n": 1}, key="digest:alice:2026-12-05")
    assert not await enqueue("test.record", {"n": 2}, key="digest:alice:2026-12-05")
    assert await enqueue("test.record", {"n": 3}, key="scheduled:42:2026-12-11T10:00")
    assert await enqueue("test.record", {"n": 4})
    assert await enqueue("test.record", {"n": 5})  # no key: never deduplicated
    assert await cancel("scheduled:42:2026-12-11T10:00")
    assert not await cancel("scheduled:42:2026-12-11T10:00")  # already cancelled
    assert not await cancel("no such key")
    ran = await JobRunner({"test.record": record}).run_due()
    assert ran == 3 and await effects() == ["1", "4", "5"]
    states = {j.data["n"]: j.state for j in await list_jobs()}
    assert states == {1: "done", 3: "cancelled", 4: "done", 5: "done"}
    # a finished job keeps its key until pruned: the same digest is not sent twice in a day
    assert not await enqueue("test.record", {"n": 6}, key="digest:alice:2026-12-05")
    assert [j.state for j in await list_jobs(state=JobState.CANCELLED)] == ["cancelled"]


async def test_a_job_waits_for_its_time_and_unknown_kinds_are_left_alone(db: None) -> None:
    await enqueue("test.record", {"n": 1}, run_at=time.time() + 3600)
    await enqueue("other.kind", {"n": 2})
    runner = JobRunner({"test.record": record})
    assert await runner.run_due() == 0
    assert await Job.filter(state=JobState.PENDING).count() == 2
    with pytest.raises(ValueError):
        runner.register({"No Quotes'": record})


async def test_retries_then_failed_with_the_reason(db: None) -> None:
    calls: list[int] = []

    async def flaky(job: RunningJob) -> None:
        calls.append(job.tries)
        raise RetryLater("the server answered 503")

    await enqueue("test.flaky", {})
    runner = JobRunner({"test.flaky": flaky}, max_tries=3)
    await runner.run_due()
    job = await Job.get()
    assert (job.state, job.tries, job.last_error) == ("pending", 1, "the server answered 503")
    assert 25 < job.next_try_at - time.time() <= 30  # the first step of the delivery schedule
    assert await runner.run_due() == 0  # not due yet
    for _ in range(2):
        await due(job.id)
        await runner.run_due()
    job = await Job.get()
    assert (job.state, job.tries) == ("failed", 3)
    assert job.last_error == "the server answered 503 (gave up after 3 tries)"
    assert calls == [0, 1, 2]


async def test_a_final_failure_is_not_retried_and_a_crash_is(db: None) -> None:
    async def refused(job: RunningJob) -> None:
        raise FinalFailure("the webhook answered 404: a wrong address is not fixed by trying again")

    async def crashes(job: RunningJob) -> None:
        async with in_transaction() as conn:
            await ModlogEntry.create(moderator="jobs", action=RAN, target="half", using_db=conn)
            await mark_job_done(conn)
            raise RuntimeError("boom")

    await enqueue("test.refused", {})
    await enqueue("test.crashes", {})
    await JobRunner({"test.refused": refused, "test.crashes": crashes}).run_due()
    by_kind = {j.kind: j for j in await Job.all()}
    assert by_kind["test.refused"].state == "failed" and by_kind["test.refused"].tries == 1
    assert "404" in (by_kind["test.refused"].last_error or "")
    crashed = by_kind["test.crashes"]
    assert (crashed.state, crashed.last_error) == ("pending", "RuntimeError: boom")
    assert await effects() == []  # the transaction rolled back, the job's completion with it


async def test_two_runners_run_each_job_exactly_once(db: None) -> None:
    for n in range(40):
        await enqueue("test.record", {"n": n})
    stop = asyncio.Event()
    runners = [JobRunner({"test.record": record}, concurrency=3, poll=0.05) for _ in range(2)]
    tasks = [asyncio.create_task(r.run(stop)) for r in runners]
    await until(lambda: _all_done(40))
    stop.set()
    await asyncio.gather(*tasks)
    assert await effects() == sorted(str(n) for n in range(40))
    claimed_by = set(await Job.all().values_list("tries", flat=True))
    assert claimed_by == {1}


async def _all_done(count: int) -> bool:
    return await Job.filter(state=JobState.DONE).count() == count


async def test_a_dead_holders_job_is_taken_over_and_the_stale_one_changes_nothing(db: None) -> None:
    """A process claims a job and stalls in its handler; it is given up on (gone), another process
    takes the job over and completes it; when the stalled one wakes, its transaction rolls back."""
    await enqueue("test.record", {"n": 7})
    stalled, resume = asyncio.Event(), asyncio.Event()

    async def slow_record(job: RunningJob) -> None:
        stalled.set()
        await resume.wait()
        await record(job)

    first = LeaseHolder()
    await first.start()
    runner_a = JobRunner({"test.record": slow_record}, holder=first)
    a = asyncio.create_task(runner_a.run_due())
    await stalled.wait()
    # the first process is now taken for gone: its heartbeat is old (as after a long stall)
    await WorkerProcess.filter(id=first.id).update(heartbeat_at=time.time() - 60)
    second = LeaseHolder()
    runner_b = JobRunner({"test.record": record}, holder=second)
    assert await runner_b.run_due() == 0  # leased by the first process
    await second.start()  # its sweep releases the gone holder's leases, the job's among them
    assert await runner_b.run_due() == 1
    resume.set()
    await a
    assert await effects() == ["7"]
    job = await Job.get()
    assert (job.state, job.tries) == ("done", 1)
    await second.stop()


async def test_a_restarted_process_resumes_a_crashed_ones_jobs_at_once(db: None) -> None:
    """A job claimed by a process that died (its pid gone) is claimable as soon as a process starts."""
    await enqueue("test.record", {"n": 1})
    crashed = "c" * 32
    await WorkerProcess.create(
        id=crashed,
        machine=machine_identity(),
        pid=dead_pid(),
        pid_started=1,
        started_at=0,
        heartbeat_at=time.time(),
    )
    await Job.all().update(lease_until=time.time() + 3600, leased_by=crashed)
    holder = LeaseHolder()
    runner = JobRunner({"test.record": record}, holder=holder)
    assert await runner.run_due() == 0  # still leased by the dead process
    await holder.start()  # the sweep sees the dead pid and releases its leases
    assert await runner.run_due() == 1 and await effects() == ["1"]
    await holder.stop()


def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


async def test_finished_jobs_are_pruned_after_a_day_failed_ones_after_two_weeks(db: None) -> None:
    for n in range(3):
        await enqueue("test.record", {"n": n})
    now = time.time()
    ids = sorted(await Job.all().values_list("id", flat=True))  # type: ignore[type-var]
    await Job.filter(id=ids[0]).update(state="done", updated_at=now - 2 * 24 * 3600)
    await Job.filter(id=ids[1]).update(state="failed", updated_at=now - 2 * 24 * 3600)
    await Job.filter(id=ids[2]).update(state="cancelled", updated_at=now - 15 * 24 * 3600)
    assert await prune(now) == 2
    assert await Job.all().values_list("id", flat=True) == [ids[1]]
