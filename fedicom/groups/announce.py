"""Redistribution: the group's Announce in the two shapes followers understand, sent to members.

FEP-1b12 readers (Lemmy, Mbin, PieFed, NodeBB) get `Announce{activity as received}`; Mastodon,
Pleroma and Misskey only boost `Announce{object URI}` (federation.md §3.2). A new thread goes to
each member server once, in the shape its software reads (activitypub/software.py); a server whose
software is not known gets both.
"""

from __future__ import annotations

import json
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import Q

from fedicom.activitypub.delivery import redeliver
from fedicom.activitypub.jsonld import ACTIVITY_CONTEXT
from fedicom.activitypub.models import OutgoingActivity
from fedicom.activitypub.vocab import PUBLIC, new_activity_uri, now_iso
from fedicom.groups.context import Groups
from fedicom.groups.models import Group, Post, PostState


def build_announce(
    group_uri: str, activity: dict[str, Any], *, activity_uri: str, private: bool
) -> dict[str, Any]:
    """Announce wrapping the activity exactly as received (its signatures and proofs still verify)."""
    followers = f"{group_uri}/followers"
    return {
        "@context": ACTIVITY_CONTEXT,
        "id": activity_uri,
        "type": "Announce",
        "actor": group_uri,
        "to": [group_uri, followers] if private else [group_uri, PUBLIC],
        "cc": [followers],
        "object": activity,
        "published": now_iso(),
    }


def build_object_announce(
    group_uri: str, object_uri: str, *, author: str, activity_uri: str, private: bool
) -> dict[str, Any]:
    """The Mastodon-native boost: object is the post's URI; the author in cc gets notified."""
    followers = f"{group_uri}/followers"
    return {
        "@context": ACTIVITY_CONTEXT,
        "id": activity_uri,
        "type": "Announce",
        "actor": group_uri,
        "to": [followers] if private else [PUBLIC],
        "cc": [author] if private else [followers, author],
        "object": object_uri,
        "published": now_iso(),
    }


async def announce(
    ctx: Groups,
    group: Group,
    activity: dict[str, Any],
    *,
    conn: BaseDBAsyncClient,
    announce_id: str | None = None,
    boost_object: str | None = None,
    author_inbox: str | None = None,
    inboxes: list[str] | None = None,
) -> str:
    """Queue the group's Announce of `activity` to every member (or to `inboxes`).

    With `boost_object` (a new thread) each member server gets the shape it reads: the activity
    Announce or the object boost (so does the author's inbox, where the boost notifies them).
    Returns the id of the activity Announce.
    """
    fed = ctx.fed
    uri = ctx.uri(group)
    members = list((await ctx.rosters.of(group)).inboxes) if inboxes is None else inboxes
    wrapped = build_announce(
        uri, activity, activity_uri=announce_id or new_activity_uri(fed.base_url), private=group.private
    )
    if not boost_object:
        await fed.send(wrapped, actor=uri, inboxes=members, public=not group.private, conn=conn)
        return str(wrapped["id"])
    split = await fed.software.split(members, conn)
    author = str(activity.get("actor"))
    boost = build_object_announce(
        uri,
        boost_object,
        author=author,
        activity_uri=new_activity_uri(fed.base_url),
        private=group.private,
    )
    # the author's own inbox gets the boost when their server shows it: it is what notifies them
    author_shown = (await fed.software.split([author_inbox], conn)).shown if author_inbox else []
    items = [(wrapped, split.activity), (boost, split.shown + author_shown)]
    await fed.send_many(items, actor=uri, public=not group.private, conn=conn)
    return str(wrapped["id"])


async def boost(
    ctx: Groups,
    group: Group,
    object_uri: str,
    *,
    author: str,
    author_inbox: str | None,
    conn: BaseDBAsyncClient,
) -> dict[str, Any]:
    """Only the Mastodon-native boost of a thread (again, after a moderator restored it), to the
    servers that read it (FEP-1b12 readers get the restore as an announced activity)."""
    uri = ctx.uri(group)
    activity = build_object_announce(
        uri, object_uri, author=author, activity_uri=new_activity_uri(ctx.fed.base_url), private=group.private
    )
    split = await ctx.fed.software.split(list((await ctx.rosters.of(group)).inboxes), conn)
    author_shown = (await ctx.fed.software.split([author_inbox], conn)).shown if author_inbox else []
    inboxes = split.shown + author_shown
    await ctx.fed.send(activity, actor=uri, inboxes=inboxes, public=not group.private, conn=conn)
    return activity


async def latest_boost(
    ctx: Groups, group: Group, object_uri: str, *, conn: BaseDBAsyncClient
) -> dict[str, Any] | None:
    """The group's last object-URI Announce of a post (the boost Mastodon followers hold), if any."""
    record = (
        await OutgoingActivity.filter(
            actor=ctx.uri(group), type="Announce", object_id=object_uri, inner_type__isnull=True
        )
        .using_db(conn)
        .order_by("-id")
        .first()
    )
    return json.loads(record.payload) if record else None


async def backfill(
    ctx: Groups, group: Group, inbox: str, after: dict[str, Any], *, conn: BaseDBAsyncClient
) -> int:
    """Send a new member the group's latest threads, each followed by its oldest replies, ordered after
    `after` (the Accept).

    A thread's announces (both shapes) go before its replies', and replies in arrival order (a reply
    arrives after what it answers), so Lemmy and its kind can place each one; the rest of a
    conversation is in its `context` and `replies` collections. Held, removed and deleted posts are
    left out.
    """
    if ctx.backfill_posts <= 0:
        return 0
    shown = Post.filter(group=group, deleted=False, state=PostState.VISIBLE).using_db(conn)
    threads = (
        await shown.filter(parent_id=None)
        .order_by("-id")
        .limit(ctx.backfill_posts)
        .values_list("id", "object_id")
    )
    place: dict[str, int] = {}  # object id -> its place in the backfill: each thread, then its replies
    for thread_id, object_id in reversed(threads):
        place[object_id] = len(place)
        if ctx.backfill_replies > 0:
            replies = shown.filter(root_id=thread_id).order_by("id").limit(ctx.backfill_replies)
            for reply in await replies.values_list("object_id", flat=True):
                place[str(reply)] = len(place)
    if not place:
        return 0
    records = await OutgoingActivity.filter(
        # the Announce{Create} of every post, and the object boosts (only threads have them)
        Q(inner_type="Create") | Q(inner_type__isnull=True),
        actor=ctx.uri(group),
        type="Announce",
        object_id__in=list(place),
    ).using_db(conn)
    records.sort(key=lambda r: (place[str(r.object_id)], r.id))
    return await redeliver(records, inbox, after=after, conn=conn)
