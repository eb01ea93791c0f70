"""The wire shapes of reports: `Flag` as Lemmy, Mastodon and Mbin send it, and `Resolve`. Pure.

Lemmy: reason in `summary`, one object, `to` = the community. Mastodon: reason in `content`, `object`
= [account, statuses…], sent by the instance actor. Mbin: both fields, `object` = [post, account].
What fedicom forwards is signed by its instance actor and never names the reporter.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any

from fedicom.activitypub.jsonld import ACTIVITY_CONTEXT
from fedicom.activitypub.vocab import id_of, ids_of
from fedicom.errors import BadRequest
from fedicom.groups.text import plain_text

MAX_REASON = 2000


@dataclass(frozen=True)
class FlagReceived:
    id: str
    reporter: str
    targets: list[str]
    reason: str
    addressed: list[str]  # to, cc and audience: where the reporter meant the report to go


def parse_flag(activity: dict[str, Any]) -> FlagReceived:
    if activity.get("type") != "Flag":
        raise BadRequest("the activity is not a Flag")
    targets = ids_of(activity.get("object"))
    if not targets:
        raise BadRequest("the Flag reports nothing: its object is empty")
    reason = ""
    for field in ("summary", "content"):  # Lemmy writes summary, Mastodon content, Mbin both
        value = activity.get(field)
        if isinstance(value, str) and value.strip():
            reason = html.unescape(plain_text(value, MAX_REASON))  # stored and shown as text
            break
    addressed = [*ids_of(activity.get("to")), *ids_of(activity.get("cc")), *ids_of(activity.get("audience"))]
    return FlagReceived(
        id=str(activity["id"]),
        reporter=id_of(activity.get("actor")) or "",
        targets=list(dict.fromkeys(targets)),
        reason=reason,
        addressed=addressed,
    )


def flag_uri(base_url: str, report_id: int, suffix: str) -> str:
    """Ids of the Flags forwarding report `report_id`: a later Resolve of one names its report."""
    return f"{base_url}/activities/report-{report_id}-{suffix}"


def report_of_flag(base_url: str, flag_id: str) -> int | None:
    """The report a Flag we forwarded stands for, from its id."""
    match = re.fullmatch(re.escape(base_url) + r"/activities/report-(\d+)-[0-9a-f]+", flag_id)
    return int(match.group(1)) if match else None


def build_moderator_flag(
    *, activity_uri: str, instance_actor: str, community: str, target: str, reason: str
) -> dict[str, Any]:
    """One reported object for the community's moderators, in the shape Lemmy requires
    (one object, `to` exactly the community, reason in `summary`); `content` too for Mbin and Mastodon."""
    return {
        "@context": ACTIVITY_CONTEXT,
        "id": activity_uri,
        "type": "Flag",
        "actor": instance_actor,
        "to": [community],
        "audience": community,
        "object": target,
        "summary": reason,
        "content": reason,
    }


def build_author_flag(
    *,
    activity_uri: str,
    instance_actor: str,
    community: str | None,
    author: str,
    objects: list[str],
    reason: str,
) -> dict[str, Any]:
    """The report for the reported author's server: Mastodon acts only on an object list that
    names the account, with the reason in `content`."""
    doc: dict[str, Any] = {
        "@context": ACTIVITY_CONTEXT,
        "id": activity_uri,
        "type": "Flag",
        "actor": instance_actor,
        "to": [community] if community else [author],
        "object": [*[o for o in objects if o != author], author],
        "summary": reason,
        "content": reason,
    }
    if community:
        doc["audience"] = community
    return doc


def build_resolve(*, activity_uri: str, moderator: str, flag: dict[str, Any]) -> dict[str, Any]:
    """Lemmy's `Resolve{Flag}`: the report is closed (resolved or dismissed alike)."""
    inner = {k: v for k, v in flag.items() if k != "@context"}
    doc: dict[str, Any] = {
        "@context": ACTIVITY_CONTEXT,
        "id": activity_uri,
        "type": "Resolve",
        "actor": moderator,
        "to": list(flag.get("to") or []),
        "object": inner,
    }
    if flag.get("audience"):
        doc["audience"] = flag["audience"]
    return doc
