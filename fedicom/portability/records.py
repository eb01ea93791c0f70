"""Rows as archive lines and back: pure functions, one pair per section. Posts travel as the
ActivityStreams object their author published (with fedicom's own fields beside it), votes as `Like`
and `Dislike` activities, members as their `Follow`; references between rows are the source's URIs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

GROUP_SETTINGS = (
    "title",
    "summary",
    "rules",
    "privacy_policy",
    "private",
    "posting_policy",
    "sensitive",
    "discoverable",
    "accent",
    "premoderation",
    "max_links",
    "timezone",
    "notify_refusals",
    "leaderboard",
    "kind",
    "feature_children",
    "reply_similar",
)


def when(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def moment(value: Any) -> datetime | None:
    """A stored moment back from the archive (ISO 8601 with its offset)."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError("a date is not a string")
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise ValueError("a date has no time zone")
    return parsed


class UriMap:
    """Rewrites the source community's URIs into the new one's: its actor, followers, outbox and
    the pages of its posts. Other URIs (members, remote posts, staff elsewhere) are kept as they are."""

    def __init__(self, source: str, target: str) -> None:
        self.source = source
        self.target = target

    def uri(self, value: str) -> str:
        if value == self.source:
            return self.target
        if value.startswith(self.source + "/") or value.startswith(self.source + "#"):
            return self.target + value[len(self.source) :]
        return value

    def local_post(self, object_id: str) -> bool:
        """A post whose address is a page of the source community (staff posts, polls, Group replies)."""
        return object_id.startswith(self.source + "/p/")

    def document(self, value: Any) -> Any:
        """Every URI in a JSON document rewritten (strings at any depth)."""
        if isinstance(value, str):
            return self.uri(value)
        if isinstance(value, list):
            return [self.document(item) for item in value]
        if isinstance(value, dict):
            return {key: self.document(item) for key, item in value.items()}
        return value


def post_record(post: Any, parent: str | None, root: str | None) -> dict[str, Any]:
    """A post: its AS2 object as stored, and what fedicom keeps beside it."""
    return {
        "id": post.object_id,
        "object": post.document,
        "inReplyTo": parent,
        "root": root,
        "type": post.type,
        "attributedTo": post.author,
        "name": post.title,
        "content": post.content,
        "url": post.url,
        "published": when(post.published),
        "updated": when(post.updated),
        "deleted": post.deleted,
        "upvotes": post.upvotes,
        "downvotes": post.downvotes,
        "replies": post.reply_count,
        "announce": post.announce_id,
        "state": str(post.state),
        "state_reason": post.state_reason,
        "activity": post.activity,
        "locked": post.locked,
        "pinned_at": when(post.pinned_at),
        "received_at": when(post.created_at),
    }


def vote_record(vote: Any, post_uri: str) -> dict[str, Any]:
    return {
        "type": "Like" if vote.value > 0 else "Dislike",
        "id": vote.activity_id,
        "actor": vote.actor,
        "object": post_uri,
        "value": vote.value,
        "published": when(vote.created_at),
    }


def poll_vote_record(vote: Any, poll_uri: str) -> dict[str, Any]:
    """A poll answer as Mastodon sends it: a Note whose `name` is the option, in reply to the poll."""
    return {
        "type": "Note",
        "id": vote.activity_id,
        "attributedTo": vote.voter,
        "name": vote.choice,
        "inReplyTo": poll_uri,
        "slot": vote.slot,
        "published": when(vote.created_at),
    }


def member_record(member: Any, group_uri: str) -> dict[str, Any]:
    return {
        "type": "Follow",
        "id": member.follow_id,
        "actor": member.actor,
        "object": group_uri,
        "inbox": member.inbox,
        "state": str(member.state),
        "activity": member.follow_activity,
        "published": when(member.created_at),
    }


def moderator_record(moderator: Any) -> dict[str, Any]:
    return {"actor": moderator.actor, "role": str(moderator.role), "published": when(moderator.created_at)}


def alias_record(alias: Any) -> dict[str, Any]:
    return {"actor": alias.actor, "added_at": when(alias.added_at), "moved_at": when(alias.moved_at)}


def ban_record(ban: Any) -> dict[str, Any]:
    return {
        "type": "Block",
        "id": ban.activity_id,
        "object": ban.actor,
        "actor": ban.moderator,
        "summary": ban.reason,
        "remove_data": ban.remove_data,
        "endTime": when(ban.expires_at),
        "published": when(ban.created_at),
    }


def filter_record(row: Any) -> dict[str, Any]:
    return {
        "pattern": row.pattern,
        "regex": row.regex,
        "action": str(row.action),
        "comment": row.comment,
        "published": when(row.created_at),
    }


def idea_state_record(state: Any, post_uri: str, merged_into: str | None) -> dict[str, Any]:
    return {
        "object": post_uri,
        "status": str(state.status),
        "note": state.note,
        "merged_into": merged_into,
        "actor": state.changed_by,
        "published": when(state.changed_at),
    }


def idea_change_record(change: Any, post_uri: str, reply: str | None) -> dict[str, Any]:
    return {
        "object": post_uri,
        "status": str(change.status),
        "previous": str(change.previous),
        "note": change.note,
        "actor": change.actor,
        "reply": reply,
        "published": when(change.created_at),
    }


def answer_record(answer: Any, question: str, reply: str) -> dict[str, Any]:
    return {
        "object": question,
        "answer": reply,
        "actor": answer.accepted_by,
        "notice": answer.notice,
        "published": when(answer.accepted_at),
    }


def modlog_record(entry: Any) -> dict[str, Any]:
    return {
        "id": entry.id,
        "actor": entry.moderator,
        "action": str(entry.action),
        "target": entry.target,
        "summary": entry.reason,
        "details": entry.details,
        "published": when(entry.created_at),
    }


def staff_name(author: str, group_uri: str) -> str | None:
    """The username of a staff member of the community's own instance, from their Person actor
    (`BASE/u/NAME` beside the Group's `BASE/c/NAME`); None for anyone else."""
    base = group_uri.rpartition("/c/")[0]
    name = author.removeprefix(f"{base}/u/") if base and author.startswith(f"{base}/u/") else ""
    return name if name and "/" not in name else None


def scheduled_record(item: Any, group_uri: str) -> dict[str, Any]:
    """A post waiting for its time: the draft as stored, when, the repeat rule and its clock, and the
    staff member who wrote it (by username: their actor is an address of the instance it leaves)."""
    return {
        "attributedTo": item.author,
        "staff": staff_name(item.author, group_uri),
        "draft": item.draft,
        "run_at": when(item.run_at),
        "every": item.every,
        "timezone": item.timezone,
        "published": when(item.created_at),
    }
