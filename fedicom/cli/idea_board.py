"""`fedicom ideas status|merge|list`: the idea board's statuses, merged duplicates and its list
(docs/ideas.md), in the `fedicom ideas` group (cli/ideas.py). URL is an idea's ActivityPub id, its page
address here, or its number."""

from __future__ import annotations

from typing import Any

import click
from rich.markup import escape

from fedicom.cli.acting import as_option, as_staff
from fedicom.cli.base import console, json_option, load, print_json, run, table
from fedicom.cli.ideas import ideas
from fedicom.groups.context import Groups
from fedicom.staff.models import Staff

SORTS = ("top", "hot", "new")


@ideas.command("status")
@click.argument("url")
@click.argument("status")
@click.option("--note", default="", help="Why, told to members with the status (Markdown).")
@as_option
@json_option
def status(url: str, status: str, note: str, acting_as: str | None, as_json: bool) -> None:
    """Set the status of the idea at URL: open, under_review, planned, started, completed or declined.

    Members are told in a staff reply under the idea (on Mastodon, Lemmy and here)."""
    from fedicom.ideas.lifecycle import LABELS, parse_status
    from fedicom.ideas.status import set_status
    from fedicom.media.store import open_store
    from fedicom.publishing.compose import Author, find_post

    settings = load()

    async def work(ctx: Groups, staff: Staff) -> dict[str, Any]:
        chosen = parse_status(status)
        post = await find_post(ctx, url)
        author = Author(ctx.site.staff_uri(staff.username), open_store(settings))
        change = await set_status(ctx, author, post, chosen, note)
        reply = change.reply_id  # type: ignore[attr-defined]
        return {"idea": post.object_id, "status": chosen.value, "label": LABELS[chosen], "reply": reply}

    done = as_staff(settings, acting_as, work)
    if as_json:
        print_json(done)
        return
    console.print(f"{escape(done['idea'])} is now {done['label']}; members are told in a staff reply.")


@ideas.command("merge")
@click.argument("duplicate_url")
@click.option("--into", "into", required=True, metavar="URL", help="The original idea.")
@as_option
@json_option
def merge(duplicate_url: str, into: str, acting_as: str | None, as_json: bool) -> None:
    """Merge the idea at DUPLICATE_URL into the original: its votes move (each voter counted once), it is
    locked and marked a duplicate, and its author is told in a staff reply."""
    from fedicom.ideas.merging import merge as merge_ideas
    from fedicom.media.store import open_store
    from fedicom.publishing.compose import Author, find_post

    settings = load()

    async def work(ctx: Groups, staff: Staff) -> dict[str, object]:
        duplicate, original = await find_post(ctx, duplicate_url), await find_post(ctx, into)
        author = Author(ctx.site.staff_uri(staff.username), open_store(settings))
        return (await merge_ideas(ctx, author, duplicate, original)).as_json()

    done = as_staff(settings, acting_as, work)
    if as_json:
        print_json(done)
        return
    console.print(
        f"Merged {escape(str(done['duplicate']))} into {escape(str(done['original']))}: "
        f"{done['moved_votes']} votes moved, {done['dropped_votes']} already there; its author is told."
    )


@ideas.command("list")
@click.argument("community")
@click.option("--status", "status", default=None, help="Only ideas in this status.")
@click.option(
    "--sort", type=click.Choice(SORTS), default="top", show_default=True, help="Votes, trending, newest."
)
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 10_000), help="The first N.")
@json_option
def list_ideas(community: str, status: str | None, sort: str, limit: int, as_json: bool) -> None:
    """COMMUNITY's ideas (an idea board), with their status and votes."""
    from fedicom.groups.communities import get_community
    from fedicom.ideas.board import ordered, statuses_of
    from fedicom.ideas.lifecycle import check_board, parse_status

    async def work() -> list[dict[str, Any]]:
        wanted = parse_status(status) if status is not None else None
        group = await get_community(community)
        check_board(group)
        posts = await ordered(group, sort, wanted, 0, limit)
        shown = await statuses_of(group, posts)
        return [
            {
                "id": p.id,
                "object_id": p.object_id,
                "title": p.title,
                "author": p.author,
                "score": p.score,
                "published": p.published,
                **shown[p.id].as_json(),
            }
            for p in posts
        ]

    found = run(load(), work)
    if as_json:
        print_json(found)
        return
    from fedicom.ideas.lifecycle import LABELS, IdeaStatus

    rows = table("id", "idea", "status", "score", "merged")
    for row in found:
        merged = f"into {row['merged_into']}" if row["merged_into"] else str(row["merged_here"] or "-")
        label = LABELS[IdeaStatus(row["status"])]
        rows.add_row(str(row["id"]), escape(row["title"] or ""), label, str(row["score"]), merged)
    console.print(rows if found else f"No ideas in {community} (with that status).")


COMMANDS: list[click.Command] = []  # its commands join the `ideas` group, registered by cli/ideas.py
