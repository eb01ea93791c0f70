"""`fedicom jobs list`: what the job queue holds (emails, webhooks, scheduled work), for staff to look at."""

from __future__ import annotations

from typing import Any

import click
from rich.markup import escape

from fedicom.cli.base import console, iso, json_option, load, print_json, run, table
from fedicom.cli.notifications import when

STATES = ["pending", "done", "failed", "cancelled"]


@click.group()
def jobs() -> None:
    """The job queue: emails, webhooks and other work done later, retried until it succeeds or fails."""


@jobs.command("list")
@click.option("--state", type=click.Choice(STATES), help="Only jobs in this state.")
@click.option("--kind", help="Only jobs of this kind, e.g. notify.email.")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 1000))
@json_option
def jobs_list(state: str | None, kind: str | None, limit: int, as_json: bool) -> None:
    """List jobs, newest first: pending (a long one with its progress), done (kept a day), failed with
    the reason, cancelled."""
    from fedicom.jobs.models import JobState
    from fedicom.jobs.queue import list_jobs

    settings = load()
    rows = run(settings, lambda: list_jobs(state=JobState(state) if state else None, kind=kind, limit=limit))
    if as_json:
        print_json([_job(j) for j in rows])
        return
    shown = table("id", "kind", "state", "progress", "tries", "next try", "key", "last error")
    for j in rows:
        shown.add_row(
            str(j.id),
            escape(j.kind),
            j.state,
            escape(str(j.progress or "")),
            str(j.tries),
            when(j.next_try_at) if j.state == "pending" else "",
            escape(j.key or ""),
            escape(j.last_error or ""),
        )
    console.print(shown)


def _job(j: Any) -> dict[str, Any]:
    return {
        "id": j.id,
        "kind": j.kind,
        "state": j.state,
        "key": j.key,
        "payload": j.data,
        "progress": j.progress.as_dict() if j.progress else None,
        "tries": j.tries,
        "next_try_at": iso(j.next_try_at),
        "last_error": j.last_error,
        "created_at": iso(j.created_at),
        "updated_at": iso(j.updated_at),
    }


COMMANDS = [jobs]
