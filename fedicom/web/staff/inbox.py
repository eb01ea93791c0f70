"""The staff inbox page: what needs the signed-in staff member, newest first, unread ones marked, and
marking them read one by one or all at once, through the services `fedicom notifications` and the
admin API call (notifications/inbox.py)."""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.datastructures import FormData, QueryParams
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from fedicom.errors import FedicomError
from fedicom.groups.authors import describe
from fedicom.http import page_number
from fedicom.moderation.acting import Acting
from fedicom.notifications.inbox import (
    InboxFilter,
    count_notifications,
    list_notifications,
    mark_all_read,
    mark_read,
)
from fedicom.notifications.models import NotificationKind
from fedicom.notifications.told import SENTENCES
from fedicom.web.staff.auth import staff_only
from fedicom.web.staff.dashboard import moderated
from fedicom.web.staff.layout import done, staff_form, staff_page

INBOX = "/staff/inbox"
PAGE_SIZE = 50
KIND_NAMES = {
    NotificationKind.REPLY: "Replies",
    NotificationKind.MENTION: "Mentions",
    NotificationKind.REPORT: "Reports",
    NotificationKind.JOIN_REQUEST: "Join requests",
    NotificationKind.HELD_POST: "Held posts",
    NotificationKind.ALERT: "Alerts",
}


def _filter(values: QueryParams | FormData) -> InboxFilter:
    return InboxFilter.parse(
        unread=str(values.get("show", "")) == "unread",
        kind=str(values.get("kind", ""))[:40],
        community=str(values.get("community", ""))[:64],
    )


def inbox_url(only: InboxFilter) -> str:
    """The inbox showing what `only` selects (where each action returns)."""
    query = {
        "show": "unread" if only.unread else "",
        "kind": only.kind.value if only.kind else "",
        "community": only.community or "",
    }
    kept = {k: v for k, v in query.items() if v}
    return f"{INBOX}?{urlencode(kept)}" if kept else INBOX


@staff_only
async def inbox_page(request: Request, acting: Acting) -> Response:
    only = _filter(request.query_params)
    number = page_number(request)
    items = await list_notifications(acting.staff, only, limit=PAGE_SIZE + 1, offset=(number - 1) * PAGE_SIZE)
    has_next = len(items) > PAGE_SIZE
    items = items[:PAGE_SIZE]
    people = await describe([n.actor for n in items], acting.ctx.site)
    sentences = {
        n.id: SENTENCES[NotificationKind(n.kind)].format(
            actor=people[n.actor].handle or people[n.actor].name,
            where=n.community.title if n.community else "this server",
        )
        for n in items
    }
    context = {
        "section": "inbox",
        "items": items,
        "sentences": sentences,
        "only": only,
        "kinds": KIND_NAMES,
        "communities": await moderated(acting),
        "total": await count_notifications(acting.staff, only),
        "unread_here": await count_notifications(acting.staff, InboxFilter(True, only.kind, only.community)),
        "number": number,
        "has_next": has_next,
        "here": inbox_url(only),
    }
    return staff_page(request, "staff/inbox.html", context)


@staff_only
async def read_one(request: Request, acting: Acting) -> Response:
    form = await staff_form(request)
    number: int = request.path_params["id"]
    try:
        back = inbox_url(_filter(form))
        await mark_read(acting.staff, number)
    except FedicomError as exc:
        return done(request, INBOX, exc.reason, kind="error")
    return done(request, back, f"notification {number} is marked read")


@staff_only
async def read_all(request: Request, acting: Acting) -> Response:
    form = await staff_form(request)
    try:
        only = _filter(form)
        count = await mark_all_read(acting.staff, only)
    except FedicomError as exc:
        return done(request, INBOX, exc.reason, kind="error")
    said = "no notification was unread" if not count else f"{count} notification{'' if count == 1 else 's'}"
    return done(request, inbox_url(only), said if not count else f"{said} marked read")


routes = [
    Route(INBOX, inbox_page),
    Route(INBOX + "/{id:int}/read", read_one, methods=["POST"]),
    Route(INBOX + "/read-all", read_all, methods=["POST"]),
]
