"""`fedicom community …`: create, list and show communities, decide join requests, name moderators."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from rich.markup import escape
from rich.table import Table

from fedicom.cli.base import console, load, run


@click.group()
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

    settings = load()
    site = Site(settings.base_url, settings.domain)
    rules = rules_file.read_text() if rules_file else ""
    privacy = privacy_file.read_text() if privacy_file else ""
    group = run(
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

    settings = load()

    async def work() -> list[tuple[Any, int]]:
        return [(g, await member_count(g)) for g in await list_communities()]

    table = Table("name", "handle", "title", "members", "private", "posting")
    for g, members in run(settings, work):
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

    settings = load()
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

    for key, value in run(settings, work).items():
        console.print(f"[bold]{key}:[/bold] {escape(str(value))}")


def _decide(name: str, actor: str, *, approve: bool) -> None:
    from fedicom.app import build_federation
    from fedicom.groups import membership
    from fedicom.groups.communities import get_community

    settings = load()

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

    run(settings, work)
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

    settings = load()

    async def work() -> None:
        await Moderator.get_or_create(group=await get_community(name), actor=actor)

    run(settings, work)
    console.print(f"{escape(actor)} now moderates {name}.")


@community_mod.command("remove")
@click.argument("name")
@click.argument("actor")
def mod_remove(name: str, actor: str) -> None:
    """Remove ACTOR from the moderators of NAME."""
    from fedicom.groups.communities import get_community
    from fedicom.groups.models import Moderator

    settings = load()

    async def work() -> int:
        return await Moderator.filter(group=await get_community(name), actor=actor).delete()

    removed = run(settings, work)
    console.print(
        f"{escape(actor)} no longer moderates {name}."
        if removed
        else f"{escape(actor)} was not a moderator of {name}."
    )


COMMANDS = [community]
