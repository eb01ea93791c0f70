"""A scheduled post comes out exactly once with `fedicom serve` and two `fedicom worker` processes
sharing the database, as an operator who grew runs them (real processes, real commands)."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.fedicom_proc import COMMUNITY, Database, FedicomServer, Probe, _terminate, fedicom_command
from tests.support.db import backend, postgres_url

DUE_IN = 25.0  # seconds: the command and the three processes are up by then, even on a busy machine


async def command(server: FedicomServer, *args: str, stdin: bytes | None = None) -> str:
    proc = await asyncio.create_subprocess_exec(
        *fedicom_command(),
        *args,
        env=server.env(),
        cwd=server.workdir,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await proc.communicate(stdin)
    assert proc.returncode == 0, out.decode()
    return out.decode()


async def test_a_scheduled_post_comes_out_once_with_a_server_and_two_workers(tmp_path: Path) -> None:
    database = Database("postgres", postgres_url()) if backend() == "postgres" else Database("sqlite")
    server = FedicomServer(database, tmp_path, env={"FEDICOM_DELIVERY": "external"})
    workers = []
    try:
        await server.prepare()
        await server.seed([])
        await command(
            server, "staff", "create", "mia", "--admin", "--password-stdin", stdin=b"a long password\n"
        )
        at = (datetime.now(UTC) + timedelta(seconds=DUE_IN)).strftime("%Y-%m-%dT%H:%M:%S+0000")
        await command(
            server,
            "post",
            "create",
            COMMUNITY,
            "--author",
            "mia",
            "--title",
            "Exactly once",
            "--body",
            "Hello",
            "--at",
            at,
        )
        await server.start()
        for _ in range(2):
            await server.start_worker()
            assert server.worker is not None
            workers.append(server.worker)
            server.worker = None
        probe = Probe(database, server.data_dir)
        try:
            deadline = time.monotonic() + DUE_IN + 20
            while not await probe.scalar("SELECT COUNT(*) FROM post WHERE title = 'Exactly once'"):
                assert time.monotonic() < deadline, server.log_tail()
                await asyncio.sleep(0.2)
            await asyncio.sleep(3)  # time for a second publication, were there one
            assert await probe.scalar("SELECT COUNT(*) FROM post WHERE title = 'Exactly once'") == 1
            assert (
                await probe.scalar(
                    "SELECT COUNT(*) FROM job WHERE kind = 'publishing.scheduled' AND state = 'done'"
                )
                == 1
            )
            assert await probe.scalar("SELECT published FROM scheduled_post") == 1
        finally:
            await probe.close()
    finally:
        for worker in workers:
            await _terminate(worker)
        await server.stop()
        await database.drop()
