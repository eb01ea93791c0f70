"""Staff page of what a community did not share: every refused or held inbound post, newest first, with
the reason, the author, the start of the post and whether the author was told (fedicom/refusals/)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from fedicom.errors import BadRequest
from fedicom.groups.authors import describe
from fedicom.groups.reasons import Reason
from fedicom.http import page_number
from fedicom.moderation.acting import Acting
from fedicom.refusals.listing import Criteria, count_refusals, list_refusals
from fedicom.refusals.models import Told
from fedicom.web.staff.auth import staff_only
from fedicom.web.staff.layout import staff_page

PAGE_SIZE = 50
PERIODS = {"24h": timedelta(hours=24), "7d": timedelta(days=7), "all": None}
REASONS = {
    Reason.NOT_MEMBER: "Not a member",
    Reason.MODERATORS_ONLY: "Threads by moderators only",
    Reason.NOT_PUBLIC: "Not public",
    Reason.DIRECT_MESSAGE: "Direct message",
    Reason.BANNED: "Banned",
    Reason.BLOCKED_SERVER: "Server blocked",
    Reason.THREAD_LOCKED: "Thread locked",
    Reason.THREAD_REMOVED: "Thread removed",
    Reason.THREAD_DELETED: "Thread deleted",
    Reason.THREAD_HELD: "Thread awaiting review",
    Reason.RATE_LIMITED: "Rate limit",
    Reason.FILTERED: "Filter",
    Reason.TOO_MANY_COMMUNITIES: "Too many communities",
    Reason.MOVED: "Community moved",
    Reason.HELD_LINKS: "Held: many links",
    Reason.HELD_FILTER: "Held: filter",
    Reason.HELD_NEW_MEMBER: "Held: new member",
    Reason.HELD_ALL: "Held: every post reviewed",
    Reason.HELD_SERVER: "Held: limited server",
}
TOLD = {
    Told.SENT: "Yes, by direct message",
    Told.ALREADY: "Already told today",
    Told.OFF: "No: notices are off",
    Told.WITHHELD: "No: never told (banned or blocked)",
    Told.DIRECT: "No: a direct message, not a post",
    Told.UNKNOWN: "No: unknown actor",
    Told.VOTE: "No: votes are not answered",
}


def period_of(request: Request) -> str:
    period = request.query_params.get("since", "7d")
    if period not in PERIODS:
        raise BadRequest(f"since is one of {', '.join(PERIODS)}")
    return period


def code_of(request: Request) -> Reason | None:
    raw = request.query_params.get("code", "")
    if not raw:
        return None
    try:
        return Reason(raw)
    except ValueError:
        raise BadRequest(f"unknown reason {raw[:40]!r}") from None


@staff_only
async def refused_page(request: Request, acting: Acting) -> Response:
    group = await acting.community(request.path_params["name"])
    period, code, number = period_of(request), code_of(request), page_number(request)
    span = PERIODS[period]
    criteria = Criteria(groups=[group], since=datetime.now(UTC) - span if span else None, code=code)
    rows = await list_refusals(criteria, limit=PAGE_SIZE + 1, offset=(number - 1) * PAGE_SIZE)
    context = {
        "section": "communities",
        "group": group,
        "tab": "refused",
        "rows": rows[:PAGE_SIZE],
        "has_next": len(rows) > PAGE_SIZE,
        "number": number,
        "total": await count_refusals(criteria),
        "period": period,
        "periods": PERIODS,
        "code": code,
        "reasons": REASONS,
        "told": TOLD,
        "authors": await describe([r.author for r in rows], acting.ctx.site),
    }
    return staff_page(request, "staff/refused.html", context)


routes = [Route("/staff/c/{name}/refused", refused_page)]
