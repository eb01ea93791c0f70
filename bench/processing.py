"""How fast stored activities become announces: `python -m bench.processing [--items N] [--postgres URL]`.

In one process, on a fresh migrated database (SQLite, or PostgreSQL when given), N signed-and-accepted
`Create{Note}`s from 100 members are stored in the inbox table as the inbox stores them, then the
real `InboxProcessor` claims and processes them (admission, screening, storing, the announces and
their deliveries queued) with deliveries paused, so the figure is processing alone, not the fan-out
that follows. `--posts-before M` first fills the community with M posts, as a community that has
lived a while holds (each Create looks its object up among them). `--processes P` (PostgreSQL) has
P-1 more processes process the same inbox beside this one, as `fedicom worker` processes do. On a
local PostgreSQL and in one process, it also counts the server's CPU (all its processes: run it on a
quiet machine), to tell which of the two sides bounds the rate. Prints a table of medians over
`--runs`; never fails on timing.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import uvloop

from bench.peers import SimActor, create, make_keys, note
from bench.seed import fresh_postgres, seed_community, seed_members
from fedicom import storage
from fedicom.activitypub import leases
from fedicom.activitypub.models import OutgoingActivity
from fedicom.app import build_federation
from fedicom.groups.models import Group, Post
from fedicom.settings import load_settings

MEMBERS = 100

try:
    from fedicom.insights.sentiment import warm as warm_models
except ImportError:  # a checkout from before insights, for before/after runs
    warm_models = None  # type: ignore[assignment]


@dataclass
class Run:
    seconds: float
    main_cpu: float  # the event loop's thread
    process_cpu: float  # with the database driver's threads (SQLite runs in one)
    announces: int
    counted: float  # seconds insights took to count the backlog afterwards (0: none to count)
    counted_cpu: float
    database_cpu: float | None  # the local PostgreSQL server's processes (None: SQLite, or not here)


def _postgres_cpu() -> float | None:
    """CPU seconds used so far by this machine's PostgreSQL processes (backends, WAL writer…), or None
    when none is visible here. The whole server: measure on a quiet machine."""
    total, seen = 0, False
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)
        except OSError:
            continue  # ended meanwhile
        if not fields[0].endswith("(postgres"):
            continue
        seen = True
        values = fields[1].split()
        total += int(values[11]) + int(values[12])  # utime, stime (fields 14 and 15 of proc(5))
    return total / os.sysconf("SC_CLK_TCK") if seen else None


async def _fill(group: Group, authors: list[SimActor], count: int) -> None:
    """`count` earlier posts in the community, stored in bulk (not through processing)."""
    now = time.time()
    batch: list[Post] = []
    for i in range(count):
        author = authors[i % len(authors)]
        batch.append(
            Post(
                group=group,
                object_id=f"{author.base}/objects/old-{i}",
                type="Note",
                author=author.uri,
                title=f"Earlier post {i}",
                content="<p>Earlier.</p>",
                document={},
                published=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now)),
            )
        )
        if len(batch) == 5000:
            await Post.bulk_create(batch)
            batch = []
    if batch:
        await Post.bulk_create(batch)


def _settings(folder: Path, url: str, concurrency: int) -> Any:
    return load_settings(
        dev=True,
        data_dir=folder,
        database_url=url,
        demo_community=False,
        domain="bench.test",
        inbox_concurrency=concurrency,
    )


async def _drain(runtime: Any) -> None:
    """Claim and process inbox items until none is left."""
    processor = runtime.fed.processor
    while claimed := await leases.claim(
        "inbox_item", "id, recipient, payload, tries", limit=processor.batch, lease=60
    ):
        await processor.process_batch(claimed)


async def join(url: str, concurrency: int) -> None:
    """Another process on the same database: ready, then drains the inbox when told to go."""
    folder = Path(tempfile.mkdtemp(prefix="bench-processing-"))
    settings = _settings(folder, url, concurrency)
    await storage.open_db(settings)
    try:
        runtime = build_federation(settings)
        print("ready", flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
        await _drain(runtime)
        await runtime.fed.session.close()
    finally:
        await storage.close_db()
        shutil.rmtree(folder, ignore_errors=True)


def _helpers(url: str, concurrency: int, count: int) -> list[subprocess.Popen[str]]:
    """`count` processes started and ready to drain the inbox of `url`."""
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "bench.processing", "--join", url, "--concurrency", str(concurrency)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(count)
    ]
    for proc in procs:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    return procs


async def measure(
    items: int, posts_before: int, postgres: str, concurrency: int, profile: str = "", processes: int = 1
) -> Run:
    folder = Path(tempfile.mkdtemp(prefix="bench-processing-"))
    url = await fresh_postgres(postgres, "processing") if postgres else ""
    settings = _settings(folder, url, concurrency)
    try:
        await storage.migrate(settings)
        await storage.open_db(settings)
        runtime = build_federation(settings)
        group_uri = runtime.groups.site.uri("bench")
        keys = make_keys(2)  # the members' keys are never used here: processing trusts the stored item
        authors = [SimActor("http://a.example", f"user{i}", keys[i % 2]) for i in range(MEMBERS)]
        group = await seed_community(runtime.groups.site, "bench")
        await seed_members(group, [a.document() for a in authors])
        await _fill(group, authors, posts_before)
        now = time.time()
        rows: list[list[Any]] = []
        for i in range(items):
            author = authors[i % MEMBERS]
            activity = create(author, note(author, group_uri, i), group_uri)
            rows.append([activity["id"], author.uri, group_uri, json.dumps(activity), now, now])
        await leases.execute_many(
            "INSERT INTO inbox_item (activity_id, actor, recipient, payload, state, tries, next_try_at, "
            "received_at) VALUES (?, ?, ?, ?, 'pending', 0, ?, ?)",
            rows,
        )
        helpers = _helpers(url, concurrency, processes - 1) if processes > 1 else []
        profiler = cProfile.Profile() if profile else None
        if profiler:
            profiler.enable()
        started, main, process = time.perf_counter(), time.thread_time(), time.process_time()
        # one process only: the others' database sessions end with them, taking their CPU figures along
        database = _postgres_cpu() if url and processes == 1 else None
        for helper in helpers:
            assert helper.stdin is not None
            helper.stdin.write("go\n")
            helper.stdin.flush()
        await _drain(runtime)
        for helper in helpers:
            await asyncio.get_running_loop().run_in_executor(None, helper.wait)
        seconds, main_cpu, process_cpu = (
            time.perf_counter() - started,
            time.thread_time() - main,
            time.process_time() - process,
        )
        after = _postgres_cpu() if database is not None else None
        database_cpu = after - database if database is not None and after is not None else None
        if profiler:
            profiler.disable()
            profiler.dump_stats(profile)
        counted, counted_cpu = 0.0, 0.0
        backlog = getattr(runtime, "backlog", None)  # insights (issue 12) count after processing
        if backlog is not None:
            warm_models()
            started, process = time.perf_counter(), time.process_time()
            await backlog.drain()
            counted, counted_cpu = time.perf_counter() - started, time.process_time() - process
        run = Run(
            seconds=seconds,
            main_cpu=main_cpu,
            process_cpu=process_cpu,
            announces=await OutgoingActivity.filter(type="Announce").count(),
            counted=counted,
            counted_cpu=counted_cpu,
            database_cpu=database_cpu,
        )
        await runtime.fed.session.close()
        return run
    finally:
        await storage.close_db()
        shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.processing", description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=2000)
    parser.add_argument("--posts-before", type=int, default=0, help="posts the community holds already")
    parser.add_argument(
        "--postgres", default="", help="a PostgreSQL URL (loopback); a database beside it is used"
    )
    parser.add_argument("--concurrency", type=int, default=8, help="FEDICOM_INBOX_CONCURRENCY")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--profile", default="", help="write cProfile stats of the processing to this file")
    parser.add_argument("--processes", type=int, default=1, help="processes sharing the inbox (PostgreSQL)")
    parser.add_argument("--join", default="", help=argparse.SUPPRESS)  # one of the other processes
    args = parser.parse_args()
    if args.join:
        uvloop.run(join(args.join, args.concurrency))
        return
    if args.processes > 1 and not args.postgres:
        parser.error("--processes needs --postgres (SQLite has one writer)")
    runs = [
        uvloop.run(
            measure(
                args.items, args.posts_before, args.postgres, args.concurrency, args.profile, args.processes
            )
        )
        for _ in range(args.runs)
    ]
    kind = "PostgreSQL" if args.postgres else "SQLite"
    print(
        f"{args.items:,} Creates processed into announces, {kind}, {args.posts_before:,} posts before, "
        f"inbox concurrency {args.concurrency}, {args.processes} process(es); median of {len(runs)} (min-max)"
    )

    def line(label: str, values: list[float], unit: str) -> None:
        spread = f"({min(values):.2f}-{max(values):.2f})"
        print(f"  {label:<34}{statistics.median(values):>9.2f} {unit:<9}{spread}")

    line("processed", [args.items / r.seconds for r in runs], "/s")
    line("event loop CPU per activity", [1000 * r.main_cpu / args.items for r in runs], "ms")
    line("process CPU per activity", [1000 * r.process_cpu / args.items for r in runs], "ms")
    if all(r.database_cpu is not None for r in runs):
        database = [1000 * (r.database_cpu or 0) / args.items for r in runs]
        line("PostgreSQL server CPU per activity", database, "ms")
    if any(r.counted for r in runs):
        line("counted into insights afterwards", [args.items / r.counted for r in runs], "/s")
        line("process CPU per activity counted", [1000 * r.counted_cpu / args.items for r in runs], "ms")
    announced = {r.announces for r in runs}
    print(f"  announces queued: {', '.join(str(a) for a in sorted(announced))} (2 per Create: both shapes)")


if __name__ == "__main__":
    main()
