"""The public pages of communities: the instance home (directory), a community, a thread.

Routes parse the query, call one service (browse, directory) and render a template; the community
page shares its URL with the Group actor (`/c/NAME`), and a post's page with the post's object
(`/c/NAME/p/N`): groups/routes.py negotiates those addresses and asks this module (its
`CommunityPages`, wired in web/setup.py) for the page a browser gets.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from fedicom.answers.listing import Status as Answered
from fedicom.answers.listing import accepted_post, question_page
from fedicom.answers.listing import parse_status as parse_answered
from fedicom.errors import BadRequest
from fedicom.groups.authors import describe
from fedicom.groups.browse import PostPage, community_posts, thread_of
from fedicom.groups.communities import member_count, moderators_of
from fedicom.groups.conversations import post_number
from fedicom.groups.family import ancestors_of, children_of
from fedicom.groups.featured import featured_threads
from fedicom.groups.kinds import CommunityKind, traits
from fedicom.groups.models import Group, Post
from fedicom.groups.ranking import SORTS, parse_sort
from fedicom.http import page_number
from fedicom.ideas.board import history_of, ideas_page, original_of
from fedicom.ideas.lifecycle import LABELS as STATUS_LABELS
from fedicom.ideas.lifecycle import IdeaStatus, check_board, parse_status
from fedicom.insights import experts
from fedicom.moderation.authority import is_moderator
from fedicom.recognition.rules import EARNED_BY, LABELS, Badge
from fedicom.recognition.standing import badges_for, left_out
from fedicom.web.appstate import app_state
from fedicom.web.staff.auth import signed_in
from fedicom.web.templating import render

MAX_QUERY = 200


async def community_context(request: Request, group: Group) -> dict[str, Any]:
    """What every page of a community shows in its header and sidebar."""
    site = app_state(request).site
    moderators = await moderators_of(group)
    return {
        "group": group,
        "handle": f"{group.name}@{site.domain}",
        "uri": site.uri(group.name),
        "members": await member_count(group),
        "moderators": moderators,
        "experts": await _experts(group),  # named with a badge wherever a person is shown
        "words": traits(group.kind).wording,
        "ancestors": await ancestors_of(group),  # the breadcrumb, from the top down
    }


async def _experts(group: Group) -> frozenset[str]:
    """The experts a visitor sees: none in a private community, none who asked to be left out."""
    return frozenset() if group.private else await experts.of(group) - await left_out(group)


async def shown_badges(group: Group, actors: set[str]) -> dict[str, list[tuple[str, str]]]:
    """The recognition badges by these names, as (label, how it is earned); `expert` has its own."""
    found = await badges_for(group, actors)
    return {a: [(LABELS[b], EARNED_BY[b]) for b in bs if b is not Badge.EXPERT] for a, bs in found.items()}


async def staff_sees_all(request: Request, group: Group) -> bool:
    """A signed-in staff member who moderates the community sees its private and unlisted children too."""
    staff = await signed_in(request)
    site = app_state(request).site
    return staff is not None and await is_moderator(site, group, site.staff_uri(staff.username))


async def home(request: Request) -> Response:
    query = request.query_params.get("q", "").strip()[:MAX_QUERY]
    topic = request.query_params.get("topic", "").strip().lower() or None
    language = request.query_params.get("language", "").strip().lower() or None
    found = await app_state(request).directory.search(query, topic, language)
    return render(
        request,
        "home.html",
        {
            "found": found,
            "q": query,
            "topic": topic,
            "language": language,
            "domain": app_state(request).site.domain,
        },
    )


async def community_page(request: Request, group: Group) -> Response:
    """The HTML of `/c/NAME`: about, rules, moderators, its child communities and their best threads,
    and its threads sorted (by default in its kind's order) and paged."""
    default_sort = traits(group.kind).default_sort
    sort = parse_sort(request.query_params.get("sort"), default_sort)
    if sort is None:
        raise BadRequest(f"sort must be one of {', '.join(SORTS)}")
    page, status = await _listed(request, group, sort)
    context = await community_context(request, group)
    posts = [*page.pinned, *page.posts]
    featured = await featured_threads(group) if page.number == 1 else []
    groups = app_state(request).groups
    people = [p.author for p in posts] + [f.post.author for f in featured] + context["moderators"]
    context.update(
        page=page,
        sorts=SORTS,
        status=status,
        statuses=_statuses(group),
        default_sort=default_sort,
        children=await children_of(group, everyone=await staff_sees_all(request, group)),
        featured=featured,
        authors=await describe(people, app_state(request).site),
        addons=await groups.addons.for_posts(group, posts),
        badges=await shown_badges(group, {p.author for p in posts} | set(context["moderators"])),
    )
    return render(request, "community.html", context)


def _statuses(group: Group) -> list[tuple[str, str]]:
    """The `?status=` words of the community's kind and their labels (none for a discussion)."""
    if group.kind == CommunityKind.QUESTIONS:
        return [
            (s.value, s.value.capitalize()) for s in (Answered.ALL, Answered.UNANSWERED, Answered.ANSWERED)
        ]
    if group.kind == CommunityKind.IDEAS:
        return [(s.value, STATUS_LABELS[s]) for s in IdeaStatus]
    return []


async def _listed(request: Request, group: Group, sort: str) -> tuple[PostPage, str | None]:
    """A page of the community's threads and the `?status=` it is filtered by: an idea board's statuses,
    a Q&A community's answered or not (all by default); 400 for an unknown word or another kind."""
    number, raw = page_number(request), request.query_params.get("status", "").strip()[:MAX_QUERY]
    if group.kind == CommunityKind.QUESTIONS:
        asked = parse_answered(raw)
        if asked == Answered.ALL or group.private:
            return await community_posts(group, sort, number, app_state(request).hot_ranks), asked.value
        return await question_page(group, asked, number), asked.value
    if not raw:
        return await community_posts(group, sort, number, app_state(request).hot_ranks), None
    check_board(group)
    status = parse_status(raw)
    return await ideas_page(group, sort, status, number), status.value


async def idea_extras(group: Group, root: Post) -> dict[str, Any]:
    """On an idea's page: the history of its status and, for a merged duplicate, the original."""
    if group.kind != CommunityKind.IDEAS:
        return {}
    return {"idea_history": await history_of(root), "merged_original": await original_of(group, root)}


async def privacy_page(request: Request, group: Group) -> Response:
    """The community's privacy policy on a page of its own (the actor's `privacyPolicy` links it)."""
    context = await community_context(request, group)
    context["insights_keep_days"] = app_state(request).settings.insights_keep_days
    context["listen_keep_days"] = app_state(request).settings.listen_keep_days
    return render(request, "privacy.html", context)


async def post_page(request: Request) -> Response:
    """A thread (or one reply of it) with its replies nested."""
    groups = app_state(request).groups
    group = await groups.group(request.path_params["name"])
    thread = await thread_of(group, post_number(request.path_params["post_id"]))
    context = await community_context(request, group)
    extras = await idea_extras(group, thread.root)
    asked = group.kind == CommunityKind.QUESTIONS and thread.focus.id == thread.root.id
    accepted = await accepted_post(thread.root) if asked else None
    people = thread.authors() | set(context["moderators"]) | {h.actor for h in extras.get("idea_history", [])}
    people |= {accepted.author} if accepted else set()
    context.update(
        thread=thread,
        accepted=accepted,
        authors=await describe(people, app_state(request).site),
        addons=await groups.addons.for_posts(group, thread.posts()),
        badges=await shown_badges(group, thread.authors() | set(context["moderators"])),
        status_labels=STATUS_LABELS,
        **extras,
    )
    return render(request, "post.html", context)


routes = [Route("/", home)]  # a post's page shares its address with the object: see groups/routes.py
