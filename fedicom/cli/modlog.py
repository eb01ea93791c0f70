"""`fedicom modlog`: the moderation log, newest first."""

from __future__ import annotations

from typing import Any

import click
from rich.markup import escape

from fedicom.cli.base import console, json_option, load, print_json, run, table


@click.command("modlog")
@click.option("--community", help="Only this community's entries (default: every entry).")
@click.option("--limit", default=50, show_default=True)
@json_option
def modlog_command(community: str | None, limit: int, as_json: bool) -> None:
    """Show the moderation log, newest first."""
    from fedicom.moderation.modlog import entries

    rows: list[dict[str, Any]] = [
        {
            "id": e.id,
            "when": e.created_at,
            "community": e.community,
            "moderator": e.moderator,
            "action": e.action,
            "target": e.target,
            "reason": e.reason,
            "details": e.details,
        }
        for e in run(load(), lambda: entries(community, limit=limit))
    ]
    if as_json:
        print_json(rows)
        return
    shown = table("when", "moderator", "action", "target", "reason")
    for r in rows:
        shown.add_row(
            r["when"].strftime("%Y-%m-%d %H:%M"),
            escape(r["moderator"]),
            r["action"],
            escape(r["target"]),
            escape(r["reason"]),
        )
    console.print(shown)


COMMANDS = [modlog_command]
