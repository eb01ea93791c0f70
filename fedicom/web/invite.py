"""A community's invite page and its embeddable widget.

`/c/NAME/invite` says what the community is about and how to join from any server, with its link and
QR code; `/c/NAME/invite/CODE` is an invite link of a private community: the visitor gives their handle,
which is resolved (WebFinger, through the federation fetcher) to the actor URI their Follow will carry,
and a pass is kept for it (invites/passes.py) before they are sent to their server to confirm.

`/c/NAME/widget` is framed by the brand's own site: no script, no cookie, its own stylesheet only, and
a Content-Security-Policy of its own that lets any site frame it (every other page refuses framing).
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from fedicom.activitypub.remote_interaction import discover
from fedicom.errors import BadRequest, FedicomError, NotFound
from fedicom.groups.browse import community_posts
from fedicom.groups.models import Group
from fedicom.http import read_form
from fedicom.invites.links import REFUSALS, InviteState, check_code, find_invite, invite_url, state_of
from fedicom.invites.models import Invite
from fedicom.invites.passes import Redeemed, redeem
from fedicom.web.appstate import app_state
from fedicom.web.community import community_context
from fedicom.web.follow import FAMILIES, HANDLE_FIELD, MAX_HANDLE
from fedicom.web.qr import qr_svg
from fedicom.web.templating import render

WIDGET_THREADS = 5
WIDGET_SECONDS = 300  # how long a framing site's visitors' browsers may keep the widget
# The widget's own policy: nothing but this server's stylesheets, no script, no form, any site may frame it
WIDGET_CSP = "; ".join(
    (
        "default-src 'none'",
        "style-src 'self'",
        "img-src 'self'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors *",
    )
)


async def _page(request: Request, group: Group, invite: Invite | None) -> dict[str, Any]:
    """What the invite page shows: the community, the invite's state, the link and its QR code."""
    state = app_state(request)
    context = await community_context(request, group)
    base = state.settings.base_url
    link = invite_url(base, group, invite.code) if invite else f"{base}/c/{group.name}/invite"
    shown = state_of(invite) if invite else None
    context.update(
        link=link,
        qr=qr_svg(link, f"QR code of the link {link}"),
        code=invite.code if invite else None,
        invite_open=shown == InviteState.ACTIVE and group.private,
        uses_left=None if invite is None or invite.max_uses is None else invite.max_uses - invite.uses,
        expires_at=invite.expires_at if invite else None,
        typed="",
        error=REFUSALS.get(shown) if shown else None,
        outcome=None,
        interaction=None,
        family=None,
    )
    return context


async def invite_page(request: Request) -> Response:
    group = await app_state(request).groups.group(request.path_params["name"])
    return render(request, "invite.html", await _page(request, group, None))


async def _invite_of(request: Request) -> tuple[Group, Invite]:
    group = await app_state(request).groups.group(request.path_params["name"])
    owner, invite = await find_invite(check_code(request.path_params["code"]))
    if owner.id != group.id:
        raise NotFound("there is no such invite link: check that it was copied whole")
    return group, invite


async def invite_link(request: Request) -> Response:
    """An invite link: GET shows it, POST takes the visitor's handle and keeps their pass."""
    group, invite = await _invite_of(request)
    context = await _page(request, group, invite)
    if request.method == "GET":
        return render(request, "invite.html", context)
    state = app_state(request)
    status = 200
    try:
        form = await read_form(request)
        state.csrf.verify(request, form)
        state.limits.follow.check(request.client.host if request.client else "")
        typed = str(form.get(HANDLE_FIELD, ""))[:MAX_HANDLE].strip()
        context["typed"] = typed
        if not context["invite_open"]:
            raise BadRequest(str(context["error"] or "this invite link lets nobody in"))
        interaction = await discover(
            state.groups.fed.fetcher, typed, context["uri"], allow_http=state.settings.dev
        )
        if interaction.actor is None:
            raise BadRequest(f"{interaction.handle.host} did not name the account of {typed}: try later")
        outcome = await redeem(state.groups, group, invite, interaction.actor)
    except FedicomError as exc:
        context["error"], status = exc.reason, exc.status
    else:
        context["error"] = None
        if outcome == Redeemed.PASS and interaction.url is not None:
            return RedirectResponse(interaction.url, status_code=303)
        context.update(outcome=outcome.value, interaction=interaction)
        context["family"] = FAMILIES.get(interaction.software or "", "other")
        context["uses_left"] = None if invite.max_uses is None else invite.max_uses - invite.uses
    return render(request, "invite.html", context, status=status)


async def widget(request: Request) -> Response:
    """The latest threads and a follow button, for an <iframe> on another site: no cookie is set (no
    form, so no CSRF token), and the page's policy lets any site frame it."""
    state = app_state(request)
    group = await state.groups.group(request.path_params["name"])
    context = await community_context(request, group)
    page = await community_posts(group, "new", 1, state.hot_ranks)
    context.update(base=state.settings.base_url, threads=page.posts[:WIDGET_THREADS])
    response = state.templates.TemplateResponse(request, "widget.html", context)
    response.headers["Content-Security-Policy"] = WIDGET_CSP
    response.headers["Cache-Control"] = f"public, max-age={WIDGET_SECONDS}"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


routes = [
    Route("/c/{name}/invite", invite_page, methods=["GET"]),
    Route("/c/{name}/invite/{code}", invite_link, methods=["GET", "POST"]),
    Route("/c/{name}/widget", widget, methods=["GET"]),
]
