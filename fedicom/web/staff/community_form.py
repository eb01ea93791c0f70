"""The settings form of a community, shared by the create and edit pages: the values as typed (shown
again when something is refused) and the settings they stand for, checked by the same rules as every
other edit (moderation/community_updates.validate_changes)."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import FormData

from fedicom.errors import BadRequest
from fedicom.groups.kinds import KINDS
from fedicom.groups.models import Group
from fedicom.moderation.community_updates import MAX_LINKS, validate_changes

TEXTS = ("title", "summary", "rules", "privacy_policy")
CHOICES = ("posting_policy", "premoderation")
FLAGS = ("private", "sensitive", "notify_refusals", "leaderboard", "reply_similar", "feature_children")
KIND_CHOICES = tuple(
    (kind.value, f"{traits.wording.label}: {traits.wording.about}") for kind, traits in KINDS.items()
)
POSTING = (
    ("open", "Anyone on the fediverse may start threads"),
    ("members", "Members start threads"),
    ("moderators", "Only moderators start threads; members reply"),
)
PREMODERATION = (
    ("off", "Off: posts appear at once"),
    ("new_members", "Hold a new member's posts until a moderator approves one"),
    ("all", "Hold every post for review"),
)
SHORT = {  # the choices in the list of communities
    "open": "Anyone",
    "members": "Members",
    "moderators": "Moderators",
    "off": "Off",
    "new_members": "New members' posts",
    "all": "Every post",
    **{kind.value: traits.wording.label for kind, traits in KINDS.items()},
}
NEW = {
    "name": "",
    "title": "",
    "summary": "",
    "rules": "",
    "privacy_policy": "",
    "private": False,
    "sensitive": False,
    "notify_refusals": True,
    "leaderboard": True,
    "reply_similar": False,
    "posting_policy": "members",
    "premoderation": "off",
    "max_links": "",
    "accent": "",
    "timezone": "UTC",
    "kind": "discussion",
    "parent": "",
    "feature_children": False,
}


def typed(form: FormData) -> dict[str, Any]:
    """The form's values as the staff member typed them (line breaks as \\n, unticked boxes False)."""
    values: dict[str, Any] = {}
    for key in ("name", *TEXTS, *CHOICES, "max_links", "accent", "timezone", "kind", "parent"):
        value = form.get(key, "")
        values[key] = value.replace("\r\n", "\n") if isinstance(value, str) else ""
    for key in FLAGS:
        values[key] = form.get(key) == "on"
    values["timezone"] = values["timezone"].strip() or "UTC"  # left empty: the clock of UTC
    return values


def prefilled(group: Group, parent: str | None) -> dict[str, Any]:
    """The community's settings as form values (`parent`: its parent's name)."""
    values = {key: getattr(group, key) for key in (*TEXTS, *CHOICES, *FLAGS)}
    values["kind"] = group.kind.value
    values["parent"] = parent or ""
    values["name"] = group.name
    values["max_links"] = "" if group.max_links is None else str(group.max_links)
    values["accent"] = group.accent or ""
    values["timezone"] = group.timezone
    return values


def settings(values: dict[str, Any], *, keys: tuple[str, ...]) -> dict[str, Any]:
    """The settings the values of `keys` stand for, as stored; BadRequest naming what is wrong.

    A form without a kind (not sent by a browser, whose radio buttons always are) keeps the kind.
    """
    chosen = {key: values[key] for key in keys if key != "max_links" and (key != "kind" or values[key])}
    if "max_links" in keys:
        chosen["max_links"] = max_links(values["max_links"])
    return validate_changes(chosen)


def max_links(text: str) -> int | None:
    """The link cap typed: empty for the instance default, else a whole number."""
    text = text.strip()
    if not text:
        return None
    if not (text.isascii() and text.isdigit()) or len(text) > 6:
        raise BadRequest(f"the link cap is a whole number of links from 0 to {MAX_LINKS}, or empty")
    return int(text)


def changes(group: Group, wanted: dict[str, Any], parent: str | None) -> dict[str, Any]:
    """Only the settings that differ from the community's (an unchanged form federates nothing);
    `parent` is the name of its parent now."""
    return {
        key: value
        for key, value in wanted.items()
        if (parent if key == "parent" else getattr(group, key)) != value
    }
