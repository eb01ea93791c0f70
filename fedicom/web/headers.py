"""Security headers on every response, and a strict Content-Security-Policy on every page.

Pages load scripts, styles, fonts and images from this server only (no inline script or style
anywhere; members' pictures and avatars come through the media proxy, so visitors' browsers never
contact members' servers). Forms may lead to https servers because following from your own server
ends in a redirect to it. A page that sets a policy of its own keeps it (the embeddable widget,
web/invite.py, which any site may frame).
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send


def content_security_policy(*, dev: bool, media_origin: str | None = None) -> str:
    """The policy. Images come from this server only (members' pictures and avatars through its media
    proxy), or from the object store's public address when media are served from there."""
    remote = "https: http:" if dev else "https:"
    images = f"'self' {media_origin}" if media_origin else "'self'"
    return "; ".join(
        (
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            f"img-src {images}",
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
                    csp = headers.setdefault("Content-Security-Policy", self.csp)
                    if "frame-ancestors 'none'" in csp:  # not the widget, which other sites frame
                        headers.setdefault("X-Frame-Options", "DENY")  # for browsers without frame-ancestors
                    headers.setdefault("Referrer-Policy", "same-origin")
            await send(message)

        await self.app(scope, receive, send_with_headers)
