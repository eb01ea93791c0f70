"""The proxy's memory: re-encoded pictures on disk, bounded in size, and recent failures, bounded in time.

Pictures live under DATA_DIR/media-cache, named by a hash of (variant, remote URL); reading one touches
it, and when the folder grows past its cap the least recently read go first, down to 90% of the cap.
Several processes may share the folder: writes are atomic renames and each eviction rescans the folder.
Failures are kept per process: a dead or hostile server is asked again only after `ttl` seconds.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import tempfile
import time
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from fedicom.errors import FedicomError
from fedicom.groups.images import CONTENT_TYPES, Picture

CACHE_FOLDER = "media-cache"
EVICT_TO = 0.9  # of the cap, so that one write past it does not start an eviction each time
MAX_FAILURES = 10_000


@dataclass(frozen=True)
class Cached:
    data: bytes
    content_type: str


def cache_key(url: str, variant: str) -> str:
    return hashlib.sha256(f"{variant}\n{url}".encode()).hexdigest()


class MediaCache:
    def __init__(self, folder: Path, max_bytes: int) -> None:
        self.folder = folder
        self.max_bytes = max_bytes
        self._size: int | None = None  # bytes in the folder, as this process last counted

    async def get(self, key: str) -> Cached | None:
        return await asyncio.to_thread(self._read, key)

    async def put(self, key: str, picture: Picture) -> Cached:
        await asyncio.to_thread(self._write, key, picture)
        return Cached(picture.data, picture.content_type)

    def _read(self, key: str) -> Cached | None:
        for extension, content_type in CONTENT_TYPES.items():
            path = self.folder / f"{key}.{extension}"
            try:
                os.utime(path)  # read now: the last to be evicted
                return Cached(path.read_bytes(), content_type)
            except FileNotFoundError:
                continue  # not cached in this format, or evicted meanwhile
        return None

    def _write(self, key: str, picture: Picture) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=self.folder, prefix=".fetch-")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(picture.data)
            os.replace(temporary, self.folder / f"{key}.{picture.extension}")
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        if self._size is None:
            self._size = self.usage()
        else:
            self._size += len(picture.data)
        if self._size > self.max_bytes:
            self.evict()

    def usage(self) -> int:
        """Bytes the cached pictures take now."""
        return sum(size for _, size, _ in self._files())

    def evict(self) -> int:
        """Remove the least recently read pictures until the folder is under 90% of its cap."""
        files = sorted(self._files(), key=lambda f: f[2])
        total = sum(size for _, size, _ in files)
        removed = 0
        for path, size, _ in files:
            if total <= self.max_bytes * EVICT_TO:
                break
            path.unlink(missing_ok=True)
            total -= size
            removed += 1
        self._size = total
        return removed

    def _files(self) -> list[tuple[Path, int, float]]:
        found = []
        try:
            entries = list(os.scandir(self.folder))
        except FileNotFoundError:
            return []
        for entry in entries:
            if entry.name.startswith("."):
                continue  # a write in progress
            try:
                stat = entry.stat()
            except FileNotFoundError:
                continue  # evicted by another process meanwhile
            found.append((Path(entry.path), stat.st_size, stat.st_mtime))
        return found


class Failures:
    """Why fetching a URL failed, remembered for `ttl` seconds (at most MAX_FAILURES of them)."""

    def __init__(self, ttl: float) -> None:
        self.ttl = ttl
        self._failed: OrderedDict[str, tuple[float, FedicomError]] = OrderedDict()

    def remember(self, url: str, error: FedicomError) -> None:
        self._failed[url] = (time.monotonic() + self.ttl, error)
        self._failed.move_to_end(url)
        while len(self._failed) > MAX_FAILURES:
            self._failed.popitem(last=False)

    def recall(self, url: str) -> FedicomError | None:
        found = self._failed.get(url)
        if found is None:
            return None
        if found[0] < time.monotonic():
            del self._failed[url]
            return None
        return found[1]
