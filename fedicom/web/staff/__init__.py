"""The staff web UI under /staff: the same services as the CLI and the admin API, behind a sign-in."""

from __future__ import annotations

from starlette.routing import BaseRoute

from fedicom.web.staff import (
    aliases,
    auth,
    bans,
    blocks,
    communities,
    dashboard,
    held,
    ideas,
    inbox,
    insights,
    invites,
    listening,
    members,
    modlog,
    moving,
    notification_settings,
    portability,
    posts,
    publishing,
    questions,
    refused,
    reports,
    reputation,
    site,
)


def routes() -> list[BaseRoute]:
    return [
        *auth.routes,
        *dashboard.routes,
        *inbox.routes,
        *notification_settings.routes,
        *communities.routes,
        *aliases.routes,
        *moving.routes,
        *portability.routes,
        *insights.routes,
        *questions.routes,
        *reputation.routes,
        *listening.routes,
        *members.routes,
        *invites.routes,
        *held.routes,
        *ideas.routes,  # before posts.routes: its /p/N/{action} would take idea-status, idea-merge
        *publishing.routes,  # before posts.routes: its /p/N/{action} would take reply, edit, delete
        *posts.routes,
        *refused.routes,
        *reports.routes,
        *bans.routes,
        *blocks.routes,
        *modlog.routes,
        *site.routes,
    ]
