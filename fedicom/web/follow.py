"""Follow from your server: the page where a visitor types their handle and is sent home to follow.

POST looks their server up (WebFinger, through the federation fetcher: timeouts, no private
addresses outside development) and answers 303 to its follow page; when the server offers none, the
page explains how to follow from the main fediverse apps.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from fedicom.activitypub.remote_interaction import discover
from fedicom.errors import FedicomError
from fedicom.http import read_form
from fedicom.web.appstate import app_state
from fedicom.web.community import community_context
from fedicom.web.templating import render

HANDLE_FIELD = "handle"
MAX_HANDLE = 300
# NodeInfo software names → the instructions on the page that fit them
FAMILIES = {
    "mastodon": "mastodon",
    "hometown": "mastodon",
    "lemmy": "lemmy",
    "mbin": "mbin",
    "kbin": "mbin",
    "piefed": "piefed",
    "misskey": "misskey",
    "sharkey": "misskey",
    "firefish": "misskey",
    "iceshrimp": "misskey",
    "cherrypick": "misskey",
    "friendica": "friendica",
}


async def follow_page(request: Request) -> Response:
    state = app_state(request)
    groups = state.groups
    group = await groups.group(request.path_params["name"])
    context = await community_context(request, group)
    context.update(typed="", error=None, interaction=None, family=None)
    if request.method == "GET":
        return render(request, "follow.html", context)
    status = 200
    try:
        form = await read_form(request)
        state.csrf.verify(request, form)
        state.limits.follow.check(request.client.host if request.client else "")
        typed = str(form.get(HANDLE_FIELD, ""))[:MAX_HANDLE]
        context["typed"] = typed.strip()
        interaction = await discover(groups.fed.fetcher, typed, context["uri"], allow_http=state.settings.dev)
    except FedicomError as exc:
        context["error"], status = exc.reason, exc.status
    else:
        if interaction.url is not None:
            return RedirectResponse(interaction.url, status_code=303)
        context["interaction"] = interaction
        context["family"] = FAMILIES.get(interaction.software or "", "other")
    return render(request, "follow.html", context, status=status)


routes = [Route("/c/{name}/follow", follow_page, methods=["GET", "POST"])]
