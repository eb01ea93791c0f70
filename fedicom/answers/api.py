"""Admin API: a questions community's questions by status (the unanswered oldest first), and accepting
or clearing an answer (registered on import; docs/questions.md)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from fedicom.answers import accepting
from fedicom.answers.listing import Status, listed
from fedicom.errors import BadRequest
from fedicom.moderation.api.framework import Call
from fedicom.moderation.api.params import NO_NUL, CommunityPath, Strict
from fedicom.moderation.api.registry import api
from fedicom.publishing.compose import Author, find_post

URL = Field(min_length=1, max_length=1024, pattern=NO_NUL)


class QuestionsQuery(Strict):
    status: Status = Field(Status.UNANSWERED, description="unanswered (the default), answered or all.")
    limit: int = Field(100, ge=1, le=1000, description="The oldest N.")


class QuestionOut(BaseModel):
    id: int
    question: str = Field(description="The question's ActivityPub id (its page here).")
    title: str
    author: str
    asked_at: datetime
    age_hours: float
    replies: int
    answer: str | None = Field(description="The accepted answer's ActivityPub id, if any.")


class QuestionsOut(BaseModel):
    community: str
    status: Status
    questions: list[QuestionOut]


class AcceptBody(Strict):
    answer: str = URL
    question: str | None = Field(
        None, min_length=1, max_length=1024, pattern=NO_NUL, description="Checked: the answer's thread."
    )


class QuestionBody(Strict):
    question: str = URL


class AcceptedOut(BaseModel):
    question: str
    answer: str
    answer_author: str
    accepted_by: str
    accepted_at: datetime
    notice: str = Field(description="The staff reply that told members' servers.")


@api.endpoint(
    "GET",
    "/communities/{name}/questions",
    summary="A questions community's questions by status, oldest first",
    scope="read",
    tag="answers",
    path_model=CommunityPath,
    query=QuestionsQuery,
    response=QuestionsOut,
)
async def questions_list(call: Call, path: CommunityPath, query: QuestionsQuery) -> QuestionsOut:
    """400 for a community that is not a questions one."""
    group = await call.community(path.name)
    found = await listed(group, query.status, query.limit)
    return QuestionsOut(
        community=group.name,
        status=query.status,
        questions=[QuestionOut.model_validate(q.as_json()) for q in found],
    )


@api.endpoint(
    "POST",
    "/communities/{name}/questions/accept",
    summary="Accept a reply as its question's answer (federated as a distinguished staff reply)",
    scope="moderate",
    tag="answers",
    path_model=CommunityPath,
    body=AcceptBody,
    response=AcceptedOut,
)
async def answer_accept(call: Call, path: CommunityPath, body: AcceptBody) -> AcceptedOut:
    """URLs are ActivityPub ids or pages here. 400 (nothing changed) for the question itself, a reply
    in another thread or community, a removed or deleted one; 404 for an unknown one."""
    group = await call.community(path.name)
    reply = await find_post(call.ctx, body.answer)
    if reply.group_id != group.id:  # type: ignore[attr-defined]
        raise BadRequest(f"post {reply.id} is in {reply.group.name}, not in {group.name}")
    question = await find_post(call.ctx, body.question) if body.question else None
    done = await accepting.accept(call.ctx, Author(call.actor, call.files), reply, question)
    return AcceptedOut.model_validate(done.as_json())


@api.endpoint(
    "POST",
    "/communities/{name}/questions/unaccept",
    summary="Clear a question's accepted answer",
    scope="moderate",
    tag="answers",
    path_model=CommunityPath,
    body=QuestionBody,
)
async def answer_unaccept(call: Call, path: CommunityPath, body: QuestionBody) -> None:
    """400 when it has no accepted answer or is not a question of the community."""
    group = await call.community(path.name)
    question = await find_post(call.ctx, body.question)
    if question.group_id != group.id or not question.is_thread:  # type: ignore[attr-defined]
        raise BadRequest(f"post {question.id} is not a question of {group.name}")
    await accepting.unaccept(call.ctx, call.actor, question)
