"""What kind of community a group is (a discussion, an idea board, a Q&A) and what each kind means.

The one place that says it: pages take their words and default order from here, and later features
(idea statuses, accepted answers) ask here whether they apply. A kind never changes what members'
servers send or receive: it is ours alone, and the Group actor does not show it. Pure.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from fedicom.errors import BadRequest, shown


class CommunityKind(StrEnum):
    DISCUSSION = "discussion"  # threads of conversation, as every community was before kinds
    IDEAS = "ideas"  # members suggest ideas and vote them up
    QUESTIONS = "questions"  # members ask, others answer


@dataclass(frozen=True)
class Wording:
    """The words a kind's pages use for its threads."""

    label: str  # the kind itself, as staff choose it: "Idea board"
    board: str  # the heading of its list of threads: "Ideas"
    one: str  # one thread: "idea"
    many: str  # several: "ideas"
    reply_one: str  # one reply to a thread: "comment"
    reply_many: str  # several: "comments"
    invite: str  # how a visitor starts one, after "mention the community in a post to …"
    about: str  # what the kind changes, shown to staff choosing it


@dataclass(frozen=True)
class Traits:
    """How a kind presents its threads."""

    wording: Wording
    default_sort: str  # the order of its page when the visitor chose none (groups/ranking.py SORTS)


KINDS: dict[CommunityKind, Traits] = {
    CommunityKind.DISCUSSION: Traits(
        Wording(
            "Discussion",
            "Posts",
            "post",
            "posts",
            "reply",
            "replies",
            "start a thread",
            "Threads of conversation, hottest first.",
        ),
        "hot",
    ),
    CommunityKind.IDEAS: Traits(
        Wording(
            "Idea board",
            "Ideas",
            "idea",
            "ideas",
            "comment",
            "comments",
            "suggest an idea",
            "Members suggest ideas and vote for them; the most wanted come first.",
        ),
        "top",
    ),
    CommunityKind.QUESTIONS: Traits(
        Wording(
            "Questions and answers",
            "Questions",
            "question",
            "questions",
            "answer",
            "answers",
            "ask a question",
            "Members ask questions and others answer; the best answers come first under each.",
        ),
        "hot",
    ),
}


def parse_kind(value: str) -> CommunityKind:
    """The kind named (from the CLI, the API or a form); BadRequest listing the kinds for any other word."""
    try:
        return CommunityKind(value.strip().lower())
    except ValueError:
        choices = ", ".join(kind.value for kind in CommunityKind)
        raise BadRequest(f"the kind of a community is one of {choices}, not {shown(value)}") from None


def traits(kind: CommunityKind | str) -> Traits:
    return KINDS[CommunityKind(kind)]


def wording(kind: CommunityKind | str) -> Wording:
    return traits(kind).wording


def counted(kind: CommunityKind | str, number: int) -> str:
    """`1 idea`, `3 ideas`: a number of a kind's threads."""
    words = wording(kind)
    return f"{number} {words.one if number == 1 else words.many}"


def counted_replies(kind: CommunityKind | str, number: int) -> str:
    """`1 answer`, `3 answers`: a number of replies to a thread of a kind."""
    words = wording(kind)
    return f"{number} {words.reply_one if number == 1 else words.reply_many}"
