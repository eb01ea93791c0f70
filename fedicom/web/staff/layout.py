"""What every staff page shares: private, uncached answers; forms checked for size and CSRF; a notice
carried across the redirect after each action (post, redirect, get)."""

from __future__ import annotations

import base64
import hmac
from collections.abc import Awaitable
from typing import Any, TypeVar

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from fedicom.errors import BadRequest, FedicomError
from fedicom.http import SMALL_FORM, read_form
from fedicom.web.appstate import app_state
from fedicom.web.signing import mac, purpose_key
from fedicom.web.templating import render

FLASH = "fedicom-flash"
MAX_ID = 2**62  # larger numbers name no row (and would overflow the database's integers)
T = TypeVar("T")


def _sign(request: Request, payload: str) -> str:
    return mac(purpose_key(app_state(request).settings.secret_key, "flash"), payload.encode())[:32]


def _read_flash(request: Request) -> dict[str, str] | None:
    value = request.cookies.get(FLASH, "")
    payload, _, seal = value.rpartition(".")
    if not payload or not hmac.compare_digest(_sign(request, payload), seal):
        return None
    try:
        kind, _, text = base64.urlsafe_b64decode(payload.encode()).decode().partition("\n")
    except (ValueError, UnicodeDecodeError):
        return None
    return {"kind": kind, "text": text} if kind in ("done", "error") else None


def staff_page(request: Request, template: str, context: dict[str, Any], status: int = 200) -> Response:
    """A staff page: never cached or indexed; shows (then clears) the notice of the last action."""
    flash = _read_flash(request)
    staff = getattr(request.state, "staff", None)
    unread = getattr(request.state, "unread", 0)  # the staff member's unread notifications (see auth)
    response = render(
        request, template, {"flash": flash, "staff": staff, "unread": unread, **context}, status
    )
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    if flash is not None:
        response.delete_cookie(FLASH, path="/staff")
    return response


def done(request: Request, url: str, text: str, *, kind: str = "done") -> Response:
    """Redirect after an action (303), with a one-sentence notice shown on the next page."""
    payload = base64.urlsafe_b64encode(f"{kind}\n{text[:500]}".encode()).decode()
    response = RedirectResponse(url, status_code=303)
    response.set_cookie(
        FLASH,
        f"{payload}.{_sign(request, payload)}",
        max_age=60,
        path="/staff",
        secure=app_state(request).csrf.secure,
        httponly=True,
        samesite="lax",
    )
    return response


async def attempt(request: Request, url: str, action: Awaitable[T], success: str) -> Response:
    """Run a service call; redirect to `url` saying it worked, or why it was refused."""
    try:
        await action
    except FedicomError as exc:
        return done(request, url, exc.reason, kind="error")
    return done(request, url, success)


async def staff_form(
    request: Request, *, limit: int = SMALL_FORM, max_fields: int = 40, max_files: int = 0
) -> FormData:
    """The submitted form, bounded in size, from this site's own page (CSRF checked)."""
    form = await read_form(request, limit=limit, max_fields=max_fields, max_files=max_files)
    app_state(request).csrf.verify(request, form)
    return form


def form_text(form: FormData, name: str, limit: int, *, label: str | None = None) -> str:
    """A text field as typed, its line breaks as `\n`; a crafted one (too long, or with NUL: PostgreSQL
    cannot store it) is refused, never cut. Browsers send a line break as CRLF but count it as one
    character against `maxlength`, so it counts as one here too."""
    value = str(form.get(name, "")).replace("\r\n", "\n")
    label = label or name
    if len(value) > limit:
        raise BadRequest(f"the {label} is longer than {limit} characters")
    if "\x00" in value:
        raise BadRequest(f"the {label} cannot contain a NUL character")
    return value
