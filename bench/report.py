"""Results of the benchmarks: metrics with targets, the printed table and docs/performance.md."""

from __future__ import annotations

import math
import os
import platform
import statistics
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Literal


@dataclass
class Metric:
    """One measured quantity over the repeats of a scenario, and the target it is judged against.

    `goal="min"`: the median must reach the target (a rate); `goal="max"`: it must not exceed it (errors).
    Metrics without a target are shown for explanation only.
    """

    name: str
    unit: str
    values: list[float]
    target: float | None = None
    goal: Literal["min", "max"] = "min"
    digits: int = 1

    @property
    def median(self) -> float:
        return statistics.median(self.values) if self.values else math.nan

    @property
    def ratio(self) -> float | None:
        """How far the median is from the target; above 1 is better than the target in both directions."""
        if self.target is None or not self.values or math.isnan(self.median):
            return None
        if self.goal == "min":
            return self.median / self.target if self.target else None
        if self.median == 0:
            return None
        return self.target / self.median if self.target else None

    @property
    def verdict(self) -> str:
        if self.target is None:
            return ""
        if not self.values or math.isnan(self.median):
            return "n/a"
        ok = self.median >= self.target if self.goal == "min" else self.median <= self.target
        return "pass" if ok else "MISS"

    def fmt(self, value: float | None) -> str:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return "-"
        if self.digits == 0:
            return f"{value:,.0f}"
        return f"{value:,.{self.digits}f}"

    def target_text(self) -> str:
        if self.target is None:
            return ""
        return f"{'≥' if self.goal == 'min' else '≤'} {self.fmt(self.target)}"


@dataclass
class ScenarioResult:
    """What one scenario produced on one database."""

    key: str
    title: str
    database: str
    metrics: list[Metric] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    error: str | None = None

    @property
    def runs(self) -> int:
        return max((len(m.values) for m in self.metrics), default=0)

    def add(self, metric: Metric) -> Metric:
        self.metrics.append(metric)
        return metric


HEADER = ("scenario", "metric", "median", "min", "max", "target", "ratio", "verdict")


def rows_of(results: list[ScenarioResult]) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = []
    for result in results:
        label = f"{result.title} (n={result.runs})"
        if result.error:
            rows.append((label, "crashed", "-", "-", "-", "", "", result.error.splitlines()[0][:80]))
            continue
        for i, m in enumerate(result.metrics):
            ratio = m.ratio
            rows.append(
                (
                    label if i == 0 else "",
                    f"{m.name} ({m.unit})" if m.unit else m.name,
                    m.fmt(m.median),
                    m.fmt(min(m.values)) if m.values else "-",
                    m.fmt(max(m.values)) if m.values else "-",
                    m.target_text(),
                    f"{ratio:.2f}x" if ratio is not None else "",
                    m.verdict,
                )
            )
    return rows


def markdown_table(results: list[ScenarioResult]) -> str:
    rows = rows_of(results)
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(HEADER)]

    def line(cells: tuple[str, ...]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    out = [line(HEADER), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    out += [line(r) for r in rows]
    return "\n".join(out)


def _package(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "not installed"


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _mem_gib() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    return "unknown"


def _os_name() -> str:
    try:
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                return line.split("=", 1)[1].strip('"')
    except OSError:
        pass
    return platform.system()


LIBRARIES = (
    "uvicorn",
    "starlette",
    "aiohttp",
    "tortoise-orm",
    "aiosqlite",
    "asyncpg",
    "cryptography",
    "uvloop",
)


def revision(root: Path) -> str:
    """The commit checked out, read from .git without running git (the working tree may differ)."""
    git = root / ".git"
    try:
        head = (git / "HEAD").read_text().strip()
        if not head.startswith("ref: "):
            return head[:12]
        ref = head.removeprefix("ref: ")
        if (git / ref).exists():
            return (git / ref).read_text().strip()[:12]
        for line in (git / "packed-refs").read_text().splitlines():
            if line.endswith(f" {ref}"):
                return line.split()[0][:12]
    except OSError:
        pass
    return "unknown"


def machine_lines(postgres_version: str | None) -> list[str]:
    load1, load5, _ = os.getloadavg()
    lines = [
        f"- CPU: {os.cpu_count()} cores ({_cpu_model()}), memory {_mem_gib()}",
        f"- OS: {_os_name()}, kernel `{platform.release()}` (uname -r)",
        f"- Python {platform.python_version()}; "
        + ", ".join(f"{name} {_package(name)}" for name in LIBRARIES),
        f"- load average when the run started: {load1:.2f} (1 min), {load5:.2f} (5 min)",
    ]
    if postgres_version:
        lines.append(f"- PostgreSQL: {postgres_version}")
    return lines


METHOD = """\
- **Server under test**: `fedicom serve --host 127.0.0.1 --port P --no-migrate`, a subprocess in its own
  process group (working directory: its temporary data dir, so no `.env` is picked up) with `FEDICOM_DEV=1`,
  `FEDICOM_DOMAIN=127.0.0.1:P`, `FEDICOM_DATA_DIR=<tmp>`, `FEDICOM_DATABASE_URL=<SQLite file in the data dir
  | the PostgreSQL bench database>`, `FEDICOM_DEMO_COMMUNITY=0`, and default delivery settings (inline
  delivery, 256 in flight, at most 128 per server, adaptively). Every server gets a fresh data dir and an
  empty database migrated by `fedicom migrate`. On PostgreSQL the benchmark uses a database of its own,
  `<name>_bench`, beside the given URL (schema dropped and recreated for each server, database dropped at
  the end), so test runs on the same PostgreSQL are never disturbed.
- **Seeding** (not timed; `python -m bench.seed`, through fedicom's own models, before the server starts):
  the community `bench` (`create_community`: open, members post) and every member as a fresh `RemoteActor`
  row with its public key plus an accepted `Membership` whose inbox is the member's shared inbox; in (a) and
  (d) also what software each member server runs (a `remote_server` row, as learned from its NodeInfo). No
  flow under test therefore fetches an actor or NodeInfo; follow/accept is not what is measured.
- **Load generator**: one process (uvloop), apart from the server, so `server CPU` (from `/proc/<pid>/stat`,
  all threads; 100 % = one core) and peak RSS (`VmHWM`) are the server's alone. Member servers are lean
  HTTP/1.1 servers (asyncio protocol + httptools, keep-alive), one loopback port each. Where noted they
  check every POST as a real peer does: the draft-cavage signature against the community's key (fetched
  once from the group actor URL), the Digest against the body, the Date window; a failure is answered 401
  and counted. Inbound activities are built and signed before the clock starts and POSTed over a pool of
  keep-alive connections (aiohttp).
- **Warm-up**: in (b) and (d) one post is sent and delivered before the clock starts, so a cold server's
  one-off costs (parsing the community's private key, opening connections) are not counted; (a) shows the
  cold first round as its own row.
- **(a) Fan-out**: one member POSTs a signed `Create{Note}` to the group inbox; half the member servers
  run Lemmy, half Mastodon, so the group sends `Announce{Create}` to the first and `Announce{object URI}`
  to the others, one POST per member server's shared inbox (N deliveries; one more if the server also
  sends the boost to the author's own inbox: the count queued by the server, read from its database, is
  what the member servers must receive). Time runs from sending the POST to the last verified delivery;
  servers/s = member servers that received it / that time, deliveries/s = deliveries / that time.
  Repeated with a fresh post on the same server (the first round is on a cold server).
- **(b) Inbox ingestion**: distinct `Create{Note}` activities from 100 member actors, 64 concurrent
  keep-alive connections to the group inbox. accepted/s = 202 answers / time from the first send to the
  last answer (a 202 means the activity is committed). Then the benchmark polls the database (read-only)
  until there is one `outgoing_activity` Announce wrapping a Create per activity ("processed"), and the
  members' server counts every delivery the server queued for them (no signature checks there, to spare
  the shared CPU). Each run on a fresh server.
- **(c) Peak memory**: `VmHWM` of the server process at the end of each scenario (a fresh process each).
- **(d) Slow member server**: one member server answers every POST after 200 ms (it records arrival order
  and verifies every signature); the author lives on another, fast server. N Creates, then N Updates of the
  same N objects, are POSTed to the group inbox; the slow server runs Lemmy and receives `Announce{Create}`
  and `Announce{Update}` for each object (2N deliveries, each an activity). An order violation is an
  object whose `Announce{Update}` arrived before its `Announce{Create}`. Two modes, each on a fresh server:
  *inline* (the default: the server delivers while it processes its inbox; rate = deliveries to the slow
  server / time from the first POST to the last delivery) and *drain* (`FEDICOM_DELIVERY=external` plus one
  `fedicom worker`: the warmed-up worker is paused with SIGSTOP, at a moment it holds no database lock,
  while everything is accepted and queued, then resumed; rate = deliveries / time from the resume to the
  last delivery). Drain isolates the delivery queue; inline includes the inbox processing rate of (b).
- **Noise**: the machine is shared (other sessions run test suites on the same 2 cores: see the load
  averages); timings are medians of the repeats shown (n), with min and max beside them. The load generator
  shares the cores with the server (its CPU % is shown). Nothing here fails a build: a target missed is
  reported as MISS.
"""


HAND_WRITTEN = "<!-- Sections below were written by hand; `python -m bench` rewrites only what is above. -->"


def write_markdown(
    path: Path,
    *,
    command: str,
    results: dict[str, list[ScenarioResult]],
    started: datetime,
    seconds: float,
    machine: list[str],
) -> None:
    """docs/performance.md: machine, command, one table per database, notes, method; the sections
    written by hand below `HAND_WRITTEN` are kept."""
    out = [
        "# Performance",
        "",
        f"Generated by `{command}` on {started.astimezone(UTC):%Y-%m-%d %H:%M} UTC "
        f"(took {seconds / 60:.1f} min), fedicom commit `{revision(Path(__file__).resolve().parent.parent)}`",
        "plus whatever uncommitted changes the working tree held at the time.",
        "Regenerate with `python -m bench` (or `make bench`); `python -m bench --quick` is a smoke run.",
        "",
        "## Machine",
        "",
        *machine,
        "",
        "## Targets",
        "",
        "| scenario | target |",
        "|---|---|",
        "| (a) fan-out to 1,000 member servers | ≥ 2,000 servers/s, one signed POST each |",
        "| (b) inbox ingestion, SQLite | ≥ 2,000 verified activities/s durably accepted |",
        "| (c) peak memory | reported (VmHWM of the server) |",
        "| (d) one member server with 200 ms latency | ≥ 300 activities/s to it, per-object order kept |",
        "",
    ]
    for database, items in results.items():
        out += [f"## Results: {database}", "", markdown_table(items), ""]
        notes = [(r.title, n) for r in items for n in r.notes]
        if notes:
            out += ["Observations:", ""]
            out += [f"- {title}: {note}" for title, note in notes]
            out.append("")
    out += ["## Method", "", METHOD, HAND_WRITTEN]
    kept = path.read_text().partition(HAND_WRITTEN)[2] if path.exists() else ""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(out) + kept)
