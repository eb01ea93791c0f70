"""`fedicom listen`: relays, keywords and hashtags communities listen for (docs/listening.md)."""

from __future__ import annotations

from typing import Any

import click
from rich.markup import escape

from fedicom.cli.base import console, iso, json_option, load, print_json, run, table


@click.group("listen")
def listen() -> None:
    """Listening beyond the community: public posts from anywhere that match, never announced."""


@listen.command("add")
@click.argument("community")
@click.option("--relay", metavar="URL", help="A relay's actor or inbox URL: the instance actor follows it.")
@click.option("--keyword", metavar="WORD", help="A word or phrase, matched whole, in any case.")
@click.option("--hashtag", metavar="TAG", help="A hashtag, with or without #.")
@json_option
def listen_add(
    community: str, relay: str | None, keyword: str | None, hashtag: str | None, as_json: bool
) -> None:
    """COMMUNITY listens to a relay, or for a keyword or hashtag (exactly one)."""
    from fedicom.app import build_federation
    from fedicom.groups.communities import get_community
    from fedicom.listening.models import ListenKind
    from fedicom.listening.subscriptions import add_relay, add_term

    if sum(v is not None for v in (relay, keyword, hashtag)) != 1:
        raise click.UsageError("give exactly one of --relay, --keyword and --hashtag")
    settings = load()

    async def work() -> dict[str, Any]:
        group = await get_community(community)
        if relay is None:
            kind = ListenKind.KEYWORD if keyword is not None else ListenKind.HASHTAG
            return (await add_term(group, kind, keyword or hashtag or "")).as_json()
        runtime = build_federation(settings)
        try:
            await runtime.fed.start()
            return (await add_relay(runtime.groups, group, relay)).as_json()
        finally:
            await runtime.fed.session.close()

    made = run(settings, work)
    if as_json:
        print_json(made)
        return
    if made["kind"] == "relay":
        console.print(
            f"{community} listens to the relay {escape(made['term'])} ({made['id']}); "
            f"the Follow is {made['relay_state']}."
        )
    else:
        shown = ("#" if made["kind"] == "hashtag" else "") + made["term"]
        console.print(f"{community} listens for {escape(shown)} ({made['id']}).")


@listen.command("list")
@click.option("--community", metavar="NAME", help="Only this community.")
@json_option
def listen_list(community: str | None, as_json: bool) -> None:
    """Every subscription, with each relay's state (pending until it accepts)."""
    from fedicom.groups.communities import get_community
    from fedicom.listening.subscriptions import list_subscriptions

    async def work() -> list[dict[str, Any]]:
        groups = [await get_community(community)] if community else None
        return [s.as_json() for s in await list_subscriptions(groups)]

    found = run(load(), work)
    if as_json:
        print_json(found)
        return
    shown = table("id", "community", "kind", "listens for", "relay state", "announces", "since")
    for s in found:
        term = ("#" if s["kind"] == "hashtag" else "") + s["term"]
        heard = "" if s["relay_heard"] is None else str(s["relay_heard"])
        since = (iso(s["created_at"]) or "")[:10]
        shown.add_row(
            str(s["id"]), s["community"], s["kind"], escape(term), s["relay_state"] or "", heard, since
        )
    console.print(shown if found else "No community listens beyond itself yet.")


@listen.command("remove")
@click.argument("subscription_id", type=int)
def listen_remove(subscription_id: int) -> None:
    """Stop one subscription (see `fedicom listen list`); a relay nobody listens to is left (Undo)."""
    from fedicom.app import build_federation
    from fedicom.listening.subscriptions import remove

    settings = load()

    async def work() -> dict[str, Any]:
        runtime = build_federation(settings)
        try:
            await runtime.fed.start()
            return (await remove(runtime.groups, subscription_id)).as_json()
        finally:
            await runtime.fed.session.close()

    gone = run(settings, work)
    console.print(f"Subscription {subscription_id} ({gone['kind']} {escape(gone['term'])}) removed.")


COMMANDS = [listen]
