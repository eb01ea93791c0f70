"""Staff pages of a community's posts: the list by state, and one post with what its moderators do
to it (remove, restore, lock, pin). The actions call the services `fedicom post` and the admin API
call (moderation/removals.py, threads.py), so each federates exactly as they do.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from fedicom.answers.accepting import accept, unaccept
from fedicom.errors import BadRequest, FedicomError, NotFound
from fedicom.groups.authors import describe
from fedicom.groups.models import Group, Post
from fedicom.groups.text import plain_text
from fedicom.http import page_number
from fedicom.ideas.lifecycle import LABELS, IdeaStatus
from fedicom.ideas.matches import matches_of
from fedicom.moderation.acting import Acting
from fedicom.moderation.held import list_posts
from fedicom.moderation.models import Report, ReportState
from fedicom.moderation.removals import remove_post, restore_post
from fedicom.moderation.rules import rules_list
from fedicom.moderation.threads import lock_post, pin_post
from fedicom.publishing.compose import Author, changeable_by
from fedicom.web.staff.auth import staff_only
from fedicom.web.staff.layout import MAX_ID, done, form_text, staff_form, staff_page

STATES = ("visible", "removed", "held", "all")
PAGE_SIZE = 30
MAX_TEXT = 2000  # as the admin API allows for a reason
MAX_RULE = 1000


def label(post: Post) -> str:
    """How a post is named on staff pages: its title, else the start of its text."""
    return post.title or plain_text(post.content, 80) or f"Post {post.id}"


def post_path(group: Group, post: Post) -> str:
    return f"/staff/c/{group.name}/p/{post.id}"


def text_field(form: FormData, name: str) -> str:
    """A free-text field of a moderation form (a reason, a note), as long as the admin API allows."""
    return form_text(form, name, MAX_TEXT).strip()


def rule_field(form: FormData) -> int | None:
    """The number of the community rule cited, if one was chosen."""
    raw = str(form.get("rule", "")).strip()
    if not raw:
        return None
    if not raw.isdigit() or len(raw) > 4 or not 1 <= int(raw) <= MAX_RULE:
        raise BadRequest(f"{raw[:20]!r} is not the number of a rule")
    return int(raw)


async def community_post(acting: Acting, name: str, post_id: int) -> Post:
    """A post of a community the staff member moderates (Forbidden otherwise, NotFound if not there)."""
    group = await acting.community(name)
    found = (
        await Post.get_or_none(id=post_id, group_id=group.id, deleted=False) if post_id <= MAX_ID else None
    )
    if found is None:
        raise NotFound(f"there is no post {post_id} in {group.name}")
    found.group = group
    return found


async def posts_page(group: Group, state: str, number: int) -> tuple[list[Post], bool]:
    """One page of the community's posts in `state` (or all), as `list_posts` orders them, and whether
    more follow."""
    rows = await list_posts(group, state, limit=PAGE_SIZE + 1, offset=(number - 1) * PAGE_SIZE)
    return rows[:PAGE_SIZE], len(rows) > PAGE_SIZE


@staff_only
async def posts_list(request: Request, acting: Acting) -> Response:
    group = await acting.community(request.path_params["name"])
    state = request.query_params.get("state", "visible")
    if state not in STATES:
        raise BadRequest(f"unknown state {state[:20]!r}; use one of {', '.join(STATES)}")
    number = page_number(request)
    posts, has_next = await posts_page(group, state, number)
    context = {
        "group": group,
        "tab": "posts",
        "section": "communities",
        "posts": posts,
        "state": state,
        "states": STATES,
        "number": number,
        "has_next": has_next,
        "label": label,
        "authors": await describe([p.author for p in posts], acting.ctx.site),
    }
    return staff_page(request, "staff/posts.html", context)


@staff_only
async def post_page(request: Request, acting: Acting) -> Response:
    post = await community_post(acting, request.path_params["name"], request.path_params["post_id"])
    return await post_view(request, acting, post)


async def post_view(
    request: Request, acting: Acting, post: Post, *, status: int = 200, **extra: Any
) -> Response:
    """The staff page of a post; `extra` (a form's error and what was typed) when an action was refused."""
    group = post.group
    open_reports = await Report.filter(community_id=group.id, state=ReportState.OPEN).order_by("-id")
    root = None if post.is_thread else await Post.get_or_none(id=post.root_id, group_id=group.id)  # type: ignore[attr-defined]
    context = {
        "group": group,
        "tab": "posts",
        "section": "communities",
        "post": post,
        "title": label(post),
        "root": root,
        "label": label,
        "rules": rules_list(group.rules),
        "reports": [r for r in open_reports if post.object_id in r.targets],
        "mine": changeable_by(acting.ctx, post, acting.actor),
        "addons": await acting.ctx.addons.for_posts(group, [post]),
        "authors": await describe([post.author], acting.ctx.site),
        "similar": await matches_of(post) if post.is_thread else [],
        "idea_statuses": [(s.value, LABELS[s]) for s in IdeaStatus if s != IdeaStatus.DUPLICATE],
        **extra,
    }
    return staff_page(request, "staff/post.html", context, status)


# --- actions: each returns the sentence shown when it worked ------------------------------------------


async def _remove(acting: Acting, post: Post, form: FormData) -> str:
    await remove_post(
        acting.ctx, post, acting.actor, reason=text_field(form, "reason"), rule=rule_field(form)
    )
    return f"Removed post {post.id} ({post.state_reason}); members' servers are told"


async def _restore(acting: Acting, post: Post, form: FormData) -> str:
    await restore_post(acting.ctx, post, acting.actor, reason=text_field(form, "reason"))
    return f"Restored post {post.id}; members' servers are told"


async def _lock(acting: Acting, post: Post, form: FormData) -> str:
    await lock_post(acting.ctx, post, acting.actor, locked=True, reason=text_field(form, "reason"))
    return f"Locked post {post.id}: no new replies under it are accepted"


async def _unlock(acting: Acting, post: Post, form: FormData) -> str:
    await lock_post(acting.ctx, post, acting.actor, locked=False, reason=text_field(form, "reason"))
    return f"Unlocked post {post.id}"


async def _pin(acting: Acting, post: Post, _form: FormData) -> str:
    await pin_post(acting.ctx, post, acting.actor, pinned=True)
    return f"Pinned post {post.id} to the top of {post.group.title}"


async def _unpin(acting: Acting, post: Post, _form: FormData) -> str:
    await pin_post(acting.ctx, post, acting.actor, pinned=False)
    return f"Unpinned post {post.id}"


async def _accept_answer(acting: Acting, post: Post, _form: FormData) -> str:
    await accept(acting.ctx, Author(acting.actor, acting.files), post)
    return f"Accepted post {post.id} as the answer; members' servers are told by your reply naming it"


async def _unaccept_answer(acting: Acting, post: Post, _form: FormData) -> str:
    question = await Post.get_or_none(id=post.root_id or post.id, group_id=post.group.id)  # type: ignore[attr-defined]
    if question is None:
        raise NotFound(f"the question of post {post.id} is gone")
    question.group = post.group
    await unaccept(acting.ctx, acting.actor, question)
    return f"Post {post.id} is no longer the accepted answer"


ACTIONS: dict[str, Callable[[Acting, Post, FormData], Awaitable[str]]] = {
    "remove": _remove,
    "restore": _restore,
    "lock": _lock,
    "unlock": _unlock,
    "pin": _pin,
    "unpin": _unpin,
    "accept-answer": _accept_answer,
    "unaccept-answer": _unaccept_answer,
}


@staff_only
async def post_action(request: Request, acting: Acting) -> Response:
    action = ACTIONS.get(request.path_params["action"])
    if action is None:
        raise NotFound(f"there is no action {request.path_params['action'][:40]!r} on posts")
    form = await staff_form(request)
    post = await community_post(acting, request.path_params["name"], request.path_params["post_id"])
    here = post_path(post.group, post)
    try:
        said = await action(acting, post, form)
    except FedicomError as exc:
        return done(request, here, exc.reason, kind="error")
    return done(request, here, said)


routes = [
    Route("/staff/c/{name}/posts", posts_list),
    Route("/staff/c/{name}/p/{post_id:int}", post_page),
    Route("/staff/c/{name}/p/{post_id:int}/{action}", post_action, methods=["POST"]),
]
