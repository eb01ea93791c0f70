"""The benchmark scenarios: (a) fan-out, (b) inbox ingestion, (d) one slow member; (c) memory in each.

Each scenario starts its own `fedicom serve` on a fresh database, seeds what is not under test,
drives the flow from simulated servers on loopback, and returns metrics judged against the targets.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.blocklist import blocklist
from bench.broken import broken_servers
from bench.calibrate import Calibration
from bench.fedicom_proc import Database, FedicomServer, Probe, self_cpu
from bench.load import PostStats, client_session, post_all
from bench.peers import KeyPair, SimActor, create, make_keys, note, presign, update
from bench.processes import several_processes
from bench.report import Metric, ScenarioResult
from bench.servers import Recorder, SimServer, SimServers
from bench.staff_post import staff_post

FANOUT_TARGET = 2000.0  # member servers reached per second, one POST each
INGEST_TARGET = 2000.0  # activities/s durably accepted (SQLite)
SLOW_TARGET = 300.0  # activities/s to one server answering in 200 ms


@dataclass(frozen=True)
class Sizes:
    fanout_servers: int
    fanout_rounds: int
    ingest_activities: int
    ingest_actors: int
    ingest_keys: int
    ingest_concurrency: int
    ingest_runs: int
    slow_objects: int
    slow_delay: float
    slow_runs: int


FULL = Sizes(
    fanout_servers=1000,
    fanout_rounds=5,
    ingest_activities=10_000,
    ingest_actors=100,
    ingest_keys=100,
    ingest_concurrency=64,
    ingest_runs=3,
    slow_objects=500,
    slow_delay=0.2,
    slow_runs=3,
)
QUICK = Sizes(
    fanout_servers=200,
    fanout_rounds=3,
    ingest_activities=2_000,
    ingest_actors=100,
    ingest_keys=10,
    ingest_concurrency=64,
    ingest_runs=1,
    slow_objects=150,
    slow_delay=0.2,
    slow_runs=1,
)


@dataclass
class Context:
    """Options of a run that every scenario reads."""

    sizes: Sizes
    workroot: Path
    profile_dir: Path | None = None
    keep: bool = False
    server_env: dict[str, str] = field(default_factory=dict)
    log: Callable[[str], None] = print
    calibration: Calibration | None = None  # what this machine's cores sign, for the fan-out's ceiling


@contextlib.asynccontextmanager
async def launch(
    ctx: Context,
    database: Database,
    label: str,
    members: list[SimActor],
    env: dict[str, str] | None = None,
    software: dict[str, str] | None = None,
) -> AsyncIterator[FedicomServer]:
    """A seeded, running server; stopped (process group killed) and its files removed whatever happens."""
    workdir = Path(tempfile.mkdtemp(prefix=f"{label}-{database.kind}-", dir=ctx.workroot))
    server = FedicomServer(database, workdir, env={**ctx.server_env, **(env or {})})
    try:
        await server.prepare()
        await server.seed(members, software)
        await server.start()
        if ctx.profile_dir is not None:
            ctx.profile_dir.mkdir(parents=True, exist_ok=True)
            server.profile_dir = ctx.profile_dir
            await server.start_profile(ctx.profile_dir / f"{workdir.name}.txt")
        yield server
    finally:
        await server.stop()
        if not ctx.keep:
            shutil.rmtree(workdir, ignore_errors=True)


def _documents(sim: SimServer, actors: list[SimActor]) -> None:
    for actor in actors:
        sim.documents[actor.document_path()] = json.dumps(actor.document()).encode()


async def member_servers(sims: SimServers, n: int, recorder: Recorder) -> list[SimActor]:
    """N simulated servers, each serving one member (one key shared: signing is not what is measured)."""
    servers = await sims.open(n, recorder)
    keys = make_keys(1)[0]
    members = [SimActor(s.base, f"member{i}", keys) for i, s in enumerate(servers)]
    for sim, member in zip(servers, members, strict=True):
        _documents(sim, [member])
    return members


async def _delivery_states(probe: Probe) -> str:
    rows = await probe.rows("SELECT state, count(*) FROM delivery GROUP BY state ORDER BY state")
    return ", ".join(f"{state} {count}" for state, count in rows) or "none"


async def _wait_drained(probe: Probe, timeout: float = 60) -> bool:
    """Wait until something was queued and every queued delivery is finished (after a warm-up post)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        total, pending = (
            await probe.rows("SELECT count(*), count(CASE WHEN state = 'pending' THEN 1 END) FROM delivery")
        )[0]
        if total and not pending:
            return True
        await asyncio.sleep(0.05)
    return False


async def _queued_for(probe: Probe, object_id: str, timeout: float = 60) -> int:
    """How many deliveries the server queued for the announces of one object (they are queued together)."""
    sql = (
        "SELECT count(*) FROM delivery d JOIN outgoing_activity a ON a.id = d.activity_id "
        f"WHERE a.object_id = '{object_id}'"
    )
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        count = await probe.scalar(sql)
        if count:
            return count
        await asyncio.sleep(0.01)
    return 0


# (a) Fan-out


async def fanout(ctx: Context, database: Database) -> ScenarioResult:
    """One post announced to N member servers, each verifying every signed delivery. Half the servers run
    Lemmy, half Mastodon (as learned from NodeInfo): each gets one POST, in the shape it reads."""
    n, rounds = ctx.sizes.fanout_servers, ctx.sizes.fanout_rounds
    result = ScenarioResult("fanout", f"(a) fan-out to {n:,} servers", database.kind)
    recorder = Recorder(verify=True, keep_payloads=True)
    sims = SimServers()
    try:
        members = await member_servers(sims, n, recorder)
        poster = members[0]
        software = {s.base.split("://")[1]: ("lemmy", "mastodon")[i % 2] for i, s in enumerate(members)}

        async with launch(ctx, database, "fanout", members, software=software) as server:
            key_id, pem = await server.group_key()
            recorder.trusted[key_id] = pem
            counts: list[float] = []
            elapsed, rates, reached, failures, accept_ms = [], [], [], [], []
            cpu, main_cpu, gen_cpu = [], [], []
            probe = Probe(database, server.data_dir)
            try:
                async with client_session(1) as session:
                    for r in range(rounds):
                        recorder.reset()
                        activity = create(poster, note(poster, server.group_uri, r), server.group_uri)
                        signed = presign(poster, f"{server.group_uri}/inbox", activity)
                        before, gen_before = server.sample(), self_cpu()
                        stats = await post_all(session, [signed], concurrency=1)
                        # 1 per member server (the shape it reads), +1 if the author's inbox gets the boost
                        expected = await _queued_for(probe, activity["object"]["id"]) or n
                        counts.append(expected)
                        complete = await recorder.wait_for(expected, timeout=300, stall=60)
                        after, gen_after = server.sample(), self_cpu()
                        end = recorder.last_at if recorder.last_at is not None else after.wall
                        seconds = end - stats.started
                        unique = {(a.port, a.path, (a.activity or {}).get("id")) for a in recorder.arrivals}
                        missing = expected - len(unique)
                        failed = missing + len(recorder.rejected) + stats.failed
                        elapsed.append(seconds)
                        rates.append(len(unique) / seconds if seconds > 0 else 0.0)
                        servers_reached = len({a.port for a in recorder.arrivals})
                        reached.append(servers_reached / seconds if seconds > 0 else 0.0)
                        failures.append(float(failed))
                        accept_ms.append(stats.latency_ms(0.5))
                        cpu.append(after.cpu_percent_since(before))
                        main_cpu.append(after.main_percent_since(before))
                        gen_cpu.append(100 * (gen_after - gen_before) / (after.wall - before.wall))
                        first_at = (recorder.first_at or end) - stats.started
                        ctx.log(
                            f"  fan-out round {r + 1}: {len(unique)}/{expected} verified deliveries in "
                            f"{seconds:.2f} s ({rates[-1]:,.0f}/s; first after {first_at:.2f} s), "
                            f"failures {failed}" + ("" if complete else " (incomplete: timed out)")
                        )
                        if not complete:
                            ctx.log(server.log_tail(40))
                        if recorder.rejected:
                            result.notes.append(f"round {r + 1}: rejected e.g. {recorder.rejected[0]}")
                        if len(recorder.arrivals) > len(unique):
                            result.notes.append(
                                f"round {r + 1}: {len(recorder.arrivals) - len(unique)} duplicate deliveries"
                            )
                        await asyncio.sleep(0.5)
                result.notes.append(f"delivery rows at the end: {await _delivery_states(probe)}")
            finally:
                await probe.close()
            result.add(Metric("deliveries per round (queued by the server)", "", counts, digits=0))
            result.add(Metric("member servers reached/s", "1/s", reached, FANOUT_TARGET, digits=0))
            _signing_ceiling(ctx, result)
            result.add(Metric("signed deliveries/s", "1/s", rates, digits=0))
            result.add(Metric("first round only (cold server), servers/s", "1/s", reached[:1], digits=0))
            result.add(Metric("later rounds (open connections), servers/s", "1/s", reached[1:], digits=0))
            result.add(Metric("POST → last verified delivery", "s", elapsed, digits=2))
            result.add(Metric("failures (missing, refused, errors)", "", failures, 0, goal="max", digits=0))
            result.add(Metric("inbox POST answered in", "ms", accept_ms, digits=1))
            result.add(Metric("server CPU (100 % = 1 core)", "%", cpu, digits=0))
            result.add(Metric("of which the main thread (event loop)", "%", main_cpu, digits=0))
            result.add(Metric("load generator CPU", "%", gen_cpu, digits=0))
            result.add(Metric("(c) server peak RSS", "MiB", [server.peak_rss_mib()], digits=0))
            problems = server.log_problems()
            if problems:
                result.notes.append(f"the server logged {problems} ERROR lines")
    finally:
        await sims.close()
    return result


def _signing_ceiling(ctx: Context, result: ScenarioResult) -> None:
    """Every delivery is one RSA signature: what two processes sign doing nothing else bounds what a
    sender reaches on a 2-core machine (it also makes the requests, and the member servers verify)."""
    if ctx.calibration is None:
        return
    ceiling = ctx.calibration.sign_2_processes
    result.add(
        Metric("ceiling: signatures/s in 2 processes, nothing else running", "1/s", [ceiling], digits=0)
    )
    if ceiling < FANOUT_TARGET and (os.cpu_count() or 1) <= 2:
        result.notes.append(
            f"this machine signs {ceiling:,.0f} requests/s on its two cores doing nothing else: "
            f"below the target of {FANOUT_TARGET:,.0f} servers/s, which no sender can reach here"
        )


# (b) Inbox ingestion


async def _wait_count(
    probe: Probe, sql: str, total: int, *, stall: float, timeout: float
) -> tuple[int, float]:
    """Poll until the query counts `total`; (count reached, perf_counter time it was seen)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    last, last_change = -1, loop.time()
    while True:
        count = await probe.scalar(sql)
        now = loop.time()
        if count >= total or now > deadline or now - last_change > stall:
            return count, time.perf_counter()
        if count != last:
            last, last_change = count, now
        await asyncio.sleep(0.05)


async def ingest(ctx: Context, database: Database) -> ScenarioResult:
    """Many signed Creates from 100 members to the group inbox with bounded concurrency."""
    sz = ctx.sizes
    n = sz.ingest_activities
    title = f"(b) inbox ingestion of {n:,} Creates"
    result = ScenarioResult("ingest", title, database.kind)
    ctx.log(f"  generating {sz.ingest_keys} RSA keys for {sz.ingest_actors} actors")
    keys = make_keys(sz.ingest_keys)
    accepted_rate: list[float] = []
    metrics: dict[str, list[float]] = {
        k: []
        for k in (
            "errors",
            "p50",
            "p99",
            "cpu",
            "gen",
            "announce_s",
            "processed",
            "cpu_processing",
            "main",
            "main_processing",
            "delivered_s",
            "delivered",
            "rss",
        )
    }
    for run in range(sz.ingest_runs):
        recorder = Recorder(verify=False)
        sims = SimServers()
        try:
            home = (await sims.open(1, recorder))[0]
            actors = [SimActor(home.base, f"user{i}", keys[i % len(keys)]) for i in range(sz.ingest_actors)]
            _documents(home, actors)

            async with launch(ctx, database, "ingest", actors) as server:
                inbox = f"{server.group_uri}/inbox"
                began = time.perf_counter()
                posts = [
                    presign(a, inbox, create(a, note(a, server.group_uri, i), server.group_uri))
                    for i, a in ((i, actors[i % len(actors)]) for i in range(n))
                ]
                ctx.log(
                    f"  run {run + 1}: pre-signed {n:,} activities in {time.perf_counter() - began:.1f} s"
                )
                probe = Probe(database, server.data_dir)
                announces = (
                    "SELECT count(*) FROM outgoing_activity WHERE type = 'Announce' AND inner_type = 'Create'"
                )
                try:
                    async with client_session(sz.ingest_concurrency) as session:
                        # one post first, so the cold start (keys, connections) is not measured
                        warm = actors[0]
                        await post_all(
                            session,
                            [
                                presign(
                                    warm,
                                    inbox,
                                    create(warm, note(warm, server.group_uri, -1), server.group_uri),
                                )
                            ],
                            concurrency=1,
                        )
                        if not await _wait_drained(probe):
                            raise RuntimeError(f"the warm-up post was not delivered\n{server.log_tail()}")
                        recorder.reset()
                        baseline = await probe.scalar(announces)
                        queued_before = await probe.scalar("SELECT count(*) FROM delivery")
                        before, gen_before = server.sample(), self_cpu()
                        stats = await post_all(session, posts, concurrency=sz.ingest_concurrency)
                        after, gen_after = server.sample(), self_cpu()
                    rate = stats.accepted / stats.seconds if stats.seconds > 0 else 0.0
                    accepted_rate.append(rate)
                    metrics["errors"].append(stats.failed)
                    metrics["p50"].append(stats.latency_ms(0.5))
                    metrics["p99"].append(stats.latency_ms(0.99))
                    metrics["cpu"].append(after.cpu_percent_since(before))
                    metrics["main"].append(after.main_percent_since(before))
                    metrics["gen"].append(100 * (gen_after - gen_before) / (after.wall - before.wall))
                    ctx.log(
                        f"  run {run + 1}: {stats.accepted:,} accepted in {stats.seconds:.2f} s "
                        f"({rate:,.0f}/s), errors {stats.failed} {dict(stats.statuses)} {dict(stats.errors)}"
                    )
                    if stats.bodies:
                        result.notes.append(f"run {run + 1}: refused e.g. {stats.bodies[0]}")
                    announced, at = await _wait_count(
                        probe, announces, baseline + stats.accepted, stall=60, timeout=1800
                    )
                    announced -= baseline
                    processed = server.sample()
                    announce_s = at - stats.started
                    metrics["announce_s"].append(announce_s)
                    metrics["processed"].append(announced / announce_s if announce_s > 0 else 0.0)
                    metrics["cpu_processing"].append(processed.cpu_percent_since(after))
                    metrics["main_processing"].append(processed.main_percent_since(after))
                    ctx.log(f"  run {run + 1}: {announced:,} announced after {announce_s:.1f} s")
                    expected = await probe.scalar("SELECT count(*) FROM delivery") - queued_before
                    if (
                        not await recorder.wait_for(expected, timeout=1800, stall=60)
                        or announced < stats.accepted
                    ):
                        ctx.log(server.log_tail(40))
                    last = recorder.last_at or time.perf_counter()
                    metrics["delivered_s"].append(last - stats.started)
                    metrics["delivered"].append(recorder.count)
                    ctx.log(
                        f"  run {run + 1}: {recorder.count:,}/{expected:,} deliveries received after "
                        f"{last - stats.started:.1f} s"
                    )
                    metrics["rss"].append(server.peak_rss_mib())
                    inbox_states = await probe.rows(
                        "SELECT state, count(*) FROM inbox_item GROUP BY state ORDER BY state"
                    )
                    result.notes.append(
                        f"run {run + 1}: inbox items {', '.join(f'{s} {c}' for s, c in inbox_states)}; "
                        f"delivery rows {await _delivery_states(probe)}"
                    )
                finally:
                    await probe.close()
                problems = server.log_problems()
                if problems:
                    result.notes.append(f"run {run + 1}: the server logged {problems} ERROR lines")
        finally:
            await sims.close()
    target = INGEST_TARGET if database.kind == "sqlite" else None
    result.add(Metric("accepted (202)", "1/s", accepted_rate, target, digits=0))
    result.add(Metric("errors (non-202, transport)", "", metrics["errors"], 0, goal="max", digits=0))
    result.add(Metric("202 latency p50", "ms", metrics["p50"], digits=1))
    result.add(Metric("202 latency p99", "ms", metrics["p99"], digits=1))
    result.add(Metric("server CPU while accepting", "%", metrics["cpu"], digits=0))
    result.add(Metric("of which the main thread", "%", metrics["main"], digits=0))
    result.add(Metric("load generator CPU while sending", "%", metrics["gen"], digits=0))
    result.add(Metric("all announced (queued) after", "s", metrics["announce_s"], digits=1))
    result.add(Metric("processed into announces", "1/s", metrics["processed"], digits=0))
    result.add(
        Metric("server CPU after accepting, until announced", "%", metrics["cpu_processing"], digits=0)
    )
    result.add(Metric("of which the main thread", "%", metrics["main_processing"], digits=0))
    result.add(Metric("all queued deliveries received after", "s", metrics["delivered_s"], digits=1))
    result.add(Metric("deliveries received", "", metrics["delivered"], digits=0))
    result.add(Metric("(c) server peak RSS", "MiB", metrics["rss"], digits=0))
    return result


# (d) One slow member server


def _order_violations(arrivals: list[dict[str, Any]]) -> tuple[int, int, int]:
    """(objects whose Update came before its Create, Creates seen, Updates seen) in arrival order."""
    created: set[str] = set()
    updated_first = 0
    creates = updates = 0
    for activity in arrivals:
        inner = activity.get("object")
        if not isinstance(inner, dict):
            continue
        obj = inner.get("object")
        oid = obj.get("id") if isinstance(obj, dict) else obj
        if inner.get("type") == "Create":
            creates += 1
            created.add(str(oid))
        elif inner.get("type") == "Update":
            updates += 1
            if str(oid) not in created:
                updated_first += 1
    return updated_first, creates, updates


async def _pause_idle_worker(server: FedicomServer, probe: Probe) -> None:
    """SIGSTOP the worker at a moment it holds no database lock; otherwise let it go on and try again."""
    for _ in range(50):
        server.pause_worker()
        if await probe.quiescent():
            return
        server.pause_worker(False)
        await asyncio.sleep(0.1)
    raise RuntimeError("the worker was never idle in the database; cannot pause it safely")


@dataclass
class SlowRun:
    """One run of (d) in one delivery mode."""

    rate: float
    announces_rate: float
    violations: int
    failures: int
    cpu: float
    rss: float


async def _slow_run(ctx: Context, database: Database, keys: KeyPair, run: int, *, drain: bool) -> SlowRun:
    """Inline: deliveries flow while the inbox is processed. Drain: serve with FEDICOM_DELIVERY=external and
    a `fedicom worker`, warmed up, then paused (SIGSTOP) while everything is queued, then resumed: only the
    delivery queue is measured, from the resume to the last delivery."""
    n, delay = ctx.sizes.slow_objects, ctx.sizes.slow_delay
    mode = "drain" if drain else "inline"
    slow_rec = Recorder(verify=True, keep_payloads=True)
    fast_rec = Recorder(verify=False)
    sims = SimServers()
    try:
        slow = (await sims.open(1, slow_rec, delay=delay))[0]
        home = (await sims.open(1, fast_rec))[0]
        author = SimActor(home.base, "author", keys)
        reader = SimActor(slow.base, "reader", keys)
        _documents(home, [author])
        _documents(slow, [reader])
        software = {home.base.split("://")[1]: "lemmy", slow.base.split("://")[1]: "lemmy"}

        env = {"FEDICOM_DELIVERY": "external"} if drain else {}
        async with launch(ctx, database, f"slow-{mode}", [author, reader], env, software) as server:
            key_id, pem = await server.group_key()
            slow_rec.trusted[key_id] = pem
            group, inbox = server.group_uri, f"{server.group_uri}/inbox"
            creates = [create(author, note(author, group, i), group) for i in range(n)]
            updates = [update(author, c["object"], group) for c in creates]
            create_posts = [presign(author, inbox, a) for a in creates]
            update_posts = [presign(author, inbox, a) for a in updates]
            warmup = presign(author, inbox, create(author, note(author, group, -1), group))
            expected = 2 * n  # Announce{Create} and Announce{Update} (a Lemmy server reads no boost)
            probe = Probe(database, server.data_dir)
            try:
                if drain:
                    await server.start_worker()
                async with client_session(64) as session:
                    # one post first, so the cold start (key parsing, connections) is not measured
                    warm = await post_all(session, [warmup], concurrency=1)
                    if not await _wait_drained(probe):
                        raise RuntimeError(
                            f"the warm-up post ({dict(warm.statuses)}) was not delivered within 60 s; "
                            f"delivery rows: {await _delivery_states(probe)}\n{server.log_tail()}"
                        )
                    slow_rec.reset()
                    if drain:
                        await asyncio.sleep(0.5)  # let the worker write the warm-up results
                        await _pause_idle_worker(server, probe)
                    before = server.sample()
                    first: PostStats = await post_all(session, create_posts, concurrency=64)
                    second = await post_all(session, update_posts, concurrency=64)
                if drain:
                    await _wait_count(
                        probe,
                        "SELECT count(*) FROM delivery WHERE state = 'pending' "
                        f"AND host = '127.0.0.1:{slow.port}'",
                        expected,
                        stall=60,
                        timeout=1800,
                    )
                    before = server.worker_sample()
                    server.pause_worker(False)
                complete = await slow_rec.wait_for(expected, timeout=1800, stall=60)
                after = server.worker_sample() if drain else server.sample()
                last = slow_rec.last_at or after.wall
                begin = before.wall if drain else first.started
                seconds = last - begin
                bad, seen_creates, seen_updates = _order_violations(
                    [a.activity for a in slow_rec.arrivals if a.activity is not None]
                )
                failed = expected - slow_rec.count + len(slow_rec.rejected) + first.failed + second.failed
                outcome = SlowRun(
                    rate=slow_rec.count / seconds if seconds > 0 else 0.0,
                    announces_rate=(seen_creates + seen_updates) / seconds if seconds > 0 else 0.0,
                    violations=bad,
                    failures=failed,
                    cpu=after.cpu_percent_since(before),
                    rss=server.peak_rss_mib(),
                )
                ctx.log(
                    f"  run {run + 1} {mode}: {slow_rec.count}/{expected} deliveries to the slow server in "
                    f"{seconds:.1f} s ({outcome.rate:,.0f}/s), order violations {bad}, failures {failed}"
                    + ("" if complete else " (incomplete)")
                )
                if not complete:
                    ctx.log(server.log_tail(40))
                if slow_rec.rejected:
                    ctx.log(f"  refused e.g. {slow_rec.rejected[0]}")
                ctx.log(f"  run {run + 1} {mode}: delivery rows {await _delivery_states(probe)}")
            finally:
                await probe.close()
    finally:
        await sims.close()
    return outcome


async def slow_member(ctx: Context, database: Database) -> ScenarioResult:
    """N Creates then N Updates announced to a member server that answers each POST after a delay."""
    sz = ctx.sizes
    n = sz.slow_objects
    title = f"(d) {2 * n:,} activities to a {sz.slow_delay * 1000:.0f} ms server"
    result = ScenarioResult("slow", title, database.kind)
    keys = make_keys(1)[0]
    inline: list[SlowRun] = []
    drain: list[SlowRun] = []
    for run in range(sz.slow_runs):
        inline.append(await _slow_run(ctx, database, keys, run, drain=False))
        drain.append(await _slow_run(ctx, database, keys, run, drain=True))

    def values(runs: list[SlowRun], attr: str) -> list[float]:
        return [float(getattr(r, attr)) for r in runs]

    result.add(
        Metric(
            "inline: deliveries/s to the slow server", "1/s", values(inline, "rate"), SLOW_TARGET, digits=0
        )
    )
    result.add(
        Metric("inline: of which Create+Update announces", "1/s", values(inline, "announces_rate"), digits=0)
    )
    result.add(
        Metric("inline: per-object order violations", "", values(inline, "violations"), 0, "max", digits=0)
    )
    result.add(Metric("inline: server CPU", "%", values(inline, "cpu"), digits=0))
    result.add(
        Metric("drain: deliveries/s to the slow server", "1/s", values(drain, "rate"), SLOW_TARGET, digits=0)
    )
    result.add(
        Metric("drain: of which Create+Update announces", "1/s", values(drain, "announces_rate"), digits=0)
    )
    result.add(
        Metric("drain: per-object order violations", "", values(drain, "violations"), 0, "max", digits=0)
    )
    result.add(Metric("drain: worker CPU", "%", values(drain, "cpu"), digits=0))
    result.add(
        Metric(
            "failures (missing, refused, errors)",
            "",
            [a + b for a, b in zip(values(inline, "failures"), values(drain, "failures"), strict=True)],
            0,
            "max",
            digits=0,
        )
    )
    result.add(Metric("(c) server peak RSS (inline)", "MiB", values(inline, "rss"), digits=0))
    return result


SCENARIOS: dict[str, Callable[[Context, Database], Awaitable[ScenarioResult]]] = {
    "fanout": fanout,
    "ingest": ingest,
    "slow": slow_member,
    "blocklist": blocklist,
    "broken": broken_servers,
    "staff": staff_post,
    "processes": several_processes,
}
ALIASES = {
    "a": "fanout",
    "b": "ingest",
    "d": "slow",
    "c": "memory",
    "e": "blocklist",
    "f": "broken",
    "g": "staff",
    "h": "processes",
}
