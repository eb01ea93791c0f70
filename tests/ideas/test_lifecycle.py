"""The status rules and merge checks, as pure functions: which posts have a status, which changes staff
make, what members are told, and which merges are refused with what reason."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from fedicom.errors import BadRequest
from fedicom.groups.kinds import CommunityKind
from fedicom.groups.models import PostState
from fedicom.ideas.lifecycle import (
    IdeaStatus,
    Standing,
    check_change,
    check_idea,
    credit_change,
    parse_status,
    reply_text,
)
from fedicom.ideas.merging import check_merge, merge_text


def group(gid: int = 1, kind: CommunityKind = CommunityKind.IDEAS, name: str = "ideas") -> Any:
    """What the rules read of a community (no database: these are pure functions)."""
    return SimpleNamespace(id=gid, name=name, kind=kind)


def idea(pid: int, g: Any = None, parent: int | None = None, **kw: Any) -> Any:
    g = g or group()
    fields = {"state": PostState.VISIBLE, "deleted": False, "title": None, **kw}
    return SimpleNamespace(id=pid, group=g, group_id=g.id, is_thread=parent is None, **fields)


def test_statuses_are_read_from_stored_and_shown_words() -> None:
    assert parse_status("under_review") is IdeaStatus.UNDER_REVIEW
    assert parse_status(" Under review ") is IdeaStatus.UNDER_REVIEW
    assert parse_status("PLANNED") is IdeaStatus.PLANNED
    with pytest.raises(BadRequest, match=r"one of open, under_review, planned.*, not shipped$"):
        parse_status("shipped")


def test_only_a_shown_thread_of_an_idea_board_has_a_status() -> None:
    check_idea(group(), idea(1))
    with pytest.raises(BadRequest, match="discussion community, not an idea board"):
        check_idea(group(kind=CommunityKind.DISCUSSION), idea(1))
    with pytest.raises(BadRequest, match="post 2 is a comment"):
        check_idea(group(), idea(2, parent=1))
    with pytest.raises(BadRequest, match="post 3 is removed"):
        check_idea(group(), idea(3, state=PostState.REMOVED))
    with pytest.raises(BadRequest, match="post 4 is deleted"):
        check_idea(group(), idea(4, deleted=True))


def test_staff_set_any_status_but_duplicate_and_a_merged_idea_stays_one() -> None:
    check_change(1, Standing(), IdeaStatus.PLANNED, "")
    check_change(1, Standing(IdeaStatus.PLANNED), IdeaStatus.PLANNED, "now for March")  # an update
    with pytest.raises(BadRequest, match="already Planned"):
        check_change(1, Standing(IdeaStatus.PLANNED), IdeaStatus.PLANNED, "")
    with pytest.raises(BadRequest, match="by merging it"):
        check_change(1, Standing(), IdeaStatus.DUPLICATE, "")
    with pytest.raises(BadRequest, match="merged into idea 7: its status stays duplicate"):
        check_change(1, Standing(IdeaStatus.DUPLICATE, 7), IdeaStatus.OPEN, "")


def test_members_are_told_the_shown_words_and_the_note() -> None:
    assert reply_text(IdeaStatus.UNDER_REVIEW, "") == "Status: Under review"
    assert reply_text(IdeaStatus.PLANNED, "in March") == "Status: Planned — in March"


def test_the_idea_credit_follows_completion_only() -> None:
    assert credit_change(IdeaStatus.STARTED, IdeaStatus.COMPLETED) is True
    assert credit_change(IdeaStatus.COMPLETED, IdeaStatus.STARTED) is False
    assert credit_change(IdeaStatus.COMPLETED, IdeaStatus.DUPLICATE) is False
    assert credit_change(IdeaStatus.COMPLETED, IdeaStatus.COMPLETED) is None
    assert credit_change(IdeaStatus.OPEN, IdeaStatus.PLANNED) is None


def test_merges_within_one_board_between_two_unmerged_ideas() -> None:
    check_merge(idea(2), idea(1), Standing(), Standing(IdeaStatus.PLANNED))
    other = group(2, name="elsewhere")
    with pytest.raises(BadRequest, match=r"idea 2 is in ideas and idea 1 in elsewhere: .* within one"):
        check_merge(idea(2), idea(1, other), Standing(), Standing())
    with pytest.raises(BadRequest, match="idea 2 cannot be merged into itself"):
        check_merge(idea(2), idea(2), Standing(), Standing())
    with pytest.raises(BadRequest, match="idea 2 was already merged into idea 5"):
        check_merge(idea(2), idea(1), Standing(IdeaStatus.DUPLICATE, 5), Standing())
    with pytest.raises(BadRequest, match="idea 1 was merged into idea 2: it is that idea's duplicate"):
        check_merge(idea(2), idea(1), Standing(), Standing(IdeaStatus.DUPLICATE, 2))
    with pytest.raises(BadRequest, match="idea 1 was merged into idea 9: merge into idea 9"):
        check_merge(idea(2), idea(1), Standing(), Standing(IdeaStatus.DUPLICATE, 9))


def test_the_merge_reply_links_the_original_by_its_title() -> None:
    original = idea(1, title="Dark [mode]")
    text = merge_text(original, "https://h/c/ideas/p/1")
    assert text.startswith("Merged into [Dark (mode)](https://h/c/ideas/p/1)")
