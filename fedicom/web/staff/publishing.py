"""Staff pages for the community's own voice: write a post, ask in a poll, reply to a post, edit and
delete one's own. They call the services `fedicom post create` and the admin API call
(publishing/compose.py, polls.py), so each federates exactly as they do.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from fedicom.errors import BadRequest, FedicomError, PayloadTooLarge
from fedicom.groups.models import Group, Post
from fedicom.media.attachments import MAX_ALT
from fedicom.media.uploads import PICTURE
from fedicom.moderation.acting import Acting
from fedicom.publishing.compose import Author, changeable_by, delete, draft_of, edit, publish
from fedicom.publishing.drafts import MAX_BODY, MAX_PICTURES, MAX_TITLE, MAX_WARNING, Draft, Upload
from fedicom.publishing.polls import MAX_OPTION, MAX_OPTIONS, MAX_QUESTION, create_poll, parse_duration
from fedicom.publishing.scheduling import cancel, list_scheduled, schedule
from fedicom.web.staff.auth import staff_only
from fedicom.web.staff.layout import done, form_text, staff_form, staff_page
from fedicom.web.staff.posts import community_post, label, post_path

UPLOAD_LIMIT = MAX_PICTURES * PICTURE.max_bytes + 256 * 1024  # four pictures and the text
TOO_LARGE = "the form is larger than 32 MiB: attach at most four images of at most 8 MiB each"
DURATIONS = (("1h", "1 hour"), ("1d", "1 day"), ("3d", "3 days"), ("1w", "1 week"), ("4w", "4 weeks"))


def _author(acting: Acting) -> Author:
    return Author(acting.actor, acting.files)


async def _uploads(form: FormData) -> tuple[Upload, ...]:
    """The images chosen, each with the alt text typed beside it (image1/alt1 … image4/alt4)."""
    uploads = []
    for number in range(1, MAX_PICTURES + 1):
        value = form.get(f"image{number}")
        if not isinstance(value, UploadFile):
            continue
        data = await value.read(PICTURE.max_bytes + 1)
        if data or value.filename:
            uploads.append(Upload(data, form_text(form, f"alt{number}", MAX_ALT, label=f"alt text {number}")))
    return tuple(uploads)


def _draft(form: FormData, uploads: tuple[Upload, ...] = ()) -> Draft:
    warning = form_text(form, "warning", MAX_WARNING, label="content warning").strip()
    return Draft(
        title=form_text(form, "title", MAX_TITLE, label="title"),
        body=form_text(form, "body", MAX_BODY, label="text"),
        link=form_text(form, "link", 1024, label="link") or None,
        uploads=uploads,
        warning=warning or ("" if form.get("sensitive") == "on" else None),
        language=form_text(form, "language", 8, label="language") or None,
        as_community=form.get("voice") == "community",
    )


def _values(form: FormData | None) -> dict[str, str]:
    """What was typed, to show the form again after a refusal (files must be chosen again)."""
    if form is None:
        return {}
    return {k: v for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}


def _page(
    request: Request,
    template: str,
    group: Group,
    *,
    error: str | None = None,
    status: int = 200,
    **extra: Any,
) -> Response:
    context = {"group": group, "section": "communities", "error": error, **extra}
    return staff_page(request, template, context, status)


async def _read(request: Request, max_files: int) -> FormData:
    try:
        return await staff_form(request, limit=UPLOAD_LIMIT, max_fields=40, max_files=max_files)
    except PayloadTooLarge:
        raise PayloadTooLarge(TOO_LARGE) from None


def _when(form: FormData) -> tuple[datetime | None, str | None]:
    """The time and repeat rule typed under "Publish later" (none: publish now)."""
    raw = form_text(form, "at", 40, label="time").strip()
    every = form_text(form, "every", 100, label="repeat rule").strip() or None
    if not raw:
        return None, every
    try:
        return datetime.fromisoformat(raw), every
    except ValueError:
        raise BadRequest(f"{raw[:40]!r} is not a date and time") from None


@staff_only
async def scheduled_page(request: Request, acting: Acting) -> Response:
    group = await acting.community(request.path_params["name"])
    items = await list_scheduled(group, include_ended=True)
    return _page(request, "staff/scheduled.html", group, tab="scheduled", items=items[-200:])


@staff_only
async def scheduled_cancel(request: Request, acting: Acting) -> Response:
    group = await acting.community(request.path_params["name"])
    await staff_form(request)
    here = f"/staff/c/{group.name}/scheduled"
    raw = str(request.path_params["item_id"])
    try:
        await cancel(int(raw), may_act=lambda g: acting.community(g.name))
    except FedicomError as exc:
        return done(request, here, exc.reason, kind="error")
    return done(request, here, f"Cancelled scheduled post {raw}: it will not come out")


@staff_only
async def write(request: Request, acting: Acting) -> Response:
    """A new thread: title, text, link, images with alt text, content warning, language."""
    group = await acting.community(request.path_params["name"])
    if request.method == "GET":
        return _page(request, "staff/write.html", group, tab="write", values={})
    form = None
    try:
        form = await _read(request, MAX_PICTURES)
        draft = _draft(form, await _uploads(form))
        at, every = _when(form)
        if at is not None or every:
            zone_name = form_text(form, "timezone", 64, label="time zone").strip() or None
            item = await schedule(
                acting.ctx, _author(acting), group, draft, at=at, every=every, timezone=zone_name
            )
            when = f"{item.run_at:%Y-%m-%d %H:%M} UTC" + (f", then {every}" if every else "")
            return done(request, f"/staff/c/{group.name}/scheduled", f"Scheduled for {when}")
        post = await publish(acting.ctx, _author(acting), group, draft)
    except FedicomError as exc:
        values = _values(form)
        return _page(
            request,
            "staff/write.html",
            group,
            tab="write",
            values=values,
            error=exc.reason,
            status=exc.status,
        )
    finally:
        if form is not None:
            await form.close()
    return done(
        request, post_path(group, post), f"Published “{label(post)}”: members' servers receive it now"
    )


@staff_only
async def poll(request: Request, acting: Acting) -> Response:
    group = await acting.community(request.path_params["name"])
    context: dict[str, Any] = {
        "tab": "write",
        "durations": DURATIONS,
        "max_options": MAX_OPTIONS,
        "max_option": MAX_OPTION,
        "max_question": MAX_QUESTION,
    }
    if request.method == "GET":
        return _page(request, "staff/poll_new.html", group, values={"closes": "1d"}, **context)
    form = None
    try:
        form = await staff_form(request, max_fields=40)
        options = [
            form_text(form, f"option{n}", MAX_OPTION, label=f"option {n}").strip()
            for n in range(1, MAX_OPTIONS + 1)
        ]
        post = await create_poll(
            acting.ctx,
            _author(acting),
            group,
            form_text(form, "question", MAX_QUESTION, label="question"),
            [o for o in options if o],
            multiple=form.get("multiple") == "on",
            duration=parse_duration(form_text(form, "closes", 8, label="duration")),
        )
    except FedicomError as exc:
        return _page(
            request,
            "staff/poll_new.html",
            group,
            values=_values(form),
            error=exc.reason,
            status=exc.status,
            **context,
        )
    return done(request, post_path(group, post), f"Poll “{label(post)}” published: members can vote now")


@staff_only
async def reply(request: Request, acting: Acting) -> Response:
    """A reply under the post shown: it mentions the post's author, whose server is notified."""
    parent = await community_post(acting, request.path_params["name"], request.path_params["post_id"])
    here = post_path(parent.group, parent)
    form = None
    try:
        form = await _read(request, MAX_PICTURES)
        draft = Draft(body=form_text(form, "body", MAX_BODY, label="reply"), uploads=await _uploads(form))
        answer = await publish(acting.ctx, _author(acting), parent.group, draft, reply_to=parent)
    except FedicomError as exc:
        return done(request, here, exc.reason, kind="error")
    finally:
        if form is not None:
            await form.close()
    return done(request, post_path(parent.group, answer), "Replied: members' servers receive it now")


async def _mine(acting: Acting, request: Request) -> Post:
    post = await community_post(acting, request.path_params["name"], request.path_params["post_id"])
    if not changeable_by(acting.ctx, post, acting.actor):
        raise BadRequest("only its author may edit or delete a post: moderators remove it instead")
    return post


@staff_only
async def edit_post(request: Request, acting: Acting) -> Response:
    post = await _mine(acting, request)
    current = draft_of(post)
    context: dict[str, Any] = {
        "tab": "posts",
        "post": post,
        "title": label(post),
        "pictures": current.pictures,
    }
    if request.method == "GET":
        values = {
            "title": current.title or "",
            "body": current.body,
            "link": current.link or "",
            "warning": current.warning or "",
            "language": current.language or "",
        }
        if current.warning is not None:
            values["sensitive"] = "on"
        return _page(request, "staff/post_edit.html", post.group, values=values, **context)
    form = None
    try:
        form = await _read(request, MAX_PICTURES)
        typed = _draft(form, await _uploads(form))
        kept = tuple(p for n, p in enumerate(current.pictures, start=1) if form.get(f"keep{n}") == "on")
        draft = replace(typed, title=typed.title if post.is_thread else None, pictures=kept)
        await edit(acting.ctx, _author(acting), post, draft)
    except FedicomError as exc:
        return _page(
            request,
            "staff/post_edit.html",
            post.group,
            values=_values(form),
            error=exc.reason,
            status=exc.status,
            **context,
        )
    finally:
        if form is not None:
            await form.close()
    return done(request, post_path(post.group, post), "Saved: members' servers receive the edit now")


@staff_only
async def delete_post(request: Request, acting: Acting) -> Response:
    await staff_form(request)
    post = await _mine(acting, request)
    try:
        await delete(acting.ctx, _author(acting), post)
    except FedicomError as exc:
        return done(request, post_path(post.group, post), exc.reason, kind="error")
    return done(
        request, f"/staff/c/{post.group.name}/posts", f"Deleted post {post.id}: members' servers are told"
    )


routes: list[BaseRoute] = [
    Route("/staff/c/{name}/write", write, methods=["GET", "POST"]),
    Route("/staff/c/{name}/poll", poll, methods=["GET", "POST"]),
    Route("/staff/c/{name}/scheduled", scheduled_page),
    Route("/staff/c/{name}/scheduled/{item_id:int}/cancel", scheduled_cancel, methods=["POST"]),
    Route("/staff/c/{name}/p/{post_id:int}/reply", reply, methods=["POST"]),
    Route("/staff/c/{name}/p/{post_id:int}/edit", edit_post, methods=["GET", "POST"]),
    Route("/staff/c/{name}/p/{post_id:int}/delete", delete_post, methods=["POST"]),
]
