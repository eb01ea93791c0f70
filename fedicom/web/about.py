"""The about page: what this server is, its rules, whom to contact, whom it does not federate with;
and the public list of blocked servers, as a page and as Mastodon's JSON endpoint."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from fedicom.groups.authors import web_url
from fedicom.moderation.public_list import public_blocks
from fedicom.web.appstate import app_state
from fedicom.web.templating import render


def contact_link(value: str) -> tuple[str, str | None]:
    """(text, href) for FEDICOM_CONTACT: an email address, a web address, or a fediverse handle."""
    value = value.strip()
    url = web_url(value)
    if url:
        return value, url
    if value.count("@") == 1 and not value.startswith("@") and " " not in value:
        return value, f"mailto:{value}"
    return value, None  # a handle (@admin@server) is shown to copy; no link would open it everywhere


async def about(request: Request) -> Response:
    state = app_state(request)
    settings = state.settings
    text, href = contact_link(settings.contact)
    listings = await state.directory.listings()
    return render(
        request,
        "about.html",
        {
            "rules": settings.instance_rules,
            "contact": text,
            "contact_href": href,
            "blocks": await public_blocks(),
            "communities": len(listings),
            "domain": state.site.domain,
        },
    )


async def blocked_page(request: Request) -> Response:
    return app_state(request).templates.TemplateResponse(
        request, "blocked.html", {"blocks": await public_blocks()}
    )


async def domain_blocks_json(_request: Request) -> Response:
    return JSONResponse([b.mastodon() for b in await public_blocks()])


routes = [
    Route("/about", about),
    Route("/about/blocked", blocked_page),
    Route("/api/v1/instance/domain_blocks", domain_blocks_json),
]
