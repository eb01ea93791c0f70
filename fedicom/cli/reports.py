"""`fedicom reports …`: the moderation queue: list, show, resolve, dismiss, forward and file reports."""

from __future__ import annotations

from typing import Any

import click
from rich.markup import escape

from fedicom.cli.acting import as_option, as_staff
from fedicom.cli.base import console, json_option, load, print_json, table
from fedicom.groups.context import Groups
from fedicom.moderation.models import Report, ReportState
from fedicom.staff.models import Staff

reason_option = click.option("--reason", required=True, help="Why (recorded in the modlog).")


@click.group("reports")
def reports_group() -> None:
    """The reports (Flags) about posts and accounts, per community and for the instance."""


def _report(r: Report) -> dict[str, Any]:
    return {
        "id": r.id,
        "community": r.community.name if r.community else None,
        "state": r.state,
        "reporter": r.reporter,
        "author": r.author,
        "targets": r.targets,
        "reason": r.reason,
        "activity_id": r.activity_id,
        "received": r.created_at,
        "resolution": r.resolution,
        "resolved_by": r.resolved_by,
        "resolved_at": r.resolved_at,
    }


@reports_group.command("list")
@click.option("--community", default=None, metavar="NAME", help="Only this community's queue.")
@click.option(
    "--state",
    type=click.Choice(["open", "resolved", "dismissed", "all"]),
    default="open",
    show_default=True,
)
@as_option
@json_option
def reports_list(community: str | None, state: str, acting_as: str | None, as_json: bool) -> None:
    """The queue you may see: your communities' reports (admins: all, the instance's own too)."""
    from fedicom.moderation.reports import list_reports

    settings = load()
    found: list[Report] = as_staff(
        settings,
        acting_as,
        lambda groups, staff: list_reports(groups, staff, community=community, state=state),
    )
    if as_json:
        print_json([_report(r) for r in found])
        return
    shown = table("#", "community", "state", "reported", "author", "reason", "received")
    for r in found:
        reported = r.targets[0] + (f" (+{len(r.targets) - 1})" if len(r.targets) > 1 else "")
        shown.add_row(
            str(r.id),
            escape(r.community.name if r.community else "(instance)"),
            r.state,
            escape(reported),
            escape(r.author or ""),
            escape(r.reason[:80]),
            f"{r.created_at:%Y-%m-%d %H:%M}",
        )
    console.print(shown if found else "No reports.")


@reports_group.command("show")
@click.argument("report_id", type=int, metavar="ID")
@as_option
@json_option
def reports_show(report_id: int, acting_as: str | None, as_json: bool) -> None:
    """Everything about report ID."""
    from fedicom.moderation.reports import get_report

    settings = load()
    r: Report = as_staff(settings, acting_as, lambda groups, staff: get_report(groups, staff, report_id))
    if as_json:
        print_json(_report(r))
        return
    lines = [
        f"[bold]Report #{r.id}[/bold] ({r.state})",
        f"community: {escape(r.community.name if r.community else '(instance)')}",
        f"received:  {r.created_at:%Y-%m-%d %H:%M} UTC",
        f"reporter:  {escape(r.reporter)}",
        f"author:    {escape(r.author or '(unknown)')}",
        f"reason:    {escape(r.reason or '(none given)')}",
        "reported:",
        *[f"  {escape(t)}" for t in r.targets],
    ]
    if r.state != ReportState.OPEN:
        when = f"{r.resolved_at:%Y-%m-%d %H:%M}" if r.resolved_at else ""
        lines.append(f"{r.state} by {escape(r.resolved_by or '')} on {when}: {escape(r.resolution)}")
    console.print("\n".join(lines))


def _close(action: str, report_id: int, reason: str, acting_as: str | None) -> None:
    from fedicom.moderation import reports

    settings = load()
    close = reports.resolve_report if action == "resolve" else reports.dismiss_report

    async def work(groups: Groups, staff: Staff) -> Report:
        return await close(groups, staff, report_id, reason=reason)

    r = as_staff(settings, acting_as, work)
    console.print(f"Report #{r.id} {r.state}.")


@reports_group.command("resolve")
@click.argument("report_id", type=int, metavar="ID")
@reason_option
@as_option
def reports_resolve(report_id: int, reason: str, acting_as: str | None) -> None:
    """Close report ID: action was taken."""
    _close("resolve", report_id, reason, acting_as)


@reports_group.command("dismiss")
@click.argument("report_id", type=int, metavar="ID")
@reason_option
@as_option
def reports_dismiss(report_id: int, reason: str, acting_as: str | None) -> None:
    """Close report ID: it was unfounded."""
    _close("dismiss", report_id, reason, acting_as)


@reports_group.command("forward")
@click.argument("report_id", type=int, metavar="ID")
@click.option("--to-author", is_flag=True, help="Also send it to the reported author's server.")
@as_option
def reports_forward(report_id: int, to_author: bool, acting_as: str | None) -> None:
    """Send report ID to the community's moderators on other servers (reporter withheld)."""
    from fedicom.moderation.reports import forward_report

    settings = load()
    hosts = as_staff(
        settings,
        acting_as,
        lambda groups, staff: forward_report(groups, staff, report_id, to_author=to_author),
    )
    console.print(f"Forwarded report #{report_id} to {escape(', '.join(hosts))}.")


@reports_group.command("file")
@click.argument("targets", nargs=-1, required=True, metavar="URL...")
@click.option("--reason", required=True, help="What is wrong.")
@click.option("--community", default=None, metavar="NAME", help="The community it concerns.")
@as_option
def reports_file(targets: tuple[str, ...], reason: str, community: str | None, acting_as: str | None) -> None:
    """File a report yourself about posts or accounts (URL...), e.g. one a member sent by mail."""
    from fedicom.moderation.reports import file_report

    settings = load()
    r = as_staff(
        settings,
        acting_as,
        lambda groups, staff: file_report(groups, staff, list(targets), reason=reason, community=community),
    )
    console.print(f"Filed report #{r.id}.")


COMMANDS = [reports_group]
