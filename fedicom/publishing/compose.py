"""Staff members publish in the communities they moderate: threads and replies, edited and deleted.

A staff post takes the path a member's post takes once admitted: stored as a `Post`, its author's
`Create` recorded (so the id dereferences and the Person's outbox lists it), and announced by the
group in both shapes (`groups/posts.publish`). Its id is its page, `/c/NAME/p/N`, so the address
a member pastes into Mastodon's or Lemmy's search is the object itself.

A thread may also be posted as the community itself (`Draft.as_community`): the Group is its author
and sends its `Create` to members, which Mastodon and its kin show as the community account's post;
Lemmy, Mbin and PieFed accept Person authors only (docs/publishing.md).

Edits and deletions (and the community's own threads) go to each member server once, in the shape
its software reads (activitypub/software.py): announced by the group for FEP-1b12 readers (Lemmy
reads `Announce{Update}`), sent by the author directly to Mastodon and its kin (Mastodon honours
only an author's own `Update`/`Delete`, federation.md §3.2); a server whose software is not known
gets both and drops the second copy by its activity id.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from fedicom.activitypub.models import RemoteActor
from fedicom.activitypub.software import Split
from fedicom.activitypub.vocab import new_activity_uri
from fedicom.errors import BadRequest, FetchError, Forbidden, NotFound
from fedicom.groups import posts as group_posts
from fedicom.groups.announce import announce
from fedicom.groups.context import Groups
from fedicom.groups.models import Group, Post, PostState
from fedicom.media.store import FileStore
from fedicom.media.uploads import store_picture
from fedicom.moderation.content import get_post, require_active_moderator
from fedicom.publishing import wire
from fedicom.publishing.drafts import Draft, Upload, check_uploads, content_of

_PAGE_RE = re.compile(r"^/c/([a-z0-9_]{1,64})/p/([0-9]{1,18})$")


@dataclass(frozen=True)
class Author:
    """Who publishes: the staff member's Person actor, and the store their pictures go to."""

    actor: str
    files: FileStore


async def find_post(ctx: Groups, ref: str, community: str | None = None) -> Post:
    """A post by number, ActivityPub id, or its page here (`https://host/c/NAME/p/N`)."""
    ref = ref.strip()
    base = ctx.fed.base_url
    match = _PAGE_RE.match(ref.removeprefix(base)) if ref.startswith(f"{base}/c/") else None
    if match:
        post = await Post.get_or_none(id=int(match.group(2)), group__name=match.group(1)).prefetch_related(
            "group"
        )
        if post is None:
            raise NotFound(f"there is no post {ref}")
        return post
    return await get_post(ref, community)


async def _pictures(author: Author, base_url: str, draft: Draft) -> tuple[wire.Picture, ...]:
    """The draft's uploads re-encoded and stored (as media/uploads.py stores every staff picture)."""
    stored = [
        await store_picture(u.data, u.alt, files=author.files, base_url=base_url) for u in draft.uploads
    ]
    return tuple(wire.Picture(p.url, p.media_type, p.alt, p.width, p.height) for p in stored)


async def _mention(
    ctx: Groups, actor: str, group: Group, parent: Post | None
) -> tuple[wire.Mention, str | None] | None:
    """The parent's author, mentioned so their server notifies them, and their inbox (None: local)."""
    if parent is None or parent.author in (actor, ctx.uri(group)):
        return None  # nobody to tell: one's own post, or the community's (its moderators are told)
    local = ctx.site.staff_from_uri(parent.author)
    if local:
        return wire.Mention(parent.author, f"@{local}@{ctx.site.domain}"), None
    try:
        remote = await ctx.fed.actors.get(parent.author)
    except FetchError:
        return None  # their server is gone: the reply is still posted, nobody to notify
    name = remote.preferred_username or parent.author.rstrip("/").rsplit("/", 1)[-1]
    return wire.Mention(parent.author, f"@{name}@{remote.host}"), remote.delivery_inbox


def _check_parent(group: Group, parent: Post) -> None:
    if parent.group_id != group.id:  # type: ignore[attr-defined]
        raise BadRequest(f"post {parent.id} is in another community, not in {group.name}")
    if parent.deleted:
        raise BadRequest(f"post {parent.id} was deleted: there is nothing to reply to")
    if parent.state != PostState.VISIBLE:
        raise BadRequest(f"post {parent.id} is {parent.state}: approve or restore it before replying")


async def ready(ctx: Groups, author: Author, group: Group, draft: Draft, reply_to: Post | None) -> Draft:
    """Every check a publication needs, and its images stored: the draft to publish, now or later."""
    await require_active_moderator(ctx, group, author.actor)
    if reply_to is not None:
        _check_parent(group, reply_to)
    content_of(draft, thread=reply_to is None)  # every check on the text before an image is decoded
    check_uploads(draft.uploads, kept=len(draft.pictures))
    pictures = await _pictures(author, ctx.fed.base_url, draft)
    return replace(draft, uploads=(), pictures=draft.pictures + pictures)


async def publish(
    ctx: Groups,
    author: Author,
    group: Group,
    draft: Draft,
    *,
    reply_to: Post | None = None,
    conn: BaseDBAsyncClient | None = None,
) -> Post:
    """Publish a thread (or a reply under `reply_to`) as the staff member, in a community they
    moderate; returns the stored post, whose `object_id` is its ActivityPub id. In `conn`'s
    transaction when given (a scheduled publication commits with its job)."""
    checked = await ready(ctx, author, group, draft, reply_to)
    content = content_of(checked, thread=reply_to is None)
    actor = ctx.uri(group) if checked.as_community else author.actor
    mention = await _mention(ctx, actor, group, reply_to)
    if conn is not None:
        return await _store(ctx, actor, group, content, reply_to, mention, conn, checked.distinguished)
    async with ctx.fed.transaction() as own:
        return await _store(ctx, actor, group, content, reply_to, mention, own, checked.distinguished)


async def _store(
    ctx: Groups,
    actor: str,
    group: Group,
    content: wire.Content,
    parent: Post | None,
    mention: tuple[wire.Mention, str | None] | None,
    conn: BaseDBAsyncClient,
    distinguished: bool = False,
) -> Post:
    now = datetime.now(UTC)
    group_uri = ctx.uri(group)
    post = await Post.create(
        group=group,
        object_id=f"urn:uuid:{uuid.uuid4()}",  # replaced below: the id is the page, which needs the row's
        type="Note" if parent else "Page",
        author=actor,
        parent=parent,
        root_id=(parent.root_id or parent.id) if parent else None,  # type: ignore[attr-defined]
        title=content.title,
        content=content.html,
        url=content.link,
        document={},
        published=now,
        announce_id=new_activity_uri(ctx.fed.base_url),
        using_db=conn,
    )
    post.group = group
    object_id = f"{group_uri}/p/{post.id}"
    thread_id = f"{group_uri}/p/{post.root_id or post.id}"  # type: ignore[attr-defined]
    to = wire.Addressing(group_uri, group.private, (mention[0].href,) if mention else ())
    obj = wire.build_object(
        object_id=object_id,
        author=actor,
        to=to,
        content=content,
        published=now,
        thread_id=thread_id,
        in_reply_to=parent.object_id if parent else None,
        mentions=(mention[0],) if mention else (),
        distinguished=distinguished,
    )
    create = wire.build_activity(
        "Create", activity_id=new_activity_uri(ctx.fed.base_url), obj=obj, published=now
    )
    post.object_id, post.document = object_id, obj
    await post.save(using_db=conn, update_fields=["object_id", "document"])
    inbox = mention[1] if mention else None
    if parent is not None:
        await group_posts.recount_replies(post.root_id, conn)  # type: ignore[attr-defined]
    if actor == group_uri:
        # The community's own post: its Create goes as the Group's to servers that show it (Mastodon
        # shows the community account's post, no boost of itself); FEP-1b12 readers get it announced.
        split = await ctx.fed.software.split(list((await ctx.rosters.of(group)).inboxes), conn)
        if inbox and inbox not in split.shown + split.activity:  # a reply's author hears of it, member or not
            split.shown.append(inbox)
        await ctx.fed.send(create, actor=actor, inboxes=split.shown, public=not group.private, conn=conn)
        await announce(ctx, group, create, conn=conn, announce_id=post.announce_id, inboxes=split.activity)
    else:
        await ctx.fed.send(
            create, actor=actor, inboxes=[inbox] if inbox else [], public=not group.private, conn=conn
        )
        await group_posts.publish(ctx, group, post, create, author_inbox=None, conn=conn)
    await ctx.events.post_stored.send(post, conn)
    return post


async def reply_as_community(
    ctx: Groups, group: Group, parent: Post, body_markdown: str, conn: BaseDBAsyncClient
) -> Post:
    """The community's own reply under `parent`, mentioning its author: what the community says by
    itself (ideas' links to similar ideas), built and delivered as its staff's posts as the community
    are, in `conn`'s transaction. The author is named from their stored actor: no fetch in a
    transaction (a signer's actor is stored when its signature is checked)."""
    _check_parent(group, parent)
    content = content_of(Draft(body=body_markdown), thread=False)
    remote = await RemoteActor.filter(uri=parent.author).using_db(conn).first()
    mention = None
    if remote is not None:
        name = remote.preferred_username or parent.author.rstrip("/").rsplit("/", 1)[-1]
        mention = wire.Mention(parent.author, f"@{name}@{remote.host}"), remote.delivery_inbox
    return await _store(ctx, ctx.uri(group), group, content, parent, mention, conn)


def draft_of(post: Post) -> Draft:
    """The draft a post was published from, so an edit changes only what the staff member changes."""
    doc: dict[str, Any] = post.document
    source = doc.get("source")
    language = doc.get("language")
    link = next(
        (a.get("href") for a in doc.get("attachment", []) if isinstance(a, dict) and a.get("type") == "Link"),
        None,
    )
    return Draft(
        body=source.get("content", "") if isinstance(source, dict) else "",
        title=post.title if post.is_thread else None,
        link=link,
        warning=(doc.get("summary") or "") if doc.get("sensitive") else None,
        language=language.get("identifier") if isinstance(language, dict) else None,
        as_community=bool(doc.get("audience")) and doc.get("attributedTo") == doc.get("audience"),
        distinguished=bool(doc.get("distinguished")),
        pictures=tuple(
            wire.Picture(
                url=a["url"],
                media_type=a.get("mediaType", ""),
                alt=a.get("name", ""),
                width=a.get("width"),
                height=a.get("height"),
            )
            for a in doc.get("attachment", [])
            if isinstance(a, dict) and a.get("type") == "Image"
        ),
    )


def revised(
    post: Post,
    *,
    title: str | None = None,
    body: str | None = None,
    link: str | None = None,
    uploads: tuple[Upload, ...] = (),
    keep_images: bool = True,
    warning: str | None = None,
    not_sensitive: bool = False,
) -> Draft:
    """The post's draft with what an edit changes (None keeps a field; an empty link removes it)."""
    if warning is not None and not_sensitive:
        raise BadRequest("a new content warning and removing it contradict each other")
    draft = draft_of(post)
    return replace(
        draft,
        title=draft.title if title is None else title,
        body=draft.body if body is None else body,
        link=draft.link if link is None else (link or None),
        uploads=uploads,
        pictures=draft.pictures if keep_images else (),
        warning=None if not_sensitive else (draft.warning if warning is None else warning),
    )


def changeable_by(ctx: Groups, post: Post, actor: str) -> bool:
    """A staff member edits and deletes their own posts, and the community's own where they moderate."""
    return post.author in (actor, ctx.uri(post.group))


async def _own(ctx: Groups, post: Post, actor: str, what: str) -> None:
    if not changeable_by(ctx, post, actor):
        raise Forbidden(f"only its author may {what} post {post.id}: moderators remove posts instead")
    if post.deleted:
        raise BadRequest(f"post {post.id} was deleted")
    if post.author != actor:
        await require_active_moderator(ctx, post.group, actor)


async def _recipients(ctx: Groups, post: Post) -> Split:
    """Who gets an edit or deletion, by shape: members' servers that show posts (Mastodon and its
    kin) and the author the post replies to (mentioned in it) get the author's own activity; FEP-1b12
    readers get it announced by the group; a server whose software is not known gets both."""
    split = await ctx.fed.software.split(list((await ctx.rosters.of(post.group)).inboxes))
    for tag in post.document.get("tag", []):
        href = tag.get("href") if isinstance(tag, dict) and tag.get("type") == "Mention" else None
        if href and not href.startswith(ctx.fed.base_url):
            try:
                split.shown.append((await ctx.fed.actors.get(href)).delivery_inbox)
            except FetchError:
                pass
    return split


async def edit(ctx: Groups, author: Author, post: Post, draft: Draft) -> Post:
    """The author's edit: `Update` with the whole new object, announced and sent to members."""
    await _own(ctx, post, author.actor, "edit")
    await require_active_moderator(ctx, post.group, author.actor)
    content_of(draft, thread=post.is_thread)
    check_uploads(draft.uploads, kept=len(draft.pictures))
    content = content_of(
        draft, thread=post.is_thread, pictures=await _pictures(author, ctx.fed.base_url, draft)
    )
    now = datetime.now(UTC)
    old = post.document
    group_uri = ctx.uri(post.group)
    mentions = tuple(
        wire.Mention(t["href"], t.get("name", ""))
        for t in old.get("tag", [])
        if isinstance(t, dict) and t.get("type") == "Mention" and isinstance(t.get("href"), str)
    )
    obj = wire.build_object(
        object_id=post.object_id,
        author=post.author,
        to=wire.Addressing(group_uri, post.group.private, tuple(m.href for m in mentions)),
        content=content,
        published=post.published,
        thread_id=old.get("context", f"{post.object_id}/context").removesuffix("/context"),
        in_reply_to=old.get("inReplyTo"),
        mentions=mentions,
        updated=now,
        kind=old.get("type"),
        distinguished=bool(old.get("distinguished")),
    )
    update = wire.build_activity(
        "Update", activity_id=new_activity_uri(ctx.fed.base_url), obj=obj, published=now
    )
    inboxes = await _recipients(ctx, post)
    async with ctx.fed.transaction() as conn:
        post.content, post.title, post.url = content.html, content.title, content.link
        post.document, post.updated = obj, now
        await post.save(using_db=conn)
        await ctx.fed.send(
            update, actor=post.author, inboxes=inboxes.shown, public=not post.group.private, conn=conn
        )
        await announce(ctx, post.group, update, conn=conn, inboxes=inboxes.activity)
        await ctx.events.post_edited.send(post, conn)
    return post


async def delete(ctx: Groups, author: Author, post: Post) -> dict[str, Any]:
    """The author deletes their post: a tombstone here, `Delete` announced and sent to members."""
    await _own(ctx, post, author.actor, "delete")
    group_uri = ctx.uri(post.group)
    mentioned = tuple(
        t["href"] for t in post.document.get("tag", []) if isinstance(t, dict) and t.get("type") == "Mention"
    )
    activity = wire.build_delete(
        activity_id=new_activity_uri(ctx.fed.base_url),
        actor=post.author,
        object_id=post.object_id,
        to=wire.Addressing(group_uri, post.group.private, mentioned),
    )
    inboxes = await _recipients(ctx, post)
    async with ctx.fed.transaction() as conn:
        post.deleted, post.content, post.activity = True, "", None
        await post.save(using_db=conn)
        if post.root_id is not None:  # type: ignore[attr-defined]
            await group_posts.recount_replies(post.root_id, conn)  # type: ignore[attr-defined]
        await ctx.fed.send(
            activity, actor=post.author, inboxes=inboxes.shown, public=not post.group.private, conn=conn
        )
        await announce(ctx, post.group, activity, conn=conn, inboxes=inboxes.activity)
        await ctx.events.post_state_changed.send(post, conn)
    return activity
