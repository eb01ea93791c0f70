"""A community's insights over a period, compared with the period before: sums of what counting.py
kept, so a community of a million posts reads the same few thousand rows as a small one.

A period is the last `days` days of the community's calendar, today included. The instance's insights
(for admins) sum every community's: a day there is each community's own day of that date, members are
memberships (someone in two communities counts twice), and active members are people, counted once.
"""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from tortoise.transactions import in_transaction

from fedicom.activitypub.vocab import host_of
from fedicom.groups.models import Group, Membership, MembershipState
from fedicom.insights import answering, scoring, stages
from fedicom.insights.alerts import describe
from fedicom.insights.counting import local_day
from fedicom.insights.db import postgres, query
from fedicom.insights.models import Alert, StageDay
from fedicom.insights.period import Period, last_days
from fedicom.insights.scoring import Factor, Stage, Thresholds

TOP = 10
SERVERS = 50
DAY_SUMS = ("posts", "comments", "votes", "joins", "leaves", "reports")
MOODS = ("positive", "neutral", "negative", "not_scored")


@dataclass(frozen=True)
class Scope:
    """What a report covers: one community, or every community of the instance (`group` None)."""

    groups: list[Group]
    group: Group | None
    timezone: str = "UTC"  # the instance's calendar; a community's own otherwise

    @classmethod
    def community(cls, group: Group) -> Scope:
        return cls([group], group, group.timezone)

    @classmethod
    async def instance(cls) -> Scope:
        return cls(await Group.all().order_by("id"), None)

    def where(self, alias: str = "") -> str:
        """The SQL condition of the scope's rows; its parameters are `params`."""
        column = f"{alias}.group_id" if alias else "group_id"
        return f"{column} = ?" if self.group else f"{column} IS NOT NULL"

    @property
    def params(self) -> list[Any]:
        return [self.group.id] if self.group else []


@dataclass
class Insights:
    community: str  # "" for the instance's
    scope: str  # "community" or "instance"
    period: dict[str, Any]
    members: int
    joins: int
    leaves: int
    posts: int
    comments: int
    votes: int
    reports: int
    views: int  # page views by people's browsers (insights/traffic.py)
    referrers: list[dict[str, Any]]  # where views came from: other sites, direct, this site
    previous: dict[str, int]
    active_members: dict[str, int]
    stickiness: float | None
    new_contributors: int
    first_reply_minutes_median: float | None
    first_reply: dict[str, int]
    unanswered_24h: int
    questions: dict[str, Any]
    interaction: dict[str, Any]
    stages: dict[str, int]
    stage_days: list[dict[str, Any]]  # the funnel on each day of the period that has a snapshot
    top_contributors: list[dict[str, Any]]
    influencers: list[dict[str, Any]]
    experts: list[dict[str, Any]]
    by_server: list[dict[str, Any]]
    by_software: list[dict[str, Any]]
    by_language: list[dict[str, Any]]
    days: list[dict[str, Any]]  # per day: the sums, members at the day's end, active members
    sentiment: list[dict[str, Any]]
    health: dict[str, Any]
    alerts: list[dict[str, Any]]
    by_community: list[dict[str, Any]]  # the instance's: each community's figures of the period
    answers: dict[str, Any] | None  # questions communities only: accepted answers (insights/answering.py)
    factors: list[Factor] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("factors")
        return data


async def _day_rows(scope: Scope, period: Period) -> dict[date, dict[str, int]]:
    rows = await query(
        f"SELECT day, {', '.join(f'SUM({k}) AS {k}' for k in DAY_SUMS + MOODS)} FROM insight_day "
        f"WHERE {scope.where()} AND day >= ? AND day <= ? GROUP BY day",
        [*scope.params, period.start, period.end],
    )
    return {_day(r["day"]): {k: int(r[k]) for k in DAY_SUMS + MOODS} for r in rows}


def _day(value: Any) -> date:
    return date.fromisoformat(value) if isinstance(value, str) else value


def _sums(rows: dict[date, dict[str, int]]) -> dict[str, int]:
    return {k: sum(r[k] for r in rows.values()) for k in DAY_SUMS + MOODS}


async def _views(scope: Scope, period: Period) -> dict[date, int]:
    rows = await query(
        f"SELECT day, SUM(views) AS n FROM insight_traffic WHERE {scope.where()} AND day >= ? AND day <= ? "
        "GROUP BY day",
        [*scope.params, period.start, period.end],
    )
    return {_day(r["day"]): int(r["n"]) for r in rows}


async def _referrers(scope: Scope, period: Period) -> list[dict[str, Any]]:
    rows = await query(
        f"SELECT source, SUM(views) AS n FROM insight_traffic WHERE {scope.where()} AND day >= ? "
        f"AND day <= ? GROUP BY source ORDER BY SUM(views) DESC, source LIMIT {TOP}",
        [*scope.params, period.start, period.end],
    )
    return [{"source": r["source"] or "(direct)", "views": int(r["n"])} for r in rows]


async def _active(scope: Scope, first: date, last: date) -> int:
    rows = await query(
        "SELECT COUNT(DISTINCT actor) AS n FROM insight_member_day "
        f"WHERE {scope.where()} AND day >= ? AND day <= ?",
        [*scope.params, first, last],
    )
    return int(rows[0]["n"])


async def _active_by_day(scope: Scope, first: date, last: date) -> dict[date, int]:
    """People active each day: a community keeps the count; the instance counts each person once."""
    if scope.group is not None:
        sql = "SELECT day, active AS n FROM insight_day WHERE group_id = ? AND day >= ? AND day <= ?"
    else:
        sql = (
            "SELECT day, COUNT(DISTINCT actor) AS n FROM insight_member_day WHERE day >= ? AND day <= ? "
            "GROUP BY day"
        )
    rows = await query(sql, [*scope.params, first, last])
    return {_day(r["day"]): int(r["n"]) for r in rows}


THREAD_SUMS = (
    "threads", "day_old", "answered_24h", "under_1h", "h1_4", "h4_24", "over_24h", "no_reply",
    "participants", "depth_sum", "questions", "staff_answered",
)  # fmt: skip


async def _threads(scope: Scope, period: Period, now: datetime) -> dict[str, Any]:
    """Responsiveness and interaction of the threads started in the period, community by community
    (each in its own calendar).

    Days whose threads are all over 24 hours old are read from their daily sums (insight_thread_day,
    insight_wait); the last day or two, whose threads may still be answered within 24 hours, thread by
    thread. A period of a million posts reads a few hundred rows either way."""
    figures: dict[str, Any] = dict.fromkeys((*THREAD_SUMS, "depth_max"), 0)
    waits: Counter[int] = Counter()
    for group in scope.groups:
        recent = local_day(now - timedelta(hours=24), group)  # from this day on, thread by thread
        settled = Period(period.start, min(period.end, recent - timedelta(days=1)))
        if settled.days > 0:
            await _settled_threads(group, settled, figures, waits)
        if recent <= period.end:
            since = max(period.start, recent)
            await _recent_threads(group, Period(since, period.end), now, figures, waits)
    figures["median"] = _median(waits)
    return figures


async def _settled_threads(group: Group, days: Period, figures: dict[str, Any], waits: Counter[int]) -> None:
    sums = await query(
        "SELECT SUM(threads) AS threads, SUM(under_1h) AS under_1h, SUM(h1_4) AS h1_4, SUM(h4_24) AS h4_24, "
        "SUM(over_24h) AS over_24h, SUM(no_reply) AS no_reply, SUM(participants) AS participants, "
        "SUM(depth_sum) AS depth_sum, MAX(depth_max) AS depth_max, SUM(questions) AS questions, "
        "SUM(staff_answered) AS staff_answered FROM insight_thread_day WHERE group_id = ? AND day >= ? "
        "AND day <= ?",
        [group.id, days.start, days.end],
    )
    row = {k: int(v or 0) for k, v in sums[0].items()}
    row["day_old"] = row["threads"]
    row["answered_24h"] = row["under_1h"] + row["h1_4"] + row["h4_24"]
    _merge_figures(figures, row)
    for wait in await query(
        "SELECT minutes, SUM(threads) AS n FROM insight_wait WHERE group_id = ? AND day >= ? AND day <= ? "
        "GROUP BY minutes",
        [group.id, days.start, days.end],
    ):
        waits[int(wait["minutes"])] += int(wait["n"])


async def _recent_threads(
    group: Group, days: Period, now: datetime, figures: dict[str, Any], waits: Counter[int]
) -> None:
    first, after = days.bounds(group)
    old_enough = min(after, now - timedelta(hours=24))
    rows = await query(
        "SELECT COUNT(*) AS threads, "
        "SUM(CASE WHEN created_at < ? THEN 1 ELSE 0 END) AS day_old, "
        "SUM(CASE WHEN created_at < ? AND first_reply_minutes IS NOT NULL AND first_reply_minutes < 1440 "
        "THEN 1 ELSE 0 END) AS answered_24h, "
        "SUM(CASE WHEN first_reply_minutes < 60 THEN 1 ELSE 0 END) AS under_1h, "
        "SUM(CASE WHEN first_reply_minutes >= 60 AND first_reply_minutes < 240 THEN 1 ELSE 0 END) AS h1_4, "
        "SUM(CASE WHEN first_reply_minutes >= 240 AND first_reply_minutes < 1440 THEN 1 ELSE 0 END) "
        "AS h4_24, "
        "SUM(CASE WHEN first_reply_minutes >= 1440 THEN 1 ELSE 0 END) AS over_24h, "
        "SUM(CASE WHEN first_reply_minutes IS NULL THEN 1 ELSE 0 END) AS no_reply, "
        "SUM(participants) AS participants, MAX(depth) AS depth_max, SUM(depth) AS depth_sum, "
        "SUM(CASE WHEN question THEN 1 ELSE 0 END) AS questions, "
        "SUM(CASE WHEN question AND staff_replied THEN 1 ELSE 0 END) AS staff_answered "
        "FROM insight_thread WHERE group_id = ? AND created_at >= ? AND created_at < ?",
        [old_enough, old_enough, group.id, first, after],
    )
    _merge_figures(figures, {k: int(v or 0) for k, v in rows[0].items()})
    for wait in await query(
        "SELECT first_reply_minutes AS minutes, COUNT(*) AS n FROM insight_thread WHERE group_id = ? "
        "AND created_at >= ? AND created_at < ? AND first_reply_minutes IS NOT NULL "
        "GROUP BY first_reply_minutes",
        [group.id, first, after],
    ):
        waits[int(wait["minutes"])] += int(wait["n"])


def _merge_figures(figures: dict[str, Any], row: dict[str, int]) -> None:
    for name in THREAD_SUMS:
        figures[name] += row[name]
    figures["depth_max"] = max(figures["depth_max"], row["depth_max"])


def _median(waits: Counter[int]) -> float | None:
    """The median of a distribution given as value -> how many (the mean of the middle two if even)."""
    total = sum(waits.values())
    if not total:
        return None
    wanted = sorted({(total - 1) // 2, total // 2})
    found, seen = [], 0
    for minutes in sorted(waits):
        seen += waits[minutes]
        while wanted and wanted[0] < seen:
            found.append(minutes)
            wanted.pop(0)
    return float(statistics.mean(found))


async def _leaders(scope: Scope, period: Period) -> tuple[list[dict[str, Any]], ...]:
    # ranked on the days they wrote (voters' days, often most of them, are left out), then their votes
    top = await query(
        "SELECT actor, SUM(posts) AS posts, SUM(comments) AS comments FROM insight_member_day "
        f"WHERE {scope.where()} AND day >= ? AND day <= ? AND (posts > 0 OR comments > 0) GROUP BY actor "
        f"ORDER BY SUM(posts) + SUM(comments) DESC, actor LIMIT {TOP}",
        [*scope.params, period.start, period.end],
    )
    if top:
        votes = await query(
            f"SELECT actor, SUM(votes) AS votes FROM insight_member_day WHERE {scope.where()} AND day >= ? "
            f"AND day <= ? AND actor IN ({', '.join('?' for _ in top)}) GROUP BY actor",
            [*scope.params, period.start, period.end, *(r["actor"] for r in top)],
        )
        cast = {r["actor"]: int(r["votes"]) for r in votes}
        top = [{**r, "votes": cast.get(r["actor"], 0)} for r in top]
    # influence and expertise are a community's (its members engage, its members vote): so many rows
    # of the instance's name their community
    influencers = await query(
        "SELECT m.actor, c.name AS community, m.engagers, m.replies_received, m.up_received "
        f"FROM insight_member m JOIN community c ON c.id = m.group_id WHERE {scope.where('m')} "
        f"AND m.engagers > 0 ORDER BY m.engagers DESC, m.actor, c.name LIMIT {TOP}",
        scope.params,
    )
    experts = await query(
        "SELECT m.actor, c.name AS community, m.comment_up_received, m.comments "
        f"FROM insight_member m JOIN community c ON c.id = m.group_id WHERE {scope.where('m')} "
        f"AND m.comment_up_received > 0 ORDER BY m.comment_up_received DESC, m.actor, c.name LIMIT {TOP}",
        scope.params,
    )
    return tuple(
        [{**dict(r), "server": host_of(str(r["actor"]))} for r in rows]
        for rows in (top, influencers, experts)
    )


async def _stages(
    scope: Scope, today: date, first: date, limits: Thresholds
) -> tuple[dict[str, int], list[dict[str, Any]]]:
    """Today's funnel (counted now where the day has no snapshot yet) and its snapshots over the period;
    the instance's are the sums of its communities'."""
    funnel = dict.fromkeys((s.value for s in Stage), 0)
    for group in scope.groups:
        found = await StageDay.get_or_none(group_id=group.id, day=today)
        counts = (
            {s.value: getattr(found, s.value) for s in Stage}
            if found
            else await stages.snapshot(group, today, limits)
        )
        for name, n in counts.items():
            funnel[name] += n
    if scope.group is not None:
        return funnel, await stages.history(scope.group, first, today)
    names = [s.value for s in Stage]
    rows = await query(
        f"SELECT day, {', '.join(f'SUM({n}) AS {n}' for n in names)} FROM insight_stage_day "
        "WHERE day >= ? AND day <= ? GROUP BY day ORDER BY day",
        [first, today],
    )
    return funnel, [{"day": _day(r["day"]).isoformat(), **{n: int(r[n]) for n in names}} for r in rows]


async def _languages(scope: Scope, period: Period) -> list[dict[str, Any]]:
    rows = await query(
        f"SELECT language, SUM(posts) AS n FROM insight_language_day WHERE {scope.where()} AND day >= ? "
        "AND day <= ? GROUP BY language ORDER BY SUM(posts) DESC, language",
        [*scope.params, period.start, period.end],
    )
    return [{"language": r["language"] or "unknown", "posts": int(r["n"])} for r in rows]


async def _servers(scope: Scope) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    servers = await query(
        f"SELECT host, SUM(members) AS members FROM insight_server WHERE {scope.where()} AND members > 0 "
        f"GROUP BY host ORDER BY SUM(members) DESC, host LIMIT {SERVERS}",
        scope.params,
    )
    software = await query(
        "SELECT COALESCE(r.software, 'unknown') AS software, SUM(m.members) AS members FROM insight_server m "
        f"LEFT JOIN remote_server r ON r.host = m.host WHERE {scope.where('m')} AND m.members > 0 "
        "GROUP BY COALESCE(r.software, 'unknown') ORDER BY SUM(m.members) DESC",
        scope.params,
    )
    return (
        [{"server": r["host"], "members": int(r["members"])} for r in servers],
        [{"software": r["software"], "members": int(r["members"])} for r in software],
    )


async def _alerts(scope: Scope, period: Period) -> list[dict[str, Any]]:
    names = {g.id: g.name for g in scope.groups}
    raised = await Alert.filter(
        group_id__in=list(names), day__gte=period.start, day__lte=period.end
    ).order_by("day", "id")
    return [
        {
            "id": a.id,
            "community": names[a.group_id],  # type: ignore[attr-defined]
            "metric": str(a.metric),
            "day": a.day.isoformat(),
            "value": a.value,
            "count": a.count,
            "baseline": a.baseline,
            "threshold": a.threshold,
            "text": describe(a),
            "behind": a.behind,
        }
        for a in raised
    ]


async def _communities(scope: Scope, period: Period) -> list[dict[str, Any]]:
    """Each community's members now and activity in the period, largest first (the instance's only)."""
    if scope.group is not None:
        return []
    members = {
        r["group_id"]: int(r["n"])
        for r in await query(
            "SELECT group_id, COUNT(*) AS n FROM membership WHERE state = 'accepted' GROUP BY group_id", []
        )
    }
    sums = {
        r["group_id"]: r
        for r in await query(
            "SELECT group_id, SUM(posts) AS posts, SUM(comments) AS comments, SUM(votes) AS votes, "
            "SUM(joins) AS joins, SUM(leaves) AS leaves FROM insight_day WHERE day >= ? AND day <= ? "
            "GROUP BY group_id",
            [period.start, period.end],
        )
    }
    counted = ("posts", "comments", "votes", "joins", "leaves")
    rows = [
        {
            "community": g.name,
            "members": members.get(g.id, 0),
            **{k: int(sums.get(g.id, {}).get(k) or 0) for k in counted},
        }
        for g in scope.groups
    ]
    return sorted(rows, key=lambda r: (-r["members"], r["community"]))


async def _new_contributors(scope: Scope, period: Period) -> int:
    """Members whose first post or comment (the instance's: anywhere on it) falls in the period."""
    first, after = period.bounds(scope)
    if scope.group is not None:
        sql = "SELECT COUNT(*) AS n FROM insight_member WHERE group_id = ? AND first_at >= ? AND first_at < ?"
    else:
        sql = (
            "SELECT COUNT(*) AS n FROM (SELECT MIN(first_at) AS f FROM insight_member GROUP BY actor) t "
            "WHERE f >= ? AND f < ?"
        )
    rows = await query(sql, [*scope.params, first, after])
    return int(rows[0]["n"])


async def insights(
    group: Group, days: int = 30, *, now: datetime | None = None, limits: Thresholds | None = None
) -> Insights:
    """A community's figures of the last `days` days (today included) and of the `days` before them."""
    return await report(Scope.community(group), days, now=now, limits=limits)


async def instance_insights(
    days: int = 30, *, now: datetime | None = None, limits: Thresholds | None = None
) -> Insights:
    """Every community's figures together, for the instance's admins."""
    return await report(await Scope.instance(), days, now=now, limits=limits)


async def report(
    scope: Scope, days: int = 30, *, now: datetime | None = None, limits: Thresholds | None = None
) -> Insights:
    """Every figure read in one transaction, so they agree with each other."""
    async with in_transaction() as conn:
        if postgres(conn):
            # A plan PostgreSQL caches for parameters does not see how long the period is: it walks an
            # index over 90 days of member rows (3x slower than the parallel scan it plans for them).
            await conn.execute_script("SET LOCAL plan_cache_mode = force_custom_plan")
        return await _report(scope, days, now or datetime.now(UTC), limits)


async def _report(scope: Scope, days: int, now: datetime, limits: Thresholds | None) -> Insights:
    period = last_days(scope, days, now)
    before = period.before()
    rows, old = await _day_rows(scope, period), _sums(await _day_rows(scope, before))
    sums = _sums(rows)
    accepted = Membership.filter(state=MembershipState.ACCEPTED)
    members = await (accepted.filter(group_id=scope.group.id) if scope.group else accepted).count()
    later = await query(
        f"SELECT COALESCE(SUM(joins - leaves), 0) AS n FROM insight_day WHERE {scope.where()} AND day > ?",
        [*scope.params, period.end],
    )
    at_end = members - int(later[0]["n"])  # members at the end of the period's last day
    active_days = await _active_by_day(scope, period.start, period.end)
    views = await _views(scope, period)
    views_before = sum((await _views(scope, before)).values())
    series, count = [], at_end
    for offset in range(period.days - 1, -1, -1):
        day = period.start + timedelta(days=offset)
        sums_of_day = rows.get(day, dict.fromkeys(DAY_SUMS + MOODS, 0))
        series.append(
            {
                "day": day.isoformat(),
                **sums_of_day,
                "members": count,
                "active": active_days.get(day, 0),
                "views": views.get(day, 0),
            }
        )
        count -= sums_of_day["joins"] - sums_of_day["leaves"]
    series.reverse()
    members_start = count
    asked = await answering.asked(scope.groups, period)
    if asked is not None:
        asked_days = answering.by_day(asked)
        for row in series:
            day_figures = asked_days.get(date.fromisoformat(str(row["day"])), answering.figures([]))
            row["questions_asked"] = day_figures["questions"]
            row["answers_accepted"] = day_figures["accepted"]
            row["hours_to_accepted_median"] = day_figures["hours_to_accepted_median"]
    today = period.end
    active = {f"{n}d": await _active(scope, today - timedelta(days=n - 1), today) for n in (1, 7, 30)}
    daily_30 = await _active_by_day(scope, today - timedelta(days=29), today)
    stickiness = round(sum(daily_30.values()) / 30 / active["30d"], 3) if active["30d"] else None
    new = await _new_contributors(scope, period)
    threads = await _threads(scope, period, now)
    top, influencers, experts = await _leaders(scope, period)
    by_server, by_software = await _servers(scope)
    funnel, funnel_days = await _stages(scope, today, period.start, limits or Thresholds())
    mean_participants = threads["participants"] / threads["threads"] if threads["threads"] else 0.0
    lively = sum(1 for n in active_days.values() if n >= scoring.LIVELY_MEMBERS)
    factors = [
        scoring.members_factor(members_start, sums["joins"], sums["leaves"]),
        scoring.content_factor(sums["posts"] + sums["comments"], old["posts"] + old["comments"]),
        scoring.traffic_factor(sum(views.values()), views_before),
        scoring.liveliness_factor(lively, period.days),
        scoring.interaction_factor(threads["threads"], mean_participants),
        scoring.responsiveness_factor(threads["answered_24h"], threads["day_old"]),
    ]
    return Insights(
        community=scope.group.name if scope.group else "",
        scope="community" if scope.group else "instance",
        period={"start": period.start.isoformat(), "end": period.end.isoformat(), "days": period.days},
        members=at_end,
        joins=sums["joins"],
        leaves=sums["leaves"],
        posts=sums["posts"],
        comments=sums["comments"],
        votes=sums["votes"],
        reports=sums["reports"],
        views=sum(views.values()),
        referrers=await _referrers(scope, period),
        previous={**{k: old[k] for k in DAY_SUMS}, "views": views_before},
        active_members=active,
        stickiness=stickiness,
        new_contributors=new,
        first_reply_minutes_median=threads["median"],
        first_reply={
            "under_1h": threads["under_1h"],
            "1h_to_4h": threads["h1_4"],
            "4h_to_24h": threads["h4_24"],
            "over_24h": threads["over_24h"],
            "none": threads["no_reply"],
        },
        unanswered_24h=threads["day_old"] - threads["answered_24h"],
        questions={
            "asked": threads["questions"],
            "answered_by_staff": threads["staff_answered"],
            "share_answered_by_staff": round(threads["staff_answered"] / threads["questions"], 3)
            if threads["questions"]
            else None,
        },
        interaction={
            "threads": threads["threads"],
            "participants_mean": round(mean_participants, 2),
            "depth_max": threads["depth_max"],
            "depth_mean": round(threads["depth_sum"] / threads["threads"], 2) if threads["threads"] else 0.0,
        },
        stages=funnel,
        stage_days=funnel_days,
        top_contributors=top,
        influencers=influencers,
        experts=experts,
        by_server=by_server,
        by_software=by_software,
        by_language=await _languages(scope, period),
        days=series,
        sentiment=[{"day": d["day"], **{m: d[m] for m in MOODS}} for d in series],
        health={
            "score": scoring.health(factors),
            "factors": [asdict(f) for f in factors],
        },
        alerts=await _alerts(scope, period),
        by_community=await _communities(scope, period),
        answers=answering.figures(asked) if asked is not None else None,
        factors=factors,
    )
