"""Recreating a community's rows from archive lines, section by section, in chunks: each chunk's
references to posts (a reply's parent, a vote's post) are looked up in one query by the posts'
original URIs (`Post.origin_uri`), so no table is ever held in memory."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from fedicom.activitypub.leases import execute_many
from fedicom.answers.models import AcceptedAnswer
from fedicom.errors import BadRequest
from fedicom.groups.communities import Site
from fedicom.groups.models import (
    Alias,
    Group,
    Membership,
    MembershipState,
    Moderator,
    ModeratorRole,
    Post,
    PostState,
    Vote,
)
from fedicom.groups.timezones import zone
from fedicom.ideas.board_models import IdeaState, IdeaStatusChange
from fedicom.ideas.lifecycle import IdeaStatus
from fedicom.moderation.models import Ban, Filter, FilterAction, ModlogAction, ModlogEntry
from fedicom.portability.records import UriMap, moment
from fedicom.publishing.models import PollVote, ScheduledPost
from fedicom.publishing.recurrence import next_run, parse_rule
from fedicom.publishing.scheduling import draft_from, queue_publication, to_stored
from fedicom.staff.models import Staff

CHUNK = 500


@dataclass
class Target:
    """The community being recreated, and what the restorers share."""

    group: Group
    uris: UriMap
    source: str
    site: Site
    conn: BaseDBAsyncClient
    # posts whose parent or root comes later in the archive: linked once every post is in
    later: list[tuple[int, str | None, str | None]] = field(default_factory=list)
    # rows read but deliberately not recreated, per section, and why (said to whoever imports)
    skipped: Counter[str] = field(default_factory=Counter)
    notes: list[str] = field(default_factory=list)

    async def posts(self, origins: set[str]) -> dict[str, tuple[int, str]]:
        """New (id, object_id) of the already recreated posts, by their original URI."""
        wanted = [o for o in origins if o]
        if not wanted:
            return {}
        rows = await Post.filter(group_id=self.group.id, origin_uri__in=wanted).values_list(
            "origin_uri", "id", "object_id"
        )
        return {str(o): (int(i), str(u)) for o, i, u in rows}


Restorer = Callable[[Target, list[dict[str, Any]]], Awaitable[None]]


def chunks(rows: Iterator[dict[str, Any]], size: int = CHUNK) -> Iterator[list[dict[str, Any]]]:
    chunk: list[dict[str, Any]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _refs(rows: list[dict[str, Any]], *keys: str) -> set[str]:
    return {row[key] for row in rows for key in keys if isinstance(row.get(key), str)}


def _id(found: dict[str, tuple[int, str]], uri: str | None) -> int | None:
    return found[uri][0] if uri else None


async def moderators(target: Target, rows: list[dict[str, Any]]) -> None:
    await Moderator.bulk_create(
        [
            Moderator(
                group=target.group,
                actor=row["actor"],
                role=ModeratorRole(row["role"]),
                created_at=moment(row["published"]),
            )
            for row in rows
        ]
    )


async def aliases(target: Target, rows: list[dict[str, Any]]) -> None:
    await Alias.bulk_create(
        [
            Alias(
                group=target.group,
                actor=row["actor"],
                added_at=moment(row["added_at"]),
                moved_at=moment(row["moved_at"]),
            )
            for row in rows
        ]
    )


async def members(target: Target, rows: list[dict[str, Any]]) -> None:
    await Membership.bulk_create(
        [
            Membership(
                group=target.group,
                actor=row["actor"],
                inbox=row["inbox"],
                state=MembershipState(row["state"]),
                follow_id=row["id"],
                follow_activity=row["activity"],
                created_at=moment(row["published"]),
            )
            for row in rows
        ]
    )


async def bans(target: Target, rows: list[dict[str, Any]]) -> None:
    for row in rows:
        await Ban.create(
            community=target.group,
            actor=row["object"],
            reason=row["summary"],
            remove_data=bool(row["remove_data"]),
            expires_at=moment(row["endTime"]),
            moderator=row["actor"],
            activity_id=row["id"],
            created_at=moment(row["published"]),
        )


async def filters(target: Target, rows: list[dict[str, Any]]) -> None:
    for row in rows:
        await Filter.create(
            community=target.group,
            pattern=row["pattern"],
            regex=bool(row["regex"]),
            action=FilterAction(row["action"]),
            comment=row["comment"],
            created_at=moment(row["published"]),
        )


async def posts(target: Target, rows: list[dict[str, Any]]) -> None:
    """Each post keeps its original URI; a page of the source community gets a page here. The chunk
    goes in as one insert; links to parents and the ids of local pages are set after it."""
    uris = target.uris
    built = [_post(target, row) for row in rows]
    await Post.bulk_create([post for post, _ in built])
    found = await target.posts(_refs(rows, "id", "inReplyTo", "root"))
    links: list[list[Any]] = []
    for row, (_, local) in zip(rows, built, strict=True):
        post_id = found[row["id"]][0]
        parent, root = row["inReplyTo"], row["root"]
        if (parent and parent not in found) or (root and root not in found):
            target.later.append((post_id, parent, root))
        elif parent or root:
            links.append([_id(found, parent), _id(found, root), post_id])
        fixed = _page_links(uris, row, found, post_id, local)
        if fixed:
            await Post.filter(id=post_id).update(**fixed)
    await execute_many("UPDATE post SET parent_id = ?, root_id = ? WHERE id = ?", links)


def _post(target: Target, row: dict[str, Any]) -> tuple[Post, bool]:
    uris = target.uris
    original = row["id"]
    local = uris.local_post(original)
    post = Post(
        group=target.group,
        object_id=f"urn:uuid:{uuid.uuid4()}" if local else original,  # a page's address needs the row's id
        type=row["type"],
        author=uris.uri(row["attributedTo"]),
        title=row["name"],
        content=row["content"],
        url=row["url"] and uris.uri(row["url"]),
        document=uris.document(row["object"]),
        published=moment(row["published"]),
        updated=moment(row["updated"]),
        deleted=bool(row["deleted"]),
        upvotes=int(row["upvotes"]),
        downvotes=int(row["downvotes"]),
        reply_count=int(row["replies"]),
        announce_id=row["announce"],
        state=PostState(row["state"]),
        state_reason=row["state_reason"],
        activity=uris.document(row["activity"]),
        locked=bool(row["locked"]),
        pinned_at=moment(row["pinned_at"]),
        origin_uri=original,
        created_at=moment(row["received_at"]),
    )
    return post, local


def _page_links(
    uris: UriMap, row: dict[str, Any], found: dict[str, tuple[int, str]], post_id: int, local: bool
) -> dict[str, Any]:
    """What to change once the row has its id: a local post's own page address, and the address of
    a local parent it replies to (only those change: other URIs are the same everywhere)."""
    parent = row["inReplyTo"]
    parent_moved = bool(parent) and uris.local_post(parent) and parent in found
    if not local and not parent_moved:
        return {}
    document = uris.document(row["object"])
    changes: dict[str, Any] = {}
    if parent_moved and document.get("inReplyTo") == uris.uri(parent):
        document["inReplyTo"] = found[parent][1]
    if local:
        page = f"{uris.target}/p/{post_id}"
        if document.get("id") == uris.uri(row["id"]):
            document["id"] = page
        changes["object_id"] = page
        changes["url"] = page if row["url"] == row["id"] else row["url"] and uris.uri(row["url"])
    changes["document"] = document
    return changes


async def link_later(target: Target) -> None:
    """Parents and roots that came after their replies in the archive (rare: a thread fetched late)."""
    for start in range(0, len(target.later), CHUNK):
        batch = target.later[start : start + CHUNK]
        found = await target.posts({uri for _, p, r in batch for uri in (p, r) if uri})
        for post_id, parent, root in batch:
            await Post.filter(id=post_id).update(parent_id=_id(found, parent), root_id=_id(found, root))


async def votes(target: Target, rows: list[dict[str, Any]]) -> None:
    found = await target.posts(_refs(rows, "object"))
    await Vote.bulk_create(
        [
            Vote(
                post_id=found[row["object"]][0],
                actor=row["actor"],
                value=1 if int(row["value"]) > 0 else -1,
                activity_id=row["id"],
                created_at=moment(row["published"]),
            )
            for row in rows
        ]
    )


async def poll_votes(target: Target, rows: list[dict[str, Any]]) -> None:
    """A poll answer's activity id is unique on an instance: imported next to its original (the same
    instance, another name), the copy's id says where it was copied to."""
    found = await target.posts(_refs(rows, "inReplyTo"))
    taken = set(
        await PollVote.filter(activity_id__in=[r["id"] for r in rows]).values_list("activity_id", flat=True)
    )
    for row in rows:
        activity_id = row["id"] if row["id"] not in taken else f"{row['id']}#copy-in-{target.uris.target}"
        await PollVote.create(
            post_id=found[row["inReplyTo"]][0],
            voter=row["attributedTo"],
            choice=row["name"],
            slot=row["slot"],
            activity_id=activity_id,
            created_at=moment(row["published"]),
        )


async def idea_states(target: Target, rows: list[dict[str, Any]]) -> None:
    found = await target.posts(_refs(rows, "object", "merged_into"))
    for row in rows:
        await IdeaState.create(
            group=target.group,
            post_id=found[row["object"]][0],
            status=IdeaStatus(row["status"]),
            note=row["note"],
            merged_into_id=_id(found, row["merged_into"]),
            changed_by=row["actor"],
            changed_at=moment(row["published"]),
        )


async def idea_status_changes(target: Target, rows: list[dict[str, Any]]) -> None:
    found = await target.posts(_refs(rows, "object", "reply"))
    for row in rows:
        await IdeaStatusChange.create(
            post_id=found[row["object"]][0],
            status=IdeaStatus(row["status"]),
            previous=IdeaStatus(row["previous"]),
            note=row["note"],
            actor=row["actor"],
            reply_id=_id(found, row["reply"]),
            created_at=moment(row["published"]),
        )


async def accepted_answers(target: Target, rows: list[dict[str, Any]]) -> None:
    found = await target.posts(_refs(rows, "object", "answer"))
    for row in rows:
        await AcceptedAnswer.create(
            group=target.group,
            question_id=found[row["object"]][0],
            answer_id=found[row["answer"]][0],
            accepted_by=row["actor"],
            accepted_at=moment(row["published"]),
            notice=row["notice"] and target.uris.uri(row["notice"]),
        )


async def modlog(target: Target, rows: list[dict[str, Any]]) -> None:
    """The community's history, under its new name; each entry says where it was first written."""
    await ModlogEntry.bulk_create(
        [
            ModlogEntry(
                community=target.group.name,
                moderator=row["actor"],
                action=ModlogAction(row["action"]),
                target=target.uris.uri(row["target"]),
                reason=row["summary"],
                details={**_details(row), "imported_from": f"{target.source} (modlog entry {row['id']})"},
                created_at=moment(row["published"]),
            )
            for row in rows
        ]
    )


def _details(row: dict[str, Any]) -> dict[str, Any]:
    details = row["details"]
    return details if isinstance(details, dict) else {}


async def scheduled_posts(target: Target, rows: list[dict[str, Any]]) -> None:
    """Each post waiting for its time, queued again to come out at it in the new community, as the
    staff account of the same username here. Never under someone else's name: a post whose author
    has no (enabled) account here is skipped, as is a one-off whose time passed before the import;
    a repeated one whose time passed comes out at its rule's next time."""
    now = datetime.now(UTC)
    for row in rows:
        draft = to_stored(draft_from(row["draft"]))  # the stored shape checked, as publishing reads it
        run_at, every, timezone = moment(row["run_at"]), row["every"], row["timezone"]
        if run_at is None or not isinstance(timezone, str) or not isinstance(every, str | None):
            raise ValueError("a scheduled post lacks its time, or its rule or time zone is not text")
        try:
            rule, clock = (parse_rule(every) if every else None), zone(timezone)
        except BadRequest as exc:
            raise ValueError(exc.reason) from None
        username = row["staff"]
        if not isinstance(username, str) or not await Staff.exists(username=username, disabled=False):
            _skip(target, f"{row['attributedTo']} has no staff account here")
            continue
        if run_at <= now:
            if rule is None:
                passed = run_at.astimezone(UTC)
                _skip(target, f"its time, {passed:%Y-%m-%d %H:%M} UTC, passed before the import")
                continue
            run_at = next_run(rule, now, clock)
        item = await ScheduledPost.create(
            group=target.group,
            author=target.site.staff_uri(username),
            draft=draft,
            run_at=run_at,
            every=every,
            timezone=timezone,
            created_at=moment(row["published"]),
            using_db=target.conn,
        )
        await queue_publication(item, target.conn)


def _skip(target: Target, why: str) -> None:
    target.skipped["scheduled_posts"] += 1
    target.notes.append(f"a scheduled post was not imported: {why}")


RESTORERS: dict[str, Restorer] = {
    "moderators": moderators,
    "aliases": aliases,
    "members": members,
    "bans": bans,
    "filters": filters,
    "posts": posts,
    "votes": votes,
    "poll_votes": poll_votes,
    "idea_states": idea_states,
    "idea_status_changes": idea_status_changes,
    "accepted_answers": accepted_answers,
    "modlog": modlog,
    "scheduled_posts": scheduled_posts,
}
