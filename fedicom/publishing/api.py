"""Admin API: staff publish posts, replies and polls, edit and delete their own posts.

Images travel inside the JSON body, base64-encoded, each with its alt text (hence the larger body
limit of these endpoints).
"""

from __future__ import annotations

import base64
import binascii
from datetime import datetime, timedelta
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from fedicom.errors import BadRequest, NotFound
from fedicom.groups.models import Post
from fedicom.media.attachments import MAX_ALT
from fedicom.moderation.api.content import PostPath, post_of
from fedicom.moderation.api.framework import Call
from fedicom.moderation.api.params import NO_NUL, CommunityPath, Strict
from fedicom.moderation.api.registry import api
from fedicom.publishing.compose import Author, delete, edit, publish, revised
from fedicom.publishing.drafts import MAX_BODY, MAX_PICTURES, MAX_TITLE, MAX_WARNING, Draft, Upload
from fedicom.publishing.models import ScheduledPost
from fedicom.publishing.polls import MAX_OPTION, MAX_OPTIONS, MAX_QUESTION, MIN_OPTIONS, create_poll
from fedicom.publishing.scheduling import cancel, list_scheduled, schedule

IMAGE_BODY = 44 * 1024 * 1024  # four pictures of 8 MiB, base64-encoded (4/3), and the text


class ImageIn(Strict):
    data: str = Field(description="The image file (PNG, JPEG, GIF or WebP, up to 8 MiB), base64-encoded.")
    alt: str = Field(min_length=1, max_length=MAX_ALT, pattern=NO_NUL, description="What the image shows.")


Language = Annotated[str, Field(pattern=r"^[a-z]{2,3}$", description="A language code such as en.")]


class PostCreate(Strict):
    title: str | None = Field(
        None, max_length=MAX_TITLE, pattern=NO_NUL, description="Required for a thread."
    )
    body: str = Field("", max_length=MAX_BODY, pattern=NO_NUL, description="Markdown.")
    link: str | None = Field(None, max_length=1024, description="An http(s) URL the thread is about.")
    reply_to: int | None = Field(None, ge=1, le=2**62, description="Reply to this post number.")
    sensitive: str | None = Field(
        None, max_length=MAX_WARNING, pattern=NO_NUL, description="A content warning: the post is sensitive."
    )
    language: Language | None = None
    images: list[ImageIn] = Field(default_factory=list, max_length=MAX_PICTURES)
    as_community: bool = Field(
        False,
        description="Post the thread as the community itself (Mastodon and Misskey show it; Lemmy, "
        "Mbin and PieFed accept posts by a person only and do not).",
    )


class PostEdit(Strict):
    title: str | None = Field(None, max_length=MAX_TITLE, pattern=NO_NUL)
    body: str | None = Field(None, max_length=MAX_BODY, pattern=NO_NUL)
    link: str | None = Field(None, max_length=1024, description="An empty string removes the link.")
    sensitive: str | None = Field(None, max_length=MAX_WARNING, pattern=NO_NUL)
    not_sensitive: bool = Field(False, description="Remove the content warning.")
    keep_images: bool = Field(True, description="Keep the images already attached.")
    images: list[ImageIn] = Field(default_factory=list, max_length=MAX_PICTURES)


class PollCreate(Strict):
    question: str = Field(min_length=1, max_length=MAX_QUESTION, pattern=NO_NUL)
    options: list[Annotated[str, Field(min_length=1, max_length=MAX_OPTION, pattern=NO_NUL)]] = Field(
        min_length=MIN_OPTIONS, max_length=MAX_OPTIONS
    )
    multiple: bool = Field(False, description="Voters may choose several options.")
    closes_in_minutes: int = Field(1440, ge=5, le=90 * 1440, description="How long the poll stays open.")


class PublishedOut(BaseModel):
    id: int = Field(description="The post's number on this server.")
    object_id: str = Field(description="The post's ActivityPub id (its page).")
    community: str
    kind: Literal["thread", "reply", "poll"]
    title: str | None
    published: datetime
    updated: datetime | None


def published_out(post: Post) -> PublishedOut:
    kind: Literal["thread", "reply", "poll"] = (
        "poll" if post.type == "Question" else "thread" if post.is_thread else "reply"
    )
    return PublishedOut(
        id=post.id,
        object_id=post.object_id,
        community=post.group.name,
        kind=kind,
        title=post.title,
        published=post.published,
        updated=post.updated,
    )


def _uploads(images: list[ImageIn]) -> tuple[Upload, ...]:
    uploads = []
    for number, image in enumerate(images, start=1):
        try:
            data = base64.b64decode(image.data, validate=True)
        except (binascii.Error, ValueError):
            raise BadRequest(f"image {number} is not valid base64") from None
        uploads.append(Upload(data, image.alt))
    return tuple(uploads)


def _draft(body: PostCreate) -> Draft:
    return Draft(
        body=body.body,
        title=body.title,
        link=body.link,
        uploads=_uploads(body.images),
        warning=body.sensitive,
        language=body.language,
        as_community=body.as_community,
    )


def _author(call: Call) -> Author:
    return Author(call.actor, call.files)


@api.endpoint(
    "POST",
    "/communities/{name}/posts",
    summary="Publish a thread or a reply as the calling staff member",
    scope="moderate",
    tag="publishing",
    path_model=CommunityPath,
    body=PostCreate,
    response=PublishedOut,
    status=201,
    max_body=IMAGE_BODY,
)
async def posts_publish(call: Call, path: CommunityPath, body: PostCreate) -> PublishedOut:
    """Announced by the community to every member, like a member's post; a reply mentions the author
    of the post it answers and reaches their server."""
    group = await call.community(path.name)
    parent = None
    if body.reply_to is not None:
        parent = await Post.get_or_none(id=body.reply_to)
        if parent is None:
            raise NotFound(f"there is no post {body.reply_to}")
    draft = _draft(body)
    post = await publish(call.ctx, _author(call), group, draft, reply_to=parent)
    return published_out(post)


@api.endpoint(
    "PATCH",
    "/communities/{name}/posts/{id}",
    summary="Edit your own post (only the fields given change)",
    scope="moderate",
    tag="publishing",
    path_model=PostPath,
    body=PostEdit,
    response=PublishedOut,
    max_body=IMAGE_BODY,
)
async def posts_edit(call: Call, path: PostPath, body: PostEdit) -> PublishedOut:
    """Members' servers receive the Update (announced, and from the author for Mastodon)."""
    post = await post_of(call, path)
    draft = revised(
        post,
        title=body.title,
        body=body.body,
        link=body.link,
        uploads=_uploads(body.images),
        keep_images=body.keep_images,
        warning=body.sensitive,
        not_sensitive=body.not_sensitive,
    )
    return published_out(await edit(call.ctx, _author(call), post, draft))


@api.endpoint(
    "DELETE",
    "/communities/{name}/posts/{id}",
    summary="Delete your own post (moderators remove others' posts with /remove)",
    scope="moderate",
    tag="publishing",
    path_model=PostPath,
)
async def posts_delete(call: Call, path: PostPath) -> None:
    post = await post_of(call, path)
    await delete(call.ctx, _author(call), post)


@api.endpoint(
    "POST",
    "/communities/{name}/polls",
    summary="Publish a poll as the calling staff member",
    scope="moderate",
    tag="publishing",
    path_model=CommunityPath,
    body=PollCreate,
    response=PublishedOut,
    status=201,
)
async def polls_publish(call: Call, path: CommunityPath, body: PollCreate) -> PublishedOut:
    """Voted on from Mastodon, Misskey, Pleroma and others; results reach members as Updates."""
    group = await call.community(path.name)
    post = await create_poll(
        call.ctx,
        _author(call),
        group,
        body.question,
        body.options,
        multiple=body.multiple,
        duration=timedelta(minutes=body.closes_in_minutes),
    )
    return published_out(post)


class ScheduleCreate(PostCreate):
    at: datetime | None = Field(
        None, description="When to publish (ISO 8601; without an offset, in `timezone`)."
    )
    every: str | None = Field(
        None,
        max_length=100,
        pattern=NO_NUL,
        description="Repeat: 'fri 10:00', 'weekdays 08:00', 'monthly 1 09:00'.",
    )
    timezone: str | None = Field(
        None,
        max_length=64,
        pattern=NO_NUL,
        description="The clock of `at` and `every` (default: the community's).",
    )


class ScheduledOut(BaseModel):
    id: int
    community: str
    author: str
    title: str | None
    next: datetime = Field(description="The next publication (UTC).")
    every: str | None
    timezone: str
    state: Literal["scheduled", "done", "cancelled", "failed"]
    published: int = Field(description="How many times it came out.")
    error: str = Field(description="Why publishing failed, when it did.")


class ScheduledPath(Strict):
    id: int = Field(ge=1, le=2**31 - 1)


def scheduled_out(item: ScheduledPost) -> ScheduledOut:
    return ScheduledOut(
        id=item.id,
        community=item.group.name,
        author=item.author,
        title=item.draft.get("title"),
        next=item.run_at,
        every=item.every,
        timezone=item.timezone,
        state=item.state,  # type: ignore[arg-type]
        published=item.published,
        error=item.last_error,
    )


@api.endpoint(
    "POST",
    "/communities/{name}/scheduled",
    summary="Schedule a post for later, or to repeat",
    scope="moderate",
    tag="publishing",
    path_model=CommunityPath,
    body=ScheduleCreate,
    response=ScheduledOut,
    status=201,
    max_body=IMAGE_BODY,
)
async def scheduled_create(call: Call, path: CommunityPath, body: ScheduleCreate) -> ScheduledOut:
    """Checked as if it went out now (images stored); it comes out once even with several processes."""
    group = await call.community(path.name)
    if body.reply_to is not None:
        raise BadRequest("replies are published at once: schedule new posts only")
    draft = _draft(body)
    item = await schedule(
        call.ctx, _author(call), group, draft, at=body.at, every=body.every, timezone=body.timezone
    )
    item.group = group
    return scheduled_out(item)


@api.endpoint(
    "GET",
    "/scheduled",
    summary="List the scheduled posts of the communities you moderate",
    scope="read",
    tag="publishing",
    response=list[ScheduledOut],
)
async def scheduled_list(call: Call) -> list[ScheduledOut]:
    found = []
    for item in await list_scheduled():
        if await call.may_moderate(item.group):
            found.append(scheduled_out(item))
    return found


@api.endpoint(
    "GET",
    "/scheduled/{id}",
    summary="One scheduled post",
    scope="read",
    tag="publishing",
    path_model=ScheduledPath,
    response=ScheduledOut,
)
async def scheduled_show(call: Call, path: ScheduledPath) -> ScheduledOut:
    item = await ScheduledPost.get_or_none(id=path.id).prefetch_related("group")
    if item is None or not await call.may_moderate(item.group):
        raise NotFound(f"there is no scheduled post {path.id}")
    return scheduled_out(item)


@api.endpoint(
    "DELETE",
    "/scheduled/{id}",
    summary="Cancel a scheduled post",
    scope="moderate",
    tag="publishing",
    path_model=ScheduledPath,
)
async def scheduled_cancel(call: Call, path: ScheduledPath) -> None:
    await cancel(path.id, may_act=lambda group: call.community(group.name))
