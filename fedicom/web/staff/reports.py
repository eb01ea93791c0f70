"""Staff pages of the report queue: the reports a staff member may see, one report with what it names,
and closing, forwarding or acting on it, through the services `fedicom reports` and the admin API
call (moderation/reports.py): closing tells the community's remote moderators with Resolve{Flag}.

Staff see who reported; the forwarded Flags never name them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from fedicom.errors import BadRequest, FedicomError, NotFound
from fedicom.groups.authors import describe
from fedicom.groups.context import Groups
from fedicom.groups.models import Post
from fedicom.http import page_number
from fedicom.moderation import reports
from fedicom.moderation.acting import Acting
from fedicom.moderation.models import Report, ReportState
from fedicom.moderation.removals import remove_post
from fedicom.moderation.rules import rules_list
from fedicom.staff.models import Staff
from fedicom.web.staff.auth import staff_only
from fedicom.web.staff.dashboard import moderated
from fedicom.web.staff.layout import MAX_ID, done, staff_form, staff_page
from fedicom.web.staff.posts import label, rule_field, text_field

QUEUE = "/staff/reports"
STATES = (*reports.STATES, "all")
PAGE_SIZE = 50


@dataclass
class Reported:
    """A report as the pages show it: the reported posts stored here, and what else it names
    (the account, or posts this server never received)."""

    report: Report
    posts: list[Post]
    others: list[str]


async def with_targets(found: list[Report]) -> list[Reported]:
    """The reports with their posts, read in one query; a community's report names only its posts
    (a post cross-posted to several communities is one row in each)."""
    targets = sorted({t for r in found for t in r.targets})
    posts = (
        await Post.filter(object_id__in=targets).prefetch_related("group").order_by("id") if targets else []
    )
    items = []
    for r in found:
        community = r.community_id  # type: ignore[attr-defined]
        mine = [p for p in posts if p.object_id in r.targets and community in (None, p.group.id)]
        known = {p.object_id for p in mine}
        items.append(Reported(r, mine, [t for t in r.targets if t not in known]))
    return items


def people(items: list[Reported]) -> list[str]:
    """Everyone the pages show: reporters, reported accounts and the authors of reported posts."""
    found = [i.report.reporter for i in items] + [u for i in items for u in i.others]
    return found + [p.author for i in items for p in i.posts]


@staff_only
async def queue(request: Request, acting: Acting) -> Response:
    community = request.query_params.get("community", "").strip() or None
    state = request.query_params.get("state", "open")
    number = page_number(request)
    total = await reports.count_reports(acting.ctx, acting.staff, community=community, state=state)
    shown = await reports.list_reports(
        acting.ctx,
        acting.staff,
        community=community,
        state=state,
        offset=(number - 1) * PAGE_SIZE,
        limit=PAGE_SIZE,
    )
    items = await with_targets(shown)
    group = await acting.community(community) if community else None
    context = {
        "section": "reports",
        "items": items,
        "total": total,
        "state": state,
        "states": STATES,
        "community": community or "",
        "communities": await moderated(acting),
        "group": group,
        "tab": "reports",
        "number": number,
        "has_next": total > number * PAGE_SIZE,
        "label": label,
        "authors": await describe(people(items), acting.ctx.site),
    }
    return staff_page(request, "staff/reports.html", context)


async def the_report(acting: Acting, report_id: int) -> Report:
    """A report this staff member may handle (Forbidden otherwise, NotFound when there is none)."""
    if report_id > MAX_ID:
        raise NotFound(f"there is no report #{report_id}")
    return await reports.get_report(acting.ctx, acting.staff, report_id)


def report_path(report_id: int) -> str:
    return f"{QUEUE}/{report_id}"


@staff_only
async def report_page(request: Request, acting: Acting) -> Response:
    report = await the_report(acting, request.path_params["report_id"])
    [item] = await with_targets([report])
    local = acting.ctx.site.base_url + "/"
    context = {
        "section": "reports",
        "item": item,
        "report": report,
        "label": label,
        "rules": {p.id: rules_list(p.group.rules) for p in item.posts},
        "remote_author": bool(report.author and not report.author.startswith(local)),
        "authors": await describe([*people([item]), report.resolved_by or ""], acting.ctx.site),
    }
    return staff_page(request, "staff/report.html", context)


Closing = Callable[..., Awaitable[Report]]


async def close(request: Request, acting: Acting, service: Closing, closed: str) -> Response:
    """Resolve or dismiss: the note goes to the modlog; back to the queue with a notice."""
    form = await staff_form(request)
    report = await the_report(acting, request.path_params["report_id"])
    try:
        await service(acting.ctx, acting.staff, report.id, reason=text_field(form, "note"))
    except FedicomError as exc:
        return done(request, report_path(report.id), exc.reason, kind="error")
    return done(request, QUEUE, f"Report #{report.id} {closed}")


@staff_only
async def resolve(request: Request, acting: Acting) -> Response:
    return await close(request, acting, reports.resolve_report, "resolved")


@staff_only
async def dismiss(request: Request, acting: Acting) -> Response:
    return await close(request, acting, reports.dismiss_report, "dismissed")


@staff_only
async def forward(request: Request, acting: Acting) -> Response:
    form = await staff_form(request)
    report = await the_report(acting, request.path_params["report_id"])
    here = report_path(report.id)
    to_author = form.get("to_author") == "yes"
    try:
        hosts = await reports.forward_report(acting.ctx, acting.staff, report.id, to_author=to_author)
    except FedicomError as exc:
        return done(request, here, exc.reason, kind="error")
    return done(request, here, f"Report #{report.id} forwarded to {', '.join(hosts)}")


async def remove_and_resolve(
    ctx: Groups, staff: Staff, actor: str, report: Report, post: Post, *, reason: str, rule: int | None
) -> None:
    """The usual outcome of a report in one step: the post removed (federated as any removal), then
    the report resolved with the removal's reason."""
    if report.state != ReportState.OPEN:
        raise BadRequest(f"report #{report.id} is already {report.state}")
    await remove_post(ctx, post, actor, reason=reason, rule=rule)
    await reports.resolve_report(ctx, staff, report.id, reason=f"removed post {post.id}: {post.state_reason}")


@staff_only
async def remove(request: Request, acting: Acting) -> Response:
    form = await staff_form(request)
    report = await the_report(acting, request.path_params["report_id"])
    [item] = await with_targets([report])
    wanted = str(form.get("post", ""))
    post = next((p for p in item.posts if str(p.id) == wanted), None)
    if post is None:
        raise NotFound(f"report #{report.id} names no post {wanted[:20]!r}")
    here = report_path(report.id)
    try:
        await remove_and_resolve(
            acting.ctx,
            acting.staff,
            acting.actor,
            report,
            post,
            reason=text_field(form, "reason"),
            rule=rule_field(form),
        )
    except FedicomError as exc:
        return done(request, here, exc.reason, kind="error")
    return done(request, QUEUE, f"Removed post {post.id} and resolved report #{report.id}")


routes = [
    Route(QUEUE, queue),
    Route(QUEUE + "/{report_id:int}", report_page),
    Route(QUEUE + "/{report_id:int}/resolve", resolve, methods=["POST"]),
    Route(QUEUE + "/{report_id:int}/dismiss", dismiss, methods=["POST"]),
    Route(QUEUE + "/{report_id:int}/forward", forward, methods=["POST"]),
    Route(QUEUE + "/{report_id:int}/remove", remove, methods=["POST"]),
]
