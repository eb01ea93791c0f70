"""`python -m bench`: run the benchmarks, print the results table and write docs/performance.md.

Targets missed are reported, never turned into a failing exit status; only a scenario that crashes
makes the command exit 1.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import shlex
import shutil
import signal
import sys
import tempfile
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path

from bench.calibrate import Calibration, calibrate
from bench.fedicom_proc import DEFAULT_POSTGRES, Database
from bench.report import ScenarioResult, machine_lines, markdown_table, write_markdown
from bench.scenarios import ALIASES, FULL, QUICK, SCENARIOS, Context

ROOT = Path(__file__).resolve().parent.parent


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--db", choices=("sqlite", "postgres", "both"), default="both", help="database(s) to run on"
    )
    parser.add_argument("--quick", action="store_true", help="smaller sizes and fewer repeats: a smoke run")
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="NAME",
        help=(
            "run only this scenario (fanout|a, ingest|b, slow|d, blocklist|e, broken|f, staff|g, "
            "processes|h; c, memory, is part of each); repeatable"
        ),
    )
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("FEDICOM_BENCH_POSTGRES", DEFAULT_POSTGRES),
        help="PostgreSQL server to use (loopback only); the benchmark creates and drops <db>_bench there",
    )
    parser.add_argument(
        "--output", type=Path, default=ROOT / "docs" / "performance.md", help="report to write"
    )
    parser.add_argument("--no-write", action="store_true", help="print the table only")
    parser.add_argument("--profile", type=Path, metavar="DIR", help="sample the server with py-spy into DIR")
    parser.add_argument("--keep", action="store_true", help="keep the servers' data dirs and logs")
    parser.add_argument(
        "--server-env",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="extra environment for every server (e.g. FEDICOM_DELIVERY_CONCURRENCY=256); repeatable",
    )
    args = parser.parse_args(argv)
    names = []
    for name in args.only or list(SCENARIOS):
        name = ALIASES.get(name, name)
        if name == "memory":
            continue  # peak memory is read at the end of every scenario
        if name not in SCENARIOS:
            parser.error(f"unknown scenario {name!r}; choose from {', '.join(SCENARIOS)}")
        if name not in names:
            names.append(name)
    args.names = names or list(SCENARIOS)
    for item in args.server_env:
        if "=" not in item:
            parser.error(f"--server-env wants KEY=VALUE, not {item!r}")
    return args


def raise_file_limit(needed: int) -> None:
    """1,000 listening sockets plus their connections need more than the usual 1,024 descriptors."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY or soft >= needed:
        return
    new = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
    resource.setrlimit(resource.RLIMIT_NOFILE, (new, hard))
    if new < needed:
        print(f"warning: only {new} file descriptors allowed (hard limit); fan-out may fail", file=sys.stderr)


async def postgres_version(url: str) -> str | None:
    import asyncpg

    try:
        conn = await asyncpg.connect(url)
    except (OSError, asyncpg.PostgresError) as exc:
        print(f"PostgreSQL at {url} is not reachable: {exc}", file=sys.stderr)
        return None
    try:
        text = await conn.fetchval("SELECT version()")
        return str(text).split(" on ")[0]
    finally:
        await conn.close()


async def run(args: argparse.Namespace, calibration: Calibration) -> int:
    task = asyncio.current_task()
    loop = asyncio.get_running_loop()
    if task is not None:
        loop.add_signal_handler(signal.SIGTERM, task.cancel)  # clean-up runs as on Ctrl-C
    started_at, started = datetime.now(UTC), time.perf_counter()
    machine = machine_lines(None) + calibration.lines()
    kinds = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    pg_version = None
    if "postgres" in kinds:
        pg_version = await postgres_version(args.postgres_url)
        if pg_version is None:
            kinds.remove("postgres")
        else:
            machine.append(f"- PostgreSQL: {pg_version} on loopback")
    workroot = Path(tempfile.mkdtemp(prefix="fedicom-bench-"))
    ctx = Context(
        sizes=QUICK if args.quick else FULL,
        workroot=workroot,
        profile_dir=args.profile,
        keep=args.keep,
        server_env=dict(item.split("=", 1) for item in args.server_env),
        calibration=calibration,
    )
    results: dict[str, list[ScenarioResult]] = {}
    crashed = False
    try:
        for kind in kinds:
            database = Database(kind, args.postgres_url)  # type: ignore[arg-type]
            items = results.setdefault(kind, [])
            try:
                for name in args.names:
                    load = os.getloadavg()[0]
                    print(f"== {name} on {kind} (load average {load:.2f})", flush=True)
                    t0 = time.perf_counter()
                    try:
                        result = await SCENARIOS[name](ctx, database)
                        result.notes.insert(0, f"load average (1 min) when it started: {load:.2f}")
                        items.append(result)
                    except Exception as exc:
                        crashed = True
                        traceback.print_exc()
                        items.append(ScenarioResult(name, name, kind, error=f"{type(exc).__name__}: {exc}"))
                    print(f"   ({time.perf_counter() - t0:.0f} s)", flush=True)
            finally:
                await database.drop()
    finally:
        if args.keep:
            print(f"kept the servers' files in {workroot}")
        else:
            shutil.rmtree(workroot, ignore_errors=True)
    command = shlex.join(["python", "-m", "bench", *sys.argv[1:]])
    for kind, items in results.items():
        print(f"\n{kind}\n")
        print(markdown_table(items))
    if not args.no_write:
        write_markdown(
            args.output,
            command=command,
            results=results,
            started=started_at,
            seconds=time.perf_counter() - started,
            machine=machine,
        )
        print(f"\nwrote {args.output}")
    return 1 if crashed else 0


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    raise_file_limit(8192)
    print("calibrating: RSA signing and key parsing on this machine", flush=True)
    calibration = calibrate()
    print("\n".join(calibration.lines()), flush=True)
    try:
        import uvloop
    except ImportError:
        return asyncio.run(run(args, calibration))
    return uvloop.run(run(args, calibration))


if __name__ == "__main__":
    sys.exit(main())
