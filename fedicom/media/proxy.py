"""The media proxy: a picture of a stored post (attached, or written into its text) or the avatar of a
remote account we keep, fetched from the member's server once, re-encoded, cached.

The address names the post and a MAC of the picture's URL (links.py), so only pictures of posts shown
here are ever fetched. Before anything is fetched or served, the post must still be shown, its
community public, and neither its author's server nor the picture's server blocked with reject_media
(or suspended). A fetch goes through the federation fetcher (SSRF-guarded: private addresses refused
outside development mode, every redirect checked, bytes and seconds bounded); the bytes are judged by
their content and re-encoded (groups/images.py), so only clean PNG, JPEG or WebP pixels are stored and
sent. A failure is remembered for a while, and concurrent requests for one picture share one fetch.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from fedicom.activitypub.fetch import Fetcher
from fedicom.activitypub.models import RemoteActor
from fedicom.activitypub.netguard import check_url
from fedicom.activitypub.vocab import host_of
from fedicom.errors import FedicomError, FetchError, Forbidden, Gone, MalformedUrl, NotFound, PayloadTooLarge
from fedicom.groups.authors import describe_remote
from fedicom.groups.hooks import ServerPolicy
from fedicom.groups.images import Kind, prepare
from fedicom.groups.models import Post
from fedicom.media.attachments import images_of, inline_images
from fedicom.media.cache import Cached, Failures, MediaCache, cache_key
from fedicom.media.links import MAC_RE, MediaLinks, Variant

FULL_BOX = (1600, 1600)  # wider than the page's column on any screen, twice over on a phone
THUMB_BOX = (320, 320)
AVATAR_BOX = (96, 96)  # shown at 20 to 48 pixels: room for screens of twice the density
MAX_SIDE = 16_384  # panoramas are long; their pixel count is what is bounded
MAX_PIXELS = 40_000_000  # decoded at most once, then scaled down: about 160 MB at worst, briefly
NO_SUCH_PICTURE = "there is no such picture"


@dataclass(frozen=True)
class MediaLimits:
    max_bytes: int  # largest remote file fetched
    fetch_seconds: float  # for one fetch, connecting and every redirect included
    failure_seconds: float  # how long a failure is remembered


class MediaProxy:
    def __init__(
        self,
        fetcher: Fetcher,
        cache: MediaCache,
        defed: ServerPolicy,
        links: MediaLinks,
        limits: MediaLimits,
        *,
        allow_private: bool,
    ) -> None:
        self.fetcher = fetcher
        self.cache = cache
        self.defed = defed
        self.links = links
        self.limits = limits
        self.failures = Failures(limits.failure_seconds)
        self.allow_private = allow_private
        self.fetches = 0  # remote fetches made by this process, for the operator and the tests
        self._kinds = {
            variant: Kind("picture", box, limits.max_bytes, MAX_SIDE, MAX_PIXELS)
            for variant, box in (
                (Variant.FULL, FULL_BOX),
                (Variant.THUMB, THUMB_BOX),
                (Variant.AVATAR, AVATAR_BOX),
            )
        }
        self._pending: dict[str, asyncio.Future[Cached]] = {}

    async def post_picture(self, post_id: int, mac: str, variant: Variant) -> Cached:
        """The picture of post `post_id` whose URL `mac` signs, in that size; a FedicomError if not."""
        if not MAC_RE.fullmatch(mac):
            raise NotFound(NO_SUCH_PICTURE)
        row = (
            await Post.filter(id=post_id)
            .first()
            .values("group_id", "author", "state", "deleted", "document", "content", "group__private")
        )
        if not row or row["state"] != "visible" or row["deleted"] or row["group__private"]:
            raise NotFound(NO_SUCH_PICTURE)
        candidates = [a.url for a in images_of(_document(row))] + inline_images(row["content"] or "")
        url = next((u for u in candidates if self.links.matches(post_id, u, mac)), None)
        if url is None:
            raise NotFound(NO_SUCH_PICTURE)
        await self._check_allowed(url, row["author"], row["group_id"])
        return await self._picture(url, variant)

    async def avatar(self, actor: str, mac: str) -> Cached:
        """The avatar of a remote account we keep, whose current picture `mac` signs."""
        if not MAC_RE.fullmatch(mac):
            raise NotFound(NO_SUCH_PICTURE)
        known = await RemoteActor.get_or_none(uri=actor)
        url = describe_remote(known).avatar if known is not None else None
        if url is None or not self.links.avatar_matches(actor, url, mac):
            raise NotFound(NO_SUCH_PICTURE)
        await self._check_allowed(url, actor, None)
        return await self._picture(url, Variant.AVATAR)

    async def _picture(self, url: str, variant: Variant) -> Cached:
        """From the cache, or fetched once however many visitors ask at the same time."""
        key = cache_key(url, variant)
        found = await self.cache.get(key)
        if found is not None:
            return found
        failure = self.failures.recall(url)
        if failure is not None:
            raise failure
        pending = self._pending.get(key)
        if pending is None:
            pending = asyncio.ensure_future(self._produce(url, variant, key))
            self._pending[key] = pending
            pending.add_done_callback(lambda _: self._pending.pop(key, None))
        return await asyncio.shield(pending)  # a visitor who leaves does not cancel the others' fetch

    async def _check_allowed(self, url: str, author: str, group_id: int | None) -> None:
        picture_host = _host(url)
        for host in {_host(author), picture_host}:
            if await self.defed.rejects_media(host, group_id):
                raise Forbidden(f"media from {host} is not shown on this server")
        if not await self.defed.allows(picture_host):
            raise Forbidden(f"media from {picture_host} is not shown on this server")
        try:
            check_url(url, allow_private=self.allow_private)
        except FetchError as exc:
            raise Forbidden(f"the picture's address is refused: {exc.reason}") from None

    async def _produce(self, url: str, variant: Variant, key: str) -> Cached:
        """Re-encode the cached full picture into a thumbnail, or fetch it; remember a failure."""
        full = await self.cache.get(cache_key(url, Variant.FULL)) if variant is Variant.THUMB else None
        try:
            data = full.data if full is not None else await self._fetch(url)
            picture = await asyncio.to_thread(prepare, self._kinds[variant], data)
        except FedicomError as exc:
            error = self._as_served(exc, _host(url))
            self.failures.remember(url, error)
            raise error from None
        return await self.cache.put(key, picture)

    def _as_served(self, exc: FedicomError, host: str) -> FedicomError:
        """The error a visitor's browser gets: 404 when the file is gone, 403 for an address we refuse,
        502 for what the member's server did wrong (unreachable, too slow, too large, not a picture)."""
        if isinstance(exc, Gone):
            return NotFound(f"{host} no longer has this picture")
        if isinstance(exc, Forbidden):
            return exc
        if isinstance(exc, PayloadTooLarge):
            return FetchError(f"the file at {host} is larger than {self.limits.max_bytes} bytes", status=502)
        reason = exc.reason.rstrip(".")
        if isinstance(exc, FetchError):
            return FetchError(f"the picture could not be fetched from {host}: {reason}", status=502)
        return FetchError(f"the file at {host} was refused: {reason}", status=502)

    async def _fetch(self, url: str) -> bytes:
        self.fetches += 1
        return await self.fetcher.get_media(
            url, max_bytes=self.limits.max_bytes, seconds=self.limits.fetch_seconds
        )


def _document(row: dict[str, Any]) -> dict[str, Any]:
    document = row["document"]
    return document if isinstance(document, dict) else {}


def _host(url: str) -> str:
    try:
        return host_of(url)
    except MalformedUrl:
        return urlsplit(url).hostname or url[:100]
