"""Removing a stored upload once nothing names it any more.

Uploads are named by their content, so one object may be a community's icon, another's banner, the
site's logo and a staff picture in a post at once (a small PNG re-encodes to the same bytes whichever
it is); an object is deleted only when no community, post or site look still names it.
"""

from __future__ import annotations

from tortoise import connections

from fedicom.groups.images import FILENAME_RE, MEDIA_FOLDER
from fedicom.groups.models import Group
from fedicom.media.store import FileStore, media_name


def filename_of(url: str | None) -> str | None:
    """The stored file a media URL of this server names (None for a remote or no URL)."""
    if not url:
        return None
    folder, _, name = url.rpartition("/")
    return name if folder.endswith(f"/{MEDIA_FOLDER}") and FILENAME_RE.match(name) else None


async def in_use(filename: str) -> bool:
    conn = connections.get("default")
    sqlite = conn.capabilities.dialect == "sqlite"
    # the site's logo and favicon (branding's site_look table, read by name: branding builds on media)
    marks = ("?", "?") if sqlite else ("$1", "$2")
    _, looks = await conn.execute_query(
        f"SELECT 1 FROM site_look WHERE logo = {marks[0]} OR favicon = {marks[1]} LIMIT 1",
        [filename, filename],
    )
    if looks:
        return True
    suffix = f"/{MEDIA_FOLDER}/{filename}"
    if (
        await Group.filter(icon_url__endswith=suffix).exists()
        or await Group.filter(image_url__endswith=suffix).exists()
    ):
        return True
    # a post names its pictures in its stored document (the `attachment` of the Note or Page); this
    # scans the posts, which a staff member's removing a picture can afford
    text = "document" if sqlite else "document::text"
    mark = "?" if sqlite else "$1"
    _, rows = await conn.execute_query(
        f"SELECT 1 FROM post WHERE {text} LIKE {mark} LIMIT 1", [f"%{filename}%"]
    )
    return bool(rows)


async def release(files: FileStore, filenames: list[str | None]) -> list[str]:
    """Delete those of the files that nothing names any more; returns the names deleted."""
    deleted = []
    for filename in dict.fromkeys(f for f in filenames if f):
        if not await in_use(filename):
            await files.delete(media_name(filename))
            deleted.append(filename)
    return deleted
