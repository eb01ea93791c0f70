"""Reading a submitted form with its size bounded before a byte of it is parsed."""

from __future__ import annotations

from starlette.datastructures import FormData
from starlette.requests import Request

from fedicom.errors import BadRequest, PayloadTooLarge

SMALL_FORM = 16 * 1024


async def read_form(
    request: Request, *, limit: int = SMALL_FORM, max_fields: int = 20, max_files: int = 0
) -> FormData:
    """The form of a POST; browsers always announce its length, and the server never reads past it."""
    declared = request.headers.get("content-length")
    if declared is None or not (declared.isascii() and declared.isdigit()):
        raise BadRequest("the form was sent without its length (Content-Length)", status=411)
    if int(declared) > limit:
        raise PayloadTooLarge(f"the form is larger than {limit} bytes")
    return await request.form(max_files=max_files, max_fields=max_fields, max_part_size=limit)
