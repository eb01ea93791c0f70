"""`fedicom modlog`: the moderation log, newest first."""

from __future__ import annotations

import click
from rich.markup import escape
from rich.table import Table

from fedicom.cli.base import console, load, run


@click.command("modlog")
@click.option("--community", help="Only this community's entries (default: every entry).")
@click.option("--limit", default=50, show_default=True)
def modlog_command(community: str | None, limit: int) -> None:
    """Show the moderation log, newest first."""
    from fedicom.moderation.modlog import entries

    settings = load()
    table = Table("when", "moderator", "action", "target", "reason")
    for e in run(settings, lambda: entries(community, limit=limit)):
        table.add_row(
            e.created_at.strftime("%Y-%m-%d %H:%M"),
            escape(e.moderator),
            e.action,
            escape(e.target),
            escape(e.reason),
        )
    console.print(table)


COMMANDS = [modlog_command]
