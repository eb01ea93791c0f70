"""`fedicom staff …` and `fedicom token …`: staff accounts and their API tokens."""

from __future__ import annotations

import sys
from typing import Any

import click
from rich.markup import escape

from fedicom.cli.acting import as_option
from fedicom.cli.base import console, err_console, json_option, load, print_json, run, table
from fedicom.errors import Forbidden


def read_password(prompt: str, *, from_stdin: bool) -> str:
    """The first line of stdin (for scripts), or typed twice at a hidden prompt."""
    from fedicom.staff.accounts import MIN_PASSWORD

    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return str(
        click.prompt(
            f"{prompt} (at least {MIN_PASSWORD} characters)", hide_input=True, confirmation_prompt=True
        )
    )


@click.group()
def staff() -> None:
    """Staff accounts: instance admins and community moderators of this server."""


@staff.command("create")
@click.argument("name")
@click.option("--admin", is_flag=True, help="An instance admin (moderates every community).")
@click.option("--display-name", default="", help="Name shown on the staff member's Person actor.")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of stdin.")
def staff_create(name: str, admin: bool, display_name: str, password_stdin: bool) -> None:
    """Create the staff account NAME (a-z, 0-9, _; not a community's name)."""
    from fedicom.moderation import modlog
    from fedicom.moderation.models import ModlogAction
    from fedicom.staff.accounts import create_staff

    settings = load()
    password = read_password("Password", from_stdin=password_stdin)

    async def work() -> Any:
        created = await create_staff(name, password, is_admin=admin, display_name=display_name)
        await modlog.record("cli", ModlogAction.CREATE_STAFF, created.username, details={"admin": admin})
        return created

    created = run(settings, work)
    role = "admin" if created.is_admin else "staff member"
    console.print(
        f"Created {role} [bold]{created.username}[/bold] ({settings.base_url}/u/{created.username}, "
        f"@{created.username}@{settings.domain})."
    )


@staff.command("password")
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of stdin.")
def staff_password(name: str, password_stdin: bool) -> None:
    """Set a new password for NAME and sign out every browser signed in as NAME."""
    from fedicom.moderation import modlog
    from fedicom.moderation.models import ModlogAction
    from fedicom.staff.accounts import set_password

    settings = load()
    password = read_password("New password", from_stdin=password_stdin)

    async def work() -> Any:
        changed = await set_password(name, password)
        await modlog.record("cli", ModlogAction.SET_PASSWORD, changed[0].username)
        return changed

    changed, ended = run(settings, work)
    signed_out = f"; {ended} signed-in browser{'' if ended == 1 else 's'} signed out" if ended else ""
    console.print(f"New password set for [bold]{changed.username}[/bold]{signed_out}.")


@staff.command("list")
@json_option
def staff_list(as_json: bool) -> None:
    """List staff accounts."""
    from fedicom.staff.accounts import list_staff

    rows: list[dict[str, Any]] = [
        {
            "name": s.username,
            "admin": s.is_admin,
            "disabled": s.disabled,
            "display_name": s.display_name,
            "email": s.email,
            "since": s.created_at,
        }
        for s in run(load(), list_staff)
    ]
    if as_json:
        print_json(rows)
        return
    shown = table("name", "role", "state", "display name", "since")
    for r in rows:
        shown.add_row(
            r["name"],
            "admin" if r["admin"] else "staff",
            "disabled" if r["disabled"] else "active",
            escape(r["display_name"]),
            r["since"].strftime("%Y-%m-%d"),
        )
    console.print(shown)


@staff.command("edit")
@click.argument("name")
@click.option("--email", help='Where notification emails go ("" removes the address).')
def staff_edit(name: str, email: str | None) -> None:
    """Change the account NAME: its email address."""
    from fedicom.notifications.preferences import set_email
    from fedicom.staff.accounts import get_staff

    if email is None:
        raise click.UsageError("say what to change, e.g. --email alice@example.org")
    settings = load()

    async def work() -> Any:
        return await set_email(await get_staff(name), email)

    changed = run(settings, work)
    where = escape(changed.email) if changed.email else "no address"
    console.print(f"[bold]{changed.username}[/bold]'s notification emails go to {where}.")


@staff.command("remove")
@click.argument("name")
@as_option
def staff_remove(name: str, acting_as: str | None) -> None:
    """Disable the account NAME and revoke its tokens (its modlog entries stay)."""
    from fedicom.groups.communities import Site
    from fedicom.moderation import modlog
    from fedicom.staff.accounts import acting, remove_staff

    settings = load()
    site = Site(settings.base_url, settings.domain)

    async def work() -> None:
        by = await acting(acting_as)
        if not by.is_admin:
            raise Forbidden(f"{by.username} is not an instance admin")
        removal = modlog.staff_removed(site.staff_uri(by.username))
        await remove_staff(name, record=removal, by_username=by.username)

    run(settings, work)
    console.print(f"Disabled {escape(name)} and revoked its API tokens.")


@click.group()
def token() -> None:
    """API tokens for the admin API (/api/v1/admin); a secret is shown once, at creation."""


@token.command("create")
@as_option
@click.option("--name", "label", required=True, help="A label, e.g. the tool that uses it.")
@click.option(
    "--scope",
    "scopes",
    multiple=True,
    type=click.Choice(["read", "moderate", "admin"]),
    default=["read"],
    show_default=True,
    help="read < moderate < admin (repeatable); admin is for admins' tokens.",
)
@click.option("--expires", help="Lifetime like 12h, 30d or 8w (default: never).")
def token_create(acting_as: str | None, label: str, scopes: tuple[str, ...], expires: str | None) -> None:
    """Create an API token and print its secret (once)."""
    from fedicom.staff.accounts import acting
    from fedicom.staff.tokens import create_token, parse_duration

    settings = load()

    async def work() -> Any:
        owner = await acting(acting_as)
        lifetime = parse_duration(expires) if expires else None
        return await create_token(owner, label, list(scopes), lifetime=lifetime)

    created, secret = run(settings, work)
    until = created.expires_at.strftime("%Y-%m-%d %H:%M UTC") if created.expires_at else "never"
    err_console.print(
        f"Token {created.id} ({escape(created.name)}, scopes {', '.join(created.scopes)}, expires {until}). "
        "Copy the secret now: it is not shown again."
    )
    click.echo(secret)


@token.command("list")
@click.option("--as", "whose", envvar="FEDICOM_STAFF", help="Whose tokens (default: everyone's).")
@json_option
def token_list(whose: str | None, as_json: bool) -> None:
    """List API tokens (never their secrets)."""
    from fedicom.staff.accounts import get_staff
    from fedicom.staff.tokens import list_tokens, token_state

    settings = load()

    async def work() -> list[Any]:
        return await list_tokens(await get_staff(whose) if whose else None)

    rows: list[dict[str, Any]] = [
        {
            "id": t.id,
            "staff": t.staff.username,
            "name": t.name,
            "scopes": list(t.scopes),
            "state": token_state(t),
            "expires_at": t.expires_at,
            "last_used_at": t.last_used_at,
            "created_at": t.created_at,
        }
        for t in run(settings, work)
    ]
    if as_json:
        print_json(rows)
        return
    shown = table("id", "staff", "name", "scopes", "state", "expires", "last used")
    for r in rows:
        shown.add_row(
            str(r["id"]),
            r["staff"],
            escape(r["name"]),
            ",".join(r["scopes"]),
            r["state"],
            r["expires_at"].strftime("%Y-%m-%d %H:%M") if r["expires_at"] else "never",
            r["last_used_at"].strftime("%Y-%m-%d %H:%M") if r["last_used_at"] else "never",
        )
    console.print(shown)


@token.command("revoke")
@click.argument("token_id", type=int)
@as_option
def token_revoke(token_id: int, acting_as: str | None) -> None:
    """Revoke token TOKEN_ID: it stops working at once."""
    from fedicom.staff.accounts import acting
    from fedicom.staff.tokens import revoke_token

    settings = load()

    async def work() -> None:
        await revoke_token(await acting(acting_as), token_id)

    run(settings, work)
    console.print(f"Revoked token {token_id}.")


COMMANDS = [staff, token]
