"""The inbox: verify, check the sender's server, store durably, answer 202; process later.

Accepted activities are written in small group commits (concurrent requests share one
transaction), so a 202 always means the activity is on disk, and a crash loses nothing.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial
from typing import Any, TypeVar

from tortoise import connections
from tortoise.backends.base.client import BaseDBAsyncClient

from fedicom.activitypub import backoff, leases
from fedicom.activitypub.actors import ActorStore
from fedicom.activitypub.holders import LeaseHolder
from fedicom.activitypub.json_input import read_json
from fedicom.activitypub.models import InboxState, RemoteActor, RemoteServer
from fedicom.activitypub.observe import Observers
from fedicom.activitypub.shared_transaction import in_shared_run, shared_transaction
from fedicom.activitypub.signatures import IncomingRequest, signature_key_id, verify_request
from fedicom.activitypub.urls import MAX_URI, parse_url
from fedicom.activitypub.vocab import id_of, origin_of, overlong_reference
from fedicom.errors import BadRequest, FedicomError, FetchError, Forbidden, SignatureError

log = logging.getLogger("fedicom.inbox")

KEY_REFETCH_EVERY = 30.0  # at most one key refetch per actor in this many seconds
SHARED_WHILE_ARRIVING = 8  # items per shared transaction while requests are arriving (see _in_runs)
# While requests arrive, processing takes at most this share of the time: each short run is followed
# by a pause, so that storing and answering them keeps most of the event loop and the database. The
# pause is capped: a run that waited on a remote server did not use the time it took.
SHARE_WHILE_ARRIVING = 0.25
LONGEST_PAUSE = 0.1
T = TypeVar("T")
ActivityHandler = Callable[[dict[str, Any], str | None], Awaitable[None]]
DomainCheck = Callable[[str], Awaitable[bool]]


def parse_activity(body: bytes, *, max_bytes: int) -> tuple[dict[str, Any], str]:
    """The activity in a request body and the text to store (it parses to exactly what was checked);
    BadRequest with a short reason if it is not one."""
    doc = read_json(body, max_bytes=max_bytes)
    activity = doc.value
    if not isinstance(activity, dict):
        raise BadRequest("the body is not a JSON object")
    for field in ("id", "type", "actor"):
        if not id_of(activity.get(field)):
            raise BadRequest(f"the activity has no {field}")
    if not isinstance(activity["id"], str):
        raise BadRequest("the activity id must be a string")
    if not isinstance(activity["type"], str):
        raise BadRequest("the activity type must be a string")
    parse_url(activity["id"], what="the activity id")
    parse_url(id_of(activity["actor"]) or "", what="the activity's actor")
    if key := overlong_reference(activity, doc.text):
        raise BadRequest(f"the activity's {key} names an id longer than {MAX_URI} characters")
    return activity, doc.text


def check_origin(activity: dict[str, Any], signer: RemoteActor) -> None:
    """The signer must be the activity's actor, and the activity id must live on the actor's server."""
    actor = id_of(activity["actor"])
    if actor != signer.uri:
        raise Forbidden("the request is signed by another actor than the activity's actor")
    if origin_of(activity["id"]) != origin_of(signer.uri):
        raise Forbidden("the activity id is not on its actor's server")


@dataclass
class Verified:
    activity: dict[str, Any]
    signer: RemoteActor


async def authenticate(actors: ActorStore, req: IncomingRequest, activity: dict[str, Any]) -> Verified:
    """Check the HTTP signature against the signer's key, refetching the key once if it fails."""
    key_id = parse_url(signature_key_id(req), what="the keyId").text
    try:
        signer = await actors.by_key_id(key_id)
    except FetchError as exc:
        signer = await _signer_by_actor(actors, key_id, activity, exc)
    try:
        verify_request(req, signer.public_key_pem or "")
    except SignatureError:
        if not actors.may_refetch(signer.uri, KEY_REFETCH_EVERY):
            raise  # refetched moments ago: bad requests must not force a fetch each
        try:
            signer = await actors.by_key_id(key_id, refresh=True)  # the key may have been rotated
        except FetchError as exc:
            raise SignatureError(f"the signer's key could not be fetched: {exc.reason}") from None
        verify_request(req, signer.public_key_pem or "")
    check_origin(activity, signer)
    return Verified(activity, signer)


async def _signer_by_actor(
    actors: ActorStore, key_id: str, activity: dict[str, Any], error: FetchError
) -> RemoteActor:
    """The activity's actor, when it publishes exactly this key id (old lotide's keyIds do not resolve)."""
    actor_uri = id_of(activity.get("actor"))
    reason = f"the signer's key could not be fetched: {error.reason}"
    if not actor_uri or origin_of(actor_uri) != origin_of(key_id):
        raise SignatureError(reason)
    try:
        actor = await actors.get(actor_uri, refresh=True)
    except FetchError as exc:
        raise SignatureError(f"the signer's key could not be fetched: {exc.reason}") from None
    if actor.key_id != key_id:
        raise SignatureError(reason)
    return actor


class InboxWriter:
    """Group commit of accepted activities; `accept` returns once the row is durably stored."""

    def __init__(self) -> None:
        self._pending: list[tuple[list[Any], asyncio.Future[None]]] = []
        self._flushing = False
        self._task: asyncio.Task[None] | None = None
        self.on_stored: Callable[[], None] | None = None
        self.last_accept = -1.0  # time.monotonic() of the latest request

    def busy(self, within: float = 0.05) -> bool:
        """Requests are arriving right now (the processor then steps back, see InboxProcessor)."""
        return time.monotonic() - self.last_accept < within

    async def accept(self, activity_id: str, actor: str, recipient: str | None, payload: str) -> None:
        self.last_accept = time.monotonic()
        now = time.time()
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._pending.append(([activity_id, actor, recipient, payload, now, now], fut))
        if not self._flushing:
            self._flushing = True
            self._task = asyncio.create_task(self._flush())  # runs after this request yields
        await fut

    async def _flush(self) -> None:
        try:
            while self._pending:
                batch, self._pending = self._pending, []
                try:
                    await leases.execute_many(
                        "INSERT INTO inbox_item (activity_id, actor, recipient, payload, state, tries, "
                        "next_try_at, received_at) VALUES (?, ?, ?, ?, 'pending', 0, ?, ?) "
                        "ON CONFLICT (activity_id) DO NOTHING",
                        [row for row, _ in batch],
                    )
                except Exception as exc:
                    for _, fut in batch:
                        if not fut.done():
                            fut.set_exception(exc)
                    continue
                for _, fut in batch:
                    if not fut.done():
                        fut.set_result(None)
                if self.on_stored:
                    self.on_stored()
        finally:
            self._flushing = False


async def heard_from(host: str, unreachable: set[str]) -> None:
    """A server that talks to us is reachable again: resume delivering to it."""
    if host in unreachable:
        unreachable.discard(host)
        await RemoteServer.filter(host=host).update(unreachable=False, failing_since=None)


def _stored(row: dict[str, Any]) -> dict[str, Any]:
    """The stored activity, read within the bounds the inbox checked before storing it.

    A payload stored before those bounds existed may break them: it is then handled as an empty
    activity (ignored) rather than crash the batch it was claimed with.
    """
    try:
        payload = read_json(row["payload"], what="the stored activity").value
    except FedicomError as exc:
        log.warning("inbox item %s is ignored: %s", row["id"], exc.reason)
        return {}
    return payload if isinstance(payload, dict) else {}


def ordering_keys(activity: dict[str, Any]) -> set[str]:
    """What an activity depends on: its actor and every object, parent or target it names.

    Two activities sharing a key are processed in arrival order: a Like after the Create of its
    post, a reply after its parent, an Update after its Create, anything after its actor's Follow.
    """
    keys = {id_of(activity.get("actor")), id_of(activity.get("target"))}
    obj = activity.get("object")
    for item in obj if isinstance(obj, list) else [obj]:
        keys.add(id_of(item))
        if isinstance(item, dict):
            keys.update(id_of(item.get(k)) for k in ("object", "inReplyTo", "actor", "target"))
    keys.discard(None)
    return keys  # type: ignore[return-value]


class InboxProcessor:
    """Processes stored activities in arrival order, once each, retrying crashes with backoff."""

    def __init__(
        self,
        handler: ActivityHandler,
        *,
        lease: float = 30.0,
        batch: int = 100,
        concurrency: int = 8,
        shared: int = 50,
        holder: LeaseHolder | None = None,
        observers: Observers | None = None,
    ) -> None:
        self.handler = handler
        self.observers = observers or Observers()
        self.holder = holder  # names this process in claims (see holders)
        self.lease = lease
        self.batch = batch
        self.concurrency = concurrency
        self.shared = shared  # on SQLite, items per shared transaction (see shared_transaction)
        # while this says requests are arriving, items are processed in short runs, one lane at a time
        # (see _in_runs): a 202 is what senders wait for (the items are durable meanwhile)
        self.intake_busy: Callable[[], bool] = lambda: False
        self.committed: Callable[[], None] = lambda: None  # a shared run committed (its deliveries may start)
        self._one_lane_at_a_time = asyncio.Lock()
        self._wake = asyncio.Event()
        self._batches = 0  # being processed
        self._last_batch = -math.inf  # time.monotonic() when the latest one ended

    def wake(self) -> None:
        self._wake.set()

    def busy(self, within: float = 0.05) -> bool:
        """Items are being processed or arriving: work that can wait (counting figures) steps back."""
        return self._batches > 0 or time.monotonic() - self._last_batch < within or self.intake_busy()

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                holder = self.holder.id if self.holder else None
                rows = await leases.claim(
                    "inbox_item",
                    "id, recipient, payload, tries",
                    limit=self.batch,
                    lease=self.lease,
                    holder=holder,
                )
                for row in rows:
                    row["holder"] = holder
            except Exception:
                log.exception("claiming inbox items failed")
                rows = []
                await asyncio.sleep(1)
            await self.process_batch(rows)
            if len(rows) == self.batch:
                continue
            await leases.nap(self._wake, stop)

    async def process_batch(self, rows: list[dict[str, Any]]) -> None:
        """Process claimed items, unrelated ones concurrently and related ones in arrival order;
        outcomes not already committed are written together at the end (a crash before then only
        repeats activities that changed nothing).

        Concurrency matters because each item waits on the database and sometimes on a remote
        fetch; order matters where items touch the same actor or object (see `ordering_keys`).
        With shared transactions on, items go in lanes, each lane in runs sharing a transaction:
        one lane on SQLite (its one connection serves one query at a time anyway), `concurrency`
        lanes on PostgreSQL.
        """
        if not rows:
            return
        self._batches += 1
        try:
            items = [(row, _stored(row)) for row in rows]
            if self.shared > 1:
                sqlite = connections.get("default").capabilities.dialect == "sqlite"
                lanes = lanes_of(items, 1 if sqlite else self.concurrency)
                outcomes = [o for lane in await asyncio.gather(*map(self._in_runs, lanes)) for o in lane]
            else:
                outcomes = await self._concurrently(items)
            await leases.execute_many(_OUTCOME_SQL, outcomes)
        finally:
            self._batches -= 1
            self._last_batch = time.monotonic()

    async def _in_runs(self, items: list[Item]) -> list[list[Any]]:
        """One lane: runs of items in shared transactions; while requests are arriving, short runs,
        one lane at a time, so that storing them never waits long for a run to commit (a run of
        SHARED_WHILE_ARRIVING holds the database about as long as one item in its own transaction)."""
        outcomes: list[list[Any]] = []
        while items:
            if self.intake_busy():
                run, items = items[:SHARED_WHILE_ARRIVING], items[SHARED_WHILE_ARRIVING:]
                outcomes.extend(await self._while_arriving(partial(self._run, run)))
                continue
            run, items = items[: self.shared], items[self.shared :]
            outcomes.extend(await self._run(run))
        return outcomes

    async def _run(self, items: list[Item]) -> list[list[Any]]:
        """Items in one shared transaction, each outcome written with its commit. When one spoils
        it (see `shared_transaction`), or the transaction fails, the items not committed yet and
        the rest of the run are processed one at a time, each in its own transaction."""
        run = _Run(self._observe)
        left = list(items)

        def after_commit() -> None:
            run.committed()
            self.committed()

        try:
            async with shared_transaction(after_commit) as shared:
                outcome_sql = leases.dialect_sql(connections.get("default"), _OUTCOME_SQL)
                while left and not shared.spoiled:
                    run.current = left.pop(0)
                    outcome = await self._owned(*run.current, final=False)
                    if outcome is not None and outcome[0] != InboxState.DONE:
                        shared.spoiled = True  # it crashed: what it did outside its transaction may stand
                        break
                    if outcome is not None:
                        shared.later(outcome_sql, outcome)
                        run.outcomes.append((run.current[1], outcome))
                    run.pending.append(run.current)
                    run.current = None
            if not shared.spoiled:
                return []
        except Exception:
            log.exception("a shared transaction failed; its items are processed again one at a time")
        outcomes = []
        for row, payload in run.pending + ([run.current] if run.current else []) + left:
            if outcome := await self._owned(row, payload):
                outcomes.append(outcome)
        return outcomes

    async def _owned(
        self, row: dict[str, Any], payload: dict[str, Any], *, final: bool = True
    ) -> list[Any] | None:
        if self.holder is not None and "holder" in row and not self.holder.fresh(row["holder"]):
            return None  # this process stalled and its claim was given up on: not ours any more
        return await self._run_handler(row, payload, final=final)

    async def _concurrently(self, items: list[Item]) -> list[list[Any]]:
        slots = asyncio.Semaphore(self.concurrency)
        tasks: list[asyncio.Task[list[Any] | None]] = []
        last: dict[str, asyncio.Task[list[Any] | None]] = {}
        for row, payload in items:
            keys = ordering_keys(payload)
            before = {last[k] for k in keys if k in last}
            task = asyncio.create_task(self._after(before, slots, row, payload))
            tasks.append(task)
            for key in keys:
                last[key] = task
        return [o for o in await asyncio.gather(*tasks) if o is not None]

    async def _after(
        self,
        before: set[asyncio.Task[list[Any] | None]],
        slots: asyncio.Semaphore,
        row: dict[str, Any],
        payload: dict[str, Any],
    ) -> list[Any] | None:
        if before:
            await asyncio.wait(before)
        async with slots:
            if self.intake_busy():
                return await self._while_arriving(partial(self._owned, row, payload))
            return await self._owned(row, payload)

    async def _while_arriving(self, work: Callable[[], Awaitable[T]]) -> T:
        """Processing while requests arrive: one lane at a time, each piece followed by a pause that
        leaves the requests at least 1 - SHARE_WHILE_ARRIVING of the time, if they are still arriving.
        Without the pause, runs back to back cut the rate at which the bench's burst was accepted by
        half (to 720-880/s)."""
        async with self._one_lane_at_a_time:
            started = time.monotonic()
            result = await work()
            if self.intake_busy():
                took = time.monotonic() - started
                await asyncio.sleep(min(took * (1 / SHARE_WHILE_ARRIVING - 1), LONGEST_PAUSE))
        return result

    async def process(self, row: dict[str, Any]) -> None:
        """Process one stored activity now."""
        await self.process_batch([row])

    async def _run_handler(
        self, row: dict[str, Any], payload: dict[str, Any], *, final: bool = True
    ) -> list[Any] | None:
        """Run the handler; the outcome row to write, or None when its transaction already did.

        Not `final` (in a shared run), a crash is not logged or counted here: the run is processed
        again item by item, and that outcome is the one that counts.
        """
        state, error, next_try = InboxState.DONE, None, time.time()
        current = _Current(row["id"])
        token = _current.set(current)
        try:
            await self.handler(payload, row["recipient"])
        except FedicomError as exc:  # a decision about the activity (not allowed, unknown…): final
            error = exc.reason
        except Exception as exc:
            if final:
                log.exception("processing inbox item %s failed", row["id"])
            delay = backoff.retry_delay(row["tries"] + 1)
            error = f"{type(exc).__name__}: {exc}"[:500]
            if delay is not None and row["tries"] < 5:
                state, next_try = InboxState.PENDING, time.time() + delay
            else:
                state = InboxState.FAILED
        finally:
            _current.reset(token)
        outcome = [state, error, next_try, row["id"]]
        if final:
            self._observe(payload, outcome)
        if current.marked and state == InboxState.DONE and error is None:
            return None
        return outcome

    def _observe(self, payload: dict[str, Any], outcome: list[Any]) -> None:
        state, error = outcome[0], outcome[1]
        self.observers.processed(
            payload.get("type"), "refused" if state == InboxState.DONE and error else state
        )


_OUTCOME_SQL = (
    "UPDATE inbox_item SET state = ?, error = ?, next_try_at = ?, tries = tries + 1, "
    "lease_until = NULL WHERE id = ?"
)
Item = tuple[dict[str, Any], dict[str, Any]]  # a claimed row and its activity


class _Run:
    """The items of one shared transaction: their outcomes are counted once committed, and those not
    committed are processed again when the run is spoiled."""

    def __init__(self, observe: Callable[[dict[str, Any], list[Any]], None]) -> None:
        self._observe = observe
        self.pending: list[Item] = []  # processed since the last commit
        self.current: Item | None = None  # being processed
        self.outcomes: list[tuple[dict[str, Any], list[Any]]] = []

    def committed(self) -> None:
        for payload, outcome in self.outcomes:
            self._observe(payload, outcome)
        self.pending, self.outcomes = [], []


def lanes_of(items: list[Item], count: int) -> list[list[Item]]:
    """Split items into at most `count` lanes processed side by side: related items (sharing an
    ordering key, directly or through others) in the same lane, each lane in arrival order."""
    if count <= 1 or len(items) <= 1:
        return [items] if items else []
    parent = list(range(len(items)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first: dict[str, int] = {}
    for i, (_row, payload) in enumerate(items):
        for key in ordering_keys(payload):
            if key in first:
                a, b = root(first[key]), root(i)
                parent[max(a, b)] = min(a, b)
            else:
                first[key] = i
    groups: dict[int, list[int]] = {}
    for i in range(len(items)):
        groups.setdefault(root(i), []).append(i)
    lanes: list[list[int]] = [[] for _ in range(min(count, len(groups)))]
    for group in sorted(groups.values(), key=len, reverse=True):  # biggest first: lanes come out even
        min(lanes, key=len).extend(group)
    return [[items[i] for i in sorted(lane)] for lane in lanes if lane]


@dataclass
class _Current:
    item_id: int
    marked: bool = False


_current: contextvars.ContextVar[_Current | None] = contextvars.ContextVar("fedicom_inbox_item", default=None)


async def mark_current_done(conn: BaseDBAsyncClient, error: str | None = None) -> None:
    """Inside a handler's transaction: mark the inbox item being processed done, once (with `error`
    when the handler records a refusal and then raises it: the item never reads done without it).
    In a shared run this is left to the run, which writes every item's outcome with its commit."""
    current = _current.get()
    if current is None or current.marked or in_shared_run():
        return
    sql = (
        "UPDATE inbox_item SET state = 'done', error = ?, tries = tries + 1, lease_until = NULL WHERE id = ?"
    )
    await conn.execute_query(leases.dialect_sql(conn, sql), [error, current.item_id])
    current.marked = True
