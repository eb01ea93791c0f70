"""The staff web UI under /staff: the same services as the CLI and the admin API, behind a sign-in."""

from __future__ import annotations

from starlette.routing import BaseRoute

from fedicom.web.staff import (
    auth,
    bans,
    blocks,
    communities,
    dashboard,
    held,
    members,
    modlog,
    posts,
    refused,
    reports,
)


def routes() -> list[BaseRoute]:
    return [
        *auth.routes,
        *dashboard.routes,
        *communities.routes,
        *members.routes,
        *held.routes,
        *posts.routes,
        *refused.routes,
        *reports.routes,
        *bans.routes,
        *blocks.routes,
        *modlog.routes,
    ]
