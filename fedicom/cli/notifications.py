"""`fedicom notifications …`: a staff member's inbox from the command line."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import click
from rich.markup import escape

from fedicom.cli.acting import as_option
from fedicom.cli.base import console, json_option, load, print_json, run, table

KINDS = ["reply", "mention", "report", "join_request", "held_post"]


def when(value: datetime | float | None) -> str:
    if value is None:
        return ""
    moment = datetime.fromtimestamp(value, UTC) if isinstance(value, float) else value
    return moment.strftime("%Y-%m-%d %H:%M")


@click.group()
def notifications() -> None:
    """Your staff inbox: replies, mentions, reports, join requests and held posts."""


@notifications.command("list")
@as_option
@click.option("--unread", is_flag=True, help="Only unread notifications.")
@click.option("--kind", type=click.Choice(KINDS), help="Only this kind.")
@click.option("--community", help="Only this community's.")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 500))
@json_option
def notifications_list(
    acting_as: str | None, unread: bool, kind: str | None, community: str | None, limit: int, as_json: bool
) -> None:
    """List your notifications, newest first."""
    from fedicom.notifications.inbox import InboxFilter, list_notifications
    from fedicom.staff.accounts import acting

    settings = load()

    async def work() -> list[Any]:
        staff = await acting(acting_as)
        only = InboxFilter.parse(unread=unread, kind=kind or "", community=community or "")
        return await list_notifications(staff, only, limit=limit)

    rows = run(settings, work)
    if as_json:
        print_json([_notification(n) for n in rows])
        return
    shown = table("id", "when", "kind", "community", "actor", "excerpt", "read", "url")
    for n in rows:
        shown.add_row(
            str(n.id),
            when(n.created_at),
            n.kind,
            n.community.name if n.community else "",
            escape(n.actor),
            escape(n.excerpt),
            when(n.read_at) or "unread",
            escape(n.url),
        )
    console.print(shown)


def _notification(n: Any) -> dict[str, Any]:
    return {
        "id": n.id,
        "kind": n.kind,
        "community": n.community.name if n.community else None,
        "actor": n.actor,
        "url": n.url,
        "excerpt": n.excerpt,
        "created_at": n.created_at.isoformat(),
        "read_at": n.read_at.isoformat() if n.read_at else None,
    }


@notifications.command("read")
@click.argument("notification_id", required=False, type=int)
@click.option("--all", "every", is_flag=True, help="Mark every unread notification read.")
@as_option
def notifications_read(notification_id: int | None, every: bool, acting_as: str | None) -> None:
    """Mark notification NOTIFICATION_ID read, or all of them with --all."""
    from fedicom.notifications.inbox import mark_all_read, mark_read
    from fedicom.staff.accounts import acting

    if every == (notification_id is not None):
        raise click.UsageError("give a notification's id, or --all")
    settings = load()

    async def work() -> int:
        staff = await acting(acting_as)
        if notification_id is not None:
            await mark_read(staff, notification_id)
            return 1
        return await mark_all_read(staff)

    count = run(settings, work)
    if notification_id is not None:
        console.print(f"Marked notification {notification_id} read.")
    else:
        console.print(f"Marked {count} notification{'' if count == 1 else 's'} read.")


COMMANDS = [notifications]
