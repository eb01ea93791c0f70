"""Routes of a community: its actor (JSON or page), inbox, outbox and collections.

Only what members may see is listed: held, removed and deleted posts are in no page, outbox or
featured collection (their rows stay, so a moderator can restore them).
"""

from __future__ import annotations

import json

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from tortoise.expressions import Q, Subquery

from fedicom.activitypub.jsonld import ACTIVITY_CONTEXT
from fedicom.activitypub.models import OutgoingActivity
from fedicom.activitypub.routes import fed_of, receive
from fedicom.errors import NotFound
from fedicom.groups import actor as wire
from fedicom.groups.communities import Site, actor_document, member_count, moderators_of
from fedicom.groups.context import Groups
from fedicom.groups.models import Group, Post
from fedicom.groups.pages import community_page, privacy_page
from fedicom.http import ActivityResponse, page_number, wants_activity_json

PAGE_SIZE = 20
OUTBOX_MAX_PAGE = 1_000_000  # twenty million announces: crawlers may walk a large community's history


def site_of(request: Request) -> Site:
    return request.app.state.site  # type: ignore[no-any-return]


async def group_of(request: Request) -> Group:
    """The community named in the path; signed fetches from blocked servers are refused here."""
    await fed_of(request).check_fetch(request.headers)
    groups: Groups = request.app.state.groups
    return await groups.group(request.path_params["name"])


async def group_actor(request: Request) -> Response:
    group = await group_of(request)
    if wants_activity_json(request):
        response: Response = ActivityResponse(
            await actor_document(fed_of(request).keys, site_of(request), group)
        )
    else:
        response = await community_page(request, group)
    response.headers["Vary"] = "Accept"  # one URL, two representations: caches must keep them apart
    return response


async def privacy_policy(request: Request) -> Response:
    """`privacyPolicy` of the actor: a page, or the Note itself for ActivityPub clients. A community
    without a policy of its own has no such page, and its actor links none."""
    group = await group_of(request)
    if not group.privacy_policy:
        raise NotFound(f"{group.title} has published no privacy policy of its own")
    if wants_activity_json(request):
        note = wire.build_privacy_policy(site_of(request).uri(group.name), group.privacy_policy)
        response: Response = ActivityResponse({"@context": ACTIVITY_CONTEXT, **note})
    else:
        response = await privacy_page(request, group)
    response.headers["Vary"] = "Accept"
    return response


async def group_inbox(request: Request) -> Response:
    group = await group_of(request)
    return await receive(request, recipient=site_of(request).uri(group.name))


async def followers(request: Request) -> Response:
    group = await group_of(request)
    uri = site_of(request).uri(group.name) + "/followers"
    return ActivityResponse(wire.build_followers(uri, await member_count(group)))


async def moderators(request: Request) -> Response:
    group = await group_of(request)
    uri = site_of(request).uri(group.name) + "/moderators"
    return ActivityResponse(wire.build_ordered(uri, await moderators_of(group)))


async def featured(request: Request) -> Response:
    """Pinned threads as Lemmy lists them: the Page objects themselves, most recently pinned first."""
    group = await group_of(request)
    uri = site_of(request).uri(group.name) + "/featured"
    pinned = Post.filter(
        group=group, parent_id=None, deleted=False, state="visible", pinned_at__not_isnull=True
    )
    if group.private:
        return ActivityResponse(wire.build_ordered(uri, [], await pinned.count()))
    documents = await pinned.order_by("-pinned_at").values_list("document", flat=True)
    return ActivityResponse(wire.build_ordered(uri, list(documents)))


async def outbox(request: Request) -> Response:
    """The group's announces, newest first; a private group shows only how many there are."""
    group = await group_of(request)
    group_uri = site_of(request).uri(group.name)
    uri = group_uri + "/outbox"
    hidden = Post.filter(Q(deleted=True) | ~Q(state="visible"), group=group).values("object_id")
    shown = Q(object_id__isnull=True) | ~Q(object_id__in=Subquery(hidden))
    query = OutgoingActivity.filter(shown, actor=group_uri, type="Announce")
    total = await query.count()
    if group.private:
        return ActivityResponse(wire.build_ordered(uri, [], total))
    page = page_number(request, OUTBOX_MAX_PAGE)
    rows = (
        await query.order_by("-id")
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
        .values_list("payload", flat=True)
    )
    items = [json.loads(p) for p in rows]  # type: ignore[arg-type]
    if "page" not in request.query_params:
        return ActivityResponse(wire.build_outbox(uri, items, total, PAGE_SIZE))
    return ActivityResponse(wire.build_outbox_page(uri, page, items, total, PAGE_SIZE))


routes = [
    Route("/c/{name}", group_actor),
    Route("/c/{name}/privacy", privacy_policy),
    Route("/c/{name}/inbox", group_inbox, methods=["POST"]),
    Route("/c/{name}/outbox", outbox),
    Route("/c/{name}/followers", followers),
    Route("/c/{name}/moderators", moderators),
    Route("/c/{name}/featured", featured),
]
