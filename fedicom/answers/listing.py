"""What pages and staff read of questions: which are answered (a page add-on), the questions still
waiting for an answer, oldest first, and a community's questions filtered by status."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from tortoise.expressions import Subquery
from tortoise.queryset import QuerySet

from fedicom.answers.models import AcceptedAnswer
from fedicom.errors import BadRequest, shown
from fedicom.groups.browse import PAGE_SIZE, PostPage
from fedicom.groups.kinds import CommunityKind
from fedicom.groups.models import Group, Post, PostState

ADDON = "answers"  # templates read addons.answers[post.id]: "answered" (a question) or "accepted" (a reply)
MAX_LISTED = 1000


class Status(StrEnum):
    ALL = "all"
    ANSWERED = "answered"
    UNANSWERED = "unanswered"


def parse_status(value: str | None) -> Status:
    try:
        return Status((value or "all").strip().lower())
    except ValueError:
        choices = ", ".join(s.value for s in Status)
        raise BadRequest(f"status is one of {choices}, not {shown(value or '')}") from None


def shown_answers(group: Group) -> QuerySet[AcceptedAnswer]:
    """The community's accepted answers that count: an answer removed or deleted since leaves its
    question unanswered until it is restored (as its recognition credit stops counting meanwhile)."""
    return AcceptedAnswer.filter(group_id=group.id, answer__deleted=False, answer__state=PostState.VISIBLE)


class AnswerMarks:
    """The page add-on: marks answered questions and accepted answers among the posts shown."""

    async def for_posts(self, group: Group, posts: Sequence[Post]) -> Mapping[int, str]:
        if group.kind != CommunityKind.QUESTIONS or not posts:
            return {}
        ids = [p.id for p in posts]
        marks: dict[int, str] = {}
        for row in await shown_answers(group).filter(question_id__in=ids).values("question_id"):
            marks[row["question_id"]] = "answered"
        for row in await shown_answers(group).filter(answer_id__in=ids).values("answer_id"):
            marks[row["answer_id"]] = "accepted"
        return marks


def questions(group: Group, status: Status) -> QuerySet[Post]:
    """The community's shown questions with that status."""
    shown_threads = Post.filter(group_id=group.id, parent_id=None, deleted=False, state=PostState.VISIBLE)
    answered = Subquery(shown_answers(group).values("question_id"))
    if status is Status.ANSWERED:
        return shown_threads.filter(id__in=answered)
    if status is Status.UNANSWERED:
        return shown_threads.exclude(id__in=answered)
    return shown_threads


async def question_page(group: Group, status: Status, number: int) -> PostPage:
    """One page of the community's questions with that status, newest first (the public filter)."""
    offset = (number - 1) * PAGE_SIZE
    rows = await questions(group, status).order_by("-id").offset(offset).limit(PAGE_SIZE + 1)
    return PostPage("new", number, rows[:PAGE_SIZE], [], len(rows) > PAGE_SIZE)


async def accepted_post(question: Post) -> Post | None:
    """The accepted answer of a question, while it is shown."""
    row = await AcceptedAnswer.get_or_none(question_id=question.id)
    if row is None:
        return None
    return await Post.get_or_none(id=row.answer_id, deleted=False, state=PostState.VISIBLE)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Listed:
    """A question as the staff list shows it: its age, its replies, and its accepted answer's id."""

    post: Post
    age_hours: float
    replies: int
    answer: str | None

    def as_json(self) -> dict[str, object]:
        return {
            "id": self.post.id,
            "question": self.post.object_id,
            "title": self.post.title or "",
            "author": self.post.author,
            "asked_at": self.post.created_at.isoformat(),
            "age_hours": round(self.age_hours, 1),
            "replies": self.replies,
            "answer": self.answer,
        }


async def listed(
    group: Group, status: Status = Status.UNANSWERED, limit: int = 100, now: datetime | None = None
) -> list[Listed]:
    """The community's questions with that status, oldest first (BadRequest for another kind)."""
    if group.kind != CommunityKind.QUESTIONS:
        raise BadRequest(f"{group.name} is a {group.kind} community, not a questions one")
    now = now or datetime.now(UTC)
    rows = await questions(group, status).order_by("id").limit(min(limit, MAX_LISTED))
    answers = {
        r["question_id"]: r["answer__object_id"]
        for r in await shown_answers(group)
        .filter(question_id__in=[p.id for p in rows])
        .values("question_id", "answer__object_id")
    }
    return [
        Listed(p, max(0.0, (now - p.created_at).total_seconds() / 3600), p.reply_count, answers.get(p.id))
        for p in rows
    ]
