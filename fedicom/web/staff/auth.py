"""Signing staff in and out of the web UI, and the guard every staff page passes through.

The session cookie is HttpOnly, SameSite=Lax, `Secure` and `__Host-` prefixed over https; sign-in is
rate-limited per client address and per account name, and forms carry the CSRF token of web/csrf.py.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from urllib.parse import quote, urlsplit

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from fedicom.http import read_form
from fedicom.moderation.acting import Acting
from fedicom.notifications.inbox import unread_count
from fedicom.staff import sessions
from fedicom.staff.models import Staff
from fedicom.web.appstate import app_state
from fedicom.web.staff.layout import staff_form, staff_page

SIGN_IN = "/staff/sign-in"
HOME = "/staff"
WRONG = "the name or the password is wrong"
StaffHandler = Callable[[Request, Acting], Awaitable[Response]]


def cookie_name(request: Request) -> str:
    return "__Host-fedicom-staff" if app_state(request).csrf.secure else "fedicom-staff"


def client_address(request: Request) -> str:
    return request.client.host if request.client else ""


async def signed_in(request: Request) -> Staff | None:
    """The staff member this browser is signed in as, if any (cached on the request)."""
    if not hasattr(request.state, "staff"):
        secret = request.cookies.get(cookie_name(request), "")
        request.state.staff = await sessions.resolve(secret) if secret else None
    return request.state.staff  # type: ignore[no-any-return]


def staff_only(handler: StaffHandler) -> Callable[[Request], Awaitable[Response]]:
    """A staff page: signed-out visitors are sent to sign in (and brought back after)."""

    @functools.wraps(handler)
    async def endpoint(request: Request) -> Response:
        staff = await signed_in(request)
        if staff is None:
            back = request.url.path if request.method == "GET" else HOME
            return RedirectResponse(f"{SIGN_IN}?next={quote(back)}", status_code=303)
        if request.method == "GET":  # every staff page shows the count in its navigation
            request.state.unread = await unread_count(staff)
        state = app_state(request)
        return await handler(request, Acting(staff, state.groups, state.defed, state.settings, state.files))

    return endpoint


def local_target(value: str | None) -> str:
    """Where to go after signing in: only a staff page of this site, never another site."""
    if not value:
        return HOME
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or not value.startswith("/staff") or "\\" in value:
        return HOME
    return value


async def sign_in(request: Request) -> Response:
    target = local_target(request.query_params.get("next"))
    if request.method == "GET":
        if await signed_in(request) is not None:
            return RedirectResponse(target, status_code=303)
        return staff_page(request, "staff/sign_in.html", {"next": target, "username": ""})
    form = await read_form(request)
    app_state(request).csrf.verify(request, form)
    username = str(form.get("username", "")).strip().lower()[:64]
    password = str(form.get("password", ""))[:1024]
    target = local_target(str(form.get("next", "")))
    limits = app_state(request).limits
    limits.sign_in.check(client_address(request))
    limits.account.check(username)
    staff = await sessions.check_password(username, password) if username and password else None
    if staff is None:
        context = {"next": target, "username": username, "error": WRONG}
        return staff_page(request, "staff/sign_in.html", context, status=400)
    secret = await sessions.open_session(
        staff, address=client_address(request), user_agent=request.headers.get("user-agent", "")
    )
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        cookie_name(request),
        secret,
        max_age=int(sessions.LIFETIME.total_seconds()),
        path="/",
        secure=app_state(request).csrf.secure,
        httponly=True,
        samesite="lax",
    )
    return response


async def sign_out(request: Request) -> Response:
    await staff_form(request)
    secret = request.cookies.get(cookie_name(request), "")
    if secret:
        await sessions.close_session(secret)
    response = RedirectResponse(SIGN_IN, status_code=303)
    response.delete_cookie(
        cookie_name(request), path="/", secure=app_state(request).csrf.secure, httponly=True
    )
    return response


routes = [
    Route(SIGN_IN, sign_in, methods=["GET", "POST"]),
    Route("/staff/sign-out", sign_out, methods=["POST"]),
]
