"""Changing the look as an instance admin (staff page, admin API or CLI): every value is checked, and
every upload re-encoded, before anything is stored, so a refused change leaves no trace.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from tortoise.transactions import in_transaction

from fedicom.branding.contrast import Mode, check_accent
from fedicom.branding.links import footer_links
from fedicom.branding.look import Defaults, Look, look_of
from fedicom.branding.models import ROW, SiteLook
from fedicom.branding.pictures import prepare_favicon, prepare_logo
from fedicom.errors import BadRequest, PayloadTooLarge
from fedicom.groups.images import Picture
from fedicom.media.release import release
from fedicom.media.store import FileStore, keep

MAX_NAME = 100
MAX_DESCRIPTION = 20_000
MAX_STYLESHEET = 100 * 1024
EDITABLE = ("name", "description", "accent", "accent_dark", "footer_links", "stylesheet", "logo", "favicon")
LABELS = {
    "name": "name",
    "description": "description",
    "accent": "accent colour",
    "accent_dark": "dark-mode accent colour",
    "footer_links": "footer links",
    "stylesheet": "stylesheet",
    "logo": "logo",
    "favicon": "favicon",
}


def _text(value: Any, label: str, limit: int) -> str:
    text = str(value).strip()
    if len(text) > limit:
        raise BadRequest(f"the {label} is at most {limit:,} characters")
    if "\x00" in text:
        raise BadRequest(f"the {label} cannot contain a NUL character")
    return text


def stylesheet_text(value: str | bytes) -> str:
    """The operator's CSS as served: UTF-8 text of at most MAX_STYLESHEET bytes."""
    data = value.encode() if isinstance(value, str) else value
    if len(data) > MAX_STYLESHEET:
        raise PayloadTooLarge(f"the stylesheet is larger than {MAX_STYLESHEET // 1024} KiB")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BadRequest("the stylesheet is not UTF-8 text", status=415) from None
    if "\x00" in text:
        raise BadRequest("the stylesheet cannot contain a NUL character", status=415)
    if not text.strip():
        raise BadRequest("the stylesheet is empty: remove it instead")
    return text


def _accent(value: Any, mode: Mode, label: str) -> str | None:
    """None (or empty) sets the colour back to fedicom's own."""
    return check_accent(str(value), mode, label) if value else None


def validate_texts(changes: Mapping[str, Any]) -> dict[str, Any]:
    """Every change but the pictures, as stored; BadRequest naming the first unacceptable one. Pure."""
    clean: dict[str, Any] = {}
    for key, value in changes.items():
        if key not in EDITABLE:
            raise BadRequest(f"{key} is not part of the site's look")
        if key == "name":
            clean[key] = " ".join(_text(value, "name", MAX_NAME).split())
        elif key == "description":
            clean[key] = _text(value, "description", MAX_DESCRIPTION)
        elif key == "accent":
            clean[key] = _accent(value, Mode.LIGHT, "accent colour")
        elif key == "accent_dark":
            clean[key] = _accent(value, Mode.DARK, "dark-mode accent colour")
        elif key == "footer_links":
            clean[key] = [{"label": x.label, "url": x.url} for x in footer_links(value)]
        elif key == "stylesheet":
            clean[key] = "" if value is None else stylesheet_text(value)
    return clean


async def _pictures(changes: Mapping[str, Any]) -> dict[str, Picture | None]:
    prepared: dict[str, Picture | None] = {}
    for key, prepare in (("logo", prepare_logo), ("favicon", prepare_favicon)):
        if key in changes:
            data = changes[key]
            prepared[key] = None if data is None else await asyncio.to_thread(prepare, data)
    return prepared


async def edit_look(
    files: FileStore, defaults: Defaults, changes: Mapping[str, Any]
) -> tuple[Look, list[str]]:
    """Apply an admin's changes (`logo`/`favicon`: new bytes, or None to remove; `stylesheet`: text or
    bytes, or None to remove); returns the new look and the labels of what changed. A replaced or
    removed picture is deleted from the store once nothing else names it."""
    clean = validate_texts(changes)
    pictures = await _pictures(changes)
    for key, picture in pictures.items():
        if picture is None:
            clean[key] = None
        else:
            clean[key] = await keep(files, picture)
            if key == "logo":
                clean["logo_width"], clean["logo_height"] = picture.width, picture.height
    async with in_transaction() as conn:
        row = await SiteLook.select_for_update().using_db(conn).get_or_none(id=ROW)
        if row is None:
            row = await SiteLook.create(id=ROW, using_db=conn)
        changed = [LABELS[k] for k in EDITABLE if k in clean and getattr(row, k) != clean[k]]
        before = [getattr(row, k) for k in pictures if getattr(row, k) != clean[k]]
        if changed:
            for key, value in clean.items():
                setattr(row, key, value)
            if clean.get("logo", row.logo) is None:
                row.logo_width = row.logo_height = 0
            await row.save(using_db=conn)
    await release(files, before)
    return look_of(row, defaults), changed


async def stored_values() -> dict[str, Any]:
    """The editable texts as stored (empty where the settings' defaults apply), for the edit form."""
    row = await SiteLook.get_or_none(id=ROW)
    if row is None:
        return {"name": "", "description": "", "accent": "", "accent_dark": "", "footer_links": []}
    return {
        "name": row.name,
        "description": row.description,
        "accent": row.accent or "",
        "accent_dark": row.accent_dark or "",
        "footer_links": [(x["label"], x["url"]) for x in row.footer_links],
    }
