"""The proxy's memory: re-encoded pictures in the media store, bounded in size, and recent failures,
bounded in time.

Pictures live under media-cache/ in the store (DATA_DIR/media-cache on disk), named by a hash of
(variant, remote URL); when they grow past their cap the oldest go first, down to 90% of the cap. On
disk, reading a picture touches it, so the least recently read go first; an object store cannot touch,
so there the least recently fetched go first. Several processes may share the store: writes are atomic
and each eviction lists it again. Failures are kept per process: a dead or hostile server is asked
again only after `ttl` seconds.
"""

from __future__ import annotations

import hashlib
import time
from collections import OrderedDict
from dataclasses import dataclass

from fedicom.errors import FedicomError
from fedicom.groups.images import CONTENT_TYPES, Picture
from fedicom.media.store import FileStore

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
    def __init__(self, files: FileStore, max_bytes: int) -> None:
        self.files = files
        self.max_bytes = max_bytes
        self._size: int | None = None  # bytes in the cache, as this process last counted

    async def get(self, key: str) -> Cached | None:
        for extension, content_type in CONTENT_TYPES.items():
            data = await self.files.get(f"{CACHE_FOLDER}/{key}.{extension}", touch=True)
            if data is not None:
                return Cached(data, content_type)
        return None  # not cached in any format, or evicted meanwhile

    async def put(self, key: str, picture: Picture) -> Cached:
        await self.files.put(f"{CACHE_FOLDER}/{key}.{picture.extension}", picture.data, picture.content_type)
        if self._size is None:
            self._size = await self.usage()
        else:
            self._size += len(picture.data)
        if self._size > self.max_bytes:
            await self.evict()
        return Cached(picture.data, picture.content_type)

    async def usage(self) -> int:
        """Bytes the cached pictures take now."""
        return sum(entry.size for entry in await self.files.listing(CACHE_FOLDER))

    async def evict(self) -> int:
        """Remove the oldest pictures until the cache is under 90% of its cap; returns how many."""
        entries = sorted(await self.files.listing(CACHE_FOLDER), key=lambda e: e.modified)
        total = sum(entry.size for entry in entries)
        removed = 0
        for entry in entries:
            if total <= self.max_bytes * EVICT_TO:
                break
            await self.files.delete(entry.name)
            total -= entry.size
            removed += 1
        self._size = total
        return removed


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
