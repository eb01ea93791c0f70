"""Each kind has its words and its default order, and a kind is named by its word only. Pure."""

from __future__ import annotations

import pytest

from fedicom.errors import BadRequest
from fedicom.groups.kinds import CommunityKind, counted, counted_replies, parse_kind, traits, wording
from fedicom.groups.ranking import SORTS


def test_every_kind_has_words_and_an_order_pages_know() -> None:
    for kind in CommunityKind:
        assert traits(kind).default_sort in SORTS
        words = wording(kind)
        assert all((words.label, words.board, words.one, words.many, words.invite, words.about))
    assert (wording("ideas").board, wording("questions").board, wording("discussion").board) == (
        "Ideas",
        "Questions",
        "Posts",
    )
    assert traits(CommunityKind.IDEAS).default_sort == "top"  # an idea board puts the most wanted first


def test_counted_threads_and_replies_say_one_or_many() -> None:
    assert (counted("ideas", 1), counted("questions", 3), counted("discussion", 0)) == (
        "1 idea",
        "3 questions",
        "0 posts",
    )
    assert (
        counted_replies("questions", 1),
        counted_replies("ideas", 2),
        counted_replies("discussion", 2),
    ) == (
        "1 answer",
        "2 comments",
        "2 replies",
    )


def test_a_kind_is_parsed_from_its_word_and_anything_else_is_refused() -> None:
    assert parse_kind(" Ideas ") is CommunityKind.IDEAS
    with pytest.raises(BadRequest) as caught:
        parse_kind("polls")
    assert caught.value.reason == "the kind of a community is one of discussion, ideas, questions, not polls"
