"""Wiring of the media area into an app: the proxy, and the page add-on that links its pictures."""

from __future__ import annotations

from fedicom.groups.context import Groups
from fedicom.media.cache import MediaCache
from fedicom.media.links import MediaLinks
from fedicom.media.proxy import MediaLimits, MediaProxy
from fedicom.media.shown import PostMedia
from fedicom.media.store import FileStore
from fedicom.settings import Settings

ADDON = "media"  # the name templates read the add-on's results under: addons.media[post.id]


def install(groups: Groups, settings: Settings, files: FileStore) -> MediaProxy:
    """Register the page add-on on `groups`; returns the proxy the media routes serve from."""
    links = MediaLinks(settings.secret_key)
    groups.addons.add(ADDON, PostMedia(links, groups.defed))
    return MediaProxy(
        groups.fed.fetcher,
        MediaCache(files, settings.media_cache_bytes),
        groups.defed,
        links,
        MediaLimits(settings.media_max_bytes, settings.media_fetch_seconds, settings.media_failure_seconds),
        allow_private=settings.dev,
    )
