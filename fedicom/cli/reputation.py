"""`fedicom reputation COMMUNITY`: members with their points and badges (docs/recognition.md); and
`rebuild`, `leave-out` and `include`."""

from __future__ import annotations

from typing import Any

import click
from rich.markup import escape

from fedicom.cli.acting import as_actor, as_option
from fedicom.cli.base import console, json_option, load, print_json, run, table
from fedicom.cli.insights import _ShowByDefault
from fedicom.groups.context import Groups


@click.group("reputation", cls=_ShowByDefault)
def reputation() -> None:
    """Members' points and badges in a community (`fedicom reputation NAME`), and who is left out."""


@reputation.command("show")
@click.argument("community")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 100_000), help="The first N.")
@json_option
def show(community: str, limit: int, as_json: bool) -> None:
    """COMMUNITY's members by points, with their badges; those left out at their request are marked."""
    from fedicom.groups.communities import get_community
    from fedicom.recognition.standing import leaderboard

    async def work() -> list[dict[str, Any]]:
        board = await leaderboard(await get_community(community), limit, public=False)
        return [s.as_json() for s in board]

    found = run(load(), work)
    if as_json:
        print_json(found)
        return
    from fedicom.recognition.rules import LABELS, Badge

    shown = table("member", "points", "badges")
    for row in found:
        badges = ", ".join(LABELS[Badge(b)] for b in row["badges"]) or "-"
        who = escape(row["actor"]) + (" (left out)" if row["left_out"] else "")
        shown.add_row(who, str(row["points"]), badges)
    console.print(shown if found else f"Nobody in {community} has points or badges yet.")


@reputation.command("rebuild")
@click.argument("community", required=False)
@click.option("--all", "every", is_flag=True, help="Every community, one after the other.")
@json_option
def rebuild(community: str | None, every: bool, as_json: bool) -> None:
    """Credit a community's stored votes and replies again (after an upgrade, or to check).

    Accepted answers and completed ideas stay as recorded. One transaction per community.
    """
    from fedicom.groups.communities import get_community, list_communities
    from fedicom.recognition.rebuild import rebuild as recredit

    if bool(community) == every:
        raise click.UsageError("name a community, or give --all for every community")

    async def work() -> list[dict[str, object]]:
        groups = await list_communities() if every else [await get_community(str(community))]
        return [(await recredit(g)).as_json() for g in groups]

    found = run(load(), work)
    if as_json:
        print_json(found if every else found[0])
        return
    shown = table("community", "votes", "replies")
    for r in found:
        shown.add_row(escape(str(r["community"])), str(r["votes"]), str(r["replies"]))
    console.print(shown)


@reputation.command("leave-out")
@click.argument("community")
@click.argument("actor")
@as_option
def leave_out(community: str, actor: str, acting_as: str | None) -> None:
    """Leave ACTOR out of COMMUNITY's leaderboard and badges, at their request (points still counted)."""
    from fedicom.groups.communities import get_community
    from fedicom.recognition import leaving

    async def work(_groups: Groups, by: str) -> None:
        await leaving.leave_out(await get_community(community), actor, by=by)

    as_actor(load(), acting_as, work)
    console.print(f"{escape(actor)} is left out of {community}'s recognition.")


@reputation.command("include")
@click.argument("community")
@click.argument("actor")
def include(community: str, actor: str) -> None:
    """Show ACTOR's points and badges in COMMUNITY again."""
    from fedicom.groups.communities import get_community
    from fedicom.recognition import leaving

    async def work() -> None:
        await leaving.include(await get_community(community), actor)

    run(load(), work)
    console.print(f"{escape(actor)} is shown in {community}'s recognition again.")


COMMANDS = [reputation]
