"""Page views counted without tracking: a number per community, day and referring site, nothing about
who viewed. No cookie is set and no address is kept; crawlers and link previews are left out by their
User-Agent (what they say they are; a crawler that lies is counted, as on any log-based counter).

Views are added up in memory and written every few seconds as upserts, so a page view costs no query;
a crash loses at most the last few seconds of counts (the price of not writing on every view).
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections import Counter as Tally
from datetime import date, datetime
from urllib.parse import urlsplit

from fedicom.groups.models import Group
from fedicom.insights.counting import local_day
from fedicom.insights.db import query

log = logging.getLogger("fedicom.insights")

FLUSH_EVERY = 10.0  # seconds
# what crawlers, feed readers, link previews and scripts put in their User-Agent
NOT_A_READER = re.compile(
    r"bot\b|bot/|crawl|spider|slurp|preview|fetcher|facebookexternalhit|embedly|curl|wget|python|httpx|"
    r"aiohttp|go-http|java/|okhttp|headless|lighthouse|monitor|uptime|scanner|mastodon|pleroma|akkoma|"
    r"misskey|lemmy|friendica|gotosocial|activitypub",
    re.IGNORECASE,
)
DIRECT = ""  # no referrer (typed, bookmarked, or a browser that sends none)
INTERNAL = "(this site)"  # a page of this server linked to it


def is_reader(user_agent: str) -> bool:
    """A person's browser, as far as its User-Agent tells (fediverse servers fetching previews are not)."""
    return bool(user_agent) and "mozilla" in user_agent.lower() and not NOT_A_READER.search(user_agent)


def source_of(referrer: str, own_host: str) -> str:
    """Where a view came from: the referring site's host, this site, or nothing."""
    host = (urlsplit(referrer).hostname or "").lower() if referrer else ""
    if not host:
        return DIRECT
    return INTERNAL if host == own_host.split(":")[0].lower() else host[:255]


class PageViews:
    """The counts of this process since its last write."""

    def __init__(self) -> None:
        self._counts: Tally[tuple[int, date, str]] = Tally()

    def seen(self, group: Group, source: str, now: datetime) -> None:
        self._counts[(group.id, local_day(now, group), source)] += 1

    async def flush(self) -> int:
        """Write what was counted (one upsert per community, day and source); the views written."""
        counts, self._counts = self._counts, Tally()
        for (group_id, day, source), views in counts.items():
            await query(
                "INSERT INTO insight_traffic (group_id, day, source, views) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (group_id, day, source) "
                "DO UPDATE SET views = insight_traffic.views + excluded.views",
                [group_id, day, source, views],
            )
        return sum(counts.values())

    async def run(self, stop: asyncio.Event) -> None:
        """Write every FLUSH_EVERY seconds until `stop`, then once more."""
        while not stop.is_set():
            try:
                await asyncio.wait_for(stop.wait(), FLUSH_EVERY)
            except TimeoutError:
                pass
            try:
                await self.flush()
            except Exception:  # a database hiccup must not end counting; the counts are lost, said so
                log.exception("page view counts could not be written")
