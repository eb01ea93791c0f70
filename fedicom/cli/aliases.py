"""`fedicom community alias add|remove|list NAME [ACCOUNT]`: the accounts a community is also known as
(`alsoKnownAs`), so that an account elsewhere can move its followers to it (docs/portability.md), in
the `fedicom community` group (cli/communities.py)."""

from __future__ import annotations

from typing import Any

import click
from rich.markup import escape

from fedicom.cli.acting import as_option, as_staff
from fedicom.cli.base import console, iso, json_option, load, print_json, run, table
from fedicom.cli.communities import community
from fedicom.groups.context import Groups
from fedicom.staff.models import Staff


@community.group("alias")
def alias() -> None:
    """The accounts a community is also known as: their followers may move to it."""


def _change(name: str, account: str, acting_as: str | None, *, add: bool) -> str:
    from fedicom.groups.aliases import add_alias, remove_alias
    from fedicom.groups.communities import get_community
    from fedicom.moderation.community_updates import announce_update

    async def work(ctx: Groups, staff: Staff) -> str:
        group = await get_community(name)
        uri = (await add_alias(ctx, group, account)).actor if add else await remove_alias(ctx, group, account)
        await announce_update(ctx, group, staff)  # members' servers refresh the Group's alsoKnownAs
        return uri

    return as_staff(load(), acting_as, work)


@alias.command("add")
@click.argument("name")
@click.argument("account")
@as_option
def alias_add(name: str, account: str, acting_as: str | None) -> None:
    """List ACCOUNT (@user@host or an actor URL) as an alias of the community NAME."""
    uri = _change(name, account, acting_as, add=True)
    console.print(
        f"{escape(uri)} is now an alias of {name}: that account's server can move its followers here."
    )


@alias.command("remove")
@click.argument("name")
@click.argument("account")
@as_option
def alias_remove(name: str, account: str, acting_as: str | None) -> None:
    """Take ACCOUNT out of the aliases of the community NAME (a Move from it is refused from then on)."""
    uri = _change(name, account, acting_as, add=False)
    console.print(f"{escape(uri)} is no longer an alias of {name}.")


@alias.command("list")
@click.argument("name")
@json_option
def alias_list(name: str, as_json: bool) -> None:
    """The aliases of the community NAME, and when each moved its followers here."""
    from fedicom.groups.aliases import aliases
    from fedicom.groups.communities import get_community

    settings = load()

    async def work() -> list[dict[str, Any]]:
        return [
            {"account": a.actor, "added_at": iso(a.added_at), "moved_at": iso(a.moved_at)}
            for a in await aliases(await get_community(name))
        ]

    rows = run(settings, work)
    if as_json:
        print_json(rows)
        return
    if not rows:
        console.print(f"{name} has no aliases.")
        return
    out = table("Account", "Added", "Moved its followers here")
    for row in rows:
        out.add_row(escape(row["account"]), row["added_at"], row["moved_at"] or "-")
    console.print(out)


COMMANDS: list[
    click.Command
] = []  # its commands join the `community` group, registered by cli/communities.py
