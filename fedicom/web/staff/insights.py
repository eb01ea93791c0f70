"""Staff pages: a community's insights as charts with their tables, and the same figures as CSV and JSON.

`/staff/communities/NAME/insights?days=N` for the page; `.../insights.csv` (one row per day, the
engagement stages empty on a day without a snapshot) and `.../insights.json` (everything
`fedicom insights --json` prints) for spreadsheets and scripts. `/staff/insights` (and its .csv and
.json) is every community's together, for admins.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from fedicom.errors import BadRequest
from fedicom.groups.models import Group, Post
from fedicom.groups.text import plain_text
from fedicom.insights import experts
from fedicom.insights.alerts import describe
from fedicom.insights.models import Alert
from fedicom.insights.report import DAY_SUMS, MOODS, Insights, insights, instance_insights
from fedicom.insights.scoring import Stage
from fedicom.insights.stages import Move, movement, thresholds
from fedicom.moderation.acting import Acting
from fedicom.web.charts import Series, bars, lines, stacked_bars
from fedicom.web.staff.auth import staff_only
from fedicom.web.staff.layout import attempt, form_text, staff_form, staff_page

PERIODS = (7, 30, 90)
STAGE_NAMES = {
    Stage.FOLLOWING: "Following only",
    Stage.FIRST: "First contribution",
    Stage.REGULAR: "Regular",
    Stage.PASSIONATE: "Passionate",
}
STAGE_CSS = {
    Stage.FOLLOWING: "chart-c",
    Stage.FIRST: "chart-b",
    Stage.REGULAR: "chart-a",
    Stage.PASSIONATE: "chart-good",
}
STAGE_NOUNS = {  # one, many: "12 more regulars"
    Stage.FOLLOWING: ("member following only", "members following only"),
    Stage.FIRST: ("first contributor", "first contributors"),
    Stage.REGULAR: ("regular", "regulars"),
    Stage.PASSIONATE: ("passionate member", "passionate members"),
}
# More regulars or passionate members is good news; the other stages stay uncoloured (fewer first
# contributors may mean they became regulars).
GROWTH_IS_GOOD = (Stage.REGULAR, Stage.PASSIONATE)
CSV_COLUMNS = (
    "day", *DAY_SUMS, "members", "active", "views", *MOODS, *(s.value for s in Stage),
    "questions_asked", "answers_accepted", "hours_to_accepted_median",  # empty but in questions communities
)  # fmt: skip


def _days(request: Request) -> int:
    raw = request.query_params.get("days", "30")
    if not raw.isdigit() or int(raw) not in PERIODS:
        raise BadRequest(f"days is one of {', '.join(map(str, PERIODS))}")
    return int(raw)


def _snapshots(found: Insights) -> dict[str, dict[str, Any]]:
    """The period's stage snapshots by day; a day missing here had none (a gap, not zero members)."""
    return {row["day"]: row for row in found.stage_days}


def in_words(move: Move, days_ago: int) -> str:
    """The movement as a community manager would say it: "12 more regulars than 29 days ago"."""
    one, many = STAGE_NOUNS[move.stage]
    when = "yesterday" if days_ago == 1 else f"{days_ago} days ago"
    n = abs(move.change)
    if n == 0:
        return f"as many {many} as {when}"
    return f"{n} {'more' if move.change > 0 else 'fewer'} {one if n == 1 else many} than {when}"


def moved(found: Insights) -> dict[str, Any] | None:
    """Each stage's net movement over the period, for its table; None before a second snapshot."""
    net = movement(found.stage_days)
    if net is None:
        return None
    days_ago = (date.fromisoformat(found.period["end"]) - net.first).days

    def mood(move: Move) -> str:
        if move.change == 0 or move.stage not in GROWTH_IS_GOOD:
            return ""
        return "better" if move.change > 0 else "worse"

    rows = [
        {
            "name": STAGE_NAMES[m.stage],
            "start": m.start,
            "end": m.end,
            "change": f"{m.change:+d}" if m.change else "0",
            "words": in_words(m, days_ago),
            "mood": mood(m),
        }
        for m in net.moves
    ]
    return {"first": net.first, "last": net.last, "rows": rows}


async def _found(request: Request, acting: Acting, group: Group | None = None) -> Insights:
    """The community's insights named in the path; without a name, the instance's (admins only)."""
    limits = thresholds(acting.settings)
    if "name" not in request.path_params:
        acting.require_admin()
        return await instance_insights(_days(request), limits=limits)
    group = group or await acting.community(request.path_params["name"])
    return await insights(group, _days(request), limits=limits)


def tables(found: Insights) -> dict[str, list[list[Any]]]:
    """The charts' figures as rows, for the tables beside them."""

    def rows(source: list[dict[str, Any]], *keys: str) -> list[list[Any]]:
        return [[row["day"], *(row[k] for k in keys)] for row in source]

    return {
        "members": rows(found.days, "members", "joins", "leaves"),
        "activity": rows(found.days, "posts", "comments", "votes"),
        "active": rows(found.days, "active"),
        "views": rows(found.days, "views"),
        "sentiment": rows(found.sentiment, *MOODS),
        "stages": rows(found.stage_days, *(s.value for s in Stage)),
    }


def charts(found: Insights) -> dict[str, Any]:
    days = [d["day"] for d in found.days]
    snapshots = _snapshots(found)

    def column(key: str) -> list[float]:
        return [float(d[key]) for d in found.days]

    def stage_column(stage: Stage) -> list[float | None]:
        return [float(snapshots[day][stage.value]) if day in snapshots else None for day in days]

    return {
        "members": lines(
            "c-members",
            "Members at the end of each day",
            days,
            [Series("Members", "chart-a", column("members"))],
        ),
        "activity": stacked_bars(
            "c-activity",
            "Posts, comments and votes per day",
            days,
            [
                Series("Posts", "chart-a", column("posts")),
                Series("Comments", "chart-b", column("comments")),
                Series("Votes", "chart-c", column("votes")),
            ],
        ),
        "views": lines(
            "c-views", "Page views per day", days, [Series("Page views", "chart-a", column("views"))]
        ),
        "active": lines(
            "c-active", "Members active each day", days, [Series("Active", "chart-b", column("active"))]
        ),
        "sentiment": stacked_bars(
            "c-sentiment",
            "How posts and comments read, per day",
            days,
            [
                Series("Positive", "chart-good", column("positive")),
                Series("Neutral", "chart-c", column("neutral")),
                Series("Negative", "chart-bad", column("negative")),
                Series("Not scored", "chart-d", column("not_scored")),
            ],
        ),
        "stages": bars(
            "c-stages", "Members by engagement stage", [(STAGE_NAMES[s], found.stages[s]) for s in Stage]
        ),
        "stage_days": lines(
            "c-stage-days",
            "Members by engagement stage, day by day",
            days,
            [Series(STAGE_NAMES[s], STAGE_CSS[s], stage_column(s)) for s in Stage],
        ),
        "first_reply": bars(
            "c-first-reply",
            "Threads by wait for a first reply",
            [
                ("Under 1 hour", found.first_reply["under_1h"]),
                ("1 to 4 hours", found.first_reply["1h_to_4h"]),
                ("4 to 24 hours", found.first_reply["4h_to_24h"]),
                ("Over 24 hours", found.first_reply["over_24h"]),
                ("No reply yet", found.first_reply["none"]),
            ],
            "chart-b",
        ),
        "software": bars(
            "c-software",
            "Members by server software",
            [(r["software"], r["members"]) for r in found.by_software],
        ),
    }


@staff_only
async def insights_page(request: Request, acting: Acting) -> Response:
    group = await acting.community(request.path_params["name"]) if "name" in request.path_params else None
    found = await _found(request, acting, group)
    scope = Alert.filter(group_id=group.id) if group else Alert.all()
    raised = await scope.prefetch_related("group").order_by("-day", "-id").limit(10)
    behind = [item["post"] for a in raised for item in a.behind if "post" in item]
    titled = await Post.filter(id__in=behind).values_list("id", "title", "content")
    context = {
        "section": "communities" if group else "insights",
        "group": group,
        "base": f"/staff/communities/{group.name}/insights" if group else "/staff/insights",
        "tab": "insights",
        "found": found,
        "charts": charts(found),
        "tables": tables(found),
        "limits": thresholds(acting.settings),
        "periods": PERIODS,
        "stage_names": {s.value: STAGE_NAMES[s] for s in Stage},
        "stage_keys": [(STAGE_NAMES[s], STAGE_CSS[s]) for s in Stage],
        "movement": moved(found),
        "alerts": [(a, describe(a), a.group.name) for a in raised],
        "post_titles": {i: title or plain_text(content, 60) for i, title, content in titled},
        "experts": await experts.of(group) if group else frozenset(),
    }
    return staff_page(request, "staff/insights.html", context)


@staff_only
async def insights_json(request: Request, acting: Acting) -> Response:
    found = await _found(request, acting)
    return JSONResponse(found.as_json(), headers={"Cache-Control": "private, no-store"})


@staff_only
async def insights_csv(request: Request, acting: Acting) -> Response:
    found = await _found(request, acting)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    snapshots = _snapshots(found)
    writer.writerows({**snapshots.get(d["day"], {}), **d} for d in found.days)
    name = f"{found.community or 'instance'}-insights-{found.period['start']}-{found.period['end']}.csv"
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "private, no-store",
        },
    )


@staff_only
async def expert_action(request: Request, acting: Acting) -> Response:
    """Recognise a member as an expert of the community, or stop: the pages show it by their name."""
    form = await staff_form(request)
    group = await acting.community(request.path_params["name"])
    actor = form_text(form, "actor", 1024, label="member's address").strip()
    back = f"/staff/communities/{group.name}/insights#people-heading"
    if form.get("action") == "grant":
        success = f"{actor} is shown as an expert of {group.title} now"
        return await attempt(request, back, experts.grant(group, actor, by=acting.actor), success)
    success = f"{actor} is no longer shown as an expert of {group.title}"
    return await attempt(request, back, experts.revoke(group, actor), success)


routes = [
    Route("/staff/insights", insights_page),
    Route("/staff/insights.json", insights_json),
    Route("/staff/insights.csv", insights_csv),
    Route("/staff/communities/{name}/experts", expert_action, methods=["POST"]),
    Route("/staff/communities/{name}/insights", insights_page),
    Route("/staff/communities/{name}/insights.json", insights_json),
    Route("/staff/communities/{name}/insights.csv", insights_csv),
]
