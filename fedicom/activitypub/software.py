"""What software each remote server runs (from its NodeInfo), and so which shape of a group's post it reads.

FEP-1b12 readers (Lemmy, Mbin, PieFed, Friendica, NodeBB) consume `Announce{activity}`; Mastodon and
the microblogs (Misskey, Pleroma/Akkoma, GoToSocial) only show what they can boost or display: the
object-URI `Announce`, or the author's own activity (federation.md §2.6, §3.2). A server that does
not say, or that no table names, gets both, which every one of them reads (Mastodon keeps one boost
per status, Lemmy refuses the object form silently). The names are cached in `remote_server` and
asked again after a while; a failed lookup counts as "not known" and is retried sooner.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from tortoise import connections
from tortoise.backends.base.client import BaseDBAsyncClient

from fedicom.activitypub import leases
from fedicom.activitypub.fetch import Fetcher
from fedicom.activitypub.vocab import host_of, origin_of, unique_ids
from fedicom.errors import FetchError, MalformedUrl

log = logging.getLogger("fedicom.software")
NODEINFO_REL = "http://nodeinfo.diaspora.software/ns/schema/"
JSON_ACCEPT = "application/json"
NODEINFO_SECONDS = 5.0
KNOWN_FOR = 24 * 3600.0  # a server's software is asked again daily (an instance may switch, rarely)
UNKNOWN_FOR = 3600.0  # a server that did not say (down, no NodeInfo) is asked again hourly
REMEMBERED_FOR = 300.0  # a process trusts what it read from the database this long (others may learn)
LEARNERS = 4  # NodeInfo lookups at once per process

# NodeInfo `software.name`s, lower-case. Forks report their own names (Sharkey, Iceshrimp, glitch-soc
# reports "mastodon"); a name in neither set gets both shapes.
ACTIVITY_READERS = frozenset({"lemmy", "mbin", "kbin", "piefed", "friendica", "nodebb"})
SHOWN_READERS = frozenset(
    {
        "mastodon",
        "hometown",
        "misskey",
        "sharkey",
        "firefish",
        "iceshrimp",
        "catodon",
        "cherrypick",
        "foundkey",
        "pleroma",
        "akkoma",
        "gotosocial",
    }
)


class Shape(StrEnum):
    """The form of a group's post a server reads."""

    ACTIVITY = "activity"  # Announce{the activity as received or sent} (FEP-1b12)
    SHOWN = "shown"  # what a microblog shows: the object-URI Announce, or the author's own activity
    BOTH = "both"  # software not known: send both, each reader takes the one it understands


def shape_for(software: str | None) -> Shape:
    """The shape a server running `software` (NodeInfo name, None when unknown) reads."""
    name = (software or "").strip().lower()
    if name in ACTIVITY_READERS:
        return Shape.ACTIVITY
    if name in SHOWN_READERS:
        return Shape.SHOWN
    return Shape.BOTH


@dataclass(frozen=True)
class Split:
    """Inboxes by the shape they are sent; an inbox of unknown software is in both lists."""

    activity: list[str]
    shown: list[str]


def split_inboxes(inboxes: Iterable[str], software: Mapping[str, str | None]) -> Split:
    """Each distinct inbox once per shape its server reads (`software`: host -> NodeInfo name)."""
    activity: list[str] = []
    shown: list[str] = []
    for inbox in unique_ids(inboxes):
        shape = shape_for(software.get(host_of(inbox)))
        if shape is not Shape.SHOWN:
            activity.append(inbox)
        if shape is not Shape.ACTIVITY:
            shown.append(inbox)
    return Split(activity, shown)


def nodeinfo_href(links_doc: dict[str, Any]) -> str | None:
    """The newest NodeInfo document a `/.well-known/nodeinfo` index links to."""
    links = links_doc.get("links")
    found = [
        link
        for link in (links if isinstance(links, list) else [])
        if isinstance(link, dict)
        and str(link.get("rel", "")).startswith(NODEINFO_REL)
        and isinstance(link.get("href"), str)
    ]
    found.sort(key=lambda link: str(link["rel"]))
    return found[-1]["href"] if found else None


async def server_software(fetcher: Fetcher, origin: str) -> str | None:
    """The software name a server reports in NodeInfo (`mastodon`, `lemmy`…), None if it does not say."""
    try:
        async with asyncio.timeout(NODEINFO_SECONDS):
            index = await fetcher.get_json(f"{origin}/.well-known/nodeinfo", accept=JSON_ACCEPT)
            href = nodeinfo_href(index)
            if href is None:
                return None
            info = await fetcher.get_json(href, accept=JSON_ACCEPT)
    except (TimeoutError, FetchError):
        return None
    software = info.get("software")
    name = software.get("name") if isinstance(software, dict) else None
    return name.strip().lower()[:64] if isinstance(name, str) and name.strip() else None


@dataclass(frozen=True)
class _Known:
    software: str | None
    checked_at: float | None  # None: never asked
    read_at: float  # when this process read it


class SoftwareDirectory:
    """Which software each server runs, read from the database and learned in the background.

    `split` never waits for the network: a server not known yet (or due for a refresh) gets both shapes
    now and is looked up by the learners that `run` starts, the same way a server that talks to us is
    (`notice`), so members' servers are known by the time a post is announced to them.
    """

    def __init__(self, fetcher: Fetcher) -> None:
        self.fetcher = fetcher
        self._known: dict[str, _Known] = {}
        self._wanted: asyncio.Queue[str] = asyncio.Queue(maxsize=10_000)
        self._queued: set[str] = set()

    async def split(self, inboxes: list[str], conn: BaseDBAsyncClient | None = None) -> Split:
        """Each inbox under the shape(s) its server reads; unknown or stale servers are learned later."""
        now = time.time()
        hosts = {host_of(inbox): inbox for inbox in inboxes}
        missing = [h for h in hosts if h not in self._known or now - self._known[h].read_at > REMEMBERED_FOR]
        if missing:
            await self._read(missing, now, conn)
        for host, inbox in hosts.items():
            if self._due(self._known[host], now):
                self._want(origin_of(inbox))
        return split_inboxes(inboxes, {h: self._known[h].software for h in hosts})

    def notice(self, actor_uri: str) -> None:
        """A server talked to us: learn its software unless this process already knows it."""
        try:
            origin = origin_of(actor_uri)
        except MalformedUrl:
            return
        known = self._known.get(host_of(origin))
        if known is None or self._due(known, time.time()):
            self._want(origin)

    async def run(self, stop: asyncio.Event) -> None:
        """Look up the servers wanted, a few at a time, until `stop`."""
        learners = [asyncio.create_task(self._learn_loop()) for _ in range(LEARNERS)]
        try:
            await stop.wait()
        finally:
            for task in learners:
                task.cancel()
            await asyncio.gather(*learners, return_exceptions=True)

    async def learn(self, origin: str) -> str | None:
        """Ask `origin`'s NodeInfo now (unless the database knows it freshly) and store the answer."""
        host, now = host_of(origin), time.time()
        await self._read([host], now, None)
        known = self._known[host]
        if not self._due(known, now):
            return known.software
        software = await server_software(self.fetcher, origin)
        now = time.time()
        await leases.execute_many(
            "INSERT INTO remote_server (host, unreachable, software, software_checked_at) "
            "VALUES (?, FALSE, ?, ?) ON CONFLICT (host) DO UPDATE SET software = excluded.software, "
            "software_checked_at = excluded.software_checked_at",
            [[host, software, now]],
        )
        self._known[host] = _Known(software, now, now)
        return software

    def _due(self, known: _Known, now: float) -> bool:
        if known.checked_at is None:
            return True
        return now - known.checked_at > (KNOWN_FOR if known.software else UNKNOWN_FOR)

    def _want(self, origin: str) -> None:
        if origin in self._queued:
            return
        with contextlib.suppress(asyncio.QueueFull):  # a flood is learned on a later notice
            self._wanted.put_nowait(origin)
            self._queued.add(origin)

    async def _read(self, hosts: list[str], now: float, conn: BaseDBAsyncClient | None) -> None:
        client = conn or connections.get("default")
        rows: list[dict[str, Any]] = []
        for start in range(0, len(hosts), 500):
            chunk = hosts[start : start + 500]
            sql = (
                "SELECT host, software, software_checked_at FROM remote_server "
                f"WHERE host IN ({', '.join(['?'] * len(chunk))})"
            )
            rows += await client.execute_query_dict(leases.dialect_sql(client, sql), chunk)
        for host in hosts:
            self._known[host] = _Known(None, None, now)
        for row in rows:
            self._known[row["host"]] = _Known(row["software"], row["software_checked_at"], now)

    async def _learn_loop(self) -> None:
        while True:
            origin = await self._wanted.get()
            try:
                await self.learn(origin)
            except Exception:  # the database may be briefly unavailable: asked again on a later notice
                log.exception("learning the software of %s failed", origin)
            finally:
                self._queued.discard(origin)
