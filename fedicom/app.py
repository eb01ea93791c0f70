"""The application factory: wires settings, storage, the federation runtime and the routes."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Coroutine
from dataclasses import dataclass
from datetime import timedelta
from importlib.metadata import version
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response

from fedicom import collector, health, metrics, storage
from fedicom.activitypub import routes as ap_routes
from fedicom.activitypub.columns import fits
from fedicom.activitypub.delivery import open_requests_bound
from fedicom.activitypub.federation import Federation, FederationHooks
from fedicom.activitypub.keys import KeyStore
from fedicom.activitypub.netguard import make_client_session
from fedicom.activitypub.observe import Observers
from fedicom.answers import api as answers_api  # noqa: F401  (registers its admin API endpoints)
from fedicom.answers import setup as answers_setup
from fedicom.errors import FedicomError
from fedicom.groups import routes as group_routes
from fedicom.groups.communities import Site, create_community, usage
from fedicom.groups.context import Groups
from fedicom.groups.inbox import GroupInbox
from fedicom.groups.models import Group
from fedicom.ideas import api as ideas_api  # noqa: F401  (registers its admin API endpoints)
from fedicom.ideas import board_api  # noqa: F401  (registers its admin API endpoints)
from fedicom.ideas import setup as ideas_setup
from fedicom.ideas.arrival import Arrivals
from fedicom.ideas.board import IdeaBadges
from fedicom.insights import api as insights_api  # noqa: F401  (registers its admin API endpoints)
from fedicom.insights.backlog import Backlog
from fedicom.insights.clock import Clock
from fedicom.insights.counting import Counter
from fedicom.insights.stages import thresholds
from fedicom.invites import api as invites_api  # noqa: F401  (registers its admin API endpoints)
from fedicom.invites import setup as invites_setup
from fedicom.jobs.runner import JobRunner
from fedicom.listening import api as listening_api  # noqa: F401  (registers its admin API endpoints)
from fedicom.listening import setup as listening_setup
from fedicom.listening.pruning import Pruner
from fedicom.media import setup as media_setup
from fedicom.media.store import FileStore, open_store
from fedicom.moderation import api as admin_api
from fedicom.moderation import cleanup
from fedicom.moderation import setup as moderation_setup
from fedicom.moderation.defederation import Defederation
from fedicom.notifications import api as notifications_api  # noqa: F401  (registers its admin API endpoints)
from fedicom.notifications.channels import Courier
from fedicom.notifications.listeners import Notifier
from fedicom.portability import api as portability_api  # noqa: F401  (registers its admin API endpoints)
from fedicom.publishing import api as publishing_api  # noqa: F401 (registers its endpoints)
from fedicom.publishing import polls, scheduling
from fedicom.recognition import api as recognition_api  # noqa: F401  (registers its admin API endpoints)
from fedicom.recognition import ledger
from fedicom.refusals import api as refusals_api  # noqa: F401  (registers its admin API endpoints)
from fedicom.refusals.record import Recorder
from fedicom.settings import Settings
from fedicom.staff import routes as staff_routes
from fedicom.staff.accounts import name_reserved
from fedicom.staff.models import Staff
from fedicom.web import (
    about,
    brand,
    community,
    follow,
    ideas,
    invite,
    leaderboard,
    media,
    media_proxy,
    modlog,
    setup,
    staff,
)
from fedicom.web.appstate import Running, app_state
from fedicom.web.errors import error_answer

log = logging.getLogger("fedicom")
DEMO = "demo"
FETCH_CONNECTIONS = 64  # beside deliveries' own: fetching actors and objects never waits behind them


def user_agent() -> str:
    return f"fedicom/{version('fedicom')} (+https://github.com/fedicom/fedicom)"


@dataclass
class Runtime:
    """Everything a server or worker process runs with."""

    fed: Federation
    groups: Groups
    defed: Defederation
    jobs: JobRunner
    files: FileStore  # uploads and the media cache, on disk or in an object store
    loops: list[Callable[[asyncio.Event], Coroutine[Any, Any, None]]]  # run beside the workers
    backlog: Backlog  # posts and votes insights have still to count
    ideas: Arrivals  # new ideas whose likely duplicates are still to be found


def build_federation(settings: Settings, meters: metrics.Metrics | None = None) -> Runtime:
    """The runtime both `serve` and `worker` use; must be called inside the event loop. With `meters`,
    what it does is counted there."""
    site = Site(settings.base_url, settings.domain)
    session = make_client_session(
        allow_private=settings.dev,
        user_agent=user_agent(),
        limit=open_requests_bound(settings.delivery_concurrency) + FETCH_CONNECTIONS,
        limit_per_host=settings.delivery_per_host,
    )
    defed = Defederation(mode=settings.federation_mode)
    hooks = FederationHooks(
        handle_activity=lambda a, r: inbox(a, r),
        domain_allowed=defed.allows,
        resolve_handle=_resolver(site),
        moved_to=_moved_to,
        usage=usage,
    )
    fed = Federation(
        base_url=settings.base_url,
        domain=settings.domain,
        allow_private=settings.dev,
        session=session,
        hooks=hooks,
        concurrency=settings.delivery_concurrency,
        per_host=settings.delivery_per_host,
        lease=settings.delivery_lease_seconds,
        delivery_timeout=settings.delivery_timeout_seconds,
        hang_after=settings.delivery_hang_seconds,
        max_body_bytes=settings.max_body_bytes,
        inbox_concurrency=settings.inbox_concurrency,
        observers=meters.observers() if meters else Observers(),
    )
    groups = Groups(
        fed,
        site,
        backfill_posts=settings.backfill_posts,
        backfill_replies=settings.backfill_replies,
        max_group_mentions=settings.max_group_mentions,
        rate_limit_actor=settings.rate_limit_actor,
        rate_limit_server=settings.rate_limit_server,
        max_links=settings.max_links,
        move_grace=timedelta(days=settings.move_grace_days),
        defed=defed,
    )
    moderation_setup.install(groups)
    inbox = GroupInbox(groups)
    Recorder(groups).connect(groups.events)
    counter = Counter(groups)
    backlog = Backlog(counter, inbox_busy=fed.processor.busy)  # figures wait for a busy inbox
    counter.connect(groups.events)
    backlog.connect(groups.events)
    ledger.connect(groups.events)  # reputation credits, in the transaction of each vote and reply
    groups.events.create_claimed.connect(lambda activity: polls.take_vote(groups, activity))
    listening_setup.install(groups)  # after polls: a poll vote is never heard as a post
    ideas = ideas_setup.install(groups)
    groups.addons.add("ideas", IdeaBadges())  # idea statuses on the board's pages
    answers_setup.install(groups)  # the asker's `!accept`, after the ledger credits the reply itself
    invites_setup.install(groups)  # a private community's join request is let in by an invite's pass
    jobs = JobRunner(
        {},
        holder=fed.holder,
        concurrency=settings.job_concurrency,
        observe=meters.job_finished if meters else None,
    )
    Notifier(site, digest_hour=settings.notify_digest_hour).connect(groups.events)
    jobs.register(Courier(settings, site, session).handlers())
    files = open_store(settings)
    jobs.register(scheduling.handlers(groups, files))
    jobs.register(polls.handlers(groups))
    clock = Clock(groups, thresholds(settings), settings.insights_keep_days)
    jobs.register(clock.handlers())
    pruner = Pruner(settings.listen_keep_days)
    jobs.register(pruner.handlers())
    jobs.register(cleanup.handlers(groups, batch=settings.cleanup_batch))
    loops: list[Callable[[asyncio.Event], Coroutine[Any, Any, None]]] = [
        jobs.run,
        clock.run,
        backlog.run,
        pruner.run,
        ideas.run,
    ]
    return Runtime(fed, groups, defed, jobs, files, loops=loops, backlog=backlog, ideas=ideas)


async def _moved_to(name: str) -> str | None:
    """Where a community that moved went (WebFinger lists it beside the old actor)."""
    if not fits(Group, "name", name):
        return None
    found = await Group.filter(name=name).values_list("moved_to", flat=True)
    return str(found[0]) if found and found[0] else None


def _resolver(site: Site):  # type: ignore[no-untyped-def]
    async def resolve(name: str) -> tuple[str, str] | None:
        if not fits(Group, "name", name) or not fits(Staff, "username", name):
            return None  # no community or staff account has such a name
        if await Group.exists(name=name):
            return site.uri(name), "Group"
        if await Staff.exists(username=name, disabled=False):
            return site.staff_uri(name), "Person"  # staff share the handle namespace with communities
        return None

    return resolve


async def ensure_demo(keys: KeyStore, site: Site) -> Group | None:
    """On first start, a demo community so a new operator has something to follow at once."""
    if await Group.exists():
        return None
    group = await create_community(
        keys,
        site,
        DEMO,
        title="Demo community",
        summary="A first community created by fedicom. Edit or remove it with `fedicom community`.",
        rules="1. Be kind.\n2. Stay on topic.",
        reserved=name_reserved,
    )
    log.warning("created the demo community @%s@%s at %s", DEMO, site.domain, site.uri(DEMO))
    return group


def create_app(settings: Settings, *, workers: bool = True, settle: bool = False) -> Starlette:
    """The ASGI app. With `workers`, inbox processing (and inline delivery) run in this process;
    `settle` sets the cycle collector for a server process once started (not for the tests' apps)."""

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await storage.open_db(settings)
        try:
            async with metrics.exposed(settings, "serve") as meters:
                runtime = build_federation(settings, meters)
                fed = runtime.fed
                await fed.start()
                proxy = media_setup.install(runtime.groups, settings, runtime.files)
                app_state(app).running = Running(
                    fed, runtime.groups, runtime.defed, runtime.jobs, runtime.files, proxy
                )
                stop = asyncio.Event()
                if settle:
                    collector.settle()
                counting = asyncio.create_task(app_state(app).page_views.run(stop))
                runner = None
                if workers:
                    runner = asyncio.create_task(
                        fed.run_workers(stop, deliveries=settings.delivery == "inline", also=runtime.loops)
                    )
                try:
                    yield
                finally:
                    stop.set()
                    await counting
                    if runner:
                        await runner
                    await fed.session.close()
        finally:  # an app that stops on an error closes its database too (one leaked would stay open)
            await storage.close_db()

    app = Starlette(
        routes=[
            *community.routes,
            *follow.routes,
            *invite.routes,
            *leaderboard.routes,
            *ideas.routes,
            *about.routes,
            *modlog.routes,
            *media.routes,
            *brand.routes,
            *media_proxy.routes,
            setup.static_mount(),
            *health.routes,
            *ap_routes.routes,
            *group_routes.routes,
            *staff_routes.routes,
            *admin_api.routes(),
            *staff.routes(),
        ],
        lifespan=lifespan,
        exception_handlers={FedicomError: _fedicom_error, 404: _not_found, 405: _not_allowed},
    )
    setup.install(app, settings)
    return app


async def _fedicom_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, FedicomError)
    return error_answer(request, exc.status, exc.reason)


async def _not_found(request: Request, _exc: Exception) -> Response:
    return error_answer(request, 404, "not found")


async def _not_allowed(request: Request, _exc: Exception) -> Response:
    return error_answer(request, 405, "method not allowed")


def asgi() -> Starlette:
    """Factory for `uvicorn --factory` and multi-worker serving: settings come from the environment."""
    from fedicom.settings import load_settings

    return create_app(load_settings(), settle=True)
