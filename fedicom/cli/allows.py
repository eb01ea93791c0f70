"""`fedicom allow …`: approved servers, for the allowlist and quarantine federation modes."""

from __future__ import annotations

from typing import Any

import click
from rich.markup import escape

from fedicom.cli.acting import as_actor, as_option
from fedicom.cli.base import console, json_option, load, print_json, run, table
from fedicom.groups.context import Groups


@click.group()
def allow() -> None:
    """Approve servers: the only ones federating in allowlist mode; trusted ones in quarantine mode."""


@allow.command("add")
@click.argument("domain")
@click.option("--comment", default="", help="Why the server is approved (for the staff).")
@click.option(
    "--keep-held",
    is_flag=True,
    help="Quarantine mode: leave the server's held posts for moderators instead of releasing them.",
)
@as_option
def allow_add(domain: str, comment: str, keep_held: bool, acting_as: str | None) -> None:
    """Approve DOMAIN (and its subdomains); in quarantine mode its held posts are released."""
    from fedicom.moderation.allows import allow_domain

    settings = load()

    async def work(groups: Groups, moderator: str) -> Any:
        return await allow_domain(
            groups, groups.defed, domain, moderator=moderator, comment=comment, release=not keep_held
        )

    allowed, released = as_actor(settings, acting_as, work)
    console.print(f"Allowed {escape(allowed.domain)}.")
    if released:
        console.print(
            f"Released {released} held posts from {escape(allowed.domain)}; they are announced now."
        )
    if settings.federation_mode in ("open", "blocklist"):
        console.print(
            f"Note: the federation mode is {settings.federation_mode}; the list applies in allowlist "
            "and quarantine modes (FEDICOM_FEDERATION_MODE)."
        )


@allow.command("remove")
@click.argument("domain")
@as_option
def allow_remove(domain: str, acting_as: str | None) -> None:
    """Withdraw the approval of DOMAIN."""
    from fedicom.moderation.allows import disallow_domain

    settings = load()

    async def work(groups: Groups, moderator: str) -> None:
        await disallow_domain(groups, groups.defed, domain, moderator=moderator)

    as_actor(settings, acting_as, work)
    console.print(f"{escape(domain)} is no longer allowed.")


@allow.command("list")
@json_option
def allow_list(as_json: bool) -> None:
    """List approved servers."""
    from fedicom.moderation.allows import list_allows

    rows: list[dict[str, Any]] = [
        {"domain": a.domain, "comment": a.comment, "source": a.source, "since": a.created_at}
        for a in run(load(), list_allows)
    ]
    if as_json:
        print_json(rows)
        return
    shown = table("domain", "comment", "source", "since")
    for r in rows:
        shown.add_row(
            escape(r["domain"]), escape(r["comment"]), escape(r["source"]), r["since"].strftime("%Y-%m-%d")
        )
    console.print(shown)


COMMANDS = [allow]
