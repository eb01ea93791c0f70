"""A second fedicom instance in its own process (`fedicom serve` on a loopback address, its own SQLite
database): the other end of a community's move. The test's own instance runs in-process; this one
cannot share its database or its ORM, so it runs apart, driven through the real `fedicom` command."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import aiohttp

from tests.support.servers import free_port

PASSWORD = "correct horse battery staple"


class FarInstance:
    def __init__(self, data_dir: Path, host: str) -> None:
        self.data_dir = data_dir
        self.host = host
        self.port = free_port(host)
        self.base = f"http://{host}:{self.port}"
        self.process: asyncio.subprocess.Process | None = None
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("FEDICOM_")},
            "FEDICOM_DATA_DIR": str(data_dir),
            "FEDICOM_DEV": "1",
            "FEDICOM_DOMAIN": f"{host}:{self.port}",
            "FEDICOM_DEMO_COMMUNITY": "0",
            "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
        }

    async def fedicom(self, *args: str, stdin: str | None = None) -> str:
        """Run `fedicom ARGS` against this instance's database; its output (AssertionError on failure)."""
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            "from fedicom.cli import run; run()",
            *args,
            env=self.env,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await proc.communicate(stdin.encode() if stdin is not None else None)
        text = out.decode()
        assert proc.returncode == 0, f"fedicom {' '.join(args)}: {text}{err.decode()}"
        return text

    def members(self, name: str) -> int:
        """Accepted members of a community there, read from its database (quicker than a command)."""
        conn = sqlite3.connect(f"file:{self.data_dir / 'fedicom.sqlite3'}?mode=ro", uri=True, timeout=10)
        try:
            sql = (
                "SELECT count(*) FROM membership m JOIN community c ON c.id = m.group_id "
                "WHERE c.name = ? AND m.state = 'accepted'"
            )
            return int(conn.execute(sql, (name,)).fetchone()[0])
        finally:
            conn.close()

    async def start(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        await self.fedicom("migrate")
        await self.fedicom("staff", "create", "ada", "--admin", "--password-stdin", stdin=PASSWORD + "\n")
        self.process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            "from fedicom.cli import run; run()",
            "serve",
            "--host",
            self.host,
            "--port",
            str(self.port),
            env=self.env,
            start_new_session=True,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )
        async with aiohttp.ClientSession() as session:
            for _ in range(300):
                try:
                    async with session.get(f"{self.base}/healthz") as resp:
                        if resp.status == 200:
                            return
                except aiohttp.ClientError:
                    pass
                await asyncio.sleep(0.1)
        raise AssertionError("the far instance did not start")

    async def stop(self) -> None:
        if self.process and self.process.returncode is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                await asyncio.wait_for(self.process.wait(), 10)
            except TimeoutError:
                os.killpg(self.process.pid, signal.SIGKILL)
                await self.process.wait()


@asynccontextmanager
async def far_instance(data_dir: Path, host: str = "127.0.0.4") -> AsyncIterator[FarInstance]:
    inst = FarInstance(data_dir, host)
    try:
        await inst.start()
        yield inst
    finally:
        await inst.stop()
