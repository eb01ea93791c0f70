"""What the app holds for its requests, typed and in one place: `AppState`, stored once on the
Starlette app by `create_app` and read with `app_state(request)`.

The protocol and API routes below the web layer read the same object through the small protocols
they declare (`activitypub.routes.Hosting`, `groups.routes.CommunityHosting`,
`moderation.api.framework.ApiHosting`), so no layer imports this one to find it.
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.templating import Jinja2Templates

from fedicom.activitypub.federation import Federation
from fedicom.branding.look import LookCache
from fedicom.groups.browse import HotRanks
from fedicom.groups.communities import Site
from fedicom.groups.context import Groups
from fedicom.groups.directory import Directory
from fedicom.groups.routes import CommunityPages
from fedicom.insights.traffic import PageViews
from fedicom.jobs.runner import JobRunner
from fedicom.media.proxy import MediaProxy
from fedicom.media.store import FileStore
from fedicom.moderation.defederation import Defederation
from fedicom.settings import Settings
from fedicom.web.csrf import Csrf
from fedicom.web.ratelimit import RateLimit


@dataclass(frozen=True)
class Limits:
    """Rate limits of the pages: each guards something a visitor could make this server do at will."""

    follow: RateLimit  # server look-ups from the follow page
    sign_in: RateLimit  # staff sign-ins per client address
    account: RateLimit  # sign-ins per staff account, from every address together


@dataclass(frozen=True)
class Running:
    """What the lifespan starts: the federation runtime and what serves from it."""

    fed: Federation
    groups: Groups
    defed: Defederation
    jobs: JobRunner
    files: FileStore
    media_proxy: MediaProxy


@dataclass
class AppState:
    settings: Settings
    templates: Jinja2Templates
    csrf: Csrf
    directory: Directory
    hot_ranks: HotRanks
    look: LookCache
    limits: Limits
    pages: CommunityPages  # the HTML faces of the addresses groups/routes.py negotiates
    page_views: PageViews  # counted for insights, written by the lifespan's task
    running: Running | None = None  # set when the lifespan starts

    def _running(self) -> Running:
        if self.running is None:
            raise RuntimeError("the app has not started: its lifespan sets up the federation runtime")
        return self.running

    @property
    def fed(self) -> Federation:
        return self._running().fed

    @property
    def groups(self) -> Groups:
        return self._running().groups

    @property
    def site(self) -> Site:
        return self._running().groups.site

    @property
    def defed(self) -> Defederation:
        return self._running().defed

    @property
    def jobs(self) -> JobRunner:
        return self._running().jobs

    @property
    def files(self) -> FileStore:
        return self._running().files

    @property
    def media_proxy(self) -> MediaProxy:
        return self._running().media_proxy


def install(app: Starlette, state: AppState) -> None:
    app.state.fedicom = state


def app_state(source: Request | Starlette) -> AppState:
    """The app's state, from a request or from the app itself (tests, the CLI)."""
    app = source.app if isinstance(source, Request) else source
    found: AppState = app.state.fedicom
    return found
