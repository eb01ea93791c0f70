"""Waiting for a clean-up job a command queued: a progress bar drawn from the progress the job saves,
and the job run in this process when no server or worker holds it, so `fedicom ban --remove-data`
and `fedicom block add` finish their work even with nothing else running. Interrupted (Ctrl-C), the
job is handed back and the server's workers resume it where it stopped."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from fedicom.cli.base import console
from fedicom.groups.context import Groups
from fedicom.jobs.models import Job, JobState
from fedicom.jobs.runner import JobRunner
from fedicom.moderation import cleanup
from fedicom.settings import Settings

POLL = 0.25  # seconds between two looks at the job's progress

no_wait_option = click.option(
    "--no-wait",
    is_flag=True,
    help="Return once the clean-up is queued (the server's workers do it; `fedicom jobs list` shows it).",
)


@contextmanager
def progress_bar(shown_on: Console = console) -> Iterator[Callable[[str, int, int], None]]:
    """A rich progress bar per stage of a long job (storing, then each clean-up stage); on stderr
    (`err_console`) when stdout carries JSON."""
    with Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), console=shown_on
    ) as bar:
        tasks: dict[str, Any] = {}

        def progress(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=max(total, 1))
            bar.update(tasks[stage], completed=done if total else 1, total=max(total, 1))

        yield progress


async def follow_cleanup(groups: Groups, settings: Settings, job: Job) -> Job:
    """Run or watch the clean-up `job` until it is done (or fails a try: the server retries it)."""
    runner = JobRunner(cleanup.handlers(groups, batch=settings.cleanup_batch), holder=groups.fed.holder)
    holder = groups.fed.holder
    stop = asyncio.Event()
    await holder.start()
    beating = asyncio.create_task(holder.run(stop))
    with progress_bar() as progress:

        def show(seen: Job) -> None:
            if seen.progress is not None:
                progress(seen.progress.stage, seen.progress.done, seen.progress.total)

        watching = asyncio.create_task(_watch(job.id, show))
        try:
            return await _until_finished(runner, job.id, show)
        finally:
            watching.cancel()
            stop.set()
            with contextlib.suppress(asyncio.CancelledError):
                await watching
            await beating
            await holder.stop()


async def _until_finished(runner: JobRunner, job_id: int, show: Callable[[Job], None]) -> Job:
    while True:
        ran = await runner.run_job(job_id)
        job = await Job.get(id=job_id)
        show(job)
        if job.state != JobState.PENDING or (ran and job.last_error):
            return job
        if not ran:  # another process holds it: watch it work
            await asyncio.sleep(POLL)


async def _watch(job_id: int, show: Callable[[Job], None]) -> None:
    while True:
        job = await Job.get_or_none(id=job_id)
        if job is not None:
            show(job)
        await asyncio.sleep(POLL)


def print_cleanup(job: Job | None) -> None:
    """What a clean-up removed, or where it stands when it was not waited for."""
    if job is None:
        return
    found = cleanup.summary(job)
    counts = found.counts
    if found.state == JobState.DONE and found.what == cleanup.BAN:
        console.print(f"Removed {counts['posts_removed']} posts and comments.")
    elif found.state == JobState.DONE:
        console.print(
            f"Removed {counts['members_removed']} members and {counts['posts_removed']} posts, purged "
            f"{counts['actors_purged']} cached actors, cancelled {counts['deliveries_cancelled']} deliveries."
        )
    elif found.state == JobState.PENDING and found.error:
        console.print(
            f"The clean-up (job {found.job}) stopped at {found.stage} {found.done}/{found.total}: "
            f"{found.error}. The server's workers retry it; `fedicom jobs list` shows it."
        )
    elif found.state == JobState.PENDING:
        console.print(
            f"Clean-up queued as job {found.job} ({found.stage} {found.done}/{found.total}): the server's "
            "workers do it; `fedicom jobs list --kind moderation.cleanup` shows its progress."
        )
    else:
        console.print(f"The clean-up (job {found.job}) {found.state}: {found.error or 'no reason given'}.")
