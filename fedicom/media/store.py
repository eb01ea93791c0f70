"""Where pictures are kept: one small interface, on the local disk (DATA_DIR, the default) or in an
S3-compatible object store (media/s3.py) that every process on every machine shares.

Names are paths relative to the store: `media/<sha256>.<ext>` for uploads (icons, banners, logos, staff
pictures; immutable, named by their content) and `media-cache/<key>.<ext>` for the media proxy's cache.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from pathlib import Path
from typing import Protocol

from fedicom.groups.images import CONTENT_TYPES, FILENAME_RE, MEDIA_FOLDER, Picture
from fedicom.media.objects import StoredObject
from fedicom.settings import Settings


class FileStore(Protocol):
    """What the media code needs from a store; `public_url` is where browsers may read a name directly
    (None: this server serves it at /media/)."""

    description: str

    async def put(self, name: str, data: bytes, content_type: str) -> None: ...

    async def get(self, name: str, *, touch: bool = False) -> bytes | None: ...

    async def delete(self, name: str) -> None: ...

    async def listing(self, folder: str) -> list[StoredObject]: ...

    def public_url(self, name: str) -> str | None: ...


class LocalFiles:
    """Files under a folder (DATA_DIR): atomic renames, so several processes may share it."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.description = f"the folder {root}"

    async def put(self, name: str, data: bytes, content_type: str) -> None:
        await asyncio.to_thread(self._write, self.root / name, data)

    async def get(self, name: str, *, touch: bool = False) -> bytes | None:
        return await asyncio.to_thread(self._read, self.root / name, touch)

    async def delete(self, name: str) -> None:
        await asyncio.to_thread((self.root / name).unlink, missing_ok=True)

    async def listing(self, folder: str) -> list[StoredObject]:
        return await asyncio.to_thread(self._list, folder)

    def public_url(self, name: str) -> str | None:
        return None

    @staticmethod
    def _write(path: Path, data: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".write-")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    @staticmethod
    def _read(path: Path, touch: bool) -> bytes | None:
        try:
            if touch:
                os.utime(path)  # read now: the last to be evicted from a cache
            return path.read_bytes()
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            return None

    def _list(self, folder: str) -> list[StoredObject]:
        try:
            entries = list(os.scandir(self.root / folder))
        except FileNotFoundError:
            return []
        found = []
        for entry in entries:
            if entry.name.startswith("."):
                continue  # a write in progress
            try:
                stat = entry.stat()
            except FileNotFoundError:
                continue  # removed by another process meanwhile
            if entry.is_file():
                found.append(StoredObject(f"{folder}/{entry.name}", stat.st_size, stat.st_mtime))
        return found


def open_store(settings: Settings) -> FileStore:
    """The store the settings choose: S3 when FEDICOM_MEDIA_STORE=s3, else DATA_DIR on this disk."""
    if settings.media_store == "s3":
        from fedicom.media.s3 import S3Files  # the client library is the optional extra fedicom[s3]

        return S3Files(settings)
    return LocalFiles(settings.data_dir)


def media_name(filename: str) -> str:
    return f"{MEDIA_FOLDER}/{filename}"


async def keep(files: FileStore, picture: Picture) -> str:
    """Store a re-encoded upload under its content hash (the same picture is the same object); returns
    its file name, as /media/ URLs and the site's look name it."""
    await files.put(media_name(picture.filename), picture.data, picture.content_type)
    return picture.filename


async def read_media(files: FileStore, filename: str) -> tuple[bytes, str] | None:
    """The stored upload a /media/ URL names, with its Content-Type; None for any other name."""
    match = FILENAME_RE.match(filename)
    if match is None:
        return None
    data = await files.get(media_name(filename))
    return None if data is None else (data, CONTENT_TYPES[match.group(1)])
