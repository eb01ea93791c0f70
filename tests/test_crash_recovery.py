"""A crash loses nothing and a restart resumes at once: SIGKILL in a 1,000-server fan-out, restart.

The killed process held leases on deliveries it had claimed (30 s by default, 10 minutes here); the
restarted process sees that their holder is gone (same machine, its pid no longer runs) and sends them
now, long before the leases would have expired: a bound far below the lease proves it without timing
how fast a busy machine delivers.
Only what was on the wire at the kill, or answered but not yet written, may arrive twice: nothing the
queue had recorded as delivered is sent again.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

from bench.fedicom_proc import Database, FedicomServer, Probe
from bench.load import client_session, post_all
from bench.peers import SimActor, create, make_keys, note, presign
from bench.servers import Recorder, SimServers
from tests.support.db import backend, postgres_url

SERVERS = 1000
CONCURRENCY = 32
LEASE = 600.0  # FEDICOM_DELIVERY_LEASE_SECONDS: waiting for the leases would take this long
RESUME_WITHIN = 60.0  # seconds from the restart to the last delivery, a tenth of the lease


async def test_sigkill_mid_fanout_resumes_at_once_and_loses_nothing(tmp_path: Path) -> None:
    # Given a fedicom process whose community has members on 1,000 servers answering in 20 ms
    database = Database("postgres", postgres_url()) if backend() == "postgres" else Database("sqlite")
    recorder = Recorder(verify=True, keep_payloads=True)
    sims = SimServers()
    server = FedicomServer(
        database,
        tmp_path,
        env={"FEDICOM_DELIVERY_CONCURRENCY": str(CONCURRENCY), "FEDICOM_DELIVERY_LEASE_SECONDS": str(LEASE)},
    )
    try:
        servers = await sims.open(SERVERS, recorder, delay=0.02)
        keys = make_keys(1)[0]
        members = [SimActor(s.base, f"member{i}", keys) for i, s in enumerate(servers)]
        for sim, member in zip(servers, members, strict=True):
            sim.documents[member.document_path()] = json.dumps(member.document()).encode()
        await server.prepare()
        await server.seed(members)
        await server.start()
        key_id, pem = await server.group_key()
        recorder.trusted[key_id] = pem

        # When a member posts and the process is killed once a few hundred announces have arrived
        poster = members[0]
        activity = create(poster, note(poster, server.group_uri, 1), server.group_uri)
        async with client_session(1) as session:
            stats = await post_all(
                session, [presign(poster, f"{server.group_uri}/inbox", activity)], concurrency=1
            )
        assert stats.accepted == 1, stats.bodies
        assert await recorder.wait_for(300, timeout=60)
        assert server.proc is not None
        os.killpg(server.pid, signal.SIGKILL)
        await server.proc.wait()
        before = len(unique_arrivals(recorder))
        recorded = await delivered(database, server.data_dir)

        # Then the restarted process delivers the rest within seconds, every server gets both shapes
        restarted = time.perf_counter()  # the clock the recorder stamps arrivals with
        await server.start()
        probe = Probe(database, server.data_dir)  # only now: its connection must not take the server's port
        try:
            expected = await probe.scalar("SELECT count(*) FROM delivery")
        finally:
            await probe.close()
        assert before < expected, "the fan-out finished before the kill; the test proves nothing"
        while len(unique_arrivals(recorder)) < expected:
            assert time.perf_counter() - restarted < RESUME_WITHIN, (
                f"{len(unique_arrivals(recorder))}/{expected} after {RESUME_WITHIN:.0f} s"
            )
            await asyncio.sleep(0.05)
        took = (recorder.last_at or restarted) - restarted
        assert took < RESUME_WITHIN, f"the remaining {expected - before} deliveries took {took:.1f} s"
        assert {port for port, _ in unique_arrivals(recorder)} == {s.port for s in servers}
        # and only deliveries sent before the kill but not yet written as done (results are written
        # every 50 ms, or sooner by 256) were sent twice; none that the queue had recorded
        twice = {key for key, n in unique_arrivals(recorder).items() if n > 1}
        assert not twice & recorded, f"{len(twice & recorded)} deliveries recorded as done were sent again"
        assert len(twice) <= before - len(recorded), (len(twice), before, len(recorded))
        assert recorder.rejected == []
        print(
            f"killed after {before}/{expected} ({len(recorded)} recorded); "
            f"rest {took:.2f} s after restart, {len(twice)} twice"
        )
    finally:
        await server.stop()
        await sims.close()
        await database.drop()


async def delivered(database: Database, data_dir: Path) -> set[tuple[int, str]]:
    """(port, activity id) of every delivery the queue has written as done."""
    probe = Probe(database, data_dir)
    try:
        rows = await probe.rows(
            "SELECT d.inbox, a.activity_id FROM delivery d JOIN outgoing_activity a ON a.id = d.activity_id "
            "WHERE d.state = 'done'"
        )
    finally:
        await probe.close()
    return {(urlsplit(inbox).port or 0, activity_id) for inbox, activity_id in rows}


def unique_arrivals(recorder: Recorder) -> Counter[tuple[int, str]]:
    return Counter((a.port, (a.activity or {}).get("id", "")) for a in recorder.arrivals)
