"""A parent choice is refused with its reason (unknown, itself, a loop, over three levels), and a
community's breadcrumb reads from the top down. Pure: the tree of names only."""

from __future__ import annotations

import pytest

from fedicom.errors import BadRequest
from fedicom.groups.family import ancestors, check_parent, height, trail

# cars → muscle → mustang; bikes alone; boats → sail
TREE = {"cars": None, "muscle": "cars", "mustang": "muscle", "bikes": None, "boats": None, "sail": "boats"}


def refused(child: str, parent: str) -> str:
    with pytest.raises(BadRequest) as caught:
        check_parent(TREE, child, parent)
    return caught.value.reason


def test_a_parent_two_levels_deep_or_a_new_community_is_accepted() -> None:
    check_parent(TREE, "gt", "muscle")  # a new community, third level
    check_parent(TREE, "bikes", "cars")
    check_parent(TREE, "sail", "cars")  # sail moves with nothing below it
    check_parent(TREE, "muscle", None)


def test_an_unknown_parent_or_itself_is_refused() -> None:
    assert refused("bikes", "planes") == "there is no community named planes to be the parent"
    assert refused("bikes", "bikes") == "bikes cannot be its own parent"


def test_a_loop_is_refused() -> None:
    assert refused("cars", "mustang") == "mustang is already below cars: cars cannot also be below it"
    assert refused("cars", "muscle") == "muscle is already below cars: cars cannot also be below it"


def test_more_than_three_levels_are_refused_counting_what_is_below_the_child() -> None:
    assert refused("gt", "mustang") == "gt under mustang would make 4 levels of communities; at most 3"
    assert refused("boats", "muscle") == "boats under muscle would make 4 levels of communities; at most 3"
    check_parent(TREE, "boats", "cars")  # boats and sail below cars: three levels, accepted


def test_ancestors_height_and_the_breadcrumb() -> None:
    assert ancestors(TREE, "mustang") == ["muscle", "cars"]
    assert trail(TREE, "mustang") == ["cars", "muscle"]
    assert trail(TREE, "cars") == []
    assert (height(TREE, "cars"), height(TREE, "muscle"), height(TREE, "bikes")) == (2, 1, 0)


def test_a_stored_loop_never_hangs_the_readers() -> None:
    looped = {"a": "b", "b": "a"}
    assert ancestors(looped, "a") == ["b"]
    assert height(looped, "a") == 1
