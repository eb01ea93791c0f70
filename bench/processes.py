"""(h) Two machines' worth of processes: the fan-out of scenario (a) by one `serve` process, then by two
`serve` and two `worker` processes on the same PostgreSQL (posts spread over both serve processes, as
a load balancer would), each member server verifying every signed delivery.

Measures deliveries per second of each, the speed-up (target 1.6x where the machine has the cores
for four processes), and deliveries that arrived twice (none may: no process was killed).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from bench.cluster import Cluster
from bench.fedicom_proc import Database, proc_cpu
from bench.load import client_session, post_all
from bench.peers import SimActor, create, make_keys, note, presign
from bench.report import Metric, ScenarioResult
from bench.servers import Recorder, SimServers

if TYPE_CHECKING:
    from bench.scenarios import Context

SPEEDUP_TARGET = 1.6


async def several_processes(ctx: Context, database: Database) -> ScenarioResult:
    n, rounds = ctx.sizes.fanout_servers, ctx.sizes.fanout_rounds
    title = f"(h) fan-out to {n:,} servers, 1 serve vs 2 serve + 2 worker"
    result = ScenarioResult("processes", title, database.kind)
    if database.kind != "postgres":
        result.notes.append("processes on several machines share PostgreSQL only: see the PostgreSQL run")
        return result
    recorder = Recorder(verify=True, keep_payloads=True)
    sims = SimServers()
    try:
        servers = await sims.open(n, recorder)
        keys = make_keys(1)[0]
        members = [SimActor(s.base, f"member{i}", keys) for i, s in enumerate(servers)]
        for sim, member in zip(servers, members, strict=True):
            sim.documents[member.document_path()] = json.dumps(member.document()).encode()
        runs = {}
        for label, serves, workers in (("1 serve", 1, 0), ("2 serve + 2 worker", 2, 2)):
            runs[label] = await _rounds(ctx, database, members, recorder, serves, workers, rounds)
        one, four = runs["1 serve"], runs["2 serve + 2 worker"]
        for label, (rates, _, cpu) in runs.items():
            result.add(Metric(f"signed deliveries/s, {label}", "1/s", rates, digits=0))
            result.add(Metric(f"CPU of its processes, {label} (100 % = 1 core)", "%", cpu, digits=0))
        speedups = [b / a for a, b in zip(sorted(one[0]), sorted(four[0]), strict=True) if a]
        result.add(Metric("speed-up of 2 serve + 2 worker", "x", speedups, SPEEDUP_TARGET, digits=2))
        result.add(Metric("deliveries sent twice", "", [float(d) for d in four[1]], 0, goal="max", digits=0))
        result.notes.append(
            f"{os.cpu_count()} CPU cores for four fedicom processes, PostgreSQL and the load generator: "
            "the speed-up is bounded by the cores, not by the processes' coordination"
        )
    finally:
        await sims.close()
    return result


async def _rounds(
    ctx: Context,
    database: Database,
    members: list[SimActor],
    recorder: Recorder,
    serves: int,
    workers: int,
    rounds: int,
) -> tuple[list[float], list[int], list[float]]:
    """(deliveries/s, deliveries that arrived twice, CPU %) of each round, on a fresh database, after a
    round that warms the processes up: each one's first deliveries parse the community's key (50 ms),
    open its connections and fill its caches, four times over with four processes."""
    workdir = Path(tempfile.mkdtemp(prefix=f"processes{serves}-", dir=ctx.workroot))
    cluster = Cluster(database, workdir, serves=serves, workers=workers, env=ctx.server_env)
    rates: list[float] = []
    twice: list[int] = []
    cpu: list[float] = []
    poster = members[0]
    try:
        await cluster.start(members)
        key_id, pem = await cluster.serves[0].group_key()
        recorder.trusted[key_id] = pem
        async with client_session(1) as session:
            for r in range(-1, rounds):  # round -1 warms the processes up and is not counted
                recorder.reset()
                activity = create(poster, note(poster, cluster.group_uri, r), cluster.group_uri)
                inbox = cluster.inboxes()[r % serves]
                cpu_before = sum(proc_cpu(pid) for pid in cluster.pids())
                stats = await post_all(session, [presign(poster, inbox, activity)], concurrency=1)
                expected = 2 * len(members)
                complete = await recorder.wait_for(expected, timeout=300, stall=60)
                end = recorder.last_at or stats.started
                seconds = end - stats.started
                if r < 0:
                    continue
                unique = {(a.port, (a.activity or {}).get("id")) for a in recorder.arrivals}
                rates.append(len(unique) / seconds if seconds > 0 else 0.0)
                twice.append(len(recorder.arrivals) - len(unique))
                cpu.append(100 * (sum(proc_cpu(pid) for pid in cluster.pids()) - cpu_before) / seconds)
                ctx.log(
                    f"  {serves} serve + {workers} worker, round {r + 1}: {len(unique)}/{expected} in "
                    f"{seconds:.2f} s ({rates[-1]:,.0f}/s), {twice[-1]} twice"
                    + ("" if complete else " (incomplete: timed out)")
                )
    finally:
        await cluster.stop()
        if not ctx.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    return rates, twice, cpu
