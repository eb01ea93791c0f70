"""A real fedicom instance served by uvicorn on a loopback port, inside the test's event loop."""

from __future__ import annotations

import asyncio
import contextlib
import random
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import uvicorn
from starlette.applications import Starlette

from fedicom.activitypub.federation import Federation
from fedicom.app import create_app
from fedicom.groups.communities import Site, create_community
from fedicom.groups.context import Groups
from fedicom.groups.models import Group
from fedicom.media.store import FileStore
from fedicom.moderation.defederation import Defederation
from fedicom.settings import Settings
from fedicom.staff.accounts import name_reserved
from fedicom.web.appstate import app_state
from tests.support.db import make_settings


@dataclass
class Instance:
    settings: Settings
    app: Starlette
    server: uvicorn.Server
    task: asyncio.Task[None]
    bound: str = ""  # http://ADDRESS:PORT it listens on (the same as `base` unless a front serves it)

    @property
    def base(self) -> str:
        return self.settings.base_url

    @property
    def fed(self) -> Federation:
        return app_state(self.app).fed

    @property
    def groups(self) -> Groups:
        return app_state(self.app).groups

    @property
    def files(self) -> FileStore:
        return app_state(self.app).files

    @property
    def site(self) -> Site:
        return app_state(self.app).site

    @property
    def defed(self) -> Defederation:
        return app_state(self.app).defed

    async def community(self, name: str, **kw: Any) -> Group:
        return await create_community(self.fed.keys, self.site, name, **kw, reserved=name_reserved)

    async def stop(self) -> None:
        self.server.should_exit = True
        await self.task


def free_port(host: str = "127.0.0.1") -> int:
    """A port free now, below the kernel's ephemeral range, for a server started later: port-0 binds
    and outgoing connections take theirs from that range, so none of them can take this one first."""
    low = 32768
    with contextlib.suppress(OSError, ValueError):
        low = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    for _ in range(200):
        port = random.randrange(max(1024, low - 12_000), low)
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            try:
                sock.bind((host, port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port below the ephemeral range")


def free_socket(address: str = "127.0.0.1") -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # accepted connections inherit it: without it, Nagle and delayed ACKs stall each response 40 ms
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind((address, 0))
    return sock


async def start_instance(data_dir: Path, hostname: str = "127.0.0.1", **overrides: Any) -> Instance:
    """`hostname` names the instance in URLs: it listens there when that is a 127.x.y.z address, on
    127.0.0.1 otherwise (`localhost` resolves there)."""
    sock = free_socket(hostname if hostname.startswith("127.") else "127.0.0.1")
    port = sock.getsockname()[1]
    overrides.setdefault("domain", f"{hostname}:{port}")
    return await serve(make_settings(data_dir, **overrides), sock)


async def serve(settings: Settings, sock: socket.socket) -> Instance:
    """An instance on settings made elsewhere (a database of the test's own), listening on `sock`."""
    port = sock.getsockname()[1]
    app = create_app(settings)
    server = uvicorn.Server(uvicorn.Config(app, lifespan="on", log_level="warning", access_log=False))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    for _ in range(200):
        if server.started:
            break
        if task.done():
            task.result()
        await asyncio.sleep(0.02)
    return Instance(settings, app, server, task, bound=f"http://{sock.getsockname()[0]}:{port}")
