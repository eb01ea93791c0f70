"""(f) Fan-out when a fifth of the member servers are broken: healthy servers must not wait for them.

Two launches on fresh databases: a control whose members are all healthy, and one with the same
healthy members plus broken ones (a third refuse connections, a third answer 500, a third accept
the request and never answer). Each round posts two activities in a row and times the arrival of
every healthy delivery; the verdict compares the healthy servers' rate and completion time with
the control's.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bench.fedicom_proc import Database, Probe
from bench.load import client_session, post_all
from bench.peers import SimActor, create, make_keys, note, presign
from bench.report import Metric, ScenarioResult
from bench.servers import Recorder, SimServer, SimServers

if TYPE_CHECKING:
    from bench.scenarios import Context

BROKEN_SHARE = 0.2
RATE_RATIO_TARGET = 0.8  # healthy servers' rate with broken ones, against the control's
LATENESS_TARGET = 1.0  # seconds after the control's completion
ROUNDS = 3


@dataclass
class Round:
    seconds: float  # first POST -> last healthy delivery
    rate: float  # healthy deliveries per second
    complete: bool
    hanging_requests: int  # POSTs the hanging servers received during the round
    rejected: int


def _documents(sim: SimServer, actor: SimActor) -> None:
    sim.documents[actor.document_path()] = json.dumps(actor.document()).encode()


async def _queued(probe: Probe, object_ids: list[str], hosts: list[str]) -> int:
    """Deliveries queued to `hosts` for the announces of these objects (queued together per post)."""
    ids = ", ".join(f"'{i}'" for i in object_ids)
    targets = ", ".join(f"'{h}'" for h in hosts)
    sql = (
        "SELECT count(*) FROM delivery d JOIN outgoing_activity a ON a.id = d.activity_id "
        f"WHERE a.object_id IN ({ids}) AND d.host IN ({targets})"
    )
    for _ in range(6000):
        count = await probe.scalar(sql)
        if count:
            return count
        await asyncio.sleep(0.01)
    return 0


async def _run(
    ctx: Context, database: Database, label: str, healthy: list[SimServer], broken: list[SimServer]
) -> list[Round]:
    from bench.scenarios import launch

    recorder = healthy[0].recorder
    keys = make_keys(1)[0]
    servers = healthy + broken
    members = [SimActor(s.base, f"member{i}", keys) for i, s in enumerate(servers)]
    for sim, member in zip(servers, members, strict=True):
        _documents(sim, member)
    poster = members[0]  # on a healthy server
    hanging = [s for s in broken if s.mode == "hang"]
    rounds: list[Round] = []
    async with launch(ctx, database, label, members) as server:
        key_id, pem = await server.group_key()
        recorder.trusted[key_id] = pem
        probe = Probe(database, server.data_dir)
        try:
            async with client_session(2) as session:
                for r in range(ROUNDS):
                    recorder.reset()
                    hung_before = sum(s.failed_posts for s in hanging)
                    activities = [
                        create(poster, note(poster, server.group_uri, 2 * r + i), server.group_uri)
                        for i in range(2)
                    ]
                    signed = [presign(poster, f"{server.group_uri}/inbox", a) for a in activities]
                    stats = await post_all(session, signed, concurrency=1)
                    # broken servers record nothing: every recorded arrival is a healthy delivery
                    objects = [a["object"]["id"] for a in activities]
                    expected = await _queued(probe, objects, [f"127.0.0.1:{s.port}" for s in healthy])
                    complete = await recorder.wait_for(expected, timeout=120, stall=30)
                    end = recorder.last_at or stats.started
                    seconds = end - stats.started
                    rounds.append(
                        Round(
                            seconds=seconds,
                            rate=recorder.count / seconds if seconds > 0 else 0.0,
                            complete=complete,
                            hanging_requests=sum(s.failed_posts for s in hanging) - hung_before,
                            rejected=len(recorder.rejected) + stats.failed,
                        )
                    )
                    ctx.log(
                        f"  {label} round {r + 1}: {recorder.count}/{expected} healthy deliveries in "
                        f"{seconds:.2f} s ({rounds[-1].rate:,.0f}/s), requests to hanging servers "
                        f"{rounds[-1].hanging_requests}" + ("" if complete else " (incomplete)")
                    )
                    await asyncio.sleep(0.5)
        finally:
            await probe.close()
    return rounds


async def broken_servers(ctx: Context, database: Database) -> ScenarioResult:
    """Healthy members' deliveries with and without broken member servers beside them."""
    n = ctx.sizes.fanout_servers
    result = ScenarioResult(
        "broken", f"(f) fan-out, {BROKEN_SHARE:.0%} of {n:,} servers broken", database.kind
    )
    third = round(n * BROKEN_SHARE / 3)
    sims = SimServers()
    try:
        recorder = Recorder(verify=True)
        healthy = await sims.open(n - 3 * third, recorder)
        broken = [
            *await sims.open(third, recorder, mode="closed"),
            *await sims.open(third, recorder, mode="error"),
            *await sims.open(third, recorder, mode="hang"),
        ]
        control = await _run(ctx, database, "control", healthy, [])
        with_broken = await _run(ctx, database, "broken", healthy, broken)
    finally:
        await sims.close()
    ratios = [b.rate / c.rate for b, c in zip(with_broken, control, strict=True) if c.rate]
    late = [b.seconds - c.seconds for b, c in zip(with_broken, control, strict=True)]
    incomplete = sum(not r.complete for r in control + with_broken)
    result.add(Metric("healthy servers only: deliveries/s", "1/s", [r.rate for r in control], digits=0))
    result.add(
        Metric("with broken servers: deliveries/s to the healthy", "1/s", [r.rate for r in with_broken])
    )
    result.add(Metric("rate with broken / rate without", "x", ratios, RATE_RATIO_TARGET, digits=2))
    result.add(Metric("healthy only: last delivery after", "s", [r.seconds for r in control], digits=2))
    result.add(
        Metric("with broken: last healthy delivery after", "s", [r.seconds for r in with_broken], digits=2)
    )
    result.add(Metric("last healthy delivery later by", "s", late, LATENESS_TARGET, goal="max", digits=2))
    result.add(
        Metric(
            "POSTs to the hanging servers per round", "", [r.hanging_requests for r in with_broken], digits=0
        )
    )
    failures = [float(r.rejected) for r in control + with_broken]
    result.add(Metric("failures (refused signatures, inbox errors)", "", failures, 0, goal="max", digits=0))
    if incomplete:
        result.notes.append(f"{incomplete} rounds timed out before every healthy delivery arrived")
    return result
