"""Staff pages for bans: the bans a staff member may lift, and the form to ban someone.

They call the services of `fedicom ban` and the admin API's /bans (moderation/bans.py), so a ban
federates as Lemmy's Block (with endTime/expires and removeData) and lifting it as Undo{Block}.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import quote

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from fedicom.errors import FedicomError
from fedicom.groups.authors import Author, describe
from fedicom.groups.models import Group
from fedicom.moderation import bans
from fedicom.moderation.acting import Acting
from fedicom.moderation.cleanup import running
from fedicom.moderation.expiry import parse_expiry
from fedicom.moderation.models import Ban
from fedicom.moderation.modlog_public import moderator_name
from fedicom.web.staff.auth import staff_only
from fedicom.web.staff.dashboard import moderated
from fedicom.web.staff.layout import attempt, done, form_text, staff_form, staff_page
from fedicom.web.templating import utc

PAGE = "/staff/bans"
NAME = re.compile(r"^[a-z0-9_]{1,64}$")
MAX_HANDLE = 1024
MAX_REASON = 2000  # as the admin API's Reason
MAX_EXPIRY = 40


@dataclass
class BanForm:
    """What was typed in "Ban someone", kept to fill the form in again when the ban is refused."""

    handle: str = ""
    community: str | None = None  # a community's name; "" is the whole instance; None: not chosen yet
    reason: str = ""
    expires: str = ""
    remove_data: bool = False

    @classmethod
    def read(cls, form: FormData) -> BanForm:
        return cls(
            handle=form_text(form, "handle", MAX_HANDLE).strip(),
            community=form_text(form, "community", 64).strip().lower(),
            reason=form_text(form, "reason", MAX_REASON),
            expires=form_text(form, "expires", MAX_EXPIRY, label="expiry").strip(),
            remove_data=form.get("remove_data") == "1",
        )


@dataclass
class Row:
    """One ban as the page lists it."""

    ban: Ban
    person: Author
    moderator: str

    @property
    def where(self) -> str:
        return self.ban.community.name if self.ban.community else "the whole instance"


def _view(value: str | None) -> str | None:
    """The community whose bans a page shows (its `?community=`, or the form's `view`), if well-formed."""
    name = (value or "").strip().lower()
    return name if NAME.match(name) else None


def _back(view: str | None) -> str:
    return f"{PAGE}?community={quote(view)}" if view else PAGE


async def manageable(acting: Acting, group: Group | None, scopes: list[Group]) -> list[Ban]:
    """Bans in force this staff member may lift, newest first: one community's, or those of every
    community they moderate (`scopes`; admins: every ban, the instance-wide ones too)."""
    if group is not None:
        found = await bans.list_bans(group.name)
    elif acting.staff.is_admin:
        found = await bans.list_bans(everywhere=True)
    else:
        found = [b for g in scopes for b in await bans.list_bans(g.name)]
        found.sort(key=lambda b: b.id, reverse=True)
    now = datetime.now(UTC)
    return [b for b in found if bans.is_active(b, now)]


async def _page(
    request: Request,
    acting: Acting,
    group: Group | None,
    typed: BanForm,
    *,
    error: str | None = None,
    invalid: str | None = None,
    status: int = 200,
) -> Response:
    scopes = await moderated(acting)
    found = await manageable(acting, group, scopes)
    people = await describe([b.actor for b in found], acting.ctx.site)
    rows = [Row(b, people[b.actor], moderator_name(acting.ctx.site, b.moderator)) for b in found]
    context = {
        "section": "bans",
        "group": group,
        "tab": "bans",
        "rows": rows,
        "scopes": scopes,
        "typed": typed,
        "error": error,
        "invalid": invalid,
        "cleanups": await running(None if acting.staff.is_admin else [g.name for g in scopes]),
    }
    return staff_page(request, "staff/bans.html", context, status)


async def _viewed(acting: Acting, view: str | None) -> Group | None:
    return await acting.community(view) if view else None


@staff_only
async def bans_page(request: Request, acting: Acting) -> Response:
    group = await _viewed(acting, _view(request.query_params.get("community")))
    return await _page(request, acting, group, BanForm(community=group.name if group else None))


@staff_only
async def add_ban(request: Request, acting: Acting) -> Response:
    """Ban someone; when refused, the page comes back with the reason and the form as it was typed."""
    form = await staff_form(request)
    typed = BanForm.read(form)
    view = _view(str(form.get("view", "")))
    community = typed.community or None
    invalid = "community"  # the field a refusal is about, as each step passes
    try:
        if community:
            await acting.community(community)
        else:
            acting.require_admin()
        invalid = "expires"
        until = parse_expiry(typed.expires, now=datetime.now(UTC)) if typed.expires else None
        invalid = "handle" if typed.reason.strip() else "reason"
        item = await bans.ban(
            acting.ctx,
            acting.staff,
            typed.handle,
            community=community,
            reason=typed.reason,
            expires=until,
            remove_data=typed.remove_data,
        )
    except FedicomError as exc:
        group = await _viewed(acting, view)
        return await _page(
            request, acting, group, typed, error=exc.reason, invalid=invalid, status=exc.status
        )
    who = (await describe([item.actor], acting.ctx.site))[item.actor]
    where = community or "the whole instance"
    ends = f" until {utc(item.expires_at)}" if item.expires_at else ""
    removed = ", and their posts there are being removed (see Clean-ups running)" if item.remove_data else ""
    return done(request, _back(view), f"Banned {who.handle or item.actor} from {where}{ends}{removed}.")


@staff_only
async def remove_ban(request: Request, acting: Acting) -> Response:
    """Lift a ban by its id, as the admin API's DELETE /bans/{id} does."""
    form = await staff_form(request)
    url = _back(_view(str(form.get("view", ""))))
    raw = str(form.get("ban", ""))
    found = re.fullmatch(r"[0-9]{1,10}", raw) is not None and int(raw) < 2**31
    item = await Ban.filter(id=int(raw)).prefetch_related("community").first() if found else None
    if item is None:
        return done(request, url, "that ban is no longer in force: it was lifted already", kind="error")
    community = item.community.name if item.community else None
    who = (await describe([item.actor], acting.ctx.site))[item.actor]
    lifted = bans.unban(acting.ctx, acting.staff, item.actor, community=community)
    where = community or "the whole instance"
    return await attempt(request, url, lifted, f"Lifted the ban of {who.handle or item.actor} from {where}.")


routes = [
    Route(PAGE, bans_page, methods=["GET"]),
    Route(PAGE, add_ban, methods=["POST"]),
    Route(PAGE + "/remove", remove_ban, methods=["POST"]),
]
