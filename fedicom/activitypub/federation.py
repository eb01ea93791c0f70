"""The federation runtime: one object holding the HTTP session, keys, actor cache, inbox and queue.

Created by `create_app` (or the worker command) and passed explicitly; the layers above talk to
the protocol only through it and through the hooks they hand it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from tortoise.backends.base.client import BaseDBAsyncClient

from fedicom.activitypub import delivery
from fedicom.activitypub.actors import ActorStore
from fedicom.activitypub.columns import fits
from fedicom.activitypub.fetch import Fetcher
from fedicom.activitypub.holders import LeaseHolder
from fedicom.activitypub.inbox import (
    ActivityHandler,
    InboxProcessor,
    InboxWriter,
    authenticate,
    heard_from,
    mark_current_done,
    parse_activity,
)
from fedicom.activitypub.keys import KeyStore
from fedicom.activitypub.models import (
    Delivery,
    DeliveryState,
    InboxItem,
    InboxState,
    OutgoingActivity,
    RemoteServer,
)
from fedicom.activitypub.observe import Observers
from fedicom.activitypub.shared_transaction import joined_transaction
from fedicom.activitypub.signatures import IncomingRequest
from fedicom.activitypub.software import SoftwareDirectory
from fedicom.activitypub.vocab import host_of, id_of
from fedicom.errors import Forbidden

log = logging.getLogger("fedicom.federation")
_KEY_ID = re.compile(r'keyid="([^"]+)"', re.IGNORECASE)
DONE_DELIVERY_KEEP = 24 * 3600
FAILED_DELIVERY_KEEP = 14 * 24 * 3600
INBOX_DEDUPE_WINDOW = 14 * 24 * 3600  # an activity id seen within this window is never processed twice


async def _allow_all(_host: str) -> bool:
    return True


async def _no_usage() -> dict[str, int]:
    return {}


async def _no_handle(_name: str) -> tuple[str, str] | None:
    return None


async def _not_moved(_name: str) -> str | None:
    return None


@dataclass
class FederationHooks:
    """Decisions the protocol layer asks of the layers above (wired in `create_app`)."""

    handle_activity: ActivityHandler
    domain_allowed: Callable[[str], Awaitable[bool]] = _allow_all
    resolve_handle: Callable[[str], Awaitable[tuple[str, str] | None]] = _no_handle  # (actor URI, type)
    moved_to: Callable[[str], Awaitable[str | None]] = _not_moved  # a handle's new home, if it moved
    usage: Callable[[], Awaitable[dict[str, int]]] = _no_usage


@dataclass
class Federation:
    base_url: str
    domain: str
    allow_private: bool
    session: aiohttp.ClientSession
    hooks: FederationHooks
    concurrency: int = 256
    per_host: int = 128
    lease: float = 30.0
    delivery_timeout: float = 10.0
    hang_after: float = 2.0
    max_body_bytes: int = 1_048_576
    inbox_concurrency: int = 8
    keys: KeyStore = field(default_factory=KeyStore)
    observers: Observers = field(default_factory=Observers)
    unreachable: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.fetcher = Fetcher(self.session, allow_private=self.allow_private)
        self.actors = ActorStore(self.fetcher)
        self.software = SoftwareDirectory(self.fetcher)
        self.writer = InboxWriter()
        self.holder = LeaseHolder()
        self.processor = InboxProcessor(
            self.hooks.handle_activity,
            lease=self.lease,
            concurrency=self.inbox_concurrency,
            holder=self.holder,
            observers=self.observers,
        )
        self.writer.on_stored = self.processor.wake
        self.processor.intake_busy = self.writer.busy
        self.worker = delivery.DeliveryWorker(
            self.session,
            self.keys,
            allow=self.hooks.domain_allowed,
            allow_private=self.allow_private,
            concurrency=self.concurrency,
            per_host=self.per_host,
            lease=self.lease,
            timeout=self.delivery_timeout,
            hang_after=self.hang_after,
            holder=self.holder,
            observers=self.observers,
        )
        self.processor.committed = self.worker.wake

    @property
    def instance_actor_uri(self) -> str:
        return f"{self.base_url}/actor"

    async def start(self) -> None:
        """Load what signing needs (the instance actor signs every fetch, for authorized-fetch peers)."""
        self.fetcher.signer = await self.keys.signer(self.instance_actor_uri)
        hosts = await RemoteServer.filter(unreachable=True).values_list("host", flat=True)
        self.unreachable = set(hosts)  # type: ignore[arg-type]

    async def check_fetch(self, headers: Mapping[str, str]) -> None:
        """A signed GET from a server we do not federate with is refused (unsigned reads are public).

        The keyId's host is enough: refusing on a forged keyId only ever refuses the forger.
        """
        signature = headers.get("signature") or headers.get("signature-input")
        if not signature:
            return
        match = _KEY_ID.search(signature)
        if match and not await self.hooks.domain_allowed(host_of(match.group(1), what="the keyId")):
            raise Forbidden("this server does not federate with yours")

    async def receive(self, req: IncomingRequest, recipient: str | None) -> None:
        """The whole inbox path up to the 202: parse, verify, check the server, store."""
        activity, text = parse_activity(req.body, max_bytes=self.max_body_bytes)
        if not await self.hooks.domain_allowed(host_of(id_of(activity["actor"]) or "")):
            raise Forbidden("this server does not federate with yours")
        verified = await authenticate(self.actors, req, activity)
        if not await self.hooks.domain_allowed(verified.signer.host):
            raise Forbidden("this server does not federate with yours")
        await heard_from(verified.signer.host, self.unreachable)
        self.software.notice(verified.signer.uri)
        await self.writer.accept(activity["id"], verified.signer.uri, recipient, text)

    @contextlib.asynccontextmanager
    async def transaction(self, *, error: str | None = None) -> AsyncIterator[BaseDBAsyncClient]:
        """A database transaction after which queued deliveries start at once.

        While an inbox item is being processed, the first such transaction also marks the item
        done, so its effects and its completion commit together (never processed twice); `error`
        is the reason recorded on it when the handler refuses the activity after this transaction.
        """
        async with joined_transaction() as conn:
            yield conn
            await mark_current_done(conn, error)
        self.worker.wake()

    async def send(
        self,
        activity: dict[str, Any],
        *,
        actor: str,
        inboxes: list[str],
        public: bool = True,
        conn: BaseDBAsyncClient | None = None,
    ) -> None:
        """Queue an activity for delivery (in `conn`'s transaction when given)."""
        await self.send_many([(activity, inboxes)], actor=actor, public=public, conn=conn)

    async def send_many(
        self,
        items: list[tuple[dict[str, Any], list[str]]],
        *,
        actor: str,
        public: bool = True,
        conn: BaseDBAsyncClient | None = None,
    ) -> None:
        """Queue several activities of one actor, each with its inboxes, in two statements."""
        await delivery.enqueue_many(items, actor=actor, public=public, conn=conn)  # type: ignore[arg-type]
        if conn is None:
            self.worker.wake()

    async def published(self, activity_uri: str) -> dict[str, Any] | None:
        """One of our activities by id, for dereferencing (only public ones are served)."""
        if not fits(OutgoingActivity, "activity_id", activity_uri):
            return None
        record = await OutgoingActivity.get_or_none(activity_id=activity_uri, public=True)
        return json.loads(record.payload) if record else None

    async def run_workers(
        self,
        stop: asyncio.Event,
        *,
        inbox: bool = True,
        deliveries: bool = True,
        also: Sequence[Callable[[asyncio.Event], Coroutine[Any, Any, None]]] = (),
    ) -> None:
        """Process the inbox and deliver until `stop`; a dead process's claims are taken over at start.

        `also`: other loops that claim under this process's holder (the job queue), run alongside.
        """
        await self.holder.start()
        tasks = [
            asyncio.create_task(self._maintain(stop)),
            asyncio.create_task(self.holder.run(stop)),
            asyncio.create_task(self.software.run(stop)),
        ]
        tasks += [asyncio.create_task(loop(stop)) for loop in also]
        if inbox:
            tasks.append(asyncio.create_task(self.processor.run(stop)))
        if deliveries:
            tasks.append(asyncio.create_task(self.worker.run(stop)))
        try:
            await asyncio.gather(*tasks)
        finally:
            await self.holder.stop()

    async def _maintain(self, stop: asyncio.Event) -> None:
        """Every minute: refresh which servers are unreachable, and prune finished jobs."""
        while not stop.is_set():
            try:
                hosts = await RemoteServer.filter(unreachable=True).values_list("host", flat=True)
                self.unreachable = set(hosts)  # type: ignore[arg-type]
                await prune(time.time())
            except Exception:
                log.exception("maintenance failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=60)


async def prune(now: float) -> None:
    """Drop finished jobs: deliveries a day after success, inbox items after the dedupe window."""
    done, failed, skipped = DeliveryState.DONE, DeliveryState.FAILED, DeliveryState.SKIPPED
    await Delivery.filter(state=done, updated_at__lt=now - DONE_DELIVERY_KEEP).delete()
    await Delivery.filter(state__in=[failed, skipped], updated_at__lt=now - FAILED_DELIVERY_KEEP).delete()
    finished = [InboxState.DONE, InboxState.FAILED]
    await InboxItem.filter(state__in=finished, received_at__lt=now - INBOX_DEDUPE_WINDOW).delete()
