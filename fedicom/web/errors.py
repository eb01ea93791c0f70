"""Errors answered as a page to browsers and as `{"error": reason}` JSON to everyone else."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from fedicom.http import error_response, wants_page

TITLES = {400: "That did not work", 403: "Not allowed", 404: "Not found", 405: "Not allowed", 410: "Gone"}


def error_answer(request: Request, status: int, reason: str) -> Response:
    templates = getattr(request.app.state, "templates", None)
    if templates is None or not wants_page(request):
        return error_response(status, reason)
    title = TITLES.get(status, "Something went wrong")
    context = {"status": status, "title": title, "reason": reason}
    return templates.TemplateResponse(request, "error.html", context, status_code=status)  # type: ignore[no-any-return]
