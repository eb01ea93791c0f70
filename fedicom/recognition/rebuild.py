"""`fedicom reputation rebuild`: a community's vote and reply credits written again from its stored
votes and posts, through the same functions that write them as events arrive (ledger.py).

Accepted answers and completed ideas are kept as they are: their history belongs to the Q&A and idea
board areas, which write them through ledger.py. One transaction per community: a rebuild is whole or
not at all, and a vote arriving meanwhile waits for it (or, on SQLite, for the database).
"""

from __future__ import annotations

from dataclasses import dataclass

from tortoise.transactions import in_transaction

from fedicom.groups.models import Group, Post, Vote
from fedicom.groups.votes import cast_at
from fedicom.recognition.ledger import credit_reply, credit_vote
from fedicom.recognition.models import Credit, CreditKind


@dataclass(frozen=True)
class Rebuilt:
    community: str
    votes: int
    replies: int

    def as_json(self) -> dict[str, object]:
        return {"community": self.community, "votes": self.votes, "replies": self.replies}


async def rebuild(group: Group) -> Rebuilt:
    """Clear `group`'s vote and reply credits and credit its stored votes and replies again, in order."""
    async with in_transaction() as conn:
        await (
            Credit.filter(group_id=group.id, kind__in=[CreditKind.VOTE, CreditKind.REPLY])
            .using_db(conn)
            .delete()
        )
        votes = (
            await Vote.filter(post__group_id=group.id).using_db(conn).order_by("id").prefetch_related("post")
        )
        for vote in votes:
            await credit_vote(vote.post, vote.actor, vote.value, cast_at(vote), conn)
        replies = (
            await Post.filter(group_id=group.id, parent_id__not_isnull=True).using_db(conn).order_by("id")
        )
        for reply in replies:
            await credit_reply(reply, conn)
    return Rebuilt(group.name, len(votes), len(replies))
