"""The durable delivery queue: enqueue in the caller's transaction, deliver from a worker.

One row per target inbox (shared inboxes deduplicated). The worker signs each request
(draft-cavage, RSA-SHA256, Digest) in a thread pool, posts over pooled keep-alive connections
with bounded concurrency overall and an adaptive limit per server (`pacing`), and keeps order per
(inbox, object). Servers that hang or fail are gated (`hostgate`): their deliveries wait without
holding what healthy servers need.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import aiohttp
from tortoise import connections
from tortoise.backends.base.client import BaseDBAsyncClient

from fedicom.activitypub import backoff, leases
from fedicom.activitypub.holders import LeaseHolder
from fedicom.activitypub.hostgate import Deferral, HostGate
from fedicom.activitypub.keys import KeyStore
from fedicom.activitypub.models import DeliveryState, OutgoingActivity
from fedicom.activitypub.netguard import RefusedAddress, check_url
from fedicom.activitypub.observe import Observers
from fedicom.activitypub.pacing import AdaptiveLimit, HostSlots
from fedicom.activitypub.signatures import sign_request
from fedicom.activitypub.vocab import host_of, id_of, order_key, unique_ids
from fedicom.errors import FetchError

log = logging.getLogger("fedicom.delivery")
SLOW_CLAIM = 0.1  # seconds; a slower claim means the database planned it from stale statistics

# Only the oldest pending delivery of an (inbox, object) may go. A correlated MIN() subquery is
# always run per row through the (state, inbox, order_key, id) index; an equivalent NOT EXISTS was
# planned as a quadratic join by PostgreSQL whenever its statistics were stale.
_ORDER_GUARD = (
    "AND d.id = (SELECT MIN(e.id) FROM delivery e WHERE e.state = 'pending' AND e.inbox = d.inbox "
    "AND e.order_key = d.order_key) "
    "AND d.host NOT IN (SELECT host FROM remote_server WHERE unreachable)"
)


async def enqueue(
    activity: dict[str, Any],
    *,
    actor: str,
    inboxes: Iterable[str],
    public: bool = True,
    conn: BaseDBAsyncClient | None = None,
) -> int:
    """Record an activity and one delivery per distinct inbox, in the caller's transaction if given."""
    return (await enqueue_many([(activity, inboxes)], actor=actor, public=public, conn=conn))[0]


async def enqueue_many(
    items: list[tuple[dict[str, Any], Iterable[str]]],
    *,
    actor: str,
    public: bool = True,
    conn: BaseDBAsyncClient | None = None,
) -> list[int]:
    """Several activities of one actor with their inboxes: one insert for the activities, one for
    all their deliveries (this is the hot path of every announce). Returns the activities' keys."""
    client = conn or connections.get("default")
    now = time.time()
    values: list[Any] = []
    for activity, _ in items:
        inner = activity.get("object")
        values += [
            activity["id"],
            actor,
            activity["type"],
            inner.get("type") if isinstance(inner, dict) else None,
            _root_object(activity),
            public,
            json.dumps(activity, separators=(",", ":"), ensure_ascii=False),
            now,
        ]
    deliveries: list[list[Any]] = []  # the activity's id, then the delivery's columns
    for activity, inboxes in items:
        key = order_key(activity)
        deliveries.extend([activity["id"], inbox, host_of(inbox), key] for inbox in unique_ids(inboxes))
    row = "(" + ", ".join(["?"] * 8) + ")"
    activities_sql = (
        "INSERT INTO outgoing_activity (activity_id, actor, type, inner_type, object_id, public, payload, "
        f"created_at) VALUES {', '.join([row] * len(items))} RETURNING id, activity_id"
    )
    together = client.capabilities.dialect == "postgres" and deliveries
    if together:
        returned = await _insert_together(client, activities_sql, values, deliveries, now)
    else:
        returned = await client.execute_query_dict(leases.dialect_sql(client, activities_sql), values)
    keys = {r["activity_id"]: r["id"] for r in returned}
    if not together:
        await _insert_deliveries(
            [[keys[uri], inbox, host, key, now, now] for uri, inbox, host, key in deliveries], client
        )
    return [keys[activity["id"]] for activity, _ in items]


async def _insert_together(
    client: BaseDBAsyncClient, activities_sql: str, values: list[Any], deliveries: list[list[Any]], now: float
) -> list[dict[str, Any]]:
    """PostgreSQL: the activities and their deliveries in one statement (one round trip instead of
    two, on every announce), the deliveries inserted in the order given (their ids keep each
    object's order per inbox)."""
    n = len(values) + 1
    uris, inboxes, hosts, keys = (list(column) for column in zip(*deliveries, strict=True))
    sql = (
        f"WITH a AS ({leases.dialect_sql(client, activities_sql)}), "
        "d AS (INSERT INTO delivery "
        "(activity_id, inbox, host, order_key, state, tries, next_try_at, updated_at) "
        f"SELECT a.id, x.inbox, x.host, x.order_key, 'pending', 0, ${n + 4}::float8, ${n + 4}::float8 "
        f"FROM unnest(${n}::text[], ${n + 1}::text[], ${n + 2}::text[], ${n + 3}::text[]) "
        "WITH ORDINALITY AS x(uri, inbox, host, order_key, position) "
        "JOIN a ON a.activity_id = x.uri ORDER BY x.position) "
        "SELECT id, activity_id FROM a"
    )
    return await client.execute_query_dict(sql, [*values, uris, inboxes, hosts, keys, now])


async def _insert_deliveries(rows: list[list[Any]], conn: BaseDBAsyncClient | None) -> None:
    """Plain executemany: building thousands of model objects would cost more than the insert."""
    if not rows:
        return
    client = conn or connections.get("default")
    sql = (
        "INSERT INTO delivery (activity_id, inbox, host, order_key, state, tries, next_try_at, updated_at) "
        "VALUES (?, ?, ?, ?, 'pending', 0, ?, ?)"
    )
    await client.execute_many(leases.dialect_sql(client, sql), rows)


async def redeliver(
    records: list[OutgoingActivity],
    inbox: str,
    *,
    after: dict[str, Any],
    conn: BaseDBAsyncClient | None = None,
) -> int:
    """Send already published activities to one more inbox, in order, after the activity `after`."""
    now = time.time()
    key = order_key(after)
    await _insert_deliveries([[r.id, inbox, host_of(inbox), key, now, now] for r in records], conn)
    return len(records)


class _Abandoned(Exception):
    """Raised before sending when this process may no longer act on its claim (see holders)."""


def _refusal(exc: BaseException) -> str | None:
    """Why we refused the address ourselves (check_url, or a name resolving only to private
    addresses), or None for a failure of the network or the server."""
    if isinstance(exc, FetchError):
        return exc.reason
    if isinstance(exc, aiohttp.ClientConnectorDNSError) and isinstance(exc.os_error, RefusedAddress):
        return exc.os_error.strerror
    return None


def open_requests_bound(concurrency: int) -> int:
    """Requests (sockets) one worker may have open at once, those waiting on hung servers included."""
    return 4 * concurrency


def _root_object(activity: dict[str, Any]) -> str | None:
    inner = activity.get("object")
    if activity.get("type") == "Announce" and isinstance(inner, dict):
        return id_of(inner.get("object")) or id_of(inner)
    return id_of(inner)


class DeliveryWorker:
    """Sends due deliveries until stopped; several workers (processes) may run side by side."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        keys: KeyStore,
        *,
        allow_private: bool,
        allow: Callable[[str], Awaitable[bool]] | None = None,
        concurrency: int = 256,
        per_host: int = 128,
        lease: float = 30.0,
        timeout: float = 10.0,
        connect_timeout: float = 3.0,
        hang_after: float = 2.0,
        sign_threads: int = 2,
        holder: LeaseHolder | None = None,
        observers: Observers | None = None,
    ) -> None:
        self.session = session
        self.observers = observers or Observers()
        self.holder = holder  # names this process in claims; None in tests that run one worker alone
        self.keys = keys
        self.allow_private = allow_private
        self.allow = allow  # False for a server we no longer federate with: its deliveries are cancelled
        self.concurrency = concurrency
        self.per_host = per_host
        self.lease = lease
        self.timeout = aiohttp.ClientTimeout(total=timeout, sock_connect=min(connect_timeout, timeout))
        # A request unanswered after `aside_after` gives its slot back and waits aside (at most
        # `max_open` requests in all, the sockets' bound); after `hang_after` its server gets
        # nothing new until it answers (see hostgate). Healthy servers answer well within both.
        self.aside_after = hang_after / 4
        self.max_open = open_requests_bound(concurrency)
        self.gate = HostGate(hang_after=hang_after)
        self._wake = asyncio.Event()
        self._slots = asyncio.Semaphore(concurrency)
        self._hosts: dict[str, HostSlots] = {}  # per server: its adaptive limit (per_host at most)
        self._inflight: set[int] = set()
        self._waiting_aside = 0
        self._payloads: dict[int, tuple[str, bytes]] = {}
        self._reading: dict[int, asyncio.Future[dict[int, tuple[str, bytes]]]] = {}  # payloads being read
        self._results: list[tuple[int, DeliveryState, int | None, str | None, float]] = []
        self._deferred: list[tuple[int, float, str]] = []
        self._signing = ThreadPoolExecutor(max_workers=sign_threads, thread_name_prefix="sign")
        self._tasks: set[asyncio.Task[None]] = set()
        self._flushed = asyncio.Event()
        self._ok_hosts: dict[str, float] = {}
        self._failed_hosts: dict[str, str] = {}
        self._ok_pending: dict[str, float] = {}
        self._analyzed = -30.0

    def wake(self) -> None:
        """Called after an enqueue in this process, so delivery starts without waiting for a poll."""
        self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        """Claim and send until `stop` is set; in-flight sends finish, results are written."""
        flusher = asyncio.create_task(self._flush_loop(stop))
        renewer = asyncio.create_task(self._renew_loop(stop))
        try:
            while not stop.is_set():
                room = min(
                    2 * self.concurrency - (len(self._inflight) - self._waiting_aside),
                    self.max_open - len(self._inflight),
                )
                claimed = await self._claim(room) if room > 0 else []
                self._start_reading({row["activity_id"] for row in claimed})
                for row in claimed:
                    row["holder"] = self.holder.id if self.holder else None
                    self._inflight.add(row["id"])
                    task = asyncio.create_task(self._deliver(row))
                    self._tasks.add(task)
                    task.add_done_callback(self._tasks.discard)
                if claimed and len(claimed) == room:
                    await asyncio.sleep(0)
                    continue
                await leases.nap(self._wake, stop)
        finally:
            if self._tasks:
                await asyncio.wait(list(self._tasks), timeout=15)
            stop.set()
            await flusher
            renewer.cancel()
            await self._flush()
            self._signing.shutdown(wait=False)

    async def _claim(self, limit: int) -> list[dict[str, Any]]:
        try:
            started = time.monotonic()
            rows = await leases.claim(
                "delivery",
                "id, activity_id, inbox, host, tries",
                limit=min(limit, 500),
                lease=self.lease,
                holder=self.holder.id if self.holder else None,
                extra_where=_ORDER_GUARD,
            )
            if time.monotonic() - started > SLOW_CLAIM:
                await self._refresh_statistics()
            return rows
        except Exception:  # the database may be briefly unavailable; try again on the next round
            log.exception("claiming deliveries failed")
            await asyncio.sleep(1)
            return []

    async def _refresh_statistics(self) -> None:
        """PostgreSQL plans the order guard badly from the statistics of a table that was nearly empty
        (a burst into a fresh queue: a claim of 256 rows took over a second instead of 5 ms); fresh
        statistics fix the plan. At most once every half minute."""
        conn = connections.get("default")
        now = time.monotonic()
        if conn.capabilities.dialect != "postgres" or now - self._analyzed < 30:
            return
        self._analyzed = now
        await conn.execute_script("ANALYZE delivery")

    def _start_reading(self, activity_pks: set[int]) -> None:
        """Read the payloads a claim needs and nobody is reading yet, in one query: a read per activity
        took the database a thousand times in a burst, and on SQLite each waited its turn."""
        missing = sorted(activity_pks - self._payloads.keys() - self._reading.keys())
        if not missing:
            return
        reading = asyncio.ensure_future(self._read_payloads(missing))
        for pk in missing:
            self._reading[pk] = reading
        reading.add_done_callback(lambda done: self._read_done(missing, done))

    async def _payload(self, activity_pk: int) -> tuple[str, bytes]:
        """An activity's actor and body, read once however many of its deliveries start together."""
        cached = self._payloads.get(activity_pk)
        if cached is not None:
            return cached
        # waiting for another delivery's read is safe: no delivery holds a transaction meanwhile
        if activity_pk not in self._reading:
            self._start_reading({activity_pk})
        read = await asyncio.shield(self._reading[activity_pk])  # a cancelled delivery cancels no read
        if activity_pk not in read:
            raise LookupError(f"outgoing activity {activity_pk} is gone")
        return read[activity_pk]

    def _read_done(self, pks: list[int], done: asyncio.Future[dict[int, tuple[str, bytes]]]) -> None:
        for pk in pks:
            if self._reading.get(pk) is done:
                del self._reading[pk]
        if not done.cancelled():
            done.exception()  # seen here: a failure nobody waited for any more is not logged as lost

    async def _read_payloads(self, pks: list[int]) -> dict[int, tuple[str, bytes]]:
        records = await OutgoingActivity.filter(id__in=pks).values_list("id", "actor", "payload")
        read = {pk: (actor, payload.encode()) for pk, actor, payload in records}
        if len(self._payloads) + len(read) > 2000:
            self._payloads.clear()
        self._payloads.update(read)
        return read

    async def _deliver(self, row: dict[str, Any]) -> None:
        host = row["host"]
        if self.allow is not None and not await self.allow(host):
            self._results.append(
                (row["id"], DeliveryState.CANCELLED, None, "the server is blocked", time.time())
            )
            self._inflight.discard(row["id"])
            self.observers.delivered(DeliveryState.CANCELLED, None)
            return
        slots = self._hosts.get(host)
        if slots is None:
            slots = self._hosts[host] = HostSlots(AdaptiveLimit(ceiling=self.per_host))
        deferral = self._admit(row, slots.limit)
        if deferral is None:
            await slots.acquire()  # a server's own requests wait for each other, never for other servers
            try:
                deferral = self._admit(row, slots.limit)
                if deferral is None:
                    started = time.monotonic()
                    outcome = await self._attempt(row, slots.limit)
                    if outcome is None:  # this process stalled and its claim was given up on
                        self._inflight.discard(row["id"])
                    else:
                        self.observers.delivered(self._record(row, *outcome), time.monotonic() - started)
                    return
                slots.limit.released()
            finally:
                slots.wake()
        self._defer(row, deferral)

    def _admit(self, row: dict[str, Any], limit: AdaptiveLimit) -> Deferral | None:
        """None to send now; else why and until when the delivery waits, untried."""
        now = time.time()
        if limit.waits(now):  # Retry-After holds retries back too
            return Deferral(limit.resume_at, "deferred: the server asked to wait (HTTP 429)")
        return self.gate.admit(row["host"], retry=row["tries"] > 0, now=now)

    async def _attempt(
        self, row: dict[str, Any], limit: AdaptiveLimit
    ) -> tuple[int | None, str | None, float | None, bool] | None:
        """Send one delivery: (status, error, Retry-After seconds, final) and tell the gate and the
        server's limit how it went; None when it was not sent because its claim is no longer ours."""
        host, pk = row["host"], row["id"]
        try:
            status, retry_after = await self._send(row)
        except _Abandoned:
            self.gate.released(host, pk)
            limit.released()
            return None
        except (FetchError, TimeoutError, aiohttp.ClientError, OSError) as exc:
            reason = _refusal(exc)
            if reason is not None or "sent_at" not in row:  # ours, not the server's: says nothing of it
                self.gate.released(host, pk)
                limit.released()
                if reason is not None:  # an address we refuse is final, unlike a DNS failure
                    return None, f"refused: {reason}", None, True
                return None, f"{type(exc).__name__}: {exc}"[:500], None, False
            now = time.time()
            error = f"{type(exc).__name__}: {exc}"[:500]
            self.gate.unanswered(host, pk, now, error)
            limit.failed(row["sent_at"], now)
            return None, error, None, False
        except Exception as exc:
            log.exception("delivery %s failed unexpectedly", pk)
            self.gate.released(host, pk)
            limit.released()
            return None, f"{type(exc).__name__}: {exc}"[:500], None, False
        now = time.time()
        self.gate.answered(host, pk, status, now, retry_after)
        if status in (408, 429) or status >= 500:  # overloaded, or failing: fewer requests for now
            limit.failed(row["sent_at"], now, retry_after if status == 429 else None)
        else:
            limit.succeeded(row["sent_at"], now, self.gate.oldest(host))
        return status, None, retry_after, False

    async def _send(self, row: dict[str, Any]) -> tuple[int, float | None]:
        """Sign and POST; the shared slot is held until the server answers or `aside_after` passes."""
        async with self._slots:
            actor, body = await self._payload(row["activity_id"])
            check_url(row["inbox"], allow_private=self.allow_private)
            key_id, key = await self.keys.signer(actor)
            loop = asyncio.get_running_loop()
            headers = await loop.run_in_executor(
                self._signing,
                lambda: sign_request(
                    method="POST", url=row["inbox"], body=body, key_id=key_id, private_key=key
                ),
            )
            if self.holder is not None and not self.holder.fresh(row["holder"]):
                raise _Abandoned
            row["sent_at"] = time.time()  # a wait for a slot is not the server's
            self.gate.started(row["host"], row["id"], row["sent_at"])
            request = asyncio.ensure_future(self._post(row["inbox"], body, headers))
            try:
                await asyncio.wait({request}, timeout=self.aside_after)
            except BaseException:
                request.cancel()
                raise
        if request.done():
            return request.result()
        self._waiting_aside += 1
        self._wake.set()  # its slot is free: claim more
        try:
            return await request
        finally:
            self._waiting_aside -= 1

    async def _post(self, inbox: str, body: bytes, headers: dict[str, str]) -> tuple[int, float | None]:
        async with self.session.post(
            inbox, data=body, headers=headers, timeout=self.timeout, allow_redirects=False
        ) as resp:
            await resp.read()
            return resp.status, backoff.parse_retry_after(resp.headers.get("Retry-After"), time.time())

    def _defer(self, row: dict[str, Any], deferral: Deferral) -> None:
        """Put a delivery back untried (its tries unchanged) until its server may be tried again."""
        self._deferred.append((row["id"], deferral.until, deferral.reason))
        self._inflight.discard(row["id"])
        self.observers.delivered("deferred", None)
        if len(self._deferred) >= 256:
            self._flushed.set()

    def _record(
        self,
        row: dict[str, Any],
        status: int | None,
        error: str | None,
        retry_after: float | None,
        final: bool,
    ) -> DeliveryState:
        """Queue the attempt's outcome for writing; the delivery's new state."""
        now = time.time()
        tries = row["tries"] + 1
        if status is not None and 200 <= status < 300:
            state, next_try = DeliveryState.DONE, now
        elif final or (status is not None and backoff.is_permanent(status)):
            state, next_try = DeliveryState.FAILED, now
        else:
            delay = backoff.retry_delay(tries, retry_after)
            state, next_try = (
                (DeliveryState.PENDING, now + delay) if delay is not None else (DeliveryState.FAILED, now)
            )
        if error is None and status is not None and state != DeliveryState.DONE:
            error = f"HTTP {status}"
        self._results.append((row["id"], state, status, error, next_try))
        self._inflight.discard(row["id"])
        if state == DeliveryState.DONE:
            self._failed_hosts.pop(row["host"], None)
            self._ok_pending[row["host"]] = now
        elif not final and (status is None or status >= 500):
            self._failed_hosts[row["host"]] = error or "failed"
        if len(self._results) >= 256:
            self._flushed.set()
        return state

    async def _flush_loop(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await asyncio.wait_for(self._flushed.wait(), timeout=0.05)
            except TimeoutError:
                pass
            self._flushed.clear()
            await self._flush()

    async def _flush(self) -> None:
        results, self._results = self._results, []
        deferred, self._deferred = self._deferred, []
        if not results and not deferred:
            return
        now = time.time()
        # rows are written in id order, as PostgreSQL locks them, so two writers that touch some of
        # the same rows wait for each other instead of deadlocking
        try:
            await leases.execute_many(
                "UPDATE delivery SET state = ?, last_status = ?, last_error = ?, next_try_at = ?, "
                "tries = tries + 1, lease_until = NULL, updated_at = ? WHERE id = ?",
                [
                    [state, status, error, next_try, now, pk]
                    for pk, state, status, error, next_try in sorted(results)
                ],
            )
            await leases.execute_many(
                "UPDATE delivery SET next_try_at = ?, last_error = ?, lease_until = NULL, updated_at = ? "
                "WHERE id = ?",
                [[until, reason, now, pk] for pk, until, reason in sorted(deferred)],
            )
            await self._write_health(now)
        except Exception:
            log.exception("writing delivery results failed; they will be retried after the lease")
            return
        self._wake.set()  # successors in the same (inbox, object) order may be due now

    async def _write_health(self, now: float) -> None:
        """Per-server health, written only when it changes (or every few minutes for successes)."""
        failed, self._failed_hosts = self._failed_hosts, {}
        succeeded = [h for h, seen in self._ok_pending.items() if now - self._ok_hosts.get(h, 0) > 300]
        self._ok_pending.clear()
        if succeeded:
            await leases.execute_many(
                "INSERT INTO remote_server (host, last_success, unreachable) VALUES (?, ?, FALSE) "
                "ON CONFLICT (host) DO UPDATE SET last_success = excluded.last_success, "
                "failing_since = NULL, unreachable = FALSE",
                [[h, now] for h in succeeded],
            )
            self._ok_hosts.update((h, now) for h in succeeded)
        if failed:
            self._ok_hosts = {h: t for h, t in self._ok_hosts.items() if h not in failed}
            await leases.execute_many(
                "INSERT INTO remote_server (host, failing_since, last_error, unreachable) "
                "VALUES (?, ?, ?, FALSE) "
                "ON CONFLICT (host) DO UPDATE SET last_error = excluded.last_error, "
                "failing_since = COALESCE(remote_server.failing_since, excluded.failing_since)",
                [[h, now, err] for h, err in failed.items()],
            )
            await leases.execute_many(
                "UPDATE remote_server SET unreachable = TRUE WHERE host = ? AND failing_since < ?",
                [[h, now - backoff.UNREACHABLE_AFTER] for h in failed],
            )

    async def _renew_loop(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            await asyncio.sleep(self.lease / 3)
            try:
                await leases.renew("delivery", sorted(self._inflight), self.lease)
                await self._skip_unreachable()
            except Exception:
                log.exception("renewing delivery leases failed")

    async def _skip_unreachable(self) -> None:
        await connections.get("default").execute_query(
            "UPDATE delivery SET state = 'skipped', updated_at = next_try_at WHERE state = 'pending' "
            "AND host IN (SELECT host FROM remote_server WHERE unreachable)"
        )
