"""The public face of the modlog: what a visitor may read of each entry, a page at a time.

Only whitelisted details are shown (private notes, such as a domain block's private comment or
where a report was forwarded, never are); obfuscated blocked domains stay partly hidden; with
FEDICOM_MODLOG_HIDE_MODERATORS moderators appear as "a moderator" of their server (Lemmy #1580).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fedicom.activitypub.vocab import host_of
from fedicom.groups.communities import Site
from fedicom.groups.models import Moderator
from fedicom.moderation.domains import obfuscated
from fedicom.moderation.models import DomainBlock, ModlogEntry

PAGE_SIZE = 50
PUBLIC_DETAILS = frozenset(
    {
        "severity",
        "previous_severity",
        "reject_media",
        "reject_reports",
        "expires",
        "remove_data",
        "posts_removed",
        "members_removed",
        "membership_ended",
        "deliveries_cancelled",
        "actors_purged",
        "role",
        "rule",
        "received",
    }
)


@dataclass(frozen=True)
class Hiding:
    """What a page must not show: moderators (when asked) and obfuscated domains."""

    moderators: bool
    people: frozenset[str]  # every moderator and staff URI, hidden as targets too
    domains: frozenset[str]  # blocked with obfuscate


def moderator_name(site: Site, who: str) -> str:
    """A local staff member by name, a remote moderator by actor URI, as recorded otherwise."""
    return site.staff_from_uri(who) or who


def hidden_name(site: Site, who: str) -> str:
    host = host_of(who) if who.startswith(("http://", "https://")) else ""
    return f"a moderator of {host}" if host and not who.startswith(site.base_url + "/") else "a moderator"


def public_entry(site: Site, entry: ModlogEntry, hiding: Hiding) -> dict[str, Any]:
    """One entry as the public sees it (the JSON item, and what the page shows)."""
    target = entry.target
    if target in hiding.domains:
        target = obfuscated(target)
    elif hiding.moderators and (target in hiding.people or site.staff_from_uri(target)):
        target = hidden_name(site, target)
    who = hidden_name(site, entry.moderator) if hiding.moderators else moderator_name(site, entry.moderator)
    return {
        "id": entry.id,
        "published": entry.created_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "action": entry.action,
        "community": entry.community,
        "moderator": who,
        "target": target,
        "reason": entry.reason,
        "details": {k: v for k, v in entry.details.items() if k in PUBLIC_DETAILS},
    }


@dataclass(frozen=True)
class ModlogPage:
    community: str | None
    number: int
    items: list[dict[str, Any]]
    has_next: bool


async def public_page(site: Site, community: str | None, number: int, *, hide_moderators: bool) -> ModlogPage:
    """Entries newest first: one community's, or every entry of the instance."""
    query = ModlogEntry.filter(community=community) if community else ModlogEntry.all()
    rows = await query.order_by("-id").offset((number - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1)
    domains = await DomainBlock.filter(obfuscate=True).values_list("domain", flat=True)
    people = await Moderator.all().values_list("actor", flat=True) if hide_moderators else []
    hiding = Hiding(hide_moderators, frozenset(map(str, people)), frozenset(map(str, domains)))
    items = [public_entry(site, e, hiding) for e in rows[:PAGE_SIZE]]
    return ModlogPage(community, number, items, has_next=len(rows) > PAGE_SIZE)
