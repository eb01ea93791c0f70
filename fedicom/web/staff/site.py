"""The staff page of the site's look, for admins: its name and description, accent colours, footer links,
and the logo, favicon and stylesheet files. Each form calls branding/edits.py, as the CLI and the admin
API do; a refused value is shown again with the reason, and nothing of it is stored."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from fedicom.branding.contrast import NEEDED
from fedicom.branding.edits import MAX_DESCRIPTION, MAX_NAME, MAX_STYLESHEET, edit_look, stored_values
from fedicom.branding.links import MAX_LABEL, MAX_LINKS, MAX_URL
from fedicom.branding.look import LookCache
from fedicom.errors import BadRequest, FedicomError, PayloadTooLarge
from fedicom.groups.images import MAX_BYTES
from fedicom.moderation.acting import Acting
from fedicom.web.appstate import app_state
from fedicom.web.staff.auth import staff_only
from fedicom.web.staff.layout import done, form_text, staff_form, staff_page

HOME = "/staff/site"
FILES = ("logo", "favicon", "stylesheet")
FILE_LIMITS = {"logo": MAX_BYTES, "favicon": MAX_BYTES, "stylesheet": MAX_STYLESHEET}
UPLOAD_LIMIT = 2 * MAX_BYTES + MAX_STYLESHEET + 64 * 1024  # the three files and the framing around them
TEXT_FORM = 64 * 1024


def _cache(request: Request) -> LookCache:
    return app_state(request).look


async def site_page(
    request: Request,
    values: dict[str, Any],
    *,
    error: str | None = None,
    files_error: str | None = None,
    status: int = 200,
) -> Response:
    links = list(values["footer_links"])
    context = {
        "values": values,
        "links": links + [("", "")] * (MAX_LINKS - len(links)),
        "error": error,
        "files_error": files_error,
        "limits": {"name": MAX_NAME, "description": MAX_DESCRIPTION, "label": MAX_LABEL, "url": MAX_URL},
        "needed": NEEDED,
        "section": "site",
    }
    return staff_page(request, "staff/site.html", context, status)


def typed(form: FormData) -> dict[str, Any]:
    """The values as the admin typed them; refused (never cut) when longer than any field allows."""
    values: dict[str, Any] = {
        "name": form_text(form, "name", MAX_NAME, label="name"),
        "description": form_text(form, "description", MAX_DESCRIPTION, label="description"),
        "accent": form_text(form, "accent", 20, label="accent colour"),
        "accent_dark": form_text(form, "accent_dark", 20, label="dark-mode accent colour"),
    }
    links = []
    for i in range(1, MAX_LINKS + 1):
        label = form_text(form, f"link_label_{i}", MAX_LABEL, label=f"label of footer link {i}")
        url = form_text(form, f"link_url_{i}", MAX_URL, label=f"address of footer link {i}")
        if label.strip() or url.strip():
            links.append((label, url))
    values["footer_links"] = links
    return values


def saved(changed: list[str]) -> str:
    return "saved the " + ", ".join(changed) if changed else "nothing changed"


@staff_only
async def site(request: Request, acting: Acting) -> Response:
    acting.require_admin()
    if request.method == "GET":
        return await site_page(request, await stored_values())
    form = await staff_form(request, limit=TEXT_FORM, max_fields=8 + 2 * MAX_LINKS)
    try:
        values = typed(form)
    except FedicomError as exc:
        return await site_page(request, await stored_values(), error=exc.reason, status=exc.status)
    try:
        look, changed = await edit_look(acting.files, _cache(request).defaults, values)
    except FedicomError as exc:
        return await site_page(request, values, error=exc.reason, status=exc.status)
    _cache(request).remember(look)
    return done(request, HOME, saved(changed))


async def chosen(form: FormData, name: str) -> bytes | None:
    """The bytes of the file chosen for `name` (read no further than its limit), None if none was."""
    value = form.get(name)
    if not isinstance(value, UploadFile):
        return None
    data = await value.read(FILE_LIMITS[name] + 1)
    return data if data or value.filename else None


async def files(form: FormData) -> dict[str, Any]:
    """What the admin chose for each file: new bytes, removal (None), or nothing (left out)."""
    changes: dict[str, Any] = {}
    for name in FILES:
        data = await chosen(form, name)
        remove = form.get(f"remove_{name}") == "on"
        if data is not None and remove:
            raise BadRequest(f"choose a new {name} or remove it, not both")
        if data is not None:
            changes[name] = data
        elif remove:
            changes[name] = None
    if not changes:
        raise BadRequest("choose a logo, a favicon or a stylesheet to upload, or one to remove")
    return changes


@staff_only
async def site_files(request: Request, acting: Acting) -> Response:
    acting.require_admin()
    try:
        form = await staff_form(request, limit=UPLOAD_LIMIT, max_fields=8, max_files=3)
    except PayloadTooLarge:
        reason = "the upload is too large: the logo and the favicon are at most 2 MiB, the stylesheet 100 KiB"
        return await site_page(request, await stored_values(), files_error=reason, status=413)
    try:
        look, changed = await edit_look(acting.files, _cache(request).defaults, await files(form))
    except FedicomError as exc:
        return await site_page(request, await stored_values(), files_error=exc.reason, status=exc.status)
    finally:
        await form.close()
    _cache(request).remember(look)
    return done(request, HOME, saved(changed))


routes: list[BaseRoute] = [
    Route(HOME, site, methods=["GET", "POST"]),
    Route(f"{HOME}/files", site_files, methods=["POST"]),
]
