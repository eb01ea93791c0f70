"""Prometheus metrics: counters of what this process did (deliveries, inbox, jobs), and gauges read from
the database at each scrape (queue depths, servers failing), served on a port of their own.

Why a port of its own rather than `/metrics` on the web app: it is never reachable through the public
proxy by mistake, needs no token to keep secret, and `fedicom worker` (which serves no web pages) exposes
its counters the same way. Each process has its own counters and its own target; the database gauges are
the same from any of them (docs/metrics.md).
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import time
from collections.abc import AsyncIterator

from aiohttp import web
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from tortoise import connections

from fedicom.activitypub.models import DeliveryState, InboxState
from fedicom.activitypub.observe import Observers
from fedicom.jobs.models import JobState
from fedicom.settings import Settings

log = logging.getLogger("fedicom.metrics")
PORT_SPAN = 16  # processes sharing one setting take the first free port of FEDICOM_METRICS_PORT … +15
QUERY_TIMEOUT = 5.0
MAX_HOSTS = 50  # failing servers named one by one; the count covers them all
LATENCY_BUCKETS = (0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
# the activity types fedicom handles, as labels; anything else a server sends counts as "other"
ACTIVITY_TYPES = frozenset(
    {
        "Create", "Update", "Delete", "Follow", "Accept", "Reject", "Undo", "Like", "Dislike",
        "EmojiReact", "Announce", "Add", "Remove", "Block", "Flag", "Move", "Lock", "Join", "Leave",
    }
)  # fmt: skip
QUEUES = {  # table: its states (every one is reported, zero included, so alerts see a series)
    "delivery": tuple(DeliveryState),
    "inbox_item": tuple(InboxState),
    "job": tuple(JobState),
}
QUEUE_NAMES = {"delivery": "deliveries", "inbox_item": "inbox", "job": "jobs"}
SKIPPED = " AND host NOT IN (SELECT host FROM remote_server WHERE unreachable)"  # not waiting: set aside


def _outcome(state: str) -> str:
    """A queue row's state after a try, as a label: pending after a try means it will be retried."""
    return "retry" if state == DeliveryState.PENDING else str(state)


class Metrics:
    """One process's metrics, in a registry of its own (several instances may share a test process)."""

    def __init__(self, role: str) -> None:
        self.registry = r = CollectorRegistry()
        self.deliveries = Counter(
            "fedicom_deliveries",
            "Deliveries tried or set aside, by outcome: done, retry, failed, cancelled (server blocked), "
            "deferred (not tried: its server is resting).",
            ["outcome"],
            registry=r,
        )
        self.delivery_seconds = Histogram(
            "fedicom_delivery_seconds",
            "How long a delivery attempt took, signing and the remote server's answer included.",
            ["outcome"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.inbox_received = Counter(
            "fedicom_inbox_received",
            "Activities POSTed to the inboxes, by outcome (accepted, refused) and HTTP status answered.",
            ["outcome", "status"],
            registry=r,
        )
        self.inbox_processed = Counter(
            "fedicom_inbox_processed",
            "Stored activities processed, by type and outcome: done, refused (a decision, final), "
            "retry, failed.",
            ["type", "outcome"],
            registry=r,
        )
        self.jobs = Counter(
            "fedicom_jobs_finished",
            "Job tries (emails, webhooks, scheduled posts), by kind and outcome: done, retry, failed.",
            ["kind", "outcome"],
            registry=r,
        )
        self.queue_items = Gauge(
            "fedicom_queue_items",
            "Rows in each queue by state, read from the database.",
            ["queue", "state"],
            registry=r,
        )
        self.queue_wait = Gauge(
            "fedicom_queue_oldest_due_seconds",
            "How long the longest-waiting due item of each queue has waited (0: nothing is late).",
            ["queue"],
            registry=r,
        )
        self.servers = Gauge(
            "fedicom_remote_servers",
            "Remote servers whose deliveries fail: failing (retried with backoff), unreachable (skipped "
            "until they are heard from).",
            ["health"],
            registry=r,
        )
        self.server_failing = Gauge(
            "fedicom_remote_server_failing_seconds",
            f"Since when each failing server has failed (the {MAX_HOSTS} longest failing).",
            ["host", "health"],
            registry=r,
        )
        self.database_up = Gauge(
            "fedicom_database_up", "1 when the database answered the queries of this scrape.", registry=r
        )
        Gauge("fedicom_process", "This process, labelled with its role.", ["role"], registry=r).labels(
            role
        ).set(1)

    def observers(self) -> Observers:
        return Observers(delivered=self.delivered, received=self.received, processed=self.processed)

    def delivered(self, state: str, seconds: float | None) -> None:
        self.deliveries.labels(_outcome(state)).inc()
        if seconds is not None:
            self.delivery_seconds.labels(_outcome(state)).observe(seconds)

    def received(self, status: int) -> None:
        self.inbox_received.labels("accepted" if status < 300 else "refused", str(status)).inc()

    def processed(self, kind: object, state: str) -> None:
        shown = kind if isinstance(kind, str) and kind in ACTIVITY_TYPES else "other"
        self.inbox_processed.labels(shown, _outcome(state)).inc()

    def job_finished(self, kind: str, state: str) -> None:
        self.jobs.labels(kind, _outcome(state)).inc()

    async def refresh(self) -> None:
        """Read the gauges from the database; a database that does not answer sets fedicom_database_up 0."""
        try:
            async with asyncio.timeout(QUERY_TIMEOUT):
                await self._read_queues()
                await self._read_servers()
        except Exception as exc:  # any driver error means the same to a scrape: no figures this time
            log.warning("metrics: the database did not answer: %s", exc)
            self.database_up.set(0)
            return
        self.database_up.set(1)

    async def _read_queues(self) -> None:
        conn = connections.get("default")
        now = time.time()
        for table, states in QUEUES.items():
            name = QUEUE_NAMES[table]
            _, rows = await conn.execute_query(f"SELECT state, COUNT(*) AS n FROM {table} GROUP BY state")
            counts = {str(row["state"]): int(row["n"]) for row in rows}
            for state in sorted({*states, *counts}):
                self.queue_items.labels(name, state).set(counts.get(state, 0))
            skip = SKIPPED if table == "delivery" else ""
            _, due = await conn.execute_query(
                f"SELECT MIN(next_try_at) AS due FROM {table} WHERE state = 'pending'{skip}"
            )
            oldest = due[0]["due"]
            self.queue_wait.labels(name).set(max(0.0, now - float(oldest)) if oldest is not None else 0.0)

    async def _read_servers(self) -> None:
        _, rows = await connections.get("default").execute_query(
            "SELECT host, failing_since, unreachable FROM remote_server WHERE failing_since IS NOT NULL "
            "OR unreachable ORDER BY failing_since"
        )
        now = time.time()
        counts = {"failing": 0, "unreachable": 0}
        self.server_failing.clear()
        for row in rows:
            health = "unreachable" if row["unreachable"] else "failing"
            counts[health] += 1
            if sum(counts.values()) <= MAX_HOSTS:
                since = row["failing_since"]
                self.server_failing.labels(row["host"], health).set(now - since if since else 0.0)
        for health, n in counts.items():
            self.servers.labels(health).set(n)

    async def exposition(self) -> bytes:
        await self.refresh()
        return generate_latest(self.registry)


async def serve(metrics: Metrics, host: str, port: int) -> tuple[web.AppRunner, int] | None:
    """Listen on the first free port from `port` (processes sharing one setting take the next ones);
    None when all are taken."""

    async def scrape(_request: web.Request) -> web.Response:
        return web.Response(body=await metrics.exposition(), headers={"Content-Type": CONTENT_TYPE_LATEST})

    app = web.Application(client_max_size=4096)  # a scrape is a GET: no body worth reading
    app.router.add_get("/metrics", scrape)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    for candidate in range(port, min(port + PORT_SPAN, 65536)):
        try:
            await web.TCPSite(runner, host, candidate).start()
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                continue
            await runner.cleanup()
            raise
        return runner, candidate
    await runner.cleanup()
    return None


@contextlib.asynccontextmanager
async def exposed(settings: Settings, role: str) -> AsyncIterator[Metrics | None]:
    """This process's metrics, served while the block runs; None when FEDICOM_METRICS_PORT is not set."""
    if not settings.metrics_port:
        yield None
        return
    metrics = Metrics(role)
    served = await serve(metrics, settings.metrics_host, settings.metrics_port)
    if served is None:
        first, last = settings.metrics_port, settings.metrics_port + PORT_SPAN - 1
        log.warning("metrics: ports %s to %s are taken; nothing scrapes this process", first, last)
    else:
        where = f"http://{settings.metrics_host}:{served[1]}/metrics"
        log.info("metrics of this %s process at %s", role, where)
    try:
        yield metrics
    finally:
        if served is not None:
            await served[0].cleanup()
