"""Staff pages of communities: the list, creating one (admins), its settings, its icon and banner.

Each action calls the service the CLI and the admin API call, so a change federates as it does there:
a setting members' servers show (title, texts, icon, banner, …) goes out as `Update{Group}`.
"""

from __future__ import annotations

from typing import Any

from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from fedicom.errors import FedicomError, PayloadTooLarge
from fedicom.groups.aliases import aliases
from fedicom.groups.communities import member_count
from fedicom.groups.images import BANNER, ICON, MAX_BYTES, Kind
from fedicom.groups.models import Group
from fedicom.groups.moving import move_state
from fedicom.moderation.acting import Acting
from fedicom.moderation.community_images import ImageChoice, change_images
from fedicom.moderation.community_updates import FEDERATED, create_owned_community, edit_community
from fedicom.web.staff import community_form as fields
from fedicom.web.staff.auth import staff_only
from fedicom.web.staff.dashboard import moderated
from fedicom.web.staff.layout import done, staff_form, staff_page

UPLOAD_LIMIT = 2 * MAX_BYTES + 64 * 1024  # two images and the small fields around them
CREATE_KEYS = (
    "summary",
    "rules",
    "privacy_policy",
    "private",
    "posting_policy",
    "premoderation",
    "max_links",
    "kind",
    "parent",
    "feature_children",
)
EDIT_KEYS = (
    *fields.TEXTS,
    *fields.FLAGS,
    *fields.CHOICES,
    "max_links",
    "accent",
    "timezone",
    "kind",
    "parent",
)
LABELS = {
    "title": "title",
    "summary": "summary",
    "rules": "rules",
    "privacy_policy": "privacy policy",
    "private": "member approval",
    "sensitive": "sensitive mark",
    "posting_policy": "posting policy",
    "premoderation": "pre-moderation",
    "max_links": "link cap",
    "accent": "accent colour",
    "timezone": "time zone",
    "notify_refusals": "notices to authors",
    "leaderboard": "leaderboard",
    "reply_similar": "replies to similar ideas",
    "icon_url": "icon",
    "image_url": "banner",
    "kind": "kind",
    "parent": "parent community",
    "feature_children": "featured threads of its communities",
}


async def parent_name(group: Group) -> str | None:
    parent = await Group.get_or_none(id=group.parent_id) if group.parent_id else None  # type: ignore[attr-defined]
    return parent.name if parent else None


def settings_url(group: Group) -> str:
    return f"/staff/c/{group.name}"


def saved(changed: list[str]) -> str:
    """The notice after an edit: what changed, and whether members' servers are told."""
    if not changed:
        return "nothing changed"
    text = "saved the " + ", ".join(LABELS[key] for key in changed)
    if set(changed) & set(FEDERATED):
        text += "; members' servers receive the new profile"
    return text


async def parent_choices(acting: Acting, group: Group | None, current: str | None) -> list[Group]:
    """The communities it may be placed under: those the staff member moderates, besides itself (and
    its parent now, shown even if they do not moderate it)."""
    choices = [g for g in await moderated(acting) if group is None or g.id != group.id]
    if current and all(g.name != current for g in choices):
        choices += await Group.filter(name=current)
    return sorted(choices, key=lambda g: g.title.lower())


async def form_context(
    acting: Acting, values: dict[str, Any], error: str | None, group: Group | None = None
) -> dict[str, Any]:
    current = await parent_name(group) if group else None
    return {
        "values": values,
        "error": error,
        "kinds": fields.KIND_CHOICES,
        "parents": await parent_choices(acting, group, current),
        "posting": fields.POSTING,
        "premoderation": fields.PREMODERATION,
        "default_links": acting.settings.max_links,
        "domain": acting.ctx.site.domain,
        "section": "communities",
    }


@staff_only
async def communities(request: Request, acting: Acting) -> Response:
    rows = [(group, await member_count(group)) for group in await moderated(acting)]
    context = {
        "rows": rows,
        "domain": acting.ctx.site.domain,
        "short": fields.SHORT,
        "section": "communities",
    }
    return staff_page(request, "staff/communities.html", context)


async def new_page(
    request: Request, acting: Acting, values: dict[str, Any], error: str | None = None, status: int = 200
) -> Response:
    context = await form_context(acting, values, error)
    return staff_page(request, "staff/community_new.html", context, status)


@staff_only
async def new_community(request: Request, acting: Acting) -> Response:
    acting.require_admin()
    if request.method == "GET":
        return await new_page(request, acting, dict(fields.NEW))
    values = fields.typed(await staff_form(request))
    try:
        keys = CREATE_KEYS if not values["title"].strip() else ("title", *CREATE_KEYS)
        clean = fields.settings(values, keys=keys)
        group = await create_owned_community(
            acting.ctx,
            acting.actor,
            values["name"],
            title=clean.get("title"),
            summary=clean["summary"],
            rules=clean["rules"],
            privacy_policy=clean["privacy_policy"],
            private=clean["private"],
            posting_policy=clean["posting_policy"],
            premoderation=clean["premoderation"],
            max_links=clean["max_links"],
            kind=clean.get("kind", "discussion"),
            parent=clean["parent"],
            feature_children=clean["feature_children"],
        )
    except FedicomError as exc:
        return await new_page(request, acting, values, exc.reason, exc.status)
    handle = f"@{group.name}@{acting.ctx.site.domain}"
    return done(request, settings_url(group), f"created {group.title}: the fediverse can now follow {handle}")


async def settings_page(
    request: Request,
    acting: Acting,
    group: Group,
    values: dict[str, Any],
    *,
    error: str | None = None,
    image_error: str | None = None,
    alias_error: str | None = None,
    move_error: str | None = None,
    export_error: str | None = None,
    status: int = 200,
) -> Response:
    context = await form_context(acting, values, error, group) | {
        "group": group,
        "members": await member_count(group),
        "image_error": image_error,
        "aliases": await aliases(group),
        "alias_error": alias_error,
        "move": move_state(group, acting.ctx.move_grace),
        "move_error": move_error,
        "export_error": export_error,
    }
    return staff_page(request, "staff/community_settings.html", context, status)


@staff_only
async def community_settings(request: Request, acting: Acting) -> Response:
    group = await acting.community(request.path_params["name"])
    parent = await parent_name(group)
    if request.method == "GET":
        return await settings_page(request, acting, group, fields.prefilled(group, parent))
    values = fields.typed(await staff_form(request))
    try:
        wanted = fields.settings(values, keys=EDIT_KEYS)
        changes = fields.changes(group, wanted, parent)
        changed = await edit_community(acting.ctx, group, acting.staff, changes)
    except FedicomError as exc:
        return await settings_page(request, acting, group, values, error=exc.reason, status=exc.status)
    return done(request, settings_url(group), saved(changed))


async def upload(form: FormData, kind: Kind) -> bytes | None:
    """The bytes of the file chosen for `kind` (read no further than the limit), None if none was."""
    value = form.get(kind.label)
    if not isinstance(value, UploadFile):
        return None
    data = await value.read(MAX_BYTES + 1)
    return data if data or value.filename else None


@staff_only
async def community_images(request: Request, acting: Acting) -> Response:
    group = await acting.community(request.path_params["name"])
    try:
        form = await staff_form(request, limit=UPLOAD_LIMIT, max_fields=8, max_files=2)
    except PayloadTooLarge:
        reason = "the upload is larger than 4 MiB: the icon and the banner are at most 2 MiB each"
        return await settings_page(
            request,
            acting,
            group,
            fields.prefilled(group, await parent_name(group)),
            image_error=reason,
            status=413,
        )
    try:
        choices = [
            ImageChoice(kind, await upload(form, kind), form.get(f"remove_{kind.label}") == "on")
            for kind in (ICON, BANNER)
        ]
        changed = await change_images(acting.ctx, group, acting.staff, acting.files, choices)
    except FedicomError as exc:
        return await settings_page(
            request,
            acting,
            group,
            fields.prefilled(group, await parent_name(group)),
            image_error=exc.reason,
            status=exc.status,
        )
    finally:
        await form.close()
    return done(request, settings_url(group), saved(changed))


routes: list[BaseRoute] = [
    Route("/staff/communities", communities),
    Route("/staff/communities/new", new_community, methods=["GET", "POST"]),
    Route("/staff/c/{name}", community_settings, methods=["GET", "POST"]),
    Route("/staff/c/{name}/images", community_images, methods=["POST"]),
]
