"""Security headers on every response, and a strict Content-Security-Policy on every page.

Pages load scripts, styles and fonts from this server only (no inline script or style anywhere);
images may also come from https servers, for remote avatars and pictures in posts. Forms may lead
to https servers because following from your own server ends in a redirect to it.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send


def content_security_policy(*, dev: bool) -> str:
    """The policy; development instances also allow plain http, as their peers use it."""
    remote = "https: http:" if dev else "https:"
    return "; ".join(
        (
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            f"img-src 'self' {remote}",
            "object-src 'none'",
            f"form-action 'self' {remote}",
            "base-uri 'none'",
            "frame-ancestors 'none'",
        )
    )


class SecurityHeaders:
    """ASGI middleware: adds the headers at the start of each response (streaming is untouched)."""

    def __init__(self, app: ASGIApp, *, csp: str) -> None:
        self.app = app
        self.csp = csp

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                if headers.get("content-type", "").startswith("text/html"):
                    headers.setdefault("Content-Security-Policy", self.csp)
                    headers.setdefault("X-Frame-Options", "DENY")  # for browsers without frame-ancestors
                    headers.setdefault("Referrer-Policy", "same-origin")
            await send(message)

        await self.app(scope, receive, send_with_headers)
