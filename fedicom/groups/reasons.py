"""Why a community did not share an inbound post: stable reason codes, and the refusal that carries one.

The code is what staff filter on and what the author's notice is chosen by; the reason beside it is
the sentence recorded on the inbox item, as before codes existed.
"""

from __future__ import annotations

from enum import StrEnum

from fedicom.errors import Forbidden


class Reason(StrEnum):
    """A short stable name of why a post was refused, or held for a moderator (the `held_` ones)."""

    NOT_MEMBER = "not_member"
    MODERATORS_ONLY = "moderators_only"
    NOT_PUBLIC = "not_public"  # followers-only (Mastodon's "private") or otherwise limited
    DIRECT_MESSAGE = "direct_message"  # addressed to people and the group only: a message, not a post
    BANNED = "banned"
    BLOCKED_SERVER = "blocked_server"
    THREAD_LOCKED = "thread_locked"
    THREAD_REMOVED = "thread_removed"
    THREAD_DELETED = "thread_deleted"
    THREAD_HELD = "thread_held"
    RATE_LIMITED = "rate_limited"
    FILTERED = "filtered"
    TOO_MANY_COMMUNITIES = "too_many_communities"
    MOVED = "moved"  # the community moved to another server (groups/moving.py)
    HELD_LINKS = "held_links"
    HELD_FILTER = "held_filter"
    HELD_NEW_MEMBER = "held_new_member"
    HELD_ALL = "held_all"
    HELD_SERVER = "held_server"

    @property
    def held(self) -> bool:
        """The post is stored and waits for a moderator, rather than refused."""
        return self.value.startswith("held_")

    @property
    def told(self) -> bool:
        """The author is sent a notice: not about a ban or blocked server (abusers learn nothing), nor
        about a direct message to the community (it was never meant as a post)."""
        return self not in (Reason.BANNED, Reason.BLOCKED_SERVER, Reason.DIRECT_MESSAGE)

    @property
    def abusive(self) -> bool:
        """Refused because of who sent it (a ban, a blocked server): such authors are never told."""
        return self in (Reason.BANNED, Reason.BLOCKED_SERVER)


class Kind(StrEnum):
    """What was not shared."""

    THREAD = "thread"
    REPLY = "reply"
    VOTE = "vote"


class Refused(Forbidden):
    """A community refuses an inbound post or vote for a reason it records (and may tell the author)."""

    def __init__(self, code: Reason, reason: str) -> None:
        super().__init__(reason)
        self.code = code
