"""Simulated fediverse servers for the load generator: many loopback ports in one process.

Each port is a lean HTTP/1.1 server (asyncio protocol + httptools, keep-alive) that serves actor
documents on GET and, on POST, checks the draft-cavage signature and Digest against the keys it
trusts, then records the delivery. Lean on purpose: the generator shares the machine's cores with
the server under test, so every microsecond spent here is taken from the measurement.
"""

from __future__ import annotations

import asyncio
import json
import socket
import time
from collections import Counter
from dataclasses import dataclass, field
from functools import partial
from typing import Any, cast

import httptools

from fedicom.activitypub.signatures import IncomingRequest, signature_key_id, verify_request

_REASONS = {
    200: "OK",
    202: "Accepted",
    401: "Unauthorized",
    404: "Not Found",
    405: "Method Not Allowed",
    500: "Internal Server Error",
}
# How a simulated server treats POSTs: answers them, fails them (500), or reads them and never
# answers (a hung server); a "closed" server has no listener, so connections are refused.
MODES = ("ok", "error", "hang", "closed")


@dataclass
class Arrival:
    """One POST a simulated server accepted, in arrival order."""

    port: int
    path: str
    at: float
    activity: dict[str, Any] | None


@dataclass
class Recorder:
    """What the simulated servers received; shared by every port of a `SimServers`.

    `trusted` maps keyId -> public key PEM: a POST signed by any other key, or whose signature or
    Digest does not verify, is answered 401 and counted in `rejected`.
    """

    verify: bool = True
    keep_payloads: bool = False
    trusted: dict[str, str] = field(default_factory=dict)
    arrivals: list[Arrival] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    by_path: Counter[str] = field(default_factory=Counter)
    count: int = 0
    first_at: float | None = None
    last_at: float | None = None
    _changed: asyncio.Event = field(default_factory=asyncio.Event)

    def reset(self) -> None:
        """Forget everything received so far (before a new round)."""
        self.arrivals.clear()
        self.rejected.clear()
        self.by_path.clear()
        self.count = 0
        self.first_at = self.last_at = None

    def check(self, port: int, path: str, headers: dict[str, str], body: bytes) -> str | None:
        """None when the request is accepted, else the reason it is refused."""
        if not self.verify:
            return None
        req = IncomingRequest(method="POST", url=f"http://127.0.0.1:{port}{path}", headers=headers, body=body)
        try:
            key_id = signature_key_id(req)
            pem = self.trusted.get(key_id)
            if pem is None:
                return f"untrusted keyId {key_id}"
            verify_request(req, pem)
        except Exception as exc:
            return f"{type(exc).__name__}: {exc}"
        return None

    def record(self, port: int, path: str, body: bytes) -> None:
        now = time.perf_counter()
        activity = json.loads(body) if self.keep_payloads else None
        self.arrivals.append(Arrival(port, path, now, activity))
        self.by_path[path] += 1
        self.count += 1
        if self.first_at is None:
            self.first_at = now
        self.last_at = now
        self._changed.set()

    def refuse(self, reason: str) -> None:
        self.rejected.append(reason)
        self._changed.set()

    async def wait_for(self, total: int, *, timeout: float, stall: float | None = None) -> bool:
        """Wait until `total` deliveries (accepted or refused) arrived; False on timeout or stall."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        last_progress, last_seen = loop.time(), -1
        while self.count + len(self.rejected) < total:
            now = loop.time()
            seen = self.count + len(self.rejected)
            if seen != last_seen:
                last_progress, last_seen = now, seen
            if now >= deadline or (stall is not None and now - last_progress > stall):
                return False
            self._changed.clear()
            try:
                await asyncio.wait_for(self._changed.wait(), timeout=0.25)
            except TimeoutError:
                pass
        return True


class _Protocol(asyncio.Protocol):
    """HTTP/1.1 on one accepted connection; requests are answered in order (no pipelining needed)."""

    def __init__(self, server: SimServer) -> None:
        self.server = server
        self.parser = httptools.HttpRequestParser(self)
        self.transport: asyncio.Transport | None = None
        self._url = b""
        self._headers: dict[str, str] = {}
        self._body: list[bytes] = []

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's transports are not subclasses
        self.server.connections.add(self.transport)

    def connection_lost(self, exc: Exception | None) -> None:
        if self.transport is not None:
            self.server.connections.discard(self.transport)
            self.transport = None

    def data_received(self, data: bytes) -> None:
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError:
            if self.transport:
                self.transport.close()

    def on_message_begin(self) -> None:
        self._url, self._headers, self._body = b"", {}, []

    def on_url(self, url: bytes) -> None:
        self._url += url

    def on_header(self, name: bytes, value: bytes) -> None:
        key = name.decode("latin-1")
        text = value.decode("latin-1")
        self._headers[key] = f"{self._headers[key]}, {text}" if key in self._headers else text

    def on_body(self, body: bytes) -> None:
        self._body.append(body)

    def on_message_complete(self) -> None:
        method = self.parser.get_method().decode()
        keep_alive = self.parser.should_keep_alive()
        if method == "POST" and self.server.mode != "ok":
            self.server.failed_posts += 1
            if self.server.mode == "hang":
                return  # the connection stays open and silent until the client gives up
            self._send(b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n", keep_alive)
            return
        status, payload = self.server.handle(method, self._url.decode(), self._headers, b"".join(self._body))
        reason = _REASONS.get(status, "Unknown")
        connection = "" if keep_alive else "Connection: close\r\n"
        head = (
            f"HTTP/1.1 {status} {reason}\r\nContent-Type: application/activity+json\r\n"
            f"Content-Length: {len(payload)}\r\n{connection}\r\n"
        ).encode()
        response = head + payload
        if method == "POST" and self.server.delay > 0:
            asyncio.get_running_loop().call_later(self.server.delay, self._send, response, keep_alive)
        else:
            self._send(response, keep_alive)

    def _send(self, response: bytes, keep_alive: bool) -> None:
        if self.transport is None or self.transport.is_closing():
            return
        self.transport.write(response)
        if not keep_alive:
            self.transport.close()


@dataclass
class SimServer:
    """One simulated server (one port): GET serves `documents`, POST is checked and recorded."""

    recorder: Recorder
    delay: float = 0.0
    port: int = 0
    mode: str = "ok"
    failed_posts: int = 0  # POSTs answered 500 or left hanging
    reserved: socket.socket | None = None  # holds a "closed" server's port
    documents: dict[str, bytes] = field(default_factory=dict)
    connections: set[asyncio.Transport] = field(default_factory=set)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def handle(self, method: str, target: str, headers: dict[str, str], body: bytes) -> tuple[int, bytes]:
        path = target.split("?", 1)[0]
        if method == "GET":
            doc = self.documents.get(path)
            return (200, doc) if doc is not None else (404, b'{"error":"not found"}')
        if method != "POST":
            return 405, b'{"error":"method not allowed"}'
        reason = self.recorder.check(self.port, target, headers, body)
        if reason is not None:
            self.recorder.refuse(reason)
            return 401, json.dumps({"error": reason}).encode()
        self.recorder.record(self.port, path, body)
        return 202, b""


class SimServers:
    """Opens simulated servers on loopback ports; `close()` stops them all."""

    def __init__(self) -> None:
        self.servers: list[SimServer] = []
        self._listeners: list[asyncio.Server] = []

    async def open(
        self, count: int, recorder: Recorder, *, delay: float = 0.0, mode: str = "ok"
    ) -> list[SimServer]:
        """`count` new servers sharing `recorder`, each on its own free port (not listening if "closed")."""
        assert mode in MODES, mode
        opened = []
        for _ in range(count):
            sim = SimServer(recorder, delay=delay, mode=mode)
            if mode == "closed":
                sim.reserved = _reserve_port()
                sim.port = sim.reserved.getsockname()[1]
            else:
                await self.listen(sim)
            opened.append(sim)
        self.servers.extend(opened)
        return opened

    async def listen(self, sim: SimServer, port: int = 0) -> None:
        """Start accepting connections for `sim` (on its own port again when it was closed)."""
        loop = asyncio.get_running_loop()
        listener = await loop.create_server(
            partial(_Protocol, sim), "127.0.0.1", port or sim.port, backlog=512, reuse_address=True
        )
        sim.port = listener.sockets[0].getsockname()[1]
        self._listeners.append(listener)

    async def recover(self, sims: list[SimServer]) -> None:
        """Broken servers come back: they answer again, closed ones listen on their old port, hung
        connections are dropped (their clients see the reset and retry)."""
        for sim in sims:
            if sim.reserved is not None:
                sim.reserved.close()
                sim.reserved = None
                await self.listen(sim)
            elif sim.mode == "hang":
                for transport in list(sim.connections):
                    transport.close()
            sim.mode = "ok"

    async def close(self) -> None:
        for listener in self._listeners:
            listener.close()
        for sim in self.servers:
            for transport in list(sim.connections):
                transport.close()
            if sim.reserved is not None:
                sim.reserved.close()
        self._listeners.clear()
        self.servers.clear()


def _reserve_port() -> socket.socket:
    """A bound socket that does not listen: connections to its port are refused, and no other
    server can take the port meanwhile."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock
