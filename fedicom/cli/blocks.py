"""`fedicom block …`: domain blocks (defederation), instance-wide or in one community, and shared lists."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

import click
from rich.markup import escape

from fedicom.cli.acting import as_actor, as_option
from fedicom.cli.base import console, json_option, load, print_json, run, table
from fedicom.cli.waiting import follow_cleanup, no_wait_option, print_cleanup, progress_bar
from fedicom.groups.context import Groups

SEVERITY_HELP = (
    "suspend: nothing federates, and the server's members, posts and cached data are removed (a job "
    "whose progress is shown); "
    "limit: follows wait for a moderator's approval and posts are held for review; "
    "noop: only the --reject-media/--reject-reports flags apply."
)

community_option = click.option(
    "--community", default=None, help="Block in this community only (as one of its moderators)."
)


@click.group()
def block() -> None:
    """Defederate servers: domain blocks (subdomains are covered too) and shared blocklists."""


@block.command("add")
@click.argument("domain")
@click.option(
    "--severity",
    type=click.Choice(["suspend", "limit", "noop"]),
    default="suspend",
    show_default=True,
    help=SEVERITY_HELP,
)
@click.option("--reject-media", is_flag=True, help="Keep no attachments of the server's posts.")
@click.option("--reject-reports", is_flag=True, help="Ignore reports (Flag) sent by the server.")
@click.option("--reason", default="", help="Public reason, shown on the list of blocked servers.")
@click.option("--note", default="", help="Private note for the staff.")
@click.option("--obfuscate", is_flag=True, help="Show the domain partly hidden in public lists.")
@community_option
@no_wait_option
@as_option
def block_add(
    domain: str,
    severity: str,
    reject_media: bool,
    reject_reports: bool,
    reason: str,
    note: str,
    obfuscate: bool,
    community: str | None,
    no_wait: bool,
    acting_as: str | None,
) -> None:
    """Block DOMAIN, or change its block, and apply it (a suspension's clean-up shows progress)."""
    from fedicom.groups.communities import get_community
    from fedicom.moderation.blocks import block_domain

    settings = load()

    async def work(groups: Groups, moderator: str) -> Any:
        group = await get_community(community) if community else None
        blocked, job = await block_domain(
            groups,
            groups.defed,
            domain,
            severity=severity,
            reject_media=reject_media,
            reject_reports=reject_reports,
            public_comment=reason,
            private_comment=note,
            obfuscate=obfuscate,
            moderator=moderator,
            community=group,
        )
        where = f" in {community}" if community else ""
        console.print(f"Blocked {escape(blocked.domain)} ({blocked.severity}){escape(where)}.")
        if job is not None and not no_wait:
            job = await follow_cleanup(groups, settings, job)
        return job

    print_cleanup(as_actor(settings, acting_as, work))
    if settings.federation_mode == "open" and severity != "suspend":
        console.print("Note: in open federation mode only suspensions take effect.")


@block.command("remove")
@click.argument("domain")
@community_option
@as_option
def block_remove(domain: str, community: str | None, acting_as: str | None) -> None:
    """Lift the block of DOMAIN: federation resumes from now on."""
    from fedicom.groups.communities import get_community
    from fedicom.moderation.blocks import unblock_domain

    settings = load()

    async def work(groups: Groups, moderator: str) -> None:
        group = await get_community(community) if community else None
        await unblock_domain(groups, groups.defed, domain, moderator=moderator, community=group)

    as_actor(settings, acting_as, work)
    console.print(f"Unblocked {escape(domain)}.")


@block.command("list")
@community_option
@json_option
def block_list(community: str | None, as_json: bool) -> None:
    """List blocked servers with their severity, flags, reasons and source."""
    from fedicom.groups.communities import get_community
    from fedicom.moderation.blocks import list_blocks

    settings = load()

    async def work() -> list[Any]:
        return await list_blocks(await get_community(community) if community else None)

    rows: list[dict[str, Any]] = [
        {
            "domain": b.domain,
            "severity": b.severity,
            "reject_media": b.reject_media,
            "reject_reports": b.reject_reports,
            "public_comment": b.public_comment,
            "private_comment": b.private_comment,
            "obfuscate": b.obfuscate,
            "source": b.source,
            "community": community,
            "since": b.created_at,
        }
        for b in run(settings, work)
    ]
    if as_json:
        print_json(rows)
        return
    shown = table("domain", "severity", "flags", "public reason", "private note", "source", "since")
    for r in rows:
        flags = ", ".join(f for f in ("reject media", "reject reports") if r[f.replace(" ", "_")])
        shown.add_row(
            escape(r["domain"]),
            r["severity"],
            flags,
            escape(r["public_comment"]),
            escape(r["private_comment"]),
            escape(r["source"]),
            r["since"].strftime("%Y-%m-%d"),
        )
    console.print(shown)


@block.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Show what would change, change nothing.")
@click.option("--source", default=None, help="Where the list comes from (default: the file's name).")
@click.option("--format", "fmt", type=click.Choice(["csv", "plain"]), default=None, help="Default: detected.")
@no_wait_option
@as_option
def block_import(
    file: Path, dry_run: bool, source: str | None, fmt: str | None, no_wait: bool, acting_as: str | None
) -> None:
    """Import a shared blocklist: Mastodon's CSV or one domain a line.

    Never weakens an existing block; any bad row stops the whole import.
    """
    from fedicom.moderation.imports import import_blocklist

    settings = load()
    try:
        text = file.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise click.BadParameter("the file is not UTF-8 text", param_hint="FILE") from None

    async def work(groups: Groups, moderator: str) -> Any:
        started = time.perf_counter()
        with progress_bar() as progress:
            result = await import_blocklist(
                groups,
                groups.defed,
                text,
                moderator=moderator,
                source=source or file.name,
                fmt=fmt,
                dry_run=dry_run,
                progress=progress,
            )
        elapsed = time.perf_counter() - started
        print_diff(result.diff, every_entry=dry_run)
        if result.applied:
            name = escape(source or file.name)
            console.print(f"Imported {len(result.diff.changes)} blocks from {name} in {elapsed:.2f} s.")
            if result.job is not None and not no_wait:
                result.job = await follow_cleanup(groups, settings, result.job)
        return result

    result = as_actor(settings, acting_as, work)
    if result.applied:
        print_cleanup(result.job)
    elif dry_run:
        console.print("Dry run: nothing was changed.")
        if result.diff.invalid:
            console.print(f"The import would be refused: {len(result.diff.invalid)} bad rows.")
            sys.exit(1)
    else:
        console.print("Nothing to change.")


def print_diff(diff: Any, *, every_entry: bool) -> None:
    """The diff of an import; new blocks one by one only in a dry run (a list may hold thousands)."""
    for line in diff.invalid:
        console.print(f"x {escape(line)}")
    if every_entry and diff.added:  # one print: rich renders 10,000 separate lines slowly
        lines = (f"+ {entry.domain} {entry.severity}{_flags(entry)}" for entry in diff.added)
        console.print("\n".join(lines), markup=False, highlight=False)
    for old, new in diff.upgraded:
        console.print(f"^ {escape(new.domain)} {old.severity} → {new.severity}{_flags(new)}")
    for old, new in diff.downgrades:
        console.print(
            f"= {escape(new.domain)} skipped (line {new.line}): {new.severity}{_flags(new)} would weaken "
            f"{old.severity}{_flags(old)}"
        )
    console.print(
        f"{len(diff.added)} added, {len(diff.upgraded)} upgraded, {len(diff.unchanged)} unchanged, "
        f"{len(diff.downgrades)} skipped because they would downgrade, {len(diff.invalid)} invalid."
    )


def _flags(entry: Any) -> str:
    on = [f for f, v in (("reject_media", entry.reject_media), ("reject_reports", entry.reject_reports)) if v]
    return f" ({', '.join(on)})" if on else ""


@block.command("export")
@click.option("--format", "fmt", type=click.Choice(["csv", "plain"]), default="csv", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None)
def block_export(fmt: str, output: Path | None) -> None:
    """Export the instance-wide blocks (Mastodon's CSV, or suspended domains one a line)."""
    from fedicom.moderation.imports import export_blocklist

    settings = load()
    text = run(settings, lambda: export_blocklist(fmt))
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")
        console.print(f"Wrote {text.count(chr(10)) - (fmt == 'csv')} blocks to {escape(str(output))}.")


COMMANDS = [block]
