"""CSRF protection for forms, signed-in or anonymous: a signed double-submit cookie.

The browser keeps a random nonce in a cookie (`__Host-` prefixed over https, so a sibling subdomain
cannot plant one); each form carries HMAC(FEDICOM_SECRET_KEY, nonce). Another site can make a browser
send the cookie but can neither read it nor compute the token. Requests whose Origin names another
site, or that the browser marks as cross-site, are refused before the token is even looked at.

Use: `token = csrf.token(request)` when rendering a form (as the `csrf_token` field), then
`csrf.persist(request, response)`; on POST, `csrf.verify(request, form)` raises Forbidden.
"""

from __future__ import annotations

import hmac
import re
import secrets
from collections.abc import Mapping
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import Response

from fedicom.errors import Forbidden
from fedicom.web.signing import mac, purpose_key

FIELD = "csrf_token"
COOKIE_SECONDS = 7 * 24 * 3600
_NONCE_RE = re.compile(r"^[A-Za-z0-9_-]{32,64}$")
EXPIRED = "the form has expired or did not come from this site: reload the page and send it again"


class Csrf:
    def __init__(self, secret: str, *, base_url: str) -> None:
        self._key = purpose_key(secret, "csrf")
        parts = urlsplit(base_url)
        self.origin = f"{parts.scheme}://{parts.netloc}"
        self.secure = parts.scheme == "https"
        self.cookie = "__Host-fedicom-csrf" if self.secure else "fedicom-csrf"

    def _sign(self, nonce: str) -> str:
        return mac(self._key, nonce.encode())

    def _nonce(self, request: Request) -> str | None:
        value = request.cookies.get(self.cookie, "")
        return value if _NONCE_RE.match(value) else None

    def token(self, request: Request) -> str:
        """The token for forms on this response; a new nonce is made (and later set) when needed."""
        nonce = self._nonce(request) or getattr(request.state, "csrf_nonce", None)
        if nonce is None:
            nonce = secrets.token_urlsafe(32)
            request.state.csrf_nonce = nonce
        return self._sign(nonce)

    def persist(self, request: Request, response: Response) -> Response:
        """Set the cookie when `token` made a new nonce; such a response is the visitor's own."""
        nonce = getattr(request.state, "csrf_nonce", None)
        if nonce is not None:
            response.set_cookie(
                self.cookie,
                nonce,
                max_age=COOKIE_SECONDS,
                path="/",
                secure=self.secure,
                httponly=True,
                samesite="lax",
            )
            response.headers["Cache-Control"] = "private, no-store"
        return response

    def verify(self, request: Request, form: Mapping[str, object]) -> None:
        """Raise Forbidden unless the request comes from our own page with a valid token."""
        origin = request.headers.get("origin")
        if origin is not None and origin != self.origin:
            raise Forbidden(f"forms of this site are sent from {self.origin}, not from {origin}")
        if request.headers.get("sec-fetch-site") == "cross-site":
            raise Forbidden("this form cannot be sent from another site")
        nonce = self._nonce(request)
        sent = form.get(FIELD)
        if nonce is None or not isinstance(sent, str) or not hmac.compare_digest(self._sign(nonce), sent):
            raise Forbidden(EXPIRED)
