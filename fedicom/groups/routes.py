"""Routes of a community: its actor (JSON or page), inbox, outbox and collections, and its posts'
addresses (object or page) with their `replies` and `context` collections.

Only what members may see is listed: held, removed and deleted posts are in no page, outbox,
featured, replies or context collection (their rows stay, so a moderator can restore them).
"""

from __future__ import annotations

import json
from typing import Any, Protocol

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route
from tortoise.expressions import Q, Subquery

from fedicom.activitypub.jsonld import ACTIVITY_CONTEXT, with_context
from fedicom.activitypub.models import OutgoingActivity
from fedicom.activitypub.routes import Hosting, fed_of, receive
from fedicom.errors import NotFound
from fedicom.groups import actor as wire
from fedicom.groups.communities import Site, actor_document, member_count, moderators_of
from fedicom.groups.context import Groups
from fedicom.groups.conversation_wire import (
    build_context,
    build_replies,
    build_tombstone,
    context_uri,
    replies_uri,
)
from fedicom.groups.conversations import (
    PostReading,
    Reading,
    context_of,
    post_number,
    read_post,
    replies_of,
    shown_post,
)
from fedicom.groups.models import Group, Post, PostState
from fedicom.http import ActivityResponse, page_number, wants_activity_json, wants_page

PAGE_SIZE = 20
OUTBOX_MAX_PAGE = 1_000_000  # twenty million announces: crawlers may walk a large community's history
# conversation collections list bare ids (about 60 bytes each): 50 a page keeps a whole-thread fetch
# to few requests; 100,000 pages is five million posts, more than any one conversation holds
CONVERSATION_PAGE_SIZE = 50
CONVERSATION_MAX_PAGE = 100_000


class CommunityPages(Protocol):
    """The pages browsers get at a community's and a post's addresses (fedicom/web/community.py)."""

    async def community_page(self, request: Request, group: Group) -> Response: ...

    async def privacy_page(self, request: Request, group: Group) -> Response: ...

    async def post_page(self, request: Request) -> Response: ...


class CommunityHosting(Hosting, Protocol):
    """What the community routes read of the app (fedicom/web/appstate.py's AppState provides it)."""

    @property
    def site(self) -> Site: ...

    @property
    def groups(self) -> Groups: ...

    @property
    def pages(self) -> CommunityPages: ...


def community_hosting(request: Request) -> CommunityHosting:
    found: CommunityHosting = request.app.state.fedicom
    return found


def site_of(request: Request) -> Site:
    return community_hosting(request).site


async def group_of(request: Request) -> Group:
    """The community named in the path; signed fetches from blocked servers are refused here."""
    await fed_of(request).check_fetch(request.headers)
    groups = community_hosting(request).groups
    return await groups.group(request.path_params["name"])


async def group_actor(request: Request) -> Response:
    group = await group_of(request)
    if wants_activity_json(request):
        response: Response = ActivityResponse(
            await actor_document(fed_of(request).keys, site_of(request), group)
        )
    elif group.moved_to:
        response = moved_page(group.moved_to)
    else:
        response = await community_hosting(request).pages.community_page(request, group)
    response.headers["Vary"] = "Accept"  # one URL, two representations: caches must keep them apart
    return response


def moved_page(new_home: str) -> Response:
    """A moved community's pages send browsers to its new home (temporary: it may move back)."""
    return RedirectResponse(new_home, status_code=302)


async def privacy_policy(request: Request) -> Response:
    """`privacyPolicy` of the actor: a page, or the Note itself for ActivityPub clients. A community
    without a policy of its own has no Note and its actor links none; its page still says what the
    server measures in it (insights)."""
    group = await group_of(request)
    if wants_activity_json(request) and not group.privacy_policy:
        raise NotFound(f"{group.title} has published no privacy policy of its own")
    if wants_activity_json(request):
        note = wire.build_privacy_policy(site_of(request).uri(group.name), group.privacy_policy)
        response: Response = ActivityResponse({"@context": ACTIVITY_CONTEXT, **note})
    elif group.moved_to:
        response = moved_page(group.moved_to)
    else:
        response = await community_hosting(request).pages.privacy_page(request, group)
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
        group=group, parent_id=None, deleted=False, state=PostState.VISIBLE, pinned_at__not_isnull=True
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
    hidden = Post.filter(Q(deleted=True) | ~Q(state=PostState.VISIBLE), group=group).values("object_id")
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


def _document(found: PostReading) -> Response:
    """The object as stored; one stored as embedded in its Create gets the `@context` it lacks."""
    document = found.post.document
    return ActivityResponse(with_context(document, document.get("@context", ACTIVITY_CONTEXT)))


def _original(found: PostReading) -> Response:
    """302, not 301: the answer here changes if a moderator removes the post or its author deletes it,
    and a permanent redirect would be cached past that. Mastodon and Lemmy follow it and re-check the
    object's id against the address they end at."""
    return RedirectResponse(found.post.object_id, status_code=302)


def _tombstone(found: PostReading) -> Response:
    return ActivityResponse(build_tombstone(found.uri, found.post.type), status_code=410)


ANSWERS = {Reading.OBJECT: _document, Reading.ELSEWHERE: _original, Reading.GONE: _tombstone}


async def post(request: Request) -> Response:
    """`/c/NAME/p/N`: the post for ActivityPub readers (a thread address pasted into Mastodon's or
    Lemmy's search resolves), the thread page for browsers."""
    if not wants_activity_json(request):
        return _vary(await community_hosting(request).pages.post_page(request))
    group = await group_of(request)
    found = await read_post(site_of(request), group, post_number(request.path_params["post_id"]))
    return _vary(ANSWERS[found.reading](found))


async def _conversation_post(request: Request) -> tuple[Group, PostReading]:
    group = await group_of(request)
    return group, await shown_post(site_of(request), group, post_number(request.path_params["post_id"]))


async def replies(request: Request) -> Response:
    """A post's direct replies, oldest first: JSON only (a browser is sent to the post's page)."""
    _, found = await _conversation_post(request)
    if wants_page(request):
        return _to_page(found.uri)
    page = page_number(request, CONVERSATION_MAX_PAGE)
    ids, total = await replies_of(found.post, page, CONVERSATION_PAGE_SIZE)
    if "page" not in request.query_params:
        return _json(build_replies(found.uri, total, CONVERSATION_PAGE_SIZE))
    return _json(wire.build_outbox_page(replies_uri(found.uri), page, ids, total, CONVERSATION_PAGE_SIZE))


async def context(request: Request) -> Response:
    """A thread's conversation (FEP-7888, FEP-f228); a reply's address sends to its thread's."""
    group, found = await _conversation_post(request)
    if wants_page(request):
        return _to_page(found.uri)
    uri = context_uri(found.thread_uri)
    if found.uri != found.thread_uri:
        return _vary(RedirectResponse(uri, status_code=302))
    page = page_number(request, CONVERSATION_MAX_PAGE)
    ids, total = await context_of(found.post, page, CONVERSATION_PAGE_SIZE)
    if "page" not in request.query_params:
        return _json(
            build_context(found.uri, site_of(request).uri(group.name), total, CONVERSATION_PAGE_SIZE)
        )
    return _json(wire.build_outbox_page(uri, page, ids, total, CONVERSATION_PAGE_SIZE))


def _to_page(uri: str) -> Response:
    return _vary(RedirectResponse(uri, status_code=303))


def _json(doc: dict[str, Any]) -> Response:
    return _vary(ActivityResponse(doc))


def _vary(response: Response) -> Response:
    response.headers["Vary"] = "Accept"  # one URL, two answers: caches must keep them apart
    return response


routes = [
    Route("/c/{name}", group_actor),
    Route("/c/{name}/privacy", privacy_policy),
    Route("/c/{name}/inbox", group_inbox, methods=["POST"]),
    Route("/c/{name}/outbox", outbox),
    Route("/c/{name}/followers", followers),
    Route("/c/{name}/moderators", moderators),
    Route("/c/{name}/featured", featured),
    Route("/c/{name}/p/{post_id}", post),
    Route("/c/{name}/p/{post_id}/replies", replies),
    Route("/c/{name}/p/{post_id}/context", context),
]
