"""`fedicom refused list`: the inbound posts communities refused or hold, with the reason and whether the
author was told. Its own command rather than a state of `post list`: a refused post was never stored as
a post (it has no number to act on), and the list spans communities."""

from __future__ import annotations

from datetime import UTC, datetime

import click
from rich.markup import escape

from fedicom.cli.base import console, json_option, load, print_json, run, table
from fedicom.groups.reasons import Reason
from fedicom.refusals.models import Refusal


@click.group("refused")
def refused() -> None:
    """Posts, replies and votes communities refused or hold for review, and why."""


@refused.command("list")
@click.option("--community", metavar="NAME", help="Only this community (default: every one).")
@click.option("--since", metavar="WHEN", help="Only these: 30m, 24h, 7d or an ISO date (2026-12-01).")
@click.option("--code", type=click.Choice([r.value for r in Reason]), help="Only this reason.")
@click.option("--held/--refused-only", default=None, help="Only held posts, or only refused ones.")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 500))
@json_option
def refused_list(
    community: str | None, since: str | None, code: str | None, held: bool | None, limit: int, as_json: bool
) -> None:
    """List refused and held inbound posts, newest first."""
    from fedicom.groups.communities import get_community
    from fedicom.refusals.listing import Criteria, list_refusals, parse_since

    async def work() -> list[Refusal]:
        criteria = Criteria(
            groups=[await get_community(community)] if community else None,
            since=parse_since(since, datetime.now(UTC)) if since else None,
            code=Reason(code) if code else None,
            held=held,
        )
        return await list_refusals(criteria, limit=limit)

    rows = run(load(), work)
    if as_json:
        print_json([_as_dict(r) for r in rows])
        return
    shown = table("id", "community", "received", "author", "kind", "reason", "told", "excerpt")
    for r in rows:
        shown.add_row(
            str(r.id),
            r.group.name,
            r.created_at.strftime("%Y-%m-%d %H:%M"),
            escape(r.author),
            r.kind,
            escape(f"{'held: ' if r.held else ''}{r.code}: {r.reason}"),
            r.told,
            escape(r.excerpt[:60]),
        )
    console.print(shown if rows else "Nothing was refused or held.")


def _as_dict(row: Refusal) -> dict[str, object]:
    return {
        "id": row.id,
        "community": row.group.name,
        "author": row.author,
        "object_id": row.object_id,
        "activity_id": row.activity_id,
        "kind": row.kind,
        "code": row.code,
        "held": row.held,
        "reason": row.reason,
        "excerpt": row.excerpt,
        "told": row.told,
        "received": row.created_at.isoformat(),
    }


COMMANDS = [refused]
