"""`fedicom community move NAME --to HANDLE_OR_URL`: move a community to another server (FEP-7628,
docs/portability.md), in the `fedicom community` group (cli/communities.py); `community show` says
where a moved community went."""

from __future__ import annotations

import click
from rich.markup import escape

from fedicom.cli.acting import as_option, as_staff
from fedicom.cli.base import console, load
from fedicom.cli.communities import community
from fedicom.groups.context import Groups
from fedicom.staff.models import Staff


@community.command("move")
@click.argument("name")
@click.option("--to", "target", required=True, metavar="HANDLE_OR_URL", help="The community's new home.")
@click.option("--yes", is_flag=True, help="Move without asking for confirmation.")
@as_option
def community_move(name: str, target: str, yes: bool, acting_as: str | None) -> None:
    """Move the community NAME to another server: the new home must list it in alsoKnownAs first."""
    from fedicom.groups.communities import get_community
    from fedicom.moderation.moving import move_as_staff

    if not yes:
        click.confirm(
            f"Move {name} to {target}? Its followers' servers are told to follow the new home, and it "
            "takes no new posts from then on",
            abort=True,
        )
    settings = load()

    async def work(ctx: Groups, staff: Staff) -> str:
        moved = await move_as_staff(ctx, await get_community(name), staff, target)
        return str(moved.moved_to)

    new_home = as_staff(settings, acting_as, work)
    console.print(
        f"{name} has moved to {escape(new_home)}: its followers' servers are told (Move), and it passes "
        f"the new home's posts on to those that stay for {settings.move_grace_days} days."
    )


COMMANDS: list[click.Command] = []  # its command joins the `community` group (cli/communities.py)
