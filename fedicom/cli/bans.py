"""`fedicom ban …`: ban actors from a community or from the whole instance, lift bans, list them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import click
from rich.markup import escape

from fedicom.cli.acting import as_option, as_staff
from fedicom.cli.base import console, json_option, load, print_json, run, table
from fedicom.cli.waiting import follow_cleanup, no_wait_option, print_cleanup
from fedicom.groups.context import Groups
from fedicom.jobs.models import Job
from fedicom.moderation.models import Ban
from fedicom.staff.models import Staff

community_option = click.option(
    "--community", default=None, metavar="NAME", help="Ban in this community only (default: instance-wide)."
)


@click.group("ban")
def ban_group() -> None:
    """Ban actors (ACTOR: an actor URL or @user@host) from a community or the instance."""


@ban_group.command("add")
@click.argument("actor")
@community_option
@click.option("--reason", required=True, help="Why: shown in the public modlog and sent with the ban.")
@click.option("--expires", default=None, help="When the ban ends: 7d, 12h, 30m, 2w or a date (2026-12-31).")
@click.option(
    "--remove-data",
    is_flag=True,
    help="Also remove the actor's posts and comments in the community (or everywhere), as a job.",
)
@no_wait_option
@as_option
def ban_add(
    actor: str,
    community: str | None,
    reason: str,
    expires: str | None,
    remove_data: bool,
    no_wait: bool,
    acting_as: str | None,
) -> None:
    """Ban ACTOR: their membership ends and their follows, posts and votes are refused.

    With --remove-data a progress bar follows the removal until it is done (unless --no-wait)."""
    from fedicom.moderation.bans import ban
    from fedicom.moderation.cleanup import job_of_ban
    from fedicom.moderation.expiry import parse_expiry

    settings = load()

    async def work(groups: Groups, staff: Staff) -> tuple[Ban, Job | None]:
        until = parse_expiry(expires, now=datetime.now(UTC)) if expires else None
        item = await ban(
            groups, staff, actor, community=community, reason=reason, expires=until, remove_data=remove_data
        )
        where = community or "this instance"
        ends = f" until {item.expires_at:%Y-%m-%d %H:%M} UTC" if item.expires_at else ""
        console.print(f"Banned {escape(item.actor)} from {escape(where)}{ends}.")
        job = await job_of_ban(item.activity_id) if item.remove_data else None
        if job is not None and not no_wait:
            job = await follow_cleanup(groups, settings, job)
        return item, job

    _, job = as_staff(settings, acting_as, work)
    print_cleanup(job)


@ban_group.command("remove")
@click.argument("actor")
@community_option
@as_option
def ban_remove(actor: str, community: str | None, acting_as: str | None) -> None:
    """Lift the ban of ACTOR (they may follow and post again)."""
    from fedicom.moderation.bans import unban

    settings = load()
    item = as_staff(
        settings, acting_as, lambda groups, staff: unban(groups, staff, actor, community=community)
    )
    console.print(f"Lifted the ban of {escape(item.actor)} from {escape(community or 'this instance')}.")


@ban_group.command("list")
@click.option("--community", default=None, metavar="NAME", help="This community's bans.")
@click.option("--all", "everywhere", is_flag=True, help="Every ban, instance-wide and in every community.")
@json_option
def ban_list(community: str | None, everywhere: bool, as_json: bool) -> None:
    """List bans (default: the instance-wide ones), newest first."""
    from fedicom.moderation.bans import is_active, list_bans

    settings = load()
    rows: list[dict[str, Any]] = [
        {
            "actor": item.actor,
            "community": item.community.name if item.community else None,
            "reason": item.reason,
            "moderator": item.moderator,
            "expires_at": item.expires_at,
            "active": is_active(item),
            "since": item.created_at,
        }
        for item in run(settings, lambda: list_bans(community, everywhere=everywhere))
    ]
    if as_json:
        print_json(rows)
        return
    shown = table("scope", "reason", "until", "since", "actor", "by")
    for r in rows:
        if r["expires_at"] is None:
            until = "permanent"
        else:
            until = f"{r['expires_at']:%Y-%m-%d %H:%M}" + ("" if r["active"] else " (expired)")
        shown.add_row(
            escape(r["community"] or "instance"),
            escape(r["reason"]),
            until,
            f"{r['since']:%Y-%m-%d}",
            escape(r["actor"]),
            escape(r["moderator"]),
        )
    console.print(shown)


COMMANDS = [ban_group]
