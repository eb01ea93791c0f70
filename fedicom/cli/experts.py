"""`fedicom expert`: the members staff recognise as experts of a community, shown on its pages."""

from __future__ import annotations

from typing import Any

import click
from rich.markup import escape

from fedicom.cli.acting import as_actor, as_option
from fedicom.cli.base import console, json_option, load, print_json, run, table
from fedicom.groups.context import Groups


@click.group("expert")
def expert() -> None:
    """Experts of a community: a recognition shown next to their name (docs/insights.md)."""


@expert.command("add")
@click.argument("community")
@click.argument("actor")
@as_option
def expert_add(community: str, actor: str, acting_as: str | None) -> None:
    """Recognise ACTOR (its ActivityPub address) as an expert of COMMUNITY."""
    from fedicom.groups.communities import get_community
    from fedicom.insights import experts

    async def work(_groups: Groups, by: str) -> None:
        await experts.grant(await get_community(community), actor, by=by)

    as_actor(load(), acting_as, work)
    console.print(f"{escape(actor)} is an expert of {community}.")


@expert.command("remove")
@click.argument("community")
@click.argument("actor")
def expert_remove(community: str, actor: str) -> None:
    """ACTOR is no longer shown as an expert of COMMUNITY."""
    from fedicom.groups.communities import get_community
    from fedicom.insights import experts

    async def work() -> None:
        await experts.revoke(await get_community(community), actor)

    run(load(), work)
    console.print(f"{escape(actor)} is no longer an expert of {community}.")


@expert.command("list")
@click.argument("community")
@json_option
def expert_list(community: str, as_json: bool) -> None:
    """The experts of COMMUNITY, the first recognised first."""
    from fedicom.groups.communities import get_community
    from fedicom.insights import experts

    async def work() -> list[dict[str, Any]]:
        rows = await experts.listing(await get_community(community))
        return [{"actor": e.actor, "granted_by": e.granted_by, "since": e.created_at} for e in rows]

    found = run(load(), work)
    if as_json:
        print_json(found)
        return
    shown = table("expert", "recognised by", "since")
    for row in found:
        shown.add_row(escape(row["actor"]), escape(row["granted_by"]), row["since"].strftime("%Y-%m-%d"))
    console.print(shown if found else f"{community} has no expert yet.")


COMMANDS = [expert]
