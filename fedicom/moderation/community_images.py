"""Setting or removing a community's icon and banner as a staff member: the upload is checked and
re-encoded (groups/images.py), kept in the media store, and the new URL is an edit like any other,
so members' servers receive it as `Update{Group}`. A replaced or removed picture is deleted from the
store once nothing else names it (media/release.py).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from fedicom.errors import BadRequest
from fedicom.groups.context import Groups
from fedicom.groups.images import BANNER, ICON, Kind, Picture, media_url, prepare
from fedicom.groups.models import Group
from fedicom.media.release import filename_of, release
from fedicom.media.store import FileStore, keep
from fedicom.moderation.community_updates import edit_community
from fedicom.moderation.content import require_active_moderator
from fedicom.staff.models import Staff

FIELDS = {ICON.label: "icon_url", BANNER.label: "image_url"}


@dataclass(frozen=True)
class ImageChoice:
    """What the staff member chose for one image: new bytes, removing it, or neither."""

    kind: Kind
    upload: bytes | None = None
    remove: bool = False


async def change_images(
    ctx: Groups, group: Group, staff: Staff, files: FileStore, choices: list[ImageChoice]
) -> list[str]:
    """Apply the choices (every upload is checked before any is stored); returns the fields changed."""
    await require_active_moderator(ctx, group, ctx.site.staff_uri(staff.username))
    pictures: dict[str, Picture | None] = {}
    for choice in choices:
        if choice.upload is not None and choice.remove:
            raise BadRequest(f"choose a new {choice.kind.label} or remove it, not both")
        if choice.upload is not None:
            pictures[FIELDS[choice.kind.label]] = await asyncio.to_thread(prepare, choice.kind, choice.upload)
        elif choice.remove:
            pictures[FIELDS[choice.kind.label]] = None
    if not pictures:
        raise BadRequest("choose an icon or a banner to upload, or one to remove")
    changes: dict[str, str | None] = {}
    before = [filename_of(getattr(group, field)) for field in pictures]
    for field, picture in pictures.items():
        changes[field] = None if picture is None else media_url(ctx.fed.base_url, await keep(files, picture))
    changed = await edit_community(ctx, group, staff, changes)
    await release(files, before)
    return changed
