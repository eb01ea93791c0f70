"""Several machines' worth of processes of one instance: `serve` and `worker` processes sharing one
database, one domain and one secret key, as docs/multi-machine.md deploys them behind a proxy.

Each process runs in its own process group with its own data folder (nothing on disk is shared), so
killing one with SIGKILL is a machine losing it.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import signal
from pathlib import Path

from bench.fedicom_proc import COMMUNITY, Database, FedicomServer
from bench.peers import SimActor


class Cluster:
    def __init__(
        self,
        database: Database,
        workdir: Path,
        *,
        serves: int,
        workers: int,
        env: dict[str, str] | None = None,
    ) -> None:
        shared = {**(env or {}), "FEDICOM_SECRET_KEY": secrets.token_urlsafe(32)}
        first = FedicomServer(database, workdir / "serve0", env=shared)
        shared["FEDICOM_DOMAIN"] = first.domain  # every process is the same instance
        self.serves = [first] + [
            FedicomServer(database, workdir / f"serve{i}", env=shared) for i in range(1, serves)
        ]
        self.workers = [FedicomServer(database, workdir / f"worker{i}", env=shared) for i in range(workers)]

    @property
    def group_uri(self) -> str:
        return self.serves[0].group_uri

    def inboxes(self) -> list[str]:
        """The community's inbox on each serve process, as a load balancer would spread POSTs."""
        return [f"{s.base_url}/c/{COMMUNITY}/inbox" for s in self.serves]

    async def start(self, members: list[SimActor]) -> None:
        """A fresh database, migrated and seeded, then every process."""
        await self.serves[0].prepare()
        await self.serves[0].seed(members)
        await asyncio.gather(*(s.start() for s in self.serves))
        for worker in self.workers:
            await worker.start_worker()

    def pids(self) -> list[int]:
        return [s.pid for s in self.serves] + [w.worker.pid for w in self.workers if w.worker is not None]

    async def kill_serve(self, index: int) -> None:
        """SIGKILL a serve process, as when its machine dies, and wait until it is gone."""
        server = self.serves[index]
        assert server.proc is not None
        os.killpg(server.pid, signal.SIGKILL)
        await server.proc.wait()

    async def kill_worker(self, index: int) -> None:
        worker = self.workers[index].worker
        assert worker is not None
        os.killpg(worker.pid, signal.SIGKILL)
        await worker.wait()

    async def restart_serve(self, index: int) -> None:
        await self.serves[index].start()

    async def restart_worker(self, index: int) -> None:
        await self.workers[index].start_worker()

    async def stop(self) -> None:
        await asyncio.gather(*(p.stop() for p in [*self.serves, *self.workers]))
