"""The moderation log as staff see it: the public /modlog with every moderator named (even with
FEDICOM_MODLOG_HIDE_MODERATORS) and the details the public never sees (where a report was forwarded,
a filter's pattern…), filtered by community, action and moderator. Read-only, like the log itself.

Who reads what follows the admin API's GET /modlog: any staff member reads the whole log, and the
community filter is for the communities they moderate.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from fedicom.errors import BadRequest
from fedicom.groups.authors import Author, describe
from fedicom.groups.communities import Site
from fedicom.http import page_number
from fedicom.moderation import modlog
from fedicom.moderation.acting import Acting
from fedicom.moderation.models import ModlogEntry
from fedicom.moderation.modlog_public import PUBLIC_DETAILS
from fedicom.web.staff.auth import staff_only
from fedicom.web.staff.dashboard import moderated
from fedicom.web.staff.layout import staff_page

PAGE = "/staff/modlog"
PAGE_SIZE = 50


@dataclass(frozen=True)
class Filters:
    """What the log is narrowed to (None: everything), as the page's query string says."""

    community: str | None = None
    action: str | None = None
    moderator: str | None = None

    @classmethod
    def read(cls, params: QueryParams) -> Filters:
        def value(name: str, limit: int) -> str | None:
            text = params.get(name, "").strip()
            if len(text) > limit or "\x00" in text:
                raise BadRequest(f"the {name} filter is not one the log can hold")
            return text or None

        community = value("community", 64)
        return cls(community.lower() if community else None, value("action", 40), value("moderator", 1024))

    def url(self, number: int = 1) -> str:
        """This page of the log with the same filters."""
        pairs = [(k, v) for k, v in vars(self).items() if v] + ([("page", str(number))] if number > 1 else [])
        return f"{PAGE}?{urlencode(pairs)}" if pairs else PAGE


@dataclass
class Line:
    """One entry as staff see it: people by name or handle, the details split into those the public
    sees and the private ones."""

    entry: ModlogEntry
    moderator: str
    target: str
    public: list[tuple[str, str]]
    private: list[tuple[str, str]]


def shown(value: Any) -> str:
    """A detail's value as text ("" for a flag that is simply set)."""
    if value is True:
        return ""
    if isinstance(value, list):
        return ", ".join(map(str, value))
    if isinstance(value, dict):
        return ", ".join(f"{k}: {v}" for k, v in value.items())
    return str(value)


def named(site: Site, people: dict[str, Author], who: str) -> str:
    """Local staff by name, known remote actors by handle, anything else (a post, a domain) as recorded."""
    known = people.get(who)
    return site.staff_from_uri(who) or (known.handle if known else None) or who


def line(site: Site, people: dict[str, Author], entry: ModlogEntry) -> Line:
    details = [(k, v) for k, v in entry.details.items() if v not in (None, False, 0, "", [], {})]
    return Line(
        entry,
        named(site, people, entry.moderator),
        named(site, people, entry.target),
        [(k, shown(v)) for k, v in details if k in PUBLIC_DETAILS],
        [(k, shown(v)) for k, v in details if k not in PUBLIC_DETAILS],
    )


@staff_only
async def modlog_page(request: Request, acting: Acting) -> Response:
    filters = Filters.read(request.query_params)
    number = page_number(request)
    if filters.community:
        await acting.community(filters.community)
    rows = await modlog.entries(
        filters.community,
        action=filters.action,
        moderator=filters.moderator,
        offset=(number - 1) * PAGE_SIZE,
        limit=PAGE_SIZE + 1,
    )
    actions, moderators = await modlog.recorded_choices()
    site = acting.ctx.site
    people = await describe([*moderators, *(e.target for e in rows)], site)
    context = {
        "section": "modlog",
        "filters": filters,
        "lines": [line(site, people, e) for e in rows[:PAGE_SIZE]],
        "number": number,
        "newer": filters.url(number - 1) if number > 1 else None,
        "older": filters.url(number + 1) if len(rows) > PAGE_SIZE else None,
        "communities": await moderated(acting),
        "actions": actions,
        "moderators": [(m, named(site, people, m)) for m in moderators],
        "hidden": bool(acting.settings.modlog_hide_moderators),
    }
    return staff_page(request, "staff/modlog.html", context)


routes = [Route(PAGE, modlog_page, methods=["GET"])]
