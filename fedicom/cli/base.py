"""What every `fedicom` subcommand shares: consoles, settings loading, running with the database open,
and the `--json` and table output of list and show commands."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from fedicom import storage
from fedicom.errors import FedicomError
from fedicom.settings import Settings, load_settings

T = TypeVar("T")
# soft_wrap: messages stay on one line in pipes and logs, whatever the width
console = Console(soft_wrap=True)
err_console = Console(stderr=True, soft_wrap=True)


def load() -> Settings:
    try:
        return load_settings()
    except FedicomError as exc:
        err_console.print(f"[red]Configuration error:[/red] {escape(exc.reason)}")
        sys.exit(2)


def run(settings: Settings, work: Callable[[], Awaitable[T]]) -> T:
    """Run `work` with the database open; a FedicomError becomes a one-line message and exit 1."""

    async def wrapped() -> T:
        await storage.open_db(settings)
        try:
            return await work()
        finally:
            await storage.close_db()

    try:
        return asyncio.run(wrapped())
    except FedicomError as exc:
        err_console.print(f"[red]Error:[/red] {escape(exc.reason)}")
        sys.exit(1)


json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts, not a table.")


def print_json(value: Any) -> None:
    """Stable JSON for scripts: dates as ISO 8601 strings (UTC), no markup, non-ASCII kept as is."""
    click.echo(json.dumps(value, indent=2, ensure_ascii=False, default=_plain))


def _plain(value: object) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON")


def iso(value: datetime | float | None) -> str | None:
    """A stored moment (a datetime, or epoch seconds in the queue tables) as ISO 8601, UTC."""
    if value is None:
        return None
    moment = datetime.fromtimestamp(value, UTC) if isinstance(value, float | int) else value
    return moment.isoformat()


def table(*columns: str) -> Table:
    """A table whose long cells wrap (folded mid-word if need be): a URL or a domain is read in full,
    never cut at the terminal's width."""
    shown = Table()
    for column in columns:
        shown.add_column(column, overflow="fold")
    return shown
