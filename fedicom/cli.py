"""The `fedicom` command: serve, deliver, migrate and manage communities."""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
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


def _settings() -> Settings:
    try:
        return load_settings()
    except FedicomError as exc:
        err_console.print(f"[red]Configuration error:[/red] {escape(exc.reason)}")
        sys.exit(2)


def _run(settings: Settings, work: Callable[[], Awaitable[T]]) -> T:
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


@click.group()
@click.option("-v", "--verbose", is_flag=True, help="Log debug messages.")
def main(verbose: bool) -> None:
    """fedicom: a community server for the fediverse.

    Settings come from FEDICOM_* environment variables and an optional .env file
    (see docs/configuration.md).
    """
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )


def _migrate(settings: Settings) -> None:
    def progress(event: str, app: str, name: str) -> None:
        if event == "apply_done":
            console.print(f"  applied migration [cyan]{name}[/cyan]")

    asyncio.run(storage.migrate(settings, progress=progress))


@main.command()
def migrate() -> None:
    """Apply pending database schema migrations."""
    settings = _settings()
    _migrate(settings)
    console.print("[green]Database schema is up to date.[/green]")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, help="Port to listen on.")
@click.option("--workers", default=1, show_default=True, help="Web worker processes.")
@click.option("--no-migrate", is_flag=True, help="Do not apply migrations before starting.")
def serve(host: str, port: int, workers: int, no_migrate: bool) -> None:
    """Run the web server (inbox processing and, by default, delivery run inside it)."""
    import uvicorn

    from fedicom.activitypub.keys import KeyStore
    from fedicom.app import ensure_demo
    from fedicom.groups.communities import Site, list_communities

    settings = _settings()
    if not no_migrate:
        _migrate(settings)
    site = Site(settings.base_url, settings.domain)

    async def prepare() -> list[Any]:
        if settings.demo_community:
            await ensure_demo(KeyStore(), site)
        return await list_communities()

    for group in _run(settings, prepare):
        console.print(f"Community [bold]@{group.name}@{settings.domain}[/bold] at {site.uri(group.name)}")
    console.print(f"Serving {settings.base_url} (listening on {host}:{port})")
    uvicorn.run(
        "fedicom.app:asgi",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=True,
        log_level="info",
        access_log=False,
    )


@main.command()
def worker() -> None:
    """Run a delivery and inbox worker process (alongside `serve`, or with FEDICOM_DELIVERY=external)."""
    import signal

    from fedicom.app import build_federation

    settings = _settings()

    async def work() -> None:
        fed = build_federation(settings).fed
        await fed.start()
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        console.print("Worker running; Ctrl-C to stop.")
        try:
            await fed.run_workers(stop)
        finally:
            await fed.session.close()

    _run(settings, work)


@main.group()
def community() -> None:
    """Create, inspect and manage communities."""


@community.command("create")
@click.argument("name")
@click.option("--title", help="Display title (default: the name).")
@click.option("--summary", default="", help="Description in markdown.")
@click.option("--private", is_flag=True, help="Moderators approve new members.")
@click.option(
    "--posting",
    type=click.Choice(["open", "members", "moderators"]),
    default="members",
    show_default=True,
    help="Who may start threads: anyone, members, or moderators only (announcement channel).",
)
@click.option(
    "--rules-file", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="Rules (markdown)."
)
@click.option(
    "--privacy-file", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="Privacy policy."
)
def community_create(
    name: str,
    title: str | None,
    summary: str,
    private: bool,
    posting: str,
    rules_file: Path | None,
    privacy_file: Path | None,
) -> None:
    """Create the community NAME (a-z, 0-9, _)."""
    from fedicom.activitypub.keys import KeyStore
    from fedicom.groups.communities import Site, create_community

    settings = _settings()
    site = Site(settings.base_url, settings.domain)
    rules = rules_file.read_text() if rules_file else ""
    privacy = privacy_file.read_text() if privacy_file else ""
    group = _run(
        settings,
        lambda: create_community(
            KeyStore(),
            site,
            name,
            title=title,
            summary=summary,
            rules=rules,
            privacy_policy=privacy,
            private=private,
            posting_policy=posting,
        ),
    )
    console.print(f"Created [bold]@{group.name}@{settings.domain}[/bold] at {site.uri(group.name)}")


@community.command("list")
def community_list() -> None:
    """List the communities of this server."""
    from fedicom.groups.communities import list_communities, member_count

    settings = _settings()

    async def work() -> list[tuple[Any, int]]:
        return [(g, await member_count(g)) for g in await list_communities()]

    table = Table("name", "handle", "title", "members", "private", "posting")
    for g, members in _run(settings, work):
        table.add_row(
            g.name,
            f"@{g.name}@{settings.domain}",
            g.title,
            str(members),
            "yes" if g.private else "no",
            g.posting_policy,
        )
    console.print(table)


@community.command("show")
@click.argument("name")
def community_show(name: str) -> None:
    """Show one community: its addresses, settings, members and pending requests."""
    from fedicom.groups.communities import Site, get_community, member_count, moderators_of
    from fedicom.groups.membership import pending_requests

    settings = _settings()
    site = Site(settings.base_url, settings.domain)

    async def work() -> dict[str, Any]:
        g = await get_community(name)
        return {
            "handle": f"@{g.name}@{settings.domain}",
            "url": site.uri(g.name),
            "title": g.title,
            "private": g.private,
            "posting policy": g.posting_policy,
            "members": await member_count(g),
            "moderators": ", ".join(await moderators_of(g)) or "-",
            "pending requests": ", ".join(m.actor for m in await pending_requests(g)) or "-",
        }

    for key, value in _run(settings, work).items():
        console.print(f"[bold]{key}:[/bold] {escape(str(value))}")


def _decide(name: str, actor: str, *, approve: bool) -> None:
    from fedicom.app import build_federation
    from fedicom.groups import membership
    from fedicom.groups.communities import get_community

    settings = _settings()

    async def work() -> None:
        runtime = build_federation(settings)
        fed, groups = runtime.fed, runtime.groups
        try:
            await fed.start()
            group = await get_community(name)
            if approve:
                await membership.approve(groups, group, actor)
            else:
                await membership.reject(groups, group, actor)
        finally:
            await fed.session.close()

    _run(settings, work)
    verb = "Approved" if approve else "Rejected"
    console.print(f"{verb} {escape(actor)} in {name}; the answer is queued for delivery.")


@community.command("approve")
@click.argument("name")
@click.argument("actor")
def community_approve(name: str, actor: str) -> None:
    """Let ACTOR (an actor URI) into the private community NAME: sends Accept and recent posts."""
    _decide(name, actor, approve=True)


@community.command("reject")
@click.argument("name")
@click.argument("actor")
def community_reject(name: str, actor: str) -> None:
    """Turn down ACTOR's request to join NAME, or remove a member: sends Reject."""
    _decide(name, actor, approve=False)


@community.group("mod")
def community_mod() -> None:
    """Manage the moderators of a community (local or remote actor URIs)."""


@community_mod.command("add")
@click.argument("name")
@click.argument("actor")
def mod_add(name: str, actor: str) -> None:
    """Make ACTOR (an actor URI) a moderator of NAME."""
    from fedicom.groups.communities import get_community
    from fedicom.groups.models import Moderator

    settings = _settings()

    async def work() -> None:
        await Moderator.get_or_create(group=await get_community(name), actor=actor)

    _run(settings, work)
    console.print(f"{escape(actor)} now moderates {name}.")


@community_mod.command("remove")
@click.argument("name")
@click.argument("actor")
def mod_remove(name: str, actor: str) -> None:
    """Remove ACTOR from the moderators of NAME."""
    from fedicom.groups.communities import get_community
    from fedicom.groups.models import Moderator

    settings = _settings()

    async def work() -> int:
        return await Moderator.filter(group=await get_community(name), actor=actor).delete()

    removed = _run(settings, work)
    console.print(
        f"{escape(actor)} no longer moderates {name}."
        if removed
        else f"{escape(actor)} was not a moderator of {name}."
    )


@main.group()
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

    settings = _settings()

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

    blocked, report = _run(settings, work)
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

    settings = _settings()
    _run(settings, lambda: unblock_domain(Defederation(), domain, moderator="admin:cli"))
    console.print(f"Unblocked {escape(domain)}.")


@block.command("list")
def block_list() -> None:
    """List blocked servers with their severity and reasons."""
    from fedicom.moderation.blocks import list_blocks

    settings = _settings()
    table = Table("domain", "severity", "public reason", "private note", "since")
    for b in _run(settings, list_blocks):
        table.add_row(
            escape(b.domain),
            b.severity,
            escape(b.public_comment),
            escape(b.private_comment),
            b.created_at.strftime("%Y-%m-%d"),
        )
    console.print(table)


@main.command("modlog")
@click.option("--community", help="Only this community's entries (default: instance-wide ones).")
@click.option("--limit", default=50, show_default=True)
def modlog_command(community: str | None, limit: int) -> None:
    """Show the moderation log, newest first."""
    from fedicom.moderation.modlog import entries

    settings = _settings()
    table = Table("when", "moderator", "action", "target", "reason")
    for e in _run(settings, lambda: entries(community, limit=limit)):
        table.add_row(
            e.created_at.strftime("%Y-%m-%d %H:%M"),
            escape(e.moderator),
            e.action,
            escape(e.target),
            escape(e.reason),
        )
    console.print(table)
