"""The rules of accepted answers, as pure functions: which reply may be accepted, and which reply text
is the asker's acceptance command (exactly `!accept`, so ordinary replies never trigger it)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from fedicom.answers.rules import is_accept_command, refusal
from fedicom.groups.models import Group, Post

NOW = datetime(2026, 12, 1, tzinfo=UTC)


def group(kind: str = "questions") -> Group:
    return Group(id=1, name="help", kind=kind)


def post(id: int, parent: int | None = None, root: int | None = None, **kw: Any) -> Post:
    made = Post(id=id, published=NOW, **{k: v for k, v in kw.items() if k != "group_id"})
    made.group_id, made.parent_id, made.root_id = kw.get("group_id", 1), parent, root  # type: ignore[attr-defined]
    return made


QUESTION = post(1)


@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        (post(2, parent=1, root=1), None),
        (post(3, parent=2, root=1), None),  # any depth
        (post(1), "is the question itself"),
        (post(4, parent=9, root=9), "is not a reply in question 1's thread"),
        (post(5, parent=1, root=1, group_id=2), "is not a reply in question 1's thread"),
        (post(6, parent=1, root=1, deleted=True), "was deleted"),
        (post(7, parent=1, root=1, state="removed"), "is removed"),
        (post(8, parent=1, root=1, state="held"), "is held"),
    ],
)
def test_which_reply_may_be_the_answer(reply: Post, reason: str | None) -> None:
    why = refusal(group(), QUESTION, reply)
    assert why == reason if reason is None else reason in str(why)


def test_only_questions_communities_have_answers() -> None:
    assert "not a questions one" in str(refusal(group("ideas"), QUESTION, post(2, parent=1, root=1)))


def test_a_removed_question_takes_no_answer() -> None:
    assert "question (post 1) is removed" in str(
        refusal(group(), post(1, state="removed"), post(2, parent=1, root=1))
    )


@pytest.mark.parametrize(
    "html",
    [
        "<p>!accept</p>",
        "!accept",
        "<p>  !ACCEPT </p>",
        '<p><span class="h-card"><a href="x" class="u-url mention">@<span>dan</span></a></span> !accept</p>',
        "<p>@dan@far.example @eve !accept</p>",
    ],
)
def test_the_acceptance_command(html: str) -> None:
    assert is_accept_command(html)


@pytest.mark.parametrize(
    "html",
    [
        "<p>I will !accept this later</p>",
        "<p>!accepted</p>",
        "<p>accept</p>",
        "<p>!accept this</p>",
        "<p>thanks! !accept</p>",
        "",
        "<p>" + " " * 3000 + "!accept</p>",
    ],
)
def test_ordinary_replies_are_never_the_command(html: str) -> None:
    assert not is_accept_command(html)
