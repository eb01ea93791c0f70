"""`fedicom ideas`: a community's ideas that say the same thing as a text, and finding every idea's
likely duplicates again (docs/ideas.md)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click
from rich.markup import escape

from fedicom.cli.base import console, err_console, json_option, load, print_json, run, table
from fedicom.cli.waiting import progress_bar

if TYPE_CHECKING:
    from fedicom.ideas.catalog import Similar
    from fedicom.ideas.reindex import Reindexed


@click.group("ideas")
def ideas() -> None:
    """Ideas that say the same thing: in communities whose threads are ideas."""


@ideas.command("similar")
@click.argument("community")
@click.option("--text", required=True, help="The text of an idea (its title and body).")
@click.option("--limit", type=click.IntRange(1, 100), default=10, show_default=True, help="Ideas shown.")
@json_option
def ideas_similar(community: str, text: str, limit: int, as_json: bool) -> None:
    """COMMUNITY's ideas that say most nearly what TEXT says, best first, with a score from 0 to 1
    (from 0.5, a likely duplicate)."""
    from fedicom.groups.communities import get_community
    from fedicom.ideas.catalog import Catalog
    from fedicom.ideas.matches import similar_ideas

    settings = load()

    async def work() -> list[Similar]:
        return await similar_ideas(Catalog(), await get_community(community), text, limit)

    found = run(settings, work)
    if as_json:
        print_json([{"id": s.object_id, "title": s.title, "score": s.score} for s in found])
        return
    if not found:
        console.print(f"No idea of {community} shares a word with this text.")
        return
    shown = table("score", "post", "title", "id")
    for s in found:
        shown.add_row(f"{s.score:.2f}", str(s.post_id), escape(s.title), escape(s.object_id))
    console.print(shown)


@ideas.command("reindex")
@click.argument("community", required=False)
@json_option
def ideas_reindex(community: str | None, as_json: bool) -> None:
    """Find the likely duplicates of every idea of COMMUNITY (or of every community) again; nobody is
    replied to. Safe while the server runs."""
    from fedicom.groups.communities import get_community, list_communities
    from fedicom.ideas.catalog import Catalog
    from fedicom.ideas.reindex import reindex
    from fedicom.ideas.scope import indexes

    settings = load()

    async def work() -> list[Reindexed]:
        groups = [await get_community(community)] if community else await list_communities()
        catalog = Catalog()
        with progress_bar(err_console if as_json else console) as progress:
            return [await reindex(catalog, g, progress) for g in groups if indexes(g)]

    done = run(settings, work)
    if as_json:
        print_json([r.as_json() for r in done])
        return
    if not done:
        console.print("There is no community whose threads are ideas.")
        return
    shown = table("community", "ideas", "with likely duplicates", "matches", "seconds")
    for r in done:
        shown.add_row(escape(r.community), str(r.ideas), str(r.with_matches), str(r.matches), str(r.seconds))
    console.print(shown)
    ideas_total = sum(r.ideas for r in done)
    console.print(
        f"Found the likely duplicates of {ideas_total} ideas in {len(done)} "
        f"{'community' if len(done) == 1 else 'communities'} again."
    )


COMMANDS = [ideas]
