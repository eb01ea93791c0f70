"""Two `serve` and two `worker` processes on one PostgreSQL deliver a post to 1,000 servers while
processes are killed with SIGKILL and restarted: every server gets the post, only deliveries in flight
at a kill are ever sent twice, nothing is lost and nothing is left pending.

It runs on PostgreSQL whatever the suite's database (several machines cannot share a SQLite file), in a
database of its own beside FEDICOM_TEST_DATABASE (or the default test server).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
import uuid
from collections import defaultdict
from pathlib import Path

from bench.cluster import Cluster
from bench.fedicom_proc import DEFAULT_POSTGRES, Database, Probe
from bench.load import client_session, post_all
from bench.peers import SimActor, create, make_keys, note, presign
from bench.servers import Arrival, Recorder, SimServers
from tests.support.db import POSTGRES_URL

SERVERS = 1000
CONCURRENCY = 16  # per process: with 0.2 s answers the fan-out lasts long enough to be interrupted
ANSWER_DELAY = 0.2
# (arrivals before the kill, which process): a serve, then a worker and the other serve, then a worker
TIMEOUT = 10.0  # FEDICOM_DELIVERY_TIMEOUT_SECONDS: longer than that, nothing is in flight
LATE = 2.0
KILLS = ((300, "serve", 0), (700, "worker", 1), (800, "serve", 1), (1200, "worker", 0))


async def test_processes_killed_mid_fanout_lose_nothing_and_repeat_only_what_was_in_flight(
    tmp_path: Path,
) -> None:
    # Given two serve and two worker processes of one instance, and 1,000 member servers
    database = Database("postgres", POSTGRES_URL or DEFAULT_POSTGRES, suffix=f"procs{uuid.uuid4().hex[:8]}")
    recorder = Recorder(verify=True, keep_payloads=True)
    sims = SimServers()
    cluster = Cluster(
        database, tmp_path, serves=2, workers=2, env={"FEDICOM_DELIVERY_CONCURRENCY": str(CONCURRENCY)}
    )
    try:
        servers = await sims.open(SERVERS, recorder, delay=ANSWER_DELAY)
        keys = make_keys(1)[0]
        members = [SimActor(s.base, f"member{i}", keys) for i, s in enumerate(servers)]
        for sim, member in zip(servers, members, strict=True):
            sim.documents[member.document_path()] = json.dumps(member.document()).encode()
        await cluster.start(members)
        key_id, pem = await cluster.serves[0].group_key()
        recorder.trusted[key_id] = pem

        # When a member posts (through the second serve process) and processes are killed and
        # restarted during the fan-out
        poster = members[0]
        activity = create(poster, note(poster, cluster.group_uri, 1), cluster.group_uri)
        async with client_session(1) as session:
            stats = await post_all(session, [presign(poster, cluster.inboxes()[1], activity)], concurrency=1)
        assert stats.accepted == 1, stats.bodies
        killed_at: list[float] = []
        done_at_kills: list[int] = []
        restarts: list[asyncio.Task[None]] = []
        for arrivals, role, index in KILLS:
            assert await recorder.wait_for(arrivals, timeout=90), f"{recorder.count} arrivals"
            killed_at.append(time.perf_counter())
            done_at_kills.append(len(first_arrivals(recorder.arrivals)))
            # each kill hits a process not yet killed; its restart (a second or two of start-up) runs
            # beside the next wait, so a slow start never lets the fan-out end before the last kill
            if role == "serve":
                await cluster.kill_serve(index)
                restarts.append(asyncio.create_task(cluster.restart_serve(index)))
            else:
                await cluster.kill_worker(index)
                restarts.append(asyncio.create_task(cluster.restart_worker(index)))
        await asyncio.gather(*restarts)

        # Then every server gets both shapes of the post, and nothing is left pending
        probe = Probe(database, cluster.serves[0].data_dir)
        try:
            expected = await probe.scalar("SELECT count(*) FROM delivery")
            assert expected == 2 * SERVERS, expected  # the activity as received, and the object's URI
            deadline = time.monotonic() + 120
            while len(first_arrivals(recorder.arrivals)) < expected or await pending(probe):
                assert time.monotonic() < deadline, (
                    f"{len(first_arrivals(recorder.arrivals))}/{expected} arrived, {await pending(probe)}"
                )
                await asyncio.sleep(0.1)
            assert await probe.scalar("SELECT count(*) FROM delivery WHERE state <> 'done'") == 0
        finally:
            await probe.close()
        assert {port for port, _ in first_arrivals(recorder.arrivals)} == {s.port for s in servers}
        assert recorder.rejected == []

        # and a delivery sent twice was in flight at a kill (or its answer not yet written, every
        # 50 ms) and sent again after it, never by two live processes
        assert done_at_kills[-1] < expected, "the fan-out ended before the last kill: it proves nothing"
        repeated = {key: times for key, times in arrival_times(recorder.arrivals).items() if len(times) > 1}
        for key, times in repeated.items():
            assert all(in_flight_at_a_kill(a, b, killed_at) for a, b in itertools.pairwise(times)), (
                key,
                times,
            )
        assert sum(len(t) - 1 for t in repeated.values()) <= len(KILLS) * 3 * CONCURRENCY
        print(f"{expected} deliveries, {len(KILLS)} kills, {len(repeated)} sent twice")
    finally:
        await cluster.stop()
        await sims.close()
        await database.drop()


def in_flight_at_a_kill(first: float, second: float, kills: list[float]) -> bool:
    """A kill came after the first send began (at most a delivery timeout before it arrived) and
    before the second arrived. The first may arrive up to LATE after the kill: the kernel still sends
    what a killed process had written to its socket, and a busy test process records it late."""
    return any(first - TIMEOUT <= kill <= second and first <= kill + LATE for kill in kills)


def arrival_times(arrivals: list[Arrival]) -> dict[tuple[int, str], list[float]]:
    found: dict[tuple[int, str], list[float]] = defaultdict(list)
    for a in arrivals:
        found[(a.port, (a.activity or {}).get("id", ""))].append(a.at)
    return found


def first_arrivals(arrivals: list[Arrival]) -> set[tuple[int, str]]:
    return set(arrival_times(arrivals))


async def pending(probe: Probe) -> dict[str, int]:
    """Rows of each queue not yet done and due (deliveries, inbox items, jobs), empty when all are: the
    hourly insights job, queued for the next hour, is not due."""
    counts = {
        table: await probe.scalar(
            f"SELECT count(*) FROM {table} WHERE state = 'pending' "
            "AND next_try_at <= EXTRACT(EPOCH FROM now())"
        )
        for table in ("delivery", "inbox_item", "job")
    }
    return {table: n for table, n in counts.items() if n}
