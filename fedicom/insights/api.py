"""Admin API: a community's insights and the alerts raised, as the CLI and the staff pages show them
(registered on import)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field

from fedicom.groups.communities import list_communities
from fedicom.insights.alerts import describe
from fedicom.insights.models import Alert, AlertMetric
from fedicom.insights.report import insights, instance_insights
from fedicom.insights.stages import thresholds
from fedicom.moderation.api.framework import Call
from fedicom.moderation.api.params import CommunityPath, Name, Strict
from fedicom.moderation.api.registry import api
from fedicom.moderation.authority import is_moderator


class InsightsQuery(Strict):
    days: int = Field(30, ge=1, le=366, description="The period: the last N days, today included.")


class InsightsOut(BaseModel):
    """The figures of `fedicom insights --json`; docs/insights.md says how each is computed."""

    community: str = Field(description="The community's name; empty for the instance's insights.")
    scope: str = Field(description="community, or instance (every community together).")
    period: dict[str, Any]
    members: int
    joins: int
    leaves: int
    posts: int
    comments: int
    votes: int
    reports: int
    views: int = Field(description="Page views by people's browsers; no visitor is tracked.")
    referrers: list[dict[str, Any]]
    previous: dict[str, int]
    active_members: dict[str, int] = Field(description="Keys 1d, 7d and 30d.")
    stickiness: float | None
    new_contributors: int
    first_reply_minutes_median: float | None
    first_reply: dict[str, int]
    unanswered_24h: int
    questions: dict[str, Any]
    answers: dict[str, Any] | None = Field(
        description="Questions communities only: questions asked, those with an accepted answer, "
        "share_accepted and hours_to_accepted_median (docs/questions.md); null for other kinds."
    )
    interaction: dict[str, Any]
    stages: dict[str, int]
    stage_days: list[dict[str, Any]]
    top_contributors: list[dict[str, Any]]
    influencers: list[dict[str, Any]]
    experts: list[dict[str, Any]]
    by_server: list[dict[str, Any]]
    by_software: list[dict[str, Any]]
    by_language: list[dict[str, Any]]
    days: list[dict[str, Any]]
    sentiment: list[dict[str, Any]]
    health: dict[str, Any]
    alerts: list[dict[str, Any]]
    by_community: list[dict[str, Any]] = Field(
        description="The instance's insights only: each community's members and activity in the period."
    )


@api.endpoint(
    "GET",
    "/communities/{name}/insights",
    summary="A community's insights over a period, against the period before",
    scope="read",
    tag="insights",
    path_model=CommunityPath,
    query=InsightsQuery,
    response=InsightsOut,
)
async def insights_show(call: Call, path: CommunityPath, query: InsightsQuery) -> InsightsOut:
    """Members, activity, responsiveness, stages, contributors, sentiment and the health score."""
    group = await call.community(path.name)
    found = await insights(group, query.days, limits=thresholds(call.settings))
    return InsightsOut(**found.as_json())


@api.endpoint(
    "GET",
    "/insights",
    summary="The instance's insights: every community together (admins)",
    scope="admin",
    tag="insights",
    query=InsightsQuery,
    response=InsightsOut,
)
async def instance_insights_show(call: Call, query: InsightsQuery) -> InsightsOut:
    """Sums where figures add up; people counted once for active members and new contributors."""
    found = await instance_insights(query.days, limits=thresholds(call.settings))
    return InsightsOut(**found.as_json())


class AlertsQuery(Strict):
    community: Name | None = Field(None, description="Only this community (default: every one you moderate).")
    limit: int = Field(50, ge=1, le=500)


class AlertOut(BaseModel):
    id: int
    community: str
    metric: AlertMetric
    day: date
    value: float = Field(description="The day's figure: a share for negative_share, else a count.")
    count: int
    baseline: float
    threshold: float
    text: str
    behind: list[dict[str, Any]] = Field(description="The posts, reports or members behind it.")
    raised: datetime


@api.endpoint(
    "GET",
    "/alerts",
    summary="Crisis alerts raised by insights, newest first",
    scope="read",
    tag="insights",
    query=AlertsQuery,
    response=list[AlertOut],
)
async def alerts_list(call: Call, query: AlertsQuery) -> list[AlertOut]:
    """Days whose negative posts, reports or leaves rose well above the baseline, with what was behind."""
    if query.community is not None:
        groups = [await call.community(query.community)]
    else:
        groups = [g for g in await list_communities() if await is_moderator(call.ctx.site, g, call.actor)]
    rows = (
        await Alert.filter(group_id__in=[g.id for g in groups])
        .prefetch_related("group")
        .order_by("-day", "-id")
        .limit(query.limit)
    )
    return [
        AlertOut(
            id=a.id,
            community=a.group.name,
            metric=AlertMetric(a.metric),
            day=a.day,
            value=a.value,
            count=a.count,
            baseline=a.baseline,
            threshold=a.threshold,
            text=describe(a),
            behind=a.behind,
            raised=a.created_at,
        )
        for a in rows
    ]
