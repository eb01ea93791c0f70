"""What moderation commands share: `--as STAFF`, and running with the federation runtime started.

Every command that acts as a staff member takes `as_option` and runs its work through `as_staff`
(services that take the Staff row) or `as_actor` (services that take their Person actor URI).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

import click

from fedicom.cli.base import run
from fedicom.groups.context import Groups
from fedicom.settings import Settings
from fedicom.staff.models import Staff

T = TypeVar("T")

as_option = click.option(
    "--as",
    "acting_as",
    envvar="FEDICOM_STAFF",
    default=None,
    metavar="STAFF",
    help="Staff account acting (default: the only admin). Env: FEDICOM_STAFF.",
)


def as_staff(settings: Settings, acting_as: str | None, work: Callable[[Groups, Staff], Awaitable[T]]) -> T:
    """Run `work(groups, staff)` with the database open, the runtime started and the staff resolved;
    what it queues is delivered by the server's (or `fedicom worker`'s) delivery loop."""
    from fedicom.app import build_federation
    from fedicom.staff.accounts import acting

    async def wrapped() -> T:
        runtime = build_federation(settings)
        try:
            await runtime.fed.start()
            staff = await acting(acting_as)
            return await work(runtime.groups, staff)
        finally:
            await runtime.fed.session.close()

    return run(settings, wrapped)


def as_actor(settings: Settings, acting_as: str | None, work: Callable[[Groups, str], Awaitable[T]]) -> T:
    """`as_staff` for services that take the acting staff member's Person actor URI (the modlog's
    `moderator`, the `actor` of what federates)."""
    return as_staff(
        settings, acting_as, lambda groups, staff: work(groups, groups.site.staff_uri(staff.username))
    )
