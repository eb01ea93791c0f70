"""Staff page: what a community hears beyond itself, newest first, with volume and sentiment per day as
charts and tables; keywords and hashtags added and removed here, relays by an admin (here or the CLI).

`/staff/communities/NAME/listening?days=N`; `.../listening.json` for scripts.
"""

from __future__ import annotations

import re
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from fedicom.errors import BadRequest
from fedicom.listening.models import ListenKind
from fedicom.listening.report import MOODS, Listening, listening
from fedicom.listening.subscriptions import MAX_TERM, add_relay, add_term, remove
from fedicom.moderation.acting import Acting
from fedicom.web.charts import Series, stacked_bars
from fedicom.web.staff.auth import staff_only
from fedicom.web.staff.layout import attempt, done, form_text, staff_form, staff_page

PERIODS = (7, 30, 90)
PAGE = "/staff/communities/{name}/listening"


def _days(request: Request) -> int:
    raw = request.query_params.get("days", "30")
    if not raw.isdigit() or int(raw) not in PERIODS:
        raise BadRequest(f"days is one of {', '.join(map(str, PERIODS))}")
    return int(raw)


def charts(found: Listening) -> dict[str, Any]:
    days = [d["day"] for d in found.days]

    def column(key: str) -> list[float]:
        return [float(d[key]) for d in found.days]

    return {
        "volume": stacked_bars(
            "c-heard", "Posts heard per day", days, [Series("Posts heard", "chart-a", column("posts"))]
        ),
        "sentiment": stacked_bars(
            "c-heard-sentiment",
            "How the posts heard read, per day",
            days,
            [
                Series("Positive", "chart-good", column("positive")),
                Series("Neutral", "chart-c", column("neutral")),
                Series("Negative", "chart-bad", column("negative")),
                Series("Not scored", "chart-d", column("not_scored")),
            ],
        ),
    }


@staff_only
async def listening_page(request: Request, acting: Acting) -> Response:
    group = await acting.community(request.path_params["name"])
    found = await listening(group, _days(request))
    context = {
        "section": "communities",
        "group": group,
        "tab": "listening",
        "found": found,
        "charts": charts(found),
        "rows": [[d["day"], d["posts"], *(d[m] for m in MOODS)] for d in found.days],
        "periods": PERIODS,
        "max_term": MAX_TERM,
        "keep_days": acting.settings.listen_keep_days,
    }
    return staff_page(request, "staff/listening.html", context)


@staff_only
async def listening_json(request: Request, acting: Acting) -> Response:
    group = await acting.community(request.path_params["name"])
    found = await listening(group, _days(request))
    return JSONResponse(_plain(found.as_json()), headers={"Cache-Control": "private, no-store"})


def _plain(value: Any) -> Any:
    """Datetimes as ISO 8601 strings, for JSON."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value.isoformat() if hasattr(value, "isoformat") else value


@staff_only
async def listening_add(request: Request, acting: Acting) -> Response:
    group = await acting.community(request.path_params["name"])
    form = await staff_form(request)
    url = PAGE.format(name=group.name)
    kind = str(form.get("kind", ""))
    term = form_text(form, "term", 1024, label=kind or "term").strip()
    if kind == ListenKind.RELAY:
        acting.require_admin()
        return await attempt(request, url, add_relay(acting.ctx, group, term), f"Following the relay {term}.")
    if kind not in (ListenKind.KEYWORD, ListenKind.HASHTAG):
        return done(request, url, "choose a keyword or a hashtag", kind="error")
    shown = ("#" if kind == ListenKind.HASHTAG else "") + term.removeprefix("#")
    return await attempt(
        request, url, add_term(group, ListenKind(kind), term), f"{group.name} listens for {shown}."
    )


@staff_only
async def listening_remove(request: Request, acting: Acting) -> Response:
    group = await acting.community(request.path_params["name"])
    form = await staff_form(request)
    url = PAGE.format(name=group.name)
    raw = str(form.get("subscription", ""))
    if re.fullmatch(r"[0-9]{1,9}", raw) is None:
        return done(request, url, "that subscription was removed already", kind="error")
    return await attempt(request, url, remove(acting.ctx, int(raw), [group]), "Stopped listening for it.")


routes = [
    Route(PAGE, listening_page, methods=["GET"]),
    Route(PAGE + ".json", listening_json, methods=["GET"]),
    Route(PAGE, listening_add, methods=["POST"]),
    Route(PAGE + "/remove", listening_remove, methods=["POST"]),
]
