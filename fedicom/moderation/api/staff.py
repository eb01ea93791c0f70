"""Admin API: staff accounts (admins only) and who the caller is."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from fedicom.groups.communities import Site
from fedicom.moderation import modlog
from fedicom.moderation.api.framework import Call
from fedicom.moderation.api.params import NO_NUL, Name, NamePath, Strict
from fedicom.moderation.api.registry import api
from fedicom.moderation.models import ModlogAction
from fedicom.staff.accounts import MIN_PASSWORD, create_staff, list_staff, remove_staff
from fedicom.staff.models import Staff


class StaffOut(BaseModel):
    username: str
    display_name: str
    is_admin: bool
    disabled: bool
    actor: str = Field(description="The Person actor moderation activities are federated as.")
    created_at: datetime


class StaffCreate(Strict):
    username: Name
    password: str = Field(min_length=MIN_PASSWORD, max_length=1024)
    is_admin: bool = False
    display_name: str = Field("", max_length=200, pattern=NO_NUL)


def staff_out(site: Site, staff: Staff) -> StaffOut:
    return StaffOut(
        username=staff.username,
        display_name=staff.display_name,
        is_admin=staff.is_admin,
        disabled=staff.disabled,
        actor=site.staff_uri(staff.username),
        created_at=staff.created_at,
    )


@api.endpoint(
    "GET",
    "/me",
    summary="The staff member the token belongs to",
    scope="read",
    tag="staff",
    response=StaffOut,
)
async def whoami(call: Call) -> StaffOut:
    """The calling staff member's account."""
    return staff_out(call.ctx.site, call.staff)


@api.endpoint(
    "GET", "/staff", summary="List staff accounts", scope="admin", tag="staff", response=list[StaffOut]
)
async def staff_list(call: Call) -> list[StaffOut]:
    """Every staff account, disabled ones included, by name."""
    return [staff_out(call.ctx.site, s) for s in await list_staff()]


@api.endpoint(
    "POST",
    "/staff",
    summary="Create a staff account",
    scope="admin",
    tag="staff",
    body=StaffCreate,
    response=StaffOut,
    status=201,
)
async def staff_create(call: Call, body: StaffCreate) -> StaffOut:
    """A new staff account (its name must not be a community's: they share handles)."""
    staff = await create_staff(
        body.username, body.password, is_admin=body.is_admin, display_name=body.display_name
    )
    await modlog.record(
        call.actor, ModlogAction.CREATE_STAFF, staff.username, details={"admin": staff.is_admin}
    )
    return staff_out(call.ctx.site, staff)


@api.endpoint(
    "DELETE",
    "/staff/{name}",
    summary="Disable a staff account",
    scope="admin",
    tag="staff",
    path_model=NamePath,
)
async def staff_remove(call: Call, path: NamePath) -> None:
    """Disable the account and revoke its tokens; its modlog entries stay."""
    await remove_staff(path.name, record=modlog.staff_removed(call.actor), by_username=call.staff.username)
