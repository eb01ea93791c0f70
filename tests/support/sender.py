"""A sender that is not a fedicom instance: the activities the delivery-queue tests enqueue directly."""

from __future__ import annotations

from typing import Any

SENDER = "http://sender.test/c/news"


def post(n: int) -> dict[str, Any]:
    """The n-th Create the sender queues (distinct objects: no per-object ordering between them)."""
    return {
        "id": f"http://sender.test/a/{n}",
        "type": "Create",
        "actor": SENDER,
        "object": {"id": f"http://sender.test/p/{n}", "type": "Note"},
    }
