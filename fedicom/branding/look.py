"""The look pages are drawn with: the stored row over the settings' defaults, and a per-process copy
that every page reads without a query.

Each process re-reads the row at most every few seconds, so a change made in another process (a second
web worker, the CLI) shows everywhere soon; the process that makes a change shows it at once.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field

from fedicom.branding.links import FooterLink
from fedicom.branding.models import ROW, SiteLook
from fedicom.branding.theme import accent_css, version

log = logging.getLogger(__name__)
REFRESH_SECONDS = 5.0


@dataclass(frozen=True)
class Defaults:
    """What a server shows before an admin sets anything: its settings."""

    name: str
    description: str


@dataclass(frozen=True)
class Look:
    name: str
    description: str
    logo: str | None = None  # file name under /media/
    logo_width: int = 0
    logo_height: int = 0
    favicon: str | None = None
    accent: str | None = None
    accent_dark: str | None = None  # as set; the theme derives one from `accent` when None
    footer_links: tuple[FooterLink, ...] = ()
    stylesheet: str = ""
    theme_css: str = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "theme_css", accent_css(self.accent, self.accent_dark))

    @property
    def theme_version(self) -> str:
        """Empty when no colour is set: pages then link no theme at all."""
        return version(self.theme_css)

    @property
    def stylesheet_version(self) -> str:
        return version(self.stylesheet)


def look_of(row: SiteLook | None, defaults: Defaults) -> Look:
    if row is None:
        return Look(defaults.name, defaults.description)
    return Look(
        name=row.name or defaults.name,
        description=row.description or defaults.description,
        logo=row.logo,
        logo_width=row.logo_width,
        logo_height=row.logo_height,
        favicon=row.favicon,
        accent=row.accent,
        accent_dark=row.accent_dark,
        footer_links=tuple(FooterLink(str(x["label"]), str(x["url"])) for x in row.footer_links),
        stylesheet=row.stylesheet,
    )


async def load_look(defaults: Defaults) -> Look:
    return look_of(await SiteLook.get_or_none(id=ROW), defaults)


class LookCache:
    """The current look of this process, re-read when older than REFRESH_SECONDS."""

    def __init__(self, defaults: Defaults, refresh: float = REFRESH_SECONDS) -> None:
        self.defaults = defaults
        self.refresh = refresh
        self.current = Look(defaults.name, defaults.description)
        self._read_at = float("-inf")
        self._lock = asyncio.Lock()

    async def fresh(self) -> Look:
        """The look, re-read first if it may be stale (one reader at a time; the others wait for it)."""
        if time.monotonic() - self._read_at < self.refresh:
            return self.current
        async with self._lock:
            if time.monotonic() - self._read_at >= self.refresh:
                await self.reload()
        return self.current

    async def reload(self) -> Look:
        try:
            self.remember(await load_look(self.defaults))
        except Exception:  # the database is away: pages keep the look they had, and say nothing of it
            log.exception("could not read the site's look; keeping the one shown")
            self._read_at = time.monotonic()
        return self.current

    def remember(self, look: Look) -> None:
        self.current = look
        self._read_at = time.monotonic()
