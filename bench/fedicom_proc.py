"""The server under test: a `fedicom serve` subprocess on a fresh database, seeded, measured, stopped.

The server runs in its own process group so its CPU time and memory are read apart from the load
generator's, and so stopping it (or a crash of the benchmark) never leaves a process behind.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import ipaddress
import json
import os
import random
import shlex
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit, urlunsplit

import aiohttp

from bench.peers import SimActor

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432/test"
COMMUNITY = "bench"
_LIVE_GROUPS: set[int] = set()
# More py-spy options for --profile, e.g. FEDICOM_BENCH_PY_SPY="--gil" (only the thread holding the GIL).
PY_SPY_EXTRA = shlex.split(os.environ.get("FEDICOM_BENCH_PY_SPY", ""))


@atexit.register
def _kill_leftovers() -> None:
    """Last resort if the benchmark dies without running its clean-up: no server outlives it."""
    for pgid in list(_LIVE_GROUPS):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pgid, signal.SIGKILL)


def free_port() -> int:
    """A free port below the kernel's ephemeral range: outgoing connections and port-0 binds take
    theirs from that range, so one of them cannot take this port between here and the server's bind
    (or while a killed server is being restarted on it)."""
    low = 32768
    with contextlib.suppress(OSError, ValueError):
        low = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    for _ in range(200):
        port = random.randrange(max(1024, low - 12_000), low)
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port below the ephemeral range")


def fedicom_command() -> list[str]:
    """The `fedicom` console script of this interpreter's environment."""
    script = Path(sys.executable).with_name("fedicom")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from fedicom.cli import run; run()"]


def _require_loopback(url: str) -> None:
    host = urlsplit(url).hostname or ""
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = host == "localhost"
    if not loopback:
        raise SystemExit(f"the benchmark only talks to loopback; {url} names {host}")


@dataclass(frozen=True)
class Database:
    """Where a benchmark server keeps its data: a SQLite file in its data dir, or a PostgreSQL database.

    For PostgreSQL the benchmark uses its own database `<name>_bench` beside the given URL, so a test
    run on the same server (tests/support/db.py makes `<name>_run<pid>`) is never disturbed.
    """

    kind: Literal["sqlite", "postgres"]
    postgres_url: str = DEFAULT_POSTGRES
    suffix: str = "bench"  # a test gives its own, so runs side by side never share a database

    @property
    def bench_postgres_url(self) -> str:
        parts = urlsplit(self.postgres_url)
        name = parts.path.lstrip("/") or "postgres"
        return urlunsplit(parts._replace(path=f"/{name}_{self.suffix}"))

    def url(self, data_dir: Path) -> str:
        return (
            f"sqlite://{data_dir / 'fedicom.sqlite3'}" if self.kind == "sqlite" else self.bench_postgres_url
        )

    async def reset(self) -> None:
        """An empty schema (PostgreSQL: the bench database is created if needed, then its schema dropped)."""
        if self.kind != "postgres":
            return
        import asyncpg

        _require_loopback(self.postgres_url)
        admin = await asyncpg.connect(self.postgres_url)
        try:
            name = urlsplit(self.bench_postgres_url).path.lstrip("/")
            if not await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
                await admin.execute(f'CREATE DATABASE "{name}"')
        finally:
            await admin.close()
        conn = await asyncpg.connect(self.bench_postgres_url)
        try:
            await conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
        finally:
            await conn.close()

    async def drop(self) -> None:
        """Remove the bench database at the end of a run (PostgreSQL only)."""
        if self.kind != "postgres":
            return
        import asyncpg

        admin = await asyncpg.connect(self.postgres_url)
        try:
            name = urlsplit(self.bench_postgres_url).path.lstrip("/")
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()


class Probe:
    """Read-only queries from the benchmark process while the server runs (counts, queue states)."""

    def __init__(self, database: Database, data_dir: Path) -> None:
        self.database = database
        self.path = data_dir / "fedicom.sqlite3"
        self._pg: Any = None

    async def rows(self, sql: str) -> list[tuple[Any, ...]]:
        if self.database.kind == "sqlite":
            return await asyncio.to_thread(self._sqlite_rows, sql)
        if self._pg is None:
            import asyncpg

            self._pg = await asyncpg.connect(self.database.bench_postgres_url)
        return [tuple(r) for r in await self._pg.fetch(sql)]

    def _sqlite_rows(self, sql: str) -> list[tuple[Any, ...]]:
        conn = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, timeout=10)
        try:
            return conn.execute(sql).fetchall()
        finally:
            conn.close()

    async def quiescent(self) -> bool:
        """True when no other client holds the database mid-statement or mid-transaction (a paused
        process must not hold locks the server needs)."""
        if self.database.kind == "sqlite":
            return await asyncio.to_thread(self._sqlite_unlocked)
        busy = await self.scalar(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND state IS DISTINCT FROM 'idle'"
        )
        return busy == 0

    def _sqlite_unlocked(self) -> bool:
        conn = sqlite3.connect(self.path, timeout=0.2, isolation_level=None)
        try:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("ROLLBACK")
            return True
        except sqlite3.OperationalError:
            return False
        finally:
            conn.close()

    async def scalar(self, sql: str) -> int:
        return int((await self.rows(sql))[0][0] or 0)

    async def close(self) -> None:
        if self._pg is not None:
            await self._pg.close()
            self._pg = None


@dataclass
class ProcSample:
    """CPU seconds (user + system) of a process, all threads and its main thread (the event loop) alone,
    at a moment of wall-clock time."""

    wall: float
    cpu: float
    main: float = 0.0

    def cpu_percent_since(self, earlier: ProcSample) -> float:
        wall = self.wall - earlier.wall
        return 100.0 * (self.cpu - earlier.cpu) / wall if wall > 0 else float("nan")

    def main_percent_since(self, earlier: ProcSample) -> float:
        wall = self.wall - earlier.wall
        return 100.0 * (self.main - earlier.main) / wall if wall > 0 else float("nan")


def _stat_cpu(path: str) -> float:
    fields = Path(path).read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def proc_cpu(pid: int) -> float:
    return _stat_cpu(f"/proc/{pid}/stat")


def proc_sample(pid: int) -> ProcSample:
    return ProcSample(time.perf_counter(), proc_cpu(pid), _stat_cpu(f"/proc/{pid}/task/{pid}/stat"))


def proc_status_kib(pid: int, key: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{key}:"):
            return int(line.split()[1])
    return 0


def self_cpu() -> float:
    """CPU seconds of the load generator itself (every thread)."""
    times = os.times()
    return times.user + times.system


class FedicomServer:
    """One `fedicom serve` on a free loopback port with its own data dir and an empty database."""

    def __init__(self, database: Database, workdir: Path, *, env: dict[str, str] | None = None) -> None:
        self.database = database
        self.workdir = workdir
        self.data_dir = workdir / "data"
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.domain = f"127.0.0.1:{self.port}"
        self.base_url = f"http://{self.domain}"
        self.log_path = workdir / "server.log"
        self.extra_env = env or {}
        self.proc: asyncio.subprocess.Process | None = None
        self.worker: asyncio.subprocess.Process | None = None
        self._profilers: list[asyncio.subprocess.Process] = []
        self.profile_dir: Path | None = None
        self.command: list[str] = []

    @property
    def group_uri(self) -> str:
        return f"{self.base_url}/c/{COMMUNITY}"

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("FEDICOM_")}
        env.update(
            FEDICOM_DEV="1",
            FEDICOM_DOMAIN=self.domain,
            FEDICOM_DATA_DIR=str(self.data_dir),
            FEDICOM_DATABASE_URL=self.database.url(self.data_dir),
            FEDICOM_DEMO_COMMUNITY="0",
        )
        env.update(self.extra_env)
        return env

    async def prepare(self) -> None:
        """Empty database, schema migrated by `fedicom migrate` (as an operator would)."""
        await self.database.reset()
        proc = await asyncio.create_subprocess_exec(
            *fedicom_command(),
            "migrate",
            env=self.env(),
            cwd=self.workdir,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        out, _ = await proc.communicate()
        if proc.returncode != 0:
            raise RuntimeError(f"fedicom migrate failed:\n{out.decode(errors='replace')}")

    async def seed(self, members: list[SimActor], software: dict[str, str] | None = None) -> None:
        """The community and its members (and what software each member server runs, as if learned
        from its NodeInfo), written by `python -m bench.seed` before the server starts."""
        spec = json.dumps(
            {"community": COMMUNITY, "members": [m.document() for m in members], "software": software or {}}
        ).encode()
        env = {
            **self.env(),
            "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        }
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bench.seed",
            env=env,
            cwd=self.workdir,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        out, _ = await proc.communicate(spec)
        if proc.returncode != 0:
            raise RuntimeError(f"seeding failed:\n{out.decode(errors='replace')}")

    async def start(self, timeout: float = 60.0) -> None:
        self.command = [
            *fedicom_command(),
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--no-migrate",
        ]
        log = self.log_path.open("ab")
        try:
            self.proc = await asyncio.create_subprocess_exec(
                *self.command,
                env=self.env(),
                cwd=self.workdir,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        finally:
            log.close()
        _LIVE_GROUPS.add(self.proc.pid)
        deadline = time.monotonic() + timeout
        async with aiohttp.ClientSession() as session:
            while True:
                if self.proc.returncode is not None:
                    raise RuntimeError(
                        f"fedicom serve exited with {self.proc.returncode}:\n{self.log_tail()}"
                    )
                try:
                    async with session.get(f"{self.base_url}/.well-known/nodeinfo") as resp:
                        if resp.status == 200:
                            return
                except aiohttp.ClientError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(
                        f"fedicom serve did not answer within {timeout:g} s:\n{self.log_tail()}"
                    )
                await asyncio.sleep(0.1)

    async def start_worker(self) -> None:
        """A `fedicom worker` beside the server (for FEDICOM_DELIVERY=external), in its own process group."""
        log = self.log_path.open("ab")
        try:
            self.worker = await asyncio.create_subprocess_exec(
                *fedicom_command(),
                "worker",
                env=self.env(),
                cwd=self.workdir,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        finally:
            log.close()
        _LIVE_GROUPS.add(self.worker.pid)
        if self.profile_dir is not None:
            await self.start_profile(self.profile_dir / f"{self.workdir.name}-worker.txt", self.worker.pid)

    def pause_worker(self, pause: bool = True) -> None:
        """SIGSTOP (or SIGCONT) the worker, so work can be queued while it is warm but idle."""
        if self.worker is not None:
            os.killpg(self.worker.pid, signal.SIGSTOP if pause else signal.SIGCONT)

    def worker_sample(self) -> ProcSample:
        assert self.worker is not None
        return proc_sample(self.worker.pid)

    async def group_key(self) -> tuple[str, str]:
        """(keyId, public key PEM) of the community, fetched from its actor document like a peer would."""
        headers = {"Accept": "application/activity+json"}
        async with aiohttp.ClientSession() as session, session.get(self.group_uri, headers=headers) as resp:
            resp.raise_for_status()
            doc = json.loads(await resp.read())
        return doc["publicKey"]["id"], doc["publicKey"]["publicKeyPem"]

    def sample(self) -> ProcSample:
        return proc_sample(self.pid)

    def peak_rss_mib(self) -> float:
        return proc_status_kib(self.pid, "VmHWM") / 1024

    def rss_mib(self) -> float:
        return proc_status_kib(self.pid, "VmRSS") / 1024

    def log_tail(self, lines: int = 30) -> str:
        if not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def log_problems(self) -> int:
        """Lines the server logged at ERROR or worse (tracebacks count once)."""
        if not self.log_path.exists():
            return 0
        text = self.log_path.read_text(errors="replace")
        return sum(1 for line in text.splitlines() if " ERROR " in line or " CRITICAL " in line)

    async def start_profile(self, output: Path, pid: int | None = None) -> None:
        """Sample a process (default: the server) with py-spy, as raw collapsed stacks, until `stop`."""
        spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
        if not Path(spy).exists():
            return
        self._profilers.append(
            await asyncio.create_subprocess_exec(
                spy,
                "record",
                "--pid",
                str(pid or self.pid),
                "--format",
                "raw",
                "--rate",
                "100",
                "--nonblocking",
                *PY_SPY_EXTRA,
                "-o",
                str(output),
                stdout=asyncio.subprocess.DEVNULL,
                stderr=asyncio.subprocess.DEVNULL,
            )
        )

    async def stop_profiles(self) -> None:
        profilers, self._profilers = self._profilers, []
        for profiler in profilers:
            with contextlib.suppress(ProcessLookupError):
                profiler.send_signal(signal.SIGINT)
            try:
                await asyncio.wait_for(profiler.wait(), timeout=30)
            except TimeoutError:
                profiler.kill()
                await profiler.wait()

    async def stop(self) -> None:
        """SIGTERM to the worker's and the server's process groups, SIGKILL after 15 s."""
        await self.stop_profiles()
        worker, self.worker = self.worker, None
        proc, self.proc = self.proc, None
        for process in (worker, proc):
            if process is not None:
                await _terminate(process)


async def _terminate(proc: asyncio.subprocess.Process) -> None:
    """SIGTERM to the process group (woken first if it was paused), SIGKILL after 15 s."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGCONT)
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        await asyncio.wait_for(proc.wait(), timeout=15)
    except TimeoutError:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        await proc.wait()
    _LIVE_GROUPS.discard(proc.pid)
