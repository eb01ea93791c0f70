"""ASGI middleware: a page view of a community (its page, a thread) counted for insights when a person's
browser got the HTML; nothing about the person is kept (insights/traffic.py)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from fedicom.errors import FedicomError
from fedicom.insights.traffic import PageViews, is_reader, source_of
from fedicom.web.appstate import app_state

COUNTED = re.compile(r"^/c/([a-z0-9_]{1,64})(?:/p/\d+)?/?$")


class CountViews:
    def __init__(self, app: ASGIApp, *, views: PageViews, own_host: str) -> None:
        self.app = app
        self.views = views
        self.own_host = own_host

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        match = COUNTED.match(scope.get("path", "")) if scope["type"] == "http" else None
        if match is None or scope["method"] != "GET":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        shown = False

        async def watch(message: Message) -> None:
            nonlocal shown
            if message["type"] == "http.response.start" and message["status"] == 200:
                kinds = [v for k, v in message.get("headers", []) if k.lower() == b"content-type"]
                shown = any(v.startswith(b"text/html") for v in kinds)
            await send(message)

        await self.app(scope, receive, watch)
        if shown and is_reader(headers.get("user-agent", "")):
            await self._count(scope, match.group(1), headers.get("referer", ""))

    async def _count(self, scope: Scope, name: str, referrer: str) -> None:
        state = app_state(scope["app"])
        if state.running is None:
            return
        try:
            group = await state.groups.group(name)
        except FedicomError:
            return
        self.views.seen(group, source_of(referrer, self.own_host), datetime.now(UTC))
