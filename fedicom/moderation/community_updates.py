"""Creating a community as a staff member, editing its settings, and federating the change as
`Update{Group}`.

Lemmy accepts a community update only from a moderator's Person, never from the Group itself
(federation.md §2.5), so the group announces the staff member's `Update`. Remote moderators'
updates are applied for the fields fedicom shares with Lemmy and announced onwards.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from fedicom.activitypub.vocab import id_of, new_activity_uri
from fedicom.branding.contrast import Mode, check_accent
from fedicom.errors import BadRequest, Forbidden
from fedicom.groups.communities import POSTING_POLICIES, actor_document, create_community
from fedicom.groups.context import Groups
from fedicom.groups.family import choose_parent
from fedicom.groups.kinds import parse_kind
from fedicom.groups.models import Group, Moderator, ModeratorRole
from fedicom.groups.text import plain_text
from fedicom.groups.timezones import check_zone
from fedicom.moderation import modlog
from fedicom.moderation.authority import is_moderator
from fedicom.moderation.content import publish_action, require_active_moderator
from fedicom.moderation.content_wire import build_update_group
from fedicom.moderation.models import ModlogAction
from fedicom.moderation.screening import PREMODERATION
from fedicom.staff.accounts import name_reserved
from fedicom.staff.models import Staff

RULES_HEADING = "\n\n## Rules\n\n"  # how the actor document joins summary and rules (groups/actor.py)
# fields that appear in the Group actor document: changing them is federated
FEDERATED = (
    "title",
    "summary",
    "rules",
    "privacy_policy",
    "private",
    "posting_policy",
    "sensitive",
    "icon_url",
    "image_url",
)
# ours alone: members' servers never see them
LOCAL = (
    "premoderation",
    "max_links",
    "accent",
    "notify_refusals",
    "timezone",
    "leaderboard",
    "reply_similar",
    "kind",
    "parent",
    "feature_children",
)
EDITABLE = (*FEDERATED, *LOCAL)
SWITCHES = ("private", "sensitive", "notify_refusals", "leaderboard", "reply_similar", "feature_children")
MAX_LINKS = 1000


def validate_changes(changes: Mapping[str, Any]) -> dict[str, Any]:
    """The changes as stored; BadRequest naming the first unacceptable one. Pure."""
    clean: dict[str, Any] = {}
    for key, value in changes.items():
        if key not in EDITABLE:
            raise BadRequest(f"{key} is not a community setting that can be edited")
        if isinstance(value, str) and "\x00" in value:  # PostgreSQL text cannot hold NUL
            raise BadRequest(f"the {key.replace('_', ' ')} cannot contain a NUL character")
        if key == "title":
            value = " ".join(str(value).split())
            if not 1 <= len(value) <= 200:
                raise BadRequest("a title is 1 to 200 characters")
        elif key in ("summary", "rules", "privacy_policy"):
            value = str(value).strip()
            if len(value) > 20_000:
                raise BadRequest(f"the {key.replace('_', ' ')} is at most 20,000 characters")
        elif key in (
            "private",
            "sensitive",
            "notify_refusals",
            "leaderboard",
            "reply_similar",
            "feature_children",
        ):
            value = bool(value)
        elif key == "kind":
            value = parse_kind(str(value))
        elif key == "parent":  # a community's name, checked against the others by family.choose_parent
            value = (str(value).strip().lower() or None) if value is not None else None
        elif key == "posting_policy" and value not in POSTING_POLICIES:
            raise BadRequest(f"the posting policy is one of {', '.join(POSTING_POLICIES)}")
        elif key == "premoderation" and value not in PREMODERATION:
            raise BadRequest(f"pre-moderation is one of {', '.join(PREMODERATION)}")
        elif (
            key == "max_links"
            and value is not None
            and (not isinstance(value, int) or not 0 <= value <= MAX_LINKS)
        ):
            raise BadRequest(
                f"the link cap is a whole number of links from 0 to {MAX_LINKS} (or the instance default)"
            )
        elif key == "timezone":
            value = check_zone(str(value))
        elif key == "accent":
            value = check_accent(str(value), Mode.LIGHT) if value else None  # dark mode derives its own
        elif key in ("icon_url", "image_url") and value is not None:
            if not str(value).startswith(("https://", "http://")) or len(str(value)) > 1024:
                raise BadRequest(f"the {key.removesuffix('_url')} must be an http(s) URL")
        clean[key] = value
    return clean


async def create_owned_community(
    ctx: Groups,
    owner: str,
    name: str,
    *,
    premoderation: str = "off",
    max_links: int | None = None,
    **settings: Any,
) -> Group:
    """A new community created by a staff member (`owner`, their Person actor), who owns it; logged.

    A parent is named in `settings["parent"]`; its creator must moderate it (admins moderate all).
    """
    local = validate_changes({"premoderation": premoderation, "max_links": max_links})
    parent = settings.get("parent")
    if parent is not None:
        await require_parent_moderator(ctx, name, await choose_parent(name.strip().lower(), parent), owner)
    group = await create_community(ctx.fed.keys, ctx.site, name, reserved=name_reserved, **settings)
    async with ctx.fed.transaction() as conn:
        group.premoderation, group.max_links = local["premoderation"], local["max_links"]
        await group.save(update_fields=["premoderation", "max_links"], using_db=conn)
        await Moderator.create(group=group, actor=owner, role=ModeratorRole.OWNER, using_db=conn)
        await modlog.record(owner, ModlogAction.CREATE_COMMUNITY, group.name, community=group.name, conn=conn)
    return group


async def edit_community(ctx: Groups, group: Group, staff: Staff, changes: Mapping[str, Any]) -> list[str]:
    """Apply a staff member's edit; returns the fields that changed (federated when any is public)."""
    actor = ctx.site.staff_uri(staff.username)
    await require_active_moderator(ctx, group, actor)
    clean = validate_changes(changes)
    names: dict[str, Any] = {}
    if "parent" in clean:
        parent = await choose_parent(group.name, clean.pop("parent"))
        if parent is not None and parent.id != group.parent_id:  # type: ignore[attr-defined]
            await require_parent_moderator(ctx, group.name, parent, actor)
        clean["parent_id"] = parent.id if parent else None
        names["parent_id"] = parent.name if parent else None
    if all(getattr(group, key) == value for key, value in clean.items()):
        return []

    async def federate(conn: BaseDBAsyncClient, changed: list[str]) -> None:
        if set(changed) & set(FEDERATED):
            await announce_update(ctx, group, staff, conn=conn)

    changed = await _apply(ctx, group, actor, clean, federate, names)
    return [_named(key) for key in changed]


async def require_parent_moderator(ctx: Groups, child: str, parent: Group | None, actor: str) -> None:
    """Only someone who moderates the parent too may place a community under it (admins may always):
    a parent's moderators choose whose threads their page features."""
    if parent is not None and not await is_moderator(ctx.site, parent, actor):
        raise Forbidden(f"to place {child} under {parent.name} you must moderate {parent.name} too")


async def announce_update(
    ctx: Groups, group: Group, staff: Staff, *, conn: BaseDBAsyncClient | None = None
) -> dict[str, Any]:
    """Send the community's current actor document as `Update{Group}` by `staff`, announced to members.

    Call it after saving a change (in the same transaction when `conn` is given).
    """
    actor = ctx.site.staff_uri(staff.username)
    update = build_update_group(
        activity_uri=new_activity_uri(ctx.fed.base_url),
        actor=actor,
        group_doc=await actor_document(ctx.fed.keys, ctx.site, group),
        group_uri=ctx.uri(group),
        private=group.private,
    )
    if conn is not None:
        await publish_action(ctx, group, update, ours=True, conn=conn)
    else:
        async with ctx.fed.transaction() as own:
            await publish_action(ctx, group, update, ours=True, conn=own)
    return update


def parse_group_update(doc: dict[str, Any], *, posting_policy: str) -> dict[str, Any]:
    """The settings a remote moderator's `Update{Group}` carries that fedicom applies. Pure.

    Lemmy sends the sidebar as markdown `source`; ours joins summary and rules under a heading,
    which is split again here.
    """
    changes: dict[str, Any] = {}
    if isinstance(doc.get("name"), str) and doc["name"].strip():
        changes["title"] = doc["name"]
    source = doc.get("source")
    if isinstance(source, dict) and isinstance(source.get("content"), str):
        text = source["content"]
    elif isinstance(doc.get("summary"), str):
        text = plain_text(doc["summary"], 20_000)
    else:
        text = None
    if text is not None:
        summary, _, rules = text.partition(RULES_HEADING)
        changes["summary"] = summary
        if rules:
            changes["rules"] = rules
    if isinstance(doc.get("sensitive"), bool):
        changes["sensitive"] = doc["sensitive"]
    restricted = doc.get("postingRestrictedToMods")
    if restricted is True:
        changes["posting_policy"] = "moderators"
    elif restricted is False and posting_policy == "moderators":
        changes["posting_policy"] = "members"
    for key, field in (("icon", "icon_url"), ("image", "image_url")):
        image = doc.get(key)
        url = image.get("url") if isinstance(image, dict) else None
        if isinstance(url, str) and url.startswith(("https://", "http://")):
            changes[field] = url
    return changes


async def handle_update(ctx: Groups, activity: dict[str, Any], group: Group) -> list[str]:
    """An inbound `Update{Group}` of one of our communities: only from one of its moderators."""
    actor = id_of(activity.get("actor")) or ""
    await require_active_moderator(ctx, group, actor)
    doc = activity.get("object")
    if not isinstance(doc, dict):
        raise BadRequest("an Update of a community must embed the Group")
    clean = validate_changes(parse_group_update(doc, posting_policy=group.posting_policy))

    async def federate(conn: BaseDBAsyncClient, _changed: list[str]) -> None:
        await publish_action(ctx, group, activity, ours=False, conn=conn)  # onwards, as received

    return await _apply(ctx, group, actor, clean, federate)


async def _apply(
    ctx: Groups,
    group: Group,
    actor: str,
    clean: dict[str, Any],
    federate: Callable[[BaseDBAsyncClient, list[str]], Awaitable[None]],
    names: Mapping[str, Any] | None = None,
) -> list[str]:
    """Save what changed, federate it and log the edit in one transaction; returns the fields changed.

    `names` are what the modlog shows for a change instead of the value stored (a parent's name, not its id).
    """
    names = names or {}
    changed = [key for key, value in clean.items() if getattr(group, key) != value]
    async with ctx.fed.transaction() as conn:
        for key in changed:
            setattr(group, key, clean[key])
        if changed:
            await group.save(using_db=conn)
        await federate(conn, changed)
        await modlog.record(
            actor,
            ModlogAction.EDIT_COMMUNITY,
            ctx.uri(group),
            community=group.name,
            details={_named(key): _shown(names.get(key, clean[key])) for key in changed},
            conn=conn,
        )
    ctx.forget_group(group.name)
    return changed


def _named(key: str) -> str:
    """The setting a stored column stands for, as callers and the modlog name it."""
    return "parent" if key == "parent_id" else key


def _shown(value: Any) -> Any:
    """A changed value as the modlog keeps it (long texts cut short)."""
    return value if not isinstance(value, str) or len(value) <= 200 else value[:199] + "…"
