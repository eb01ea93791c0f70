"""Errors answered as a page to browsers and as `{"error": reason}` JSON to everyone else."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from fedicom.http import error_response, wants_page
from fedicom.web.appstate import app_state

TITLES = {400: "That did not work", 403: "Not allowed", 404: "Not found", 405: "Not allowed", 410: "Gone"}


def error_answer(request: Request, status: int, reason: str) -> Response:
    if not wants_page(request):
        return error_response(status, reason)
    title = TITLES.get(status, "Something went wrong")
    context = {"status": status, "title": title, "reason": reason}
    return app_state(request).templates.TemplateResponse(request, "error.html", context, status_code=status)
