"""Accepting a reply as a question's answer, and clearing it: the record, the answerer's recognition
credit, and (when staff accept) a distinguished staff reply on the question that tells members' servers.

The notice takes the path of every staff reply (publishing/compose.py): Mastodon and its kin receive
the staff member's `Create{Note}`, Lemmy-family servers the group's `Announce` of it; Lemmy shows a
`distinguished` moderator reply pinned atop the comments. An asker's `!accept` reply is itself
announced like any reply, so it needs no second notice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from tortoise.backends.base.client import BaseDBAsyncClient

from fedicom.answers.models import AcceptedAnswer
from fedicom.answers.rules import refusal
from fedicom.errors import BadRequest, FetchError, NotFound
from fedicom.groups.context import Groups
from fedicom.groups.models import Group, Post
from fedicom.moderation.content import require_active_moderator
from fedicom.publishing.compose import Author, publish
from fedicom.publishing.drafts import Draft
from fedicom.recognition import ledger


@dataclass(frozen=True)
class Accepted:
    """A question and its accepted answer, as the CLI and the API show them."""

    question: Post
    answer: Post
    accepted_by: str
    accepted_at: datetime
    notice: str  # the staff reply's id, or "" when none was posted

    def as_json(self) -> dict[str, object]:
        return {
            "question": self.question.object_id,
            "answer": self.answer.object_id,
            "answer_author": self.answer.author,
            "accepted_by": self.accepted_by,
            "accepted_at": self.accepted_at.isoformat(),
            "notice": self.notice,
        }


async def _question_of(reply: Post) -> Post:
    root_id = reply.root_id or reply.id  # type: ignore[attr-defined]
    question = await Post.get_or_none(id=root_id)
    if question is None:
        raise NotFound(f"the thread of post {reply.id} is gone")
    return question


async def checked(reply: Post, question: Post | None = None) -> Post:
    """The question `reply` may answer (the one given, if any); BadRequest saying why not."""
    group: Group = reply.group
    question = question or await _question_of(reply)
    why = refusal(group, question, reply)
    if why:
        raise BadRequest(why)
    return question


async def record(
    question: Post, reply: Post, *, by: str, conn: BaseDBAsyncClient, notice: str = ""
) -> AcceptedAnswer | None:
    """Store `reply` as the answer (replacing another) and move the answerer's credit with it; None
    when it already was the answer (nothing changes)."""
    now = datetime.now(UTC)
    old = await AcceptedAnswer.filter(question_id=question.id).using_db(conn).first()
    if old is not None and old.answer_id == reply.id:  # type: ignore[attr-defined]
        return None
    if old is not None:
        previous = await Post.get(id=old.answer_id).using_db(conn)  # type: ignore[attr-defined]
        await ledger.answer_unaccepted(previous, conn=conn)
        await old.delete(using_db=conn)
    row = await AcceptedAnswer.create(
        group_id=question.group_id,  # type: ignore[attr-defined]
        question_id=question.id,
        answer_id=reply.id,
        accepted_by=by,
        accepted_at=now,
        notice=notice,
        using_db=conn,
    )
    await ledger.answer_accepted(reply, by=by, at=now, conn=conn)
    return row


async def _handle(ctx: Groups, actor: str) -> str:
    """`@name@host` of an actor, for the notice's text (its address when the actor cannot be fetched)."""
    local = ctx.site.staff_from_uri(actor)
    if local:
        return f"@{local}@{ctx.site.domain}"
    try:
        remote = await ctx.fed.actors.get(actor)
    except FetchError:
        return actor
    return f"@{remote.preferred_username or actor.rstrip('/').rsplit('/', 1)[-1]}@{remote.host}"


def notice_text(handle: str, answer_url: str) -> str:
    return f"✅ Accepted answer by {handle}: <{answer_url}>"  # Markdown: the address as a link


async def accept(ctx: Groups, author: Author, reply: Post, question: Post | None = None) -> Accepted:
    """A staff member who moderates the community accepts `reply` as its question's answer; members'
    servers get a distinguished staff reply naming it. Accepting the current answer again changes
    nothing; BadRequest (nothing changed) for any reply that cannot be the answer."""
    question = await checked(reply, question)
    group: Group = reply.group
    await require_active_moderator(ctx, group, author.actor)
    current = await AcceptedAnswer.get_or_none(question_id=question.id)
    if current is not None and current.answer_id == reply.id:  # type: ignore[attr-defined]
        return Accepted(question, reply, current.accepted_by, current.accepted_at, current.notice)
    draft = Draft(body=notice_text(await _handle(ctx, reply.author), reply.object_id), distinguished=True)
    async with ctx.fed.transaction() as conn:
        notice = await publish(ctx, author, group, draft, reply_to=question, conn=conn)
        row = await record(question, reply, by=author.actor, conn=conn, notice=notice.object_id)
    assert row is not None  # checked above that it was not the answer already
    return Accepted(question, reply, row.accepted_by, row.accepted_at, row.notice)


async def unaccept(ctx: Groups, actor: str, question: Post) -> Post:
    """Clear a question's accepted answer (staff who moderate it); returns the answer that was.
    The notice stays in the thread, as any reply does; the pages stop marking the answer."""
    await require_active_moderator(ctx, question.group, actor)
    async with ctx.fed.transaction() as conn:
        row = await AcceptedAnswer.filter(question_id=question.id).using_db(conn).first()
        if row is None:
            raise BadRequest(f"question {question.id} has no accepted answer")
        answer: Post = await Post.get(id=row.answer_id).using_db(conn)  # type: ignore[attr-defined]
        await ledger.answer_unaccepted(answer, conn=conn)
        await row.delete(using_db=conn)
    return answer
