"""Who may post where, and what is worth announcing: pure decisions, no I/O.

Defaults follow the Guppe lesson (user-needs.md §2): only members' posts are announced, posts that
mention many groups are not, and an announcement channel accepts threads from moderators only.
"""

from __future__ import annotations

from dataclasses import dataclass

from fedicom.groups.reasons import Reason, Refused


@dataclass(frozen=True)
class Decision:
    accepted: bool
    reason: str = ""
    code: Reason | None = None

    def refusal(self) -> Refused:
        """The refusal to raise when not accepted."""
        assert self.code is not None
        return Refused(self.code, self.reason)


ACCEPT = Decision(True)


def may_post(
    *, policy: str, is_thread: bool, is_member: bool, is_moderator: bool, private: bool, public: bool
) -> Decision:
    """May this actor's post (thread or reply) be announced by the group?"""
    if is_moderator:
        return ACCEPT
    if private and not is_member:
        return Decision(False, "only members post in a private community", Reason.NOT_MEMBER)
    if not private and not public:
        return Decision(False, "posts to a public community must be public", Reason.NOT_PUBLIC)
    if is_thread and policy == "moderators":
        return Decision(False, "only moderators start threads in this community", Reason.MODERATORS_ONLY)
    if policy in ("members", "moderators") and not is_member:
        return Decision(False, "only members post in this community; follow it first", Reason.NOT_MEMBER)
    return ACCEPT


def may_vote(*, policy: str, is_member: bool, is_moderator: bool) -> Decision:
    if is_member or is_moderator or policy == "open":
        return ACCEPT
    return Decision(False, "only members vote in this community", Reason.NOT_MEMBER)


def too_many_groups(group_count: int, limit: int) -> Decision:
    """Spam that tags many groups at once is never announced (Guppe #72)."""
    if group_count > limit:
        reason = f"the post mentions {group_count} groups; at most {limit} are allowed"
        return Decision(False, reason, Reason.TOO_MANY_COMMUNITIES)
    return ACCEPT
