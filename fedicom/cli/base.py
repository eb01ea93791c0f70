"""What every `fedicom` subcommand shares: consoles, settings loading, running with the database open."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from typing import TypeVar

from rich.console import Console
from rich.markup import escape

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
