"""On the staff page of an idea (a thread of an idea board): set its status with a note, or merge it
into the original. The same services as `fedicom ideas` and the admin API (ideas/status.py,
merging.py); a refusal shows the page again with the reason and what was typed."""

from __future__ import annotations

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from fedicom.errors import FedicomError
from fedicom.groups.models import Post
from fedicom.ideas.lifecycle import LABELS, MAX_NOTE, parse_status
from fedicom.ideas.merging import merge
from fedicom.ideas.status import set_status
from fedicom.moderation.acting import Acting
from fedicom.publishing.compose import Author, find_post
from fedicom.web.staff.auth import staff_only
from fedicom.web.staff.layout import done, form_text, staff_form
from fedicom.web.staff.posts import community_post, post_path, post_view

MAX_ADDRESS = 1024


def _typed(form: FormData) -> dict[str, str]:
    return {k: v for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}


async def _refused(
    request: Request, acting: Acting, post: Post, form: FormData, which: str, exc: FedicomError
) -> Response:
    return await post_view(
        request, acting, post, status=exc.status, idea_error=(which, exc.reason), idea_values=_typed(form)
    )


@staff_only
async def idea_status(request: Request, acting: Acting) -> Response:
    form = await staff_form(request)
    post = await community_post(acting, request.path_params["name"], request.path_params["post_id"])
    try:
        status = parse_status(form_text(form, "status", 40, label="status"))
        note = form_text(form, "note", MAX_NOTE, label="note")
        await set_status(acting.ctx, Author(acting.actor, acting.files), post, status, note)
    except FedicomError as exc:
        return await _refused(request, acting, post, form, "status", exc)
    said = f"Idea {post.id} is now {LABELS[status]}; members are told in your reply under it"
    return done(request, post_path(post.group, post), said)


@staff_only
async def idea_merge(request: Request, acting: Acting) -> Response:
    form = await staff_form(request)
    post = await community_post(acting, request.path_params["name"], request.path_params["post_id"])
    try:
        into = form_text(form, "into", MAX_ADDRESS, label="address of the original").strip()
        original = await find_post(acting.ctx, into)
        merged = await merge(acting.ctx, Author(acting.actor, acting.files), post, original)
    except FedicomError as exc:
        return await _refused(request, acting, post, form, "merge", exc)
    votes = f"{merged.moved} {'vote' if merged.moved == 1 else 'votes'} moved, {merged.dropped} already there"
    said = f"Merged idea {post.id} into this one: {votes}; its author is told in your reply"
    return done(request, post_path(original.group, original), said)


routes = [  # before posts.routes, whose /p/N/{action} would take these
    Route("/staff/c/{name}/p/{post_id:int}/idea-status", idea_status, methods=["POST"]),
    Route("/staff/c/{name}/p/{post_id:int}/idea-merge", idea_merge, methods=["POST"]),
]
