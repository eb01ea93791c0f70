"""Posts in communities: a member's Create, Update and Delete, screened, stored and announced to members.

A post that screening holds is stored with its Create and announced only when a moderator approves
it, through `publish`, the same path every post takes. Replies to a locked, removed or held thread
are refused. Every refusal and every hold is told to the areas listening (`Groups.events`), with its
reason code, in the transaction that records the outcome.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from tortoise import connections
from tortoise.backends.base.client import BaseDBAsyncClient

from fedicom.activitypub.federation import Federation
from fedicom.activitypub.leases import dialect_sql
from fedicom.activitypub.models import RemoteActor
from fedicom.activitypub.urls import url_or_none
from fedicom.activitypub.vocab import (
    POST_TYPES,
    PUBLIC_ALIASES,
    audience_of,
    id_of,
    is_public,
    mentions_of,
    new_activity_uri,
    origin_of,
)
from fedicom.errors import FedicomError, FetchError, Forbidden, NotFound
from fedicom.groups import membership, policy
from fedicom.groups.announce import announce
from fedicom.groups.communities import Site
from fedicom.groups.context import Groups
from fedicom.groups.events import PostRefused
from fedicom.groups.hooks import Verdict, admit
from fedicom.groups.models import Group, Membership, Post, PostState
from fedicom.groups.reasons import Kind, Reason, Refused
from fedicom.groups.text import plain_text, sanitize

log = logging.getLogger("fedicom.posts")
MAX_REPLY_DEPTH = 8  # how far up an unknown reply chain we fetch to find the thread
EXCERPT = 200  # characters of a refused or held post kept with its record: never the whole text


def parse_time(value: Any) -> datetime:
    """An ISO 8601 time in UTC; now when it is absent, malformed, or outside 1970 to 9998 (year 1 at
    +14:00 cannot even be converted to UTC)."""
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
            parsed = (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).astimezone(UTC)
            if 1970 <= parsed.year <= 9998:
                return parsed
        except (ValueError, OverflowError):
            pass
    return datetime.now(UTC)


def content_of(obj: dict[str, Any]) -> str:
    content = obj.get("content")
    if not isinstance(content, str):
        cmap = obj.get("contentMap")
        content = next(iter(cmap.values()), "") if isinstance(cmap, dict) and cmap else ""
    return sanitize(content if isinstance(content, str) else "")


def link_of(obj: dict[str, Any]) -> str | None:
    """The object's `url` when it is one fedicom can store and show (a valid http(s) URL)."""
    url = url_or_none(obj.get("url"))
    return url.text if url else None


def title_of(obj: dict[str, Any], content: str) -> str | None:
    name = obj.get("name")
    if isinstance(name, str) and name.strip():
        return name.strip()[:300]
    return plain_text(content, 120) or None


def check_authorship(activity: dict[str, Any], obj: dict[str, Any]) -> str:
    """The object's author must be the activity's actor, on the same server as the object."""
    actor = id_of(activity.get("actor")) or ""
    authors = [a for a in (id_of(x) for x in _as_list(obj.get("attributedTo"))) if a]
    if authors and actor not in authors:
        raise Forbidden("the object is attributed to someone else than the activity's actor")
    object_id = id_of(obj)
    if not object_id or origin_of(object_id) != origin_of(actor):
        raise Forbidden("the object is not on its author's server")
    return actor


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [] if value is None else [value]


async def _object(fed: Federation, value: Any) -> dict[str, Any] | None:
    if isinstance(value, dict):
        return value
    if isinstance(value, str):
        try:
            return await fed.fetcher.get_json(value)
        except FetchError:
            return None
    return None


async def _stored(object_id: str) -> bool:
    """Whether a community here already holds the object. Every inbound Create asks, so this is one
    plain indexed query: the ORM's `exists()` builds its SQL anew each time, a fifth of a Create's CPU."""
    conn = connections.get("default")
    _, rows = await conn.execute_query(
        dialect_sql(conn, "SELECT 1 FROM post WHERE object_id = ? LIMIT 1"), [object_id]
    )
    return bool(rows)


async def find_parent(fed: Federation, in_reply_to: str) -> list[Post]:
    """Posts (one per group) that a reply belongs under, following the chain up when unknown here."""
    uri: str | None = in_reply_to
    for _ in range(MAX_REPLY_DEPTH):
        if not uri:
            return []
        posts = await Post.filter(object_id=uri).select_related("group")
        if posts:
            return posts
        try:
            parent = await fed.fetcher.get_json(uri)
        except FetchError:
            return []
        uri = id_of(parent.get("inReplyTo"))
    return []


async def _groups(ctx: Groups, names: set[str | None]) -> list[Group]:
    found = []
    for name in sorted(n for n in names if n):
        try:
            found.append(await ctx.group(name))
        except NotFound:
            pass
    return found


async def _group_count(site: Site, addressed: set[str]) -> int:
    """How many groups a post addresses: ours by URI, others as cached Group actors."""
    ours = {site.name_from_uri(u) for u in addressed} - {None}
    others = [
        u
        for u in addressed
        if not u.startswith(site.base_url) and u not in PUBLIC_ALIASES and not u.endswith("/followers")
    ]
    remote = await RemoteActor.filter(uri__in=others, type="Group").count() if others else 0
    return len(ours) + remote


async def handle_create(ctx: Groups, activity: dict[str, Any]) -> list[Post]:
    """Store a new post in every community it belongs to, and announce it there."""
    fed, site = ctx.fed, ctx.site
    obj = await _object(fed, activity.get("object"))
    if obj is None or obj.get("type") not in POST_TYPES:
        return []
    author = check_authorship(activity, obj)
    if await _stored(id_of(obj) or ""):
        return []
    addressed = audience_of(activity) | set(mentions_of(obj))
    reply_to = id_of(obj.get("inReplyTo"))
    targets: list[tuple[Group, Post | None]]
    if reply_to:
        parents = await find_parent(fed, reply_to)
        targets = [(p.group, p) for p in parents]
    else:
        names = {site.name_from_uri(u) for u in addressed} - {None}
        targets = [(g, None) for g in await _groups(ctx, names)]
    if not targets:
        return []
    content = content_of(obj)  # sanitized once: screening and storing both use it
    spam = policy.too_many_groups(await _group_count(site, addressed), ctx.max_group_mentions)
    admitted, refused, reasons = [], [], []
    for group, parent in targets:
        try:
            if not spam.accepted:
                raise spam.refusal()
            verdict = await _admit(ctx, group, parent, activity, obj, content, author, addressed)
            admitted.append((group, parent, verdict))
        except Refused as exc:
            refused.append(_refusal(group, parent, activity, obj, author, exc.code, exc.reason))
            reasons.append(f"{group.name}: {exc.reason}")
        except FedicomError as exc:
            reasons.append(f"{group.name}: {exc.reason}")
    if not admitted:
        reason = spam.reason if not spam.accepted else "; ".join(reasons)
        await _tell_refused(ctx, refused, error=reason)
        raise Forbidden(reason)  # recorded on the inbox item, for moderators to see
    author_inbox = (await ctx.fed.actors.get(author)).delivery_inbox
    # one transaction for every community: the inbox item is marked done with it, so a cross-post
    # is never left stored in one community and lost in the other (nor its refusals elsewhere)
    async with ctx.fed.transaction() as conn:
        stored = [
            await _store(ctx, group, parent, activity, obj, content, author, verdict, author_inbox, conn)
            for group, parent, verdict in admitted
        ]
        await _tell_refused(ctx, refused, conn)
        return stored


def _refusal(
    group: Group,
    parent: Post | None,
    activity: dict[str, Any],
    obj: dict[str, Any],
    author: str,
    code: Reason,
    reason: str,
) -> PostRefused:
    """The event of a post `group` did not share, with no more of its words than an excerpt."""
    name = obj.get("name")
    title = plain_text(name, EXCERPT) if isinstance(name, str) else ""
    text = plain_text(content_of(obj), EXCERPT)
    return PostRefused(
        group=group,
        author=author,
        activity_id=str(activity.get("id") or ""),
        object_id=id_of(obj) or "",
        code=code,
        reason=reason,
        kind=Kind.THREAD if parent is None else Kind.REPLY,
        excerpt=plain_text(f"{title}: {text}" if title else text, EXCERPT),
    )


async def _tell_refused(
    ctx: Groups, refused: list[PostRefused], conn: BaseDBAsyncClient | None = None, *, error: str = ""
) -> None:
    """Log each refusal and tell the listeners, in `conn`'s transaction or one of their own (which
    records `error` on the inbox item with them)."""
    if not refused:
        return
    for event in refused:
        log.info(
            "refused %s by %s in %s: %s (%s)",
            event.object_id,
            event.author,
            event.group.name,
            event.code,
            event.reason,
        )
    if conn is not None:
        for event in refused:
            await ctx.events.post_refused.send(event, conn)
        return
    async with ctx.fed.transaction(error=error) as own:
        for event in refused:
            await ctx.events.post_refused.send(event, own)


async def _admit(
    ctx: Groups,
    group: Group,
    parent: Post | None,
    activity: dict[str, Any],
    obj: dict[str, Any],
    content: str,
    author: str,
    addressed: set[str],
) -> Verdict:
    """Whether the post may go into `group`, and whether it is held there (FedicomError: refused)."""
    await admit(ctx.hooks, group, author)  # Refused: banned, or the server blocked here
    if group.moved_to:
        raise Refused(Reason.MOVED, f"{group.name} has moved to {group.moved_to}: post there instead")
    public = is_public(obj) or is_public(activity)
    group_uri = ctx.uri(group)
    if not public and not {group_uri, f"{group_uri}/followers"} & addressed:
        # a direct reply under a thread is a private conversation, not a post to the community
        raise Forbidden("a non-public post that does not address the community is not posted in it")
    roster = await ctx.rosters.of(group)
    decision = policy.may_post(
        policy=group.posting_policy,
        is_thread=parent is None,
        is_member=author in roster.members,
        is_moderator=author in roster.moderators,
        private=group.private,
        public=public,
    )
    if decision.code == Reason.NOT_PUBLIC and not any(a.endswith("/followers") for a in addressed):
        raise Refused(Reason.DIRECT_MESSAGE, decision.reason)  # Mastodon's "direct": not a post
    if not decision.accepted:
        raise decision.refusal()
    if parent is not None:
        closed = await thread_refusal(parent)
        if closed:
            raise closed
    verdict = await ctx.hooks.screen(group, author, obj, content, exempt=author in roster.moderators)
    if verdict.rejected:
        raise Refused(verdict.code or Reason.FILTERED, verdict.reason)
    return verdict


async def _store(
    ctx: Groups,
    group: Group,
    parent: Post | None,
    activity: dict[str, Any],
    obj: dict[str, Any],
    content: str,
    author: str,
    verdict: Verdict,
    author_inbox: str | None,
    conn: BaseDBAsyncClient,
) -> Post:
    """Store the admitted post in `group`, and announce it unless it is held."""
    post = await Post.create(
        group=group,
        object_id=id_of(obj),
        type=obj["type"],
        author=author,
        parent=parent,
        root_id=(parent.root_id or parent.id) if parent else None,  # type: ignore[attr-defined]
        title=title_of(obj, content) if parent is None else None,
        content=content,
        url=link_of(obj),
        document=obj,
        published=parse_time(obj.get("published")),
        announce_id=None if verdict.held else new_activity_uri(ctx.fed.base_url),
        state=PostState.HELD if verdict.held else PostState.VISIBLE,
        state_reason=verdict.reason,
        activity=activity if verdict.held else None,
        using_db=conn,
    )
    if verdict.held:
        log.info("held %s in %s: %s", post.object_id, group.name, verdict.reason)
    else:
        if parent is not None:
            await recount_replies(parent.root_id or parent.id, conn)  # type: ignore[attr-defined]
        await publish(ctx, group, post, activity, author_inbox=author_inbox, conn=conn)
    await ctx.events.post_stored.send(post, conn)
    if verdict.held:
        code = verdict.code or Reason.HELD_ALL
        event = _refusal(group, parent, activity, obj, author, code, verdict.reason)
        await ctx.events.post_held.send(event, conn)
    return post


async def publish(
    ctx: Groups,
    group: Group,
    post: Post,
    activity: dict[str, Any],
    *,
    author_inbox: str | None,
    conn: BaseDBAsyncClient,
) -> None:
    """Announce a post to the members: the activity as received, plus the object boost for a thread.

    The one path for new posts and for held posts a moderator approves (post.announce_id set first).
    """
    await announce(
        ctx,
        group,
        activity,
        conn=conn,
        announce_id=post.announce_id,
        boost_object=post.object_id if post.is_thread else None,
        author_inbox=author_inbox,
    )


async def thread_refusal(parent: Post) -> Refused | None:
    """Why a reply under `parent` is refused: a locked, removed, deleted or held post above it."""
    current: Post | None = parent
    for _ in range(MAX_REPLY_DEPTH * 8):  # a chain deeper than this is not worth walking further
        if current is None:
            return None
        what = "thread" if current.is_thread else "comment"
        if current.deleted:
            return Refused(Reason.THREAD_DELETED, f"the {what} it replies to was deleted")
        if current.state == PostState.REMOVED:
            return Refused(Reason.THREAD_REMOVED, f"the {what} it replies to was removed by a moderator")
        if current.state == PostState.HELD:
            return Refused(Reason.THREAD_HELD, f"the {what} it replies to is waiting for a moderator")
        if current.locked:
            return Refused(Reason.THREAD_LOCKED, f"the {what} is locked: no new replies")
        parent_id = current.parent_id  # type: ignore[attr-defined]
        current = await Post.get_or_none(id=parent_id) if parent_id else None
    return None


async def recount_replies(root_id: int, conn: BaseDBAsyncClient | None) -> None:
    """A thread's reply count: its replies that are shown (not deleted, held or removed)."""
    count = await Post.filter(root_id=root_id, deleted=False, state=PostState.VISIBLE).using_db(conn).count()
    await Post.filter(id=root_id).using_db(conn).update(reply_count=count)


async def handle_update(ctx: Groups, activity: dict[str, Any]) -> int:
    """An author's edit: stored and announced in every community holding the post."""
    obj = activity.get("object")
    if not isinstance(obj, dict) or obj.get("type") not in POST_TYPES:
        return 0
    author = check_authorship(activity, obj)
    posts = await Post.filter(object_id=id_of(obj), deleted=False).select_related("group")
    count = 0
    for post in posts:
        if post.author != author:
            raise Forbidden("only the author may edit a post")
        content = content_of(obj)
        roster = await ctx.rosters.of(post.group)
        verdict = await ctx.hooks.screen_edit(post.group, obj, content, exempt=author in roster.moderators)
        if verdict.rejected:
            raise Forbidden(verdict.reason)
        async with ctx.fed.transaction() as conn:
            post.content = content
            post.document = obj
            if post.parent_id is None:  # type: ignore[attr-defined]
                post.title = title_of(obj, content)
            post.updated = parse_time(obj.get("updated"))
            if post.state == PostState.HELD:
                post.activity = activity  # approval announces what the moderator reviewed: this edit
            await post.save(using_db=conn)
            if post.state == PostState.VISIBLE:
                await announce(ctx, post.group, activity, conn=conn)
            await ctx.events.post_edited.send(post, conn)
        count += 1
    return count


async def handle_delete(ctx: Groups, activity: dict[str, Any]) -> int:
    """An author deletes their post (tombstoned here, announced); a deleted account leaves its groups."""
    actor = id_of(activity.get("actor")) or ""
    target = id_of(activity.get("object"))
    if not target:
        return 0
    if target == actor:
        async with ctx.fed.transaction() as conn:
            ended = await Membership.filter(actor=actor).using_db(conn).prefetch_related("group")
            await membership.end(ctx, ended, conn)
        ctx.rosters.forget()
        roots = set(
            await Post.filter(author=actor, deleted=False, root_id__not_isnull=True).values_list(
                "root_id", flat=True
            )
        )
        removed = await Post.filter(author=actor, deleted=False).update(deleted=True, content="")
        for root_id in roots:
            await recount_replies(root_id, None)  # type: ignore[arg-type]
        return removed
    posts = await Post.filter(object_id=target, deleted=False).select_related("group")
    for post in posts:
        if post.author != actor:
            raise Forbidden("only the author may delete a post")
        async with ctx.fed.transaction() as conn:
            post.deleted = True
            post.content = ""
            post.activity = None
            await post.save(using_db=conn)
            if post.root_id is not None:  # type: ignore[attr-defined]
                await recount_replies(post.root_id, conn)  # type: ignore[attr-defined]
            if post.announce_id is not None:  # a post never announced (held) needs no Delete announced
                await announce(ctx, post.group, activity, conn=conn)
            await ctx.events.post_state_changed.send(post, conn)
    return len(posts)
