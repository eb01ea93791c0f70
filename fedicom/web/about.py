"""The about page: what this server is, its rules, whom to contact, whom it does not federate with."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from fedicom.groups.authors import web_url
from fedicom.groups.pages import render
from fedicom.moderation.public_list import public_blocks


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
    settings = request.app.state.settings
    text, href = contact_link(settings.contact)
    listings = await request.app.state.directory.listings()
    return render(
        request,
        "about.html",
        {
            "rules": settings.instance_rules,
            "contact": text,
            "contact_href": href,
            "blocks": await public_blocks(),
            "communities": len(listings),
            "domain": request.app.state.site.domain,
        },
    )


routes = [Route("/about", about)]
