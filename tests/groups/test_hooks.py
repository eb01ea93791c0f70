"""What communities ask of the areas plugged into them (groups/hooks.py), tested without a server."""

from __future__ import annotations

from typing import Any

from fedicom.groups.hooks import ACCEPT, Action, InboundHandlers, OpenHooks, OpenServers, Verdict
from fedicom.groups.models import Group


async def test_the_first_handler_whose_condition_holds_takes_the_activity() -> None:
    """Given a moderator's removal (a Delete with a summary) and the author's own handler registered
    for Delete, when each shape arrives, then only the matching handler runs, once."""
    taken: list[tuple[str, Any]] = []

    async def removal(activity: dict[str, Any]) -> None:
        taken.append(("removal", activity["id"]))

    async def anything(activity: dict[str, Any]) -> None:
        taken.append(("anything", activity["id"]))

    async def has_summary(activity: dict[str, Any]) -> bool:
        return bool(activity.get("summary"))

    handlers = InboundHandlers()
    handlers.add("Delete", removal, when=has_summary)
    handlers.add(("Delete", "Lock"), anything)

    assert await handlers.take({"type": "Delete", "id": "a", "summary": "spam"})
    assert await handlers.take({"type": "Delete", "id": "b"})
    assert await handlers.take({"type": "Lock", "id": "c"})
    assert taken == [("removal", "a"), ("anything", "b"), ("anything", "c")]


async def test_an_activity_no_handler_claims_is_left_to_the_community() -> None:
    handlers = InboundHandlers()

    async def never(_activity: dict[str, Any]) -> bool:
        return False

    async def handle(_activity: dict[str, Any]) -> None:
        raise AssertionError("must not run")

    handlers.add("Flag", handle, when=never)
    assert not await handlers.take({"type": "Flag", "id": "x"})
    assert not await handlers.take({"type": "Like", "id": "y"})
    assert not await handlers.take({"type": ["Flag"], "id": "z"})  # a type that is not a string


async def test_without_moderation_a_community_admits_everyone_and_holds_nothing() -> None:
    hooks, servers, group = OpenHooks(), OpenServers(), Group(id=1, name="news")
    assert await hooks.barrier(group, "https://a.example/u/x") is None
    assert not await hooks.follow_needs_approval(group, "https://a.example/u/x")
    assert await hooks.screen(group, "https://a.example/u/x", {}, "<p>hi</p>", exempt=False) == ACCEPT
    assert await hooks.screen_edit(group, {}, "<p>hi</p>", exempt=False) == ACCEPT
    assert await servers.allows("a.example") and await servers.hold_reason("a.example", 1) is None
    assert not await servers.rejects_media("a.example", 1) and not await servers.rejects_reports("a.example")


def test_a_verdict_says_whether_the_post_is_held_or_refused() -> None:
    assert Verdict(Action.HOLD, "links").held and not Verdict(Action.HOLD).rejected
    assert Verdict(Action.REJECT).rejected and not ACCEPT.held and not ACCEPT.rejected
    assert Action("hold") is Action.HOLD  # the filter rows' stored words are the actions' values
