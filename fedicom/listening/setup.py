"""Listening plugs into communities when the app is built: relays' answers and announces are taken
from the group inbox by type (`Groups.inbound`), and every public Create is heard before its own path
(`GroupEvents.create_claimed`, never claimed). Groups and activitypub know nothing of it."""

from __future__ import annotations

from typing import Any

from fedicom.groups.context import Groups
from fedicom.listening import hearing


def install(ctx: Groups) -> hearing.Ears:
    """Register listening's handlers; returns the terms cache they share."""
    ears = hearing.Ears()

    async def relayed(activity: dict[str, Any]) -> None:
        await hearing.relayed(ctx, ears, activity)

    async def noticed(activity: dict[str, Any]) -> bool:
        return await hearing.noticed(ctx, ears, activity)

    ctx.inbound.add(["Accept", "Reject"], hearing.answered, when=hearing.is_relay)
    ctx.inbound.add("Announce", relayed, when=hearing.is_relay)
    ctx.events.create_claimed.connect(noticed)
    return ears
