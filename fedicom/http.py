"""HTTP helpers shared by every route: bounded bodies and forms, page numbers, AS2 responses,
content negotiation."""

from __future__ import annotations

import json
import re
from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from fedicom.errors import BadRequest, PayloadTooLarge

AS2_MEDIA = "application/activity+json"
MAX_PAGE = 10_000  # pages a person clicks through; a crawler's collections pass a larger maximum
_DIGITS = re.compile(r"[0-9]{1,7}")  # ASCII only: str.isdigit also takes "²", which int() refuses
_AS2_ACCEPTS = ("application/activity+json", "application/ld+json", "application/json")
SMALL_FORM = 16 * 1024


def page_number(request: Request, maximum: int = MAX_PAGE) -> int:
    """`?page=N`, 1 when absent; BadRequest unless N is ASCII digits from 1 to `maximum`."""
    raw = request.query_params.get("page", "1")
    if not _DIGITS.fullmatch(raw) or not 0 < int(raw) <= maximum:
        raise BadRequest(f"page must be a whole number from 1 to {maximum}")
    return int(raw)


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, refused with 413 past `limit` bytes (before reading it when announced)."""
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.isascii() or not declared.isdigit():
            raise BadRequest("the Content-Length header is invalid")
        if int(declared) > limit:
            raise PayloadTooLarge(f"the body is larger than {limit} bytes")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge(f"the body is larger than {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


async def read_form(
    request: Request, *, limit: int = SMALL_FORM, max_fields: int = 20, max_files: int = 0
) -> FormData:
    """The form of a POST, its size bounded before a byte of it is parsed: browsers always announce
    its length, and the server never reads past it."""
    declared = request.headers.get("content-length")
    if declared is None or not (declared.isascii() and declared.isdigit()):
        raise BadRequest("the form was sent without its length (Content-Length)", status=411)
    if int(declared) > limit:
        raise PayloadTooLarge(f"the form is larger than {limit} bytes")
    return await request.form(max_files=max_files, max_fields=max_fields, max_part_size=limit)


def wants_activity_json(request: Request) -> bool:
    """True when the client asks for ActivityPub JSON rather than a page."""
    accept = request.headers.get("accept", "").lower()
    if not accept:
        return False
    first_html = accept.find("text/html")
    positions = [accept.find(t) for t in _AS2_ACCEPTS if t in accept]
    if not positions:
        return False
    return first_html == -1 or min(positions) < first_html


def wants_page(request: Request) -> bool:
    """True when a browser asks: HTML named ahead of any ActivityPub type."""
    accept = request.headers.get("accept", "").lower()
    return "text/html" in accept and not wants_activity_json(request)


class ActivityResponse(Response):
    media_type = AS2_MEDIA

    def render(self, content: Any) -> bytes:
        return json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode()


def error_response(status: int, reason: str) -> JSONResponse:
    return JSONResponse({"error": reason}, status_code=status)


def cors(response: Response) -> Response:
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response
