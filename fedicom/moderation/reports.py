"""Reports: `Flag`s from any server (and from staff) in a queue per community and for the instance.

A report about a community's posts is forwarded at once to that community's moderators on other
servers (Lemmy #3781, Mbin #1616: remote moderators otherwise never see it), signed by the instance
actor and without the reporter's identity (Lemmy #6343). Staff resolve or dismiss reports with a
reason (modlog), and may forward one to the reported author's server too.
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from datetime import UTC, datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.queryset import QuerySet

from fedicom.activitypub.models import OutgoingActivity
from fedicom.activitypub.vocab import host_of, id_of, new_activity_uri, unique_ids
from fedicom.errors import BadRequest, FetchError, Forbidden, NotFound
from fedicom.groups.context import Groups
from fedicom.groups.events import ReportFiled
from fedicom.groups.models import Group, Moderator, Post
from fedicom.moderation import authority, modlog
from fedicom.moderation.models import ModlogAction, Report, ReportState
from fedicom.moderation.report_wire import (
    MAX_REASON,
    FlagReceived,
    build_author_flag,
    build_moderator_flag,
    build_resolve,
    flag_uri,
    parse_flag,
    report_of_flag,
)
from fedicom.staff.models import Staff

log = logging.getLogger("fedicom.reports")
STATES = tuple(s.value for s in ReportState)
TARGET_PATTERN = r"^https?://[^\s\x00]+$"  # what staff report: the URL of a post or an account


# --- reports arriving --------------------------------------------------------------------------------


async def handle_flag(ctx: Groups, activity: dict[str, Any]) -> list[Report]:
    """A Flag in any shape: one report per community it concerns (or one for the instance),
    forwarded to the community's remote moderators."""
    flag = parse_flag(activity)
    if await ctx.defed.rejects_reports(host_of(flag.reporter)):
        log.info("dropped report %s: reports from %s are rejected", flag.id, host_of(flag.reporter))
        return []
    groups = await _communities(ctx, flag.addressed + flag.targets, flag.targets)
    created: list[Report] = []
    refused: list[str] = []
    scopes: list[Group | None] = [*groups] or [None]
    for group in scopes:
        if group is not None and (barred := await ctx.hooks.barrier(group, flag.reporter)):
            refused.append(barred.reason)
            continue
        if await Report.exists(activity_id=flag.id, community_id=group.id if group else None):
            continue
        created.append(await _open(ctx, group, flag))
    if refused and not created:
        raise Forbidden("; ".join(refused))
    return created


async def file_report(
    ctx: Groups, staff: Staff, targets: list[str], *, reason: str, community: str | None = None
) -> Report:
    """A staff member's own report (e.g. passed on from a member by mail), queued like a Flag."""
    targets = [t.strip() for t in targets]
    if not targets:
        raise BadRequest("name at least one post or account to report")
    for target in targets:
        if not re.fullmatch(TARGET_PATTERN, target):
            raise BadRequest(f"{target!r} is not the URL of a post or an account")
    if not reason.strip() or "\x00" in reason:
        raise BadRequest("a report needs a reason (text without NUL characters)")
    group = await ctx.group(community) if community else None
    if group is None:
        found = await _communities(ctx, targets, targets)
        group = found[0] if len(found) == 1 else None
    flag = FlagReceived(
        id="",
        reporter=ctx.site.staff_uri(staff.username),
        targets=unique_ids(targets),
        reason=reason.strip()[:MAX_REASON],
        addressed=[],
    )
    return await _open(ctx, group, flag)


async def _open(ctx: Groups, group: Group | None, flag: FlagReceived) -> Report:
    posts = await _posts(group, flag.targets)
    author = posts[0].author if posts else _account(ctx, flag.targets)
    inboxes = await _moderator_inboxes(ctx, group, skip_host=host_of(flag.reporter)) if group else []
    async with ctx.fed.transaction() as conn:
        report = await Report.create(
            community=group,
            activity_id=flag.id or None,
            reporter=flag.reporter,
            targets=flag.targets,
            author=author,
            reason=flag.reason,
            using_db=conn,
        )
        if group is not None and inboxes:
            await _send_to_moderators(ctx, report, group, posts, inboxes, conn)
        filed = ReportFiled(report.id, group, flag.reporter, flag.reason, report.created_at)
        await ctx.events.report_filed.send(filed, conn)
    return report


async def _communities(ctx: Groups, named: list[str], targets: list[str]) -> list[Group]:
    """Our communities a report concerns: those it is addressed to or names, and those holding the
    reported posts."""
    names = {ctx.site.name_from_uri(u) for u in named if not u.endswith("/followers")} - {None}
    found = {g.id: g for g in await Group.filter(name__in=list(names))}
    for post in await Post.filter(object_id__in=targets).prefetch_related("group").order_by("id"):
        found.setdefault(post.group.id, post.group)
    return list(found.values())


async def _posts(group: Group | None, targets: list[str]) -> list[Post]:
    if group is None:
        return await Post.filter(object_id__in=targets).order_by("id")
    return await Post.filter(group_id=group.id, object_id__in=targets).order_by("id")


def _account(ctx: Groups, targets: list[str]) -> str | None:
    """The reported account when no reported post is known here: the first target not of this server."""
    return next((t for t in targets if not t.startswith(ctx.site.base_url + "/")), None)


# --- forwarding -------------------------------------------------------------------------------------


async def _moderator_inboxes(ctx: Groups, group: Group, *, skip_host: str = "") -> list[str]:
    """Inboxes of the community's moderators on other servers (the reporter's own server has the
    report already)."""
    actors = await Moderator.filter(group_id=group.id).order_by("id").values_list("actor", flat=True)
    inboxes = []
    for uri in map(str, actors):
        if uri.startswith(ctx.site.base_url + "/") or host_of(uri) == skip_host:
            continue
        try:
            inboxes.append((await ctx.fed.actors.get(uri)).delivery_inbox)
        except FetchError as exc:
            log.warning("cannot forward reports to moderator %s: %s", uri, exc.reason)
    return unique_ids(inboxes)


async def _send_to_moderators(
    ctx: Groups, report: Report, group: Group, posts: list[Post], inboxes: list[str], conn: BaseDBAsyncClient
) -> None:
    """One Lemmy-shaped Flag per reported post (Lemmy takes a single object), or one for the account."""
    objects = [p.object_id for p in posts] or [report.author or report.targets[0]]
    flags = [
        build_moderator_flag(
            activity_uri=flag_uri(ctx.fed.base_url, report.id, uuid.uuid4().hex),
            instance_actor=ctx.fed.instance_actor_uri,
            community=ctx.uri(group),
            target=target,
            reason=report.reason,
        )
        for target in objects
    ]
    await ctx.fed.send_many(
        [(f, inboxes) for f in flags], actor=ctx.fed.instance_actor_uri, public=False, conn=conn
    )


async def forward_report(ctx: Groups, staff: Staff, report_id: int, *, to_author: bool = False) -> list[str]:
    """Send a report (again) to the community's remote moderators, and to the reported author's server
    when asked. Returns the servers it went to."""
    report = await get_report(ctx, staff, report_id)
    group: Group | None = report.community
    inboxes = await _moderator_inboxes(ctx, group) if group else []
    author_inbox = None
    if to_author:
        if not report.author or report.author.startswith(ctx.site.base_url + "/"):
            raise BadRequest(f"report #{report.id} names no author on another server")
        try:
            author_inbox = (await ctx.fed.actors.get(report.author)).delivery_inbox
        except FetchError as exc:
            raise BadRequest(f"the author's server cannot be reached: {exc.reason}") from None
    if not inboxes and author_inbox is None:
        raise BadRequest(f"report #{report.id} has nowhere to go: no moderator of it is on another server")
    posts = await _posts(group, report.targets)
    async with ctx.fed.transaction() as conn:
        if group is not None and inboxes:
            await _send_to_moderators(ctx, report, group, posts, inboxes, conn)
        if author_inbox and report.author:
            flag = build_author_flag(
                activity_uri=flag_uri(ctx.fed.base_url, report.id, uuid.uuid4().hex),
                instance_actor=ctx.fed.instance_actor_uri,
                community=ctx.uri(group) if group else None,
                author=report.author,
                objects=[p.object_id for p in posts],
                reason=report.reason,
            )
            await ctx.fed.send(
                flag, actor=ctx.fed.instance_actor_uri, inboxes=[author_inbox], public=False, conn=conn
            )
        hosts = sorted({host_of(i) for i in [*inboxes, *([author_inbox] if author_inbox else [])]})
        await modlog.record(
            ctx.site.staff_uri(staff.username),
            ModlogAction.FORWARD_REPORT,
            f"report #{report.id}",
            community=group.name if group else None,
            details={"servers": hosts},
            conn=conn,
        )
    return hosts


# --- the queue ----------------------------------------------------------------------------------------


async def _queue(ctx: Groups, staff: Staff, community: str | None, state: str) -> QuerySet[Report]:
    """The queue a staff member may see: one community's, or (without one) every community they
    moderate plus, for admins, all reports including the instance's own."""
    if state not in (*STATES, "all"):
        raise BadRequest(f"unknown state {state!r}; use one of {', '.join(STATES)} or all")
    query = Report.all() if state == "all" else Report.filter(state=state)
    actor = ctx.site.staff_uri(staff.username)
    if community:
        group = await ctx.group(community)
        await authority.require_moderator(ctx.site, group, actor)
        query = query.filter(community_id=group.id)
    elif not staff.is_admin:
        moderated = await Moderator.filter(actor=actor).values_list("group_id", flat=True)
        query = query.filter(community_id__in=list(moderated))
    return query


async def list_reports(
    ctx: Groups,
    staff: Staff,
    *,
    community: str | None = None,
    state: str = ReportState.OPEN,
    offset: int = 0,
    limit: int | None = None,
) -> list[Report]:
    """The staff member's queue (see `_queue`), newest first; `offset` and `limit` page it."""
    query = (await _queue(ctx, staff, community, state)).order_by("-id").offset(offset)
    if limit is not None:
        query = query.limit(limit)
    return await query.prefetch_related("community")


async def count_reports(
    ctx: Groups, staff: Staff, *, community: str | None = None, state: str = ReportState.OPEN
) -> int:
    return await (await _queue(ctx, staff, community, state)).count()


async def get_report(ctx: Groups, staff: Staff, report_id: int) -> Report:
    report = await Report.filter(id=report_id).prefetch_related("community").first()
    if report is None:
        raise NotFound(f"there is no report #{report_id}")
    actor = ctx.site.staff_uri(staff.username)
    if report.community is None:
        await authority.require_admin(ctx.site, actor)
    else:
        await authority.require_moderator(ctx.site, report.community, actor)
    return report


async def resolve_report(ctx: Groups, staff: Staff, report_id: int, *, reason: str) -> Report:
    """Action was taken (or none was needed after all): closed, with the reason in the modlog."""
    return await _close(ctx, staff, report_id, ReportState.RESOLVED, reason)


async def dismiss_report(ctx: Groups, staff: Staff, report_id: int, *, reason: str) -> Report:
    """The report was unfounded: closed, with the reason in the modlog."""
    return await _close(ctx, staff, report_id, ReportState.DISMISSED, reason)


async def _close(ctx: Groups, staff: Staff, report_id: int, state: ReportState, reason: str) -> Report:
    if not reason.strip():
        raise BadRequest("say why the report is closed: a reason is required")
    report = await get_report(ctx, staff, report_id)
    if report.state != ReportState.OPEN:
        raise BadRequest(f"report #{report.id} is already {report.state}")
    moderator = ctx.site.staff_uri(staff.username)
    group: Group | None = report.community
    inboxes = await _moderator_inboxes(ctx, group) if group else []
    await ctx.fed.keys.ensure(moderator)
    async with ctx.fed.transaction() as conn:
        await _mark(report, state, reason.strip(), moderator, conn)
        if inboxes:
            await _send_resolves(ctx, report, moderator, inboxes, conn)
    return report


async def _mark(report: Report, state: ReportState, reason: str, by: str, conn: BaseDBAsyncClient) -> None:
    report.state, report.resolution, report.resolved_by = state, reason, by
    report.resolved_at = datetime.now(UTC)
    await report.save(using_db=conn, update_fields=["state", "resolution", "resolved_by", "resolved_at"])
    community = report.community.name if report.community else None
    action = ModlogAction.RESOLVE_REPORT if state == ReportState.RESOLVED else ModlogAction.DISMISS_REPORT
    await modlog.record(by, action, f"report #{report.id}", reason=reason, community=community, conn=conn)


async def _send_resolves(
    ctx: Groups, report: Report, moderator: str, inboxes: list[str], conn: BaseDBAsyncClient
) -> None:
    """Remote moderators who got the report see it closed: Resolve{each Flag forwarded to them}."""
    rows = await OutgoingActivity.filter(
        actor=ctx.fed.instance_actor_uri,
        type="Flag",
        activity_id__startswith=flag_uri(ctx.fed.base_url, report.id, ""),
    ).using_db(conn)
    flags = [json.loads(r.payload) for r in rows]
    items = [
        (build_resolve(activity_uri=new_activity_uri(ctx.fed.base_url), moderator=moderator, flag=f), inboxes)
        for f in flags
        if isinstance(f.get("object"), str)  # the author's server got no Flag it could resolve
    ]
    if items:
        await ctx.fed.send_many(items, actor=moderator, public=False, conn=conn)


async def handle_resolve(ctx: Groups, activity: dict[str, Any]) -> list[Report]:
    """A remote moderator closes a report: one we forwarded to them, or one from their server."""
    actor = id_of(activity.get("actor")) or ""
    flag_id = id_of(activity.get("object")) or ""
    ours = report_of_flag(ctx.fed.base_url, flag_id)
    query = Report.filter(id=ours) if ours is not None else Report.filter(activity_id=flag_id)
    reports = await query.filter(community_id__not_isnull=True).prefetch_related("community")
    closed = []
    for report in reports:
        community = report.community
        if community is None:
            continue
        await authority.require_moderator(ctx.site, community, actor)
        if report.state != ReportState.OPEN:
            continue
        async with ctx.fed.transaction() as conn:
            await _mark(report, ReportState.RESOLVED, f"resolved on {host_of(actor)}", actor, conn)
        closed.append(report)
    return closed
