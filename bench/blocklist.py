"""(e) Importing a shared blocklist of 10,000 domains with `fedicom block import`, as an operator would.

Each run starts from an empty, migrated database with one admin, writes a Mastodon CSV (mostly
suspensions, some limits, some media rejections, like the well-known tier-0 lists) and times the
dry run, the import (the command's wall time, and the import itself as the command reports it,
clean-up job included) and a re-import where every entry is unchanged.
"""

from __future__ import annotations

import asyncio
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

from bench.fedicom_proc import ROOT, Database, FedicomServer, Probe, fedicom_command
from bench.report import Metric, ScenarioResult

if TYPE_CHECKING:
    from bench.scenarios import Context

DOMAINS = 10_000
RUNS = 3
TARGET_SECONDS = 10.0  # "in seconds, not minutes"
_ELAPSED = re.compile(r"in ([0-9.]+) s\.")
_SEED_ADMIN = (
    "import asyncio\n"
    "from fedicom import storage\n"
    "from fedicom.staff.accounts import create_staff\n"
    "from fedicom.settings import load_settings\n"
    "async def main():\n"
    "    await storage.open_db(load_settings())\n"
    "    try:\n"
    "        await create_staff('admin', 'a long password', is_admin=True)\n"
    "    finally:\n"
    "        await storage.close_db()\n"
    "asyncio.run(main())\n"
)


def blocklist_csv(n: int) -> str:
    """A Mastodon export of n domains: 80% suspend, 15% silence, 5% noop with reject_media."""
    rows = ["#domain,#severity,#reject_media,#reject_reports,#public_comment,#obfuscate"]
    for i in range(n):
        kind = i % 20
        severity, media = (
            ("noop", "true") if kind == 0 else ("silence", "false") if kind < 4 else ("suspend", "false")
        )
        hidden = str(i % 7 == 0).lower()
        rows.append(f"spam{i}.bad{i % 97}.example,{severity},{media},false,listed for abuse #{i},{hidden}")
    return "\n".join(rows) + "\n"


async def _command(server: FedicomServer, *args: str) -> tuple[float, str]:
    """Run a `fedicom` command against the server's database; (wall seconds, output)."""
    started = time.perf_counter()
    proc = await asyncio.create_subprocess_exec(
        *args,
        env={**server.env(), "COLUMNS": "120"},
        cwd=server.workdir,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await proc.communicate()
    elapsed = time.perf_counter() - started
    text = out.decode(errors="replace")
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(args[-4:])} failed:\n{text}")
    return elapsed, text


def _reported(text: str) -> float:
    found = _ELAPSED.search(text)
    if not found:
        raise RuntimeError(f"the import did not report its time:\n{text[-2000:]}")
    return float(found.group(1))


async def blocklist(ctx: Context, database: Database) -> ScenarioResult:
    workroot = ctx.workroot
    result = ScenarioResult("blocklist", f"(e) import a {DOMAINS:,}-domain blocklist", database.kind)
    dry, wall, inner, again, stored = [], [], [], [], []
    for run in range(RUNS):
        workdir = Path(tempfile.mkdtemp(prefix=f"blocklist-{database.kind}-{run}-", dir=workroot))
        server = FedicomServer(database, workdir)
        probe = Probe(database, server.data_dir)
        try:
            await server.prepare()
            await _command(server, sys.executable, "-c", _SEED_ADMIN)
            listing = workdir / "blocklist.csv"
            listing.write_text(blocklist_csv(DOMAINS))
            fedicom = fedicom_command()
            seconds, _ = await _command(server, *fedicom, "block", "import", str(listing), "--dry-run")
            dry.append(seconds)
            seconds, text = await _command(
                server, *fedicom, "block", "import", str(listing), "--source", "bench"
            )
            wall.append(seconds)
            inner.append(_reported(text))
            stored.append(float(await probe.scalar("SELECT count(*) FROM domain_block")))
            seconds, _ = await _command(
                server, *fedicom, "block", "import", str(listing), "--source", "bench"
            )
            again.append(seconds)
        finally:
            await probe.close()
            shutil.rmtree(workdir, ignore_errors=True)
    result.add(Metric("import: the command's wall time", "s", wall, TARGET_SECONDS, "max", digits=2))
    result.add(Metric("import: storing and clean-up, as reported", "s", inner, digits=2))
    result.add(Metric("dry run (parse and diff)", "s", dry, digits=2))
    result.add(Metric("re-import, every entry unchanged", "s", again, digits=2))
    result.add(Metric("blocks stored", "", stored, float(DOMAINS), "min", digits=0))
    result.notes.append(f"run from {ROOT}; each command's wall time includes starting Python and fedicom")
    return result
