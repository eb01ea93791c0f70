"""A member's media server on loopback: good pictures, a page pretending to be a picture, a file too
large, one that never finishes, one that is gone; it counts every request, so tests can tell a cache
hit from a fetch."""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from collections.abc import AsyncIterator

from aiohttp import web

from tests.support.pictures import PAYLOAD, animated_gif, picture, with_gps

FAKE_PNG = b"<!doctype html><title>not a picture</title><script>alert(1)</script>" + PAYLOAD


class MediaServer:
    def __init__(self, huge_bytes: int = 3 * 1024 * 1024) -> None:
        self.hits: Counter[str] = Counter()
        self.base = ""
        self.slow_seconds = 30.0
        self._huge = b"\xff\xd8\xff" + b"\0" * huge_bytes  # a JPEG's first bytes, then far too many
        self._files = {
            "/photo.jpg": ("image/jpeg", with_gps("JPEG", (2400, 1800))),
            "/drawing.png": ("image/png", picture("PNG", (64, 48), color=(20, 120, 200))),
            "/spin.gif": ("image/gif", animated_gif()),
            "/fake.png": ("image/png", FAKE_PNG),
            "/huge.jpg": ("image/jpeg", self._huge),
        }
        self._runner: web.AppRunner | None = None

    def url(self, path: str) -> str:
        return self.base + path

    async def start(self, host: str = "127.0.0.3") -> str:
        app = web.Application()
        app.router.add_get("/slow.png", self._slow)
        app.router.add_get("/moved.png", self._moved)
        app.router.add_get("/{name}", self._file)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.2)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.base = f"http://{host}:{port}"
        return self.base

    async def stop(self) -> None:
        if self._runner:
            await self._runner.cleanup()

    async def _file(self, request: web.Request) -> web.StreamResponse:
        self.hits[request.path] += 1
        found = self._files.get(request.path)
        if found is None:
            return web.Response(status=404, text="gone")
        content_type, body = found
        return web.Response(body=body, content_type=content_type)

    async def _slow(self, request: web.Request) -> web.StreamResponse:
        """Headers at once, then a trickle that never ends: only a timeout stops it."""
        self.hits[request.path] += 1
        response = web.StreamResponse(headers={"Content-Type": "image/png"})
        await response.prepare(request)
        await response.write(picture("PNG")[:16])
        await asyncio.sleep(self.slow_seconds)
        return response

    async def _moved(self, request: web.Request) -> web.StreamResponse:
        self.hits[request.path] += 1
        raise web.HTTPFound("/drawing.png")


@contextlib.asynccontextmanager
async def media_server(host: str = "127.0.0.3") -> AsyncIterator[MediaServer]:
    server = MediaServer()
    await server.start(host)
    try:
        yield server
    finally:
        await server.stop()
