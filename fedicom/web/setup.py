"""Wiring of the web layer into the app: its state (templates, CSRF, caches, rate limits), static
files, headers."""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.applications import Starlette
from starlette.responses import Response
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from fedicom.branding.look import Defaults, LookCache
from fedicom.groups.browse import HotRanks
from fedicom.groups.directory import Directory
from fedicom.insights.traffic import PageViews
from fedicom.media.links import MediaLinks
from fedicom.settings import Settings
from fedicom.web import appstate, community
from fedicom.web.appstate import AppState, Limits
from fedicom.web.brand import FreshLook
from fedicom.web.csrf import Csrf
from fedicom.web.headers import SecurityHeaders, content_security_policy
from fedicom.web.pageviews import CountViews
from fedicom.web.ratelimit import RateLimit
from fedicom.web.templating import STATIC, make_templates

FOLLOW_LOOKUPS = 10  # per client address and minute: each makes this server fetch from another
SIGN_INS_PER_ADDRESS = 10  # per minute
SIGN_INS_PER_ACCOUNT = 20  # per 15 minutes, from every address together


class VersionedStatic(StaticFiles):
    """Static files cached for a year: pages link them with a content hash (`?v=`), changed with them."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        if response.status_code == 200:
            response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
        return response


def static_mount() -> Mount:
    return Mount("/static", app=VersionedStatic(directory=STATIC), name="static")


def _origin(url: str | None) -> str | None:
    """scheme://host[:port] of a URL: what a Content-Security-Policy names."""
    if not url:
        return None
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else None


def install(app: Starlette, settings: Settings) -> AppState:
    """The app's state (its federation runtime comes when the lifespan starts) and middleware."""
    state = AppState(
        settings=settings,
        templates=make_templates(MediaLinks(settings.secret_key)),
        csrf=Csrf(settings.secret_key, base_url=settings.base_url),
        directory=Directory(),
        hot_ranks=HotRanks(),
        look=LookCache(Defaults(settings.instance_name, settings.instance_description)),
        limits=Limits(
            follow=RateLimit(FOLLOW_LOOKUPS, 60, what="server look-ups"),
            sign_in=RateLimit(SIGN_INS_PER_ADDRESS, 60, what="sign-in attempts"),
            account=RateLimit(SIGN_INS_PER_ACCOUNT, 900, what="sign-in attempts for this account"),
        ),
        pages=community,  # the module provides groups.routes.CommunityPages
        page_views=PageViews(),
    )
    appstate.install(app, state)
    app.add_middleware(FreshLook, cache=state.look)
    app.add_middleware(CountViews, views=state.page_views, own_host=settings.domain)
    app.add_middleware(
        SecurityHeaders,
        csp=content_security_policy(dev=settings.dev, media_origin=_origin(settings.s3_public_url)),
    )
    return state
