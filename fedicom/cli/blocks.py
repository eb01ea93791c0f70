"""`fedicom block …`: instance-wide domain blocks (defederation)."""

from __future__ import annotations

from typing import Any

import click
from rich.markup import escape
from rich.table import Table

from fedicom.cli.base import console, load, run


@click.group()
def block() -> None:
    """Defederate servers: instance-wide domain blocks (subdomains are covered too)."""


@block.command("add")
@click.argument("domain")
@click.option(
    "--severity",
    type=click.Choice(["suspend"]),
    default="suspend",
    show_default=True,
    help="suspend: nothing federates; the server's members, posts and cached data are removed now.",
)
@click.option("--reason", default="", help="Public reason, shown on the list of blocked servers.")
@click.option("--note", default="", help="Private note for the staff.")
@click.option("--obfuscate", is_flag=True, help="Show the domain partly hidden in public lists.")
def block_add(domain: str, severity: str, reason: str, note: str, obfuscate: bool) -> None:
    """Block DOMAIN and apply the block, with progress shown."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from fedicom.app import build_federation
    from fedicom.moderation.blocks import block_domain

    settings = load()

    async def work() -> Any:
        runtime = build_federation(settings)
        try:
            await runtime.fed.start()
            with Progress(
                TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), console=console
            ) as bar:
                tasks: dict[str, Any] = {}

                def progress(stage: str, done: int, total: int) -> None:
                    if stage not in tasks:
                        tasks[stage] = bar.add_task(stage, total=max(total, 1))
                    bar.update(tasks[stage], completed=done if total else 1, total=max(total, 1))

                return await block_domain(
                    runtime.groups,
                    runtime.defed,
                    domain,
                    severity=severity,
                    public_comment=reason,
                    private_comment=note,
                    obfuscate=obfuscate,
                    moderator="admin:cli",
                    progress=progress,
                )
        finally:
            await runtime.fed.session.close()

    blocked, report = run(settings, work)
    console.print(f"Blocked {escape(blocked.domain)} ({blocked.severity}).")
    if report:
        console.print(
            f"Removed {report.members_removed} members and {report.posts_removed} posts, purged "
            f"{report.actors_purged} cached actors, cancelled {report.deliveries_cancelled} deliveries."
        )


@block.command("remove")
@click.argument("domain")
def block_remove(domain: str) -> None:
    """Lift the block of DOMAIN: federation resumes from now on."""
    from fedicom.moderation.blocks import unblock_domain
    from fedicom.moderation.defederation import Defederation

    settings = load()
    run(settings, lambda: unblock_domain(Defederation(), domain, moderator="admin:cli"))
    console.print(f"Unblocked {escape(domain)}.")


@block.command("list")
def block_list() -> None:
    """List blocked servers with their severity and reasons."""
    from fedicom.moderation.blocks import list_blocks

    settings = load()
    table = Table("domain", "severity", "public reason", "private note", "since")
    for b in run(settings, list_blocks):
        table.add_row(
            escape(b.domain),
            b.severity,
            escape(b.public_comment),
            escape(b.private_comment),
            b.created_at.strftime("%Y-%m-%d"),
        )
    console.print(table)


COMMANDS = [block]
