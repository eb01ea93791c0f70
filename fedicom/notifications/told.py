"""A notification as it is told outside the staff pages (email, webhook): plain facts and one sentence.

Everything here is plain text; each channel escapes it for where it goes (HTML email, JSON).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from fedicom.groups.authors import describe
from fedicom.groups.communities import Site
from fedicom.notifications.models import Notification, NotificationKind

SENTENCES = {
    NotificationKind.REPLY: "{actor} replied to your post in {where}",
    NotificationKind.MENTION: "{actor} mentioned you in {where}",
    NotificationKind.REPORT: "{actor} filed a report about {where}",
    NotificationKind.JOIN_REQUEST: "{actor} asks to join {where}",
    NotificationKind.HELD_POST: "A post by {actor} waits for review in {where}",
    NotificationKind.ALERT: "Alert in {where}",
}


@dataclass(frozen=True)
class Told:
    """One notification, ready for a channel."""

    id: int
    kind: NotificationKind
    community: str | None
    actor: str  # the actor's URI
    actor_name: str  # @user@host when known, else a short name
    url: str
    excerpt: str
    created: datetime

    @property
    def sentence(self) -> str:
        where = self.community or "this server"
        return SENTENCES[self.kind].format(actor=self.actor_name, where=where)


async def told(rows: list[Notification], site: Site) -> list[Told]:
    """The rows (with `community` fetched) as channels tell them, names looked up in one query."""
    people = await describe([n.actor for n in rows], site)
    return [
        Told(
            id=n.id,
            kind=NotificationKind(n.kind),
            community=n.community.name if n.community else None,
            actor=n.actor,
            actor_name=people[n.actor].handle or people[n.actor].name,
            url=n.url,
            excerpt=n.excerpt,
            created=n.created_at,
        )
        for n in rows
    ]
