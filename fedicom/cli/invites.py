"""`fedicom invite create|list|revoke`: invite links that let people into a private community without
waiting for a moderator (docs/invites.md)."""

from __future__ import annotations

from typing import Any

import click
from rich.markup import escape

from fedicom.cli.acting import as_option
from fedicom.cli.base import console, iso, json_option, load, print_json, run, table


@click.group("invite")
def invite() -> None:
    """Invite links of private communities: create, list, revoke."""


@invite.command("create")
@click.argument("community")
@click.option("--uses", type=click.IntRange(1, 100_000), default=None, help="How many people may use it.")
@click.option("--expires", metavar="DURATION", default=None, help="How long it lives: 30m, 12h, 7d or 2w.")
@as_option
def invite_create(community: str, uses: int | None, expires: str | None, acting_as: str | None) -> None:
    """A new invite link of the private COMMUNITY; prints the link to share."""
    from fedicom.groups.communities import Site, get_community
    from fedicom.invites.links import create_invite, invite_url, parse_duration
    from fedicom.staff.accounts import acting

    settings = load()

    async def work() -> str:
        lifetime = parse_duration(expires) if expires is not None else None
        group = await get_community(community)
        staff = await acting(acting_as)
        creator = Site(settings.base_url, settings.domain).staff_uri(staff.username)
        made = await create_invite(group, creator, uses=uses, lifetime=lifetime)
        return invite_url(settings.base_url, group, made.code)

    click.echo(run(settings, work))


@invite.command("list")
@click.argument("community", required=False)
@json_option
def invite_list(community: str | None, as_json: bool) -> None:
    """Invite links, newest first (of COMMUNITY, or of every community), with uses left and expiry."""
    from fedicom.groups.communities import get_community, list_communities
    from fedicom.invites.links import invites_of, shown

    settings = load()

    async def work() -> list[dict[str, Any]]:
        groups = [await get_community(community)] if community else await list_communities()
        return [shown(settings.base_url, g, i).as_json() for g, i in await invites_of(groups)]

    found = run(settings, work)
    if as_json:
        print_json(found)
        return
    if not found:
        console.print(f"{community} has no invite links." if community else "No invite links.")
        return
    out = table("code", "community", "state", "uses", "uses left", "expires", "link")
    for row in found:
        left = "any" if row["uses_left"] is None else str(row["uses_left"])
        out.add_row(
            row["code"],
            row["community"],
            row["state"].replace("_", " "),
            str(row["uses"]),
            left,
            iso(row["expires_at"]) or "never",
            escape(row["url"]),
        )
    console.print(out)


@invite.command("revoke")
@click.argument("code")
def invite_revoke(code: str) -> None:
    """Withdraw the invite link CODE (its code, or the whole link): it lets nobody in from now on (see
    `fedicom invite list`). A code that starts with "-" goes after `--`: `fedicom invite revoke -- CODE`."""
    from fedicom.invites.links import code_of, find_invite, revoke_invite

    code = code_of(code)

    async def work() -> str:
        group, found = await find_invite(code)
        await revoke_invite(found)
        return group.name

    name = run(load(), work)
    console.print(f"The invite link {escape(code)} of {name} is revoked: it lets nobody in any more.")


COMMANDS = [invite]
