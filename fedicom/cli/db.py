"""`fedicom db copy`: move a whole instance to another database (SQLite to PostgreSQL, or back)."""

from __future__ import annotations

import asyncio
import sys

import click
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeRemainingColumn
from rich.table import Table

from fedicom.cli.base import console, err_console, load
from fedicom.dbcopy import BATCH, copy_database, where
from fedicom.errors import FedicomError


@click.group()
def db() -> None:
    """Database maintenance."""


@db.command("copy")
@click.option(
    "--from",
    "source",
    metavar="URL",
    help="Database to copy (default: FEDICOM_DATABASE_URL, the one fedicom uses now).",
)
@click.option("--to", "target", metavar="URL", required=True, help="New, empty database to copy into.")
@click.option("--batch", default=BATCH, show_default=True, help="Rows read and written at a time.")
def copy(source: str | None, target: str, batch: int) -> None:
    """Copy every row to a new, empty database, e.g. from SQLite to PostgreSQL.

    The target gets the same schema and the same ids; row counts are verified at the end. Stop
    fedicom (web and workers) first: what changes during the copy is not copied. Afterwards, set
    FEDICOM_DATABASE_URL to the target and start fedicom again (docs/postgresql.md).
    """
    settings = load()
    source = source or settings.database_url
    columns = (
        TextColumn("{task.description:<20}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console, transient=False) as progress:
        tasks: dict[str, TaskID] = {}

        def plan(totals: dict[str, int]) -> None:
            for table, rows in totals.items():
                tasks[table] = progress.add_task(table, total=rows or 1, completed=0 if rows else 1)

        def advance(table: str, rows: int) -> None:
            progress.advance(tasks[table], rows)

        try:
            result = asyncio.run(
                copy_database(settings, source, target, batch=batch, on_plan=plan, on_rows=advance)
            )
        except FedicomError as exc:
            progress.stop()
            err_console.print(f"[red]Error:[/red] {escape(exc.reason)}")
            sys.exit(1)
    summary = Table("table", "rows", title="Copied and verified (row counts match)")
    for table, rows in result.rows.items():
        summary.add_row(table, str(rows))
    console.print(summary)
    total = sum(result.rows.values())
    console.print(
        f"[green]Copied {total} rows from {escape(where(source))} to {escape(where(target))} "
        f"in {result.seconds:.1f} s.[/green]"
    )
    console.print("Next: set FEDICOM_DATABASE_URL to the new database and start fedicom again.")


COMMANDS = [db]
