"""The admin JSON API, mounted at /api/v1/admin, and its OpenAPI 3.1 document (/api/v1/admin/openapi.json).

Every request carries `Authorization: Bearer fdc_…` (an ApiToken, staff/tokens.py). Scopes are
nested (`read` < `moderate` < `admin`); a moderator's token acts only on communities they moderate.
Errors are `{"error": "one sentence"}` with 400, 401, 403, 404, 413 or 422. docs/staff-and-api.md.

How to add an endpoint (the route and its OpenAPI description both come from one declaration):

1. In the module of this package named for its subject (or a new one: add it to the import below),
   declare pydantic models for what it takes and answers. Path and query models subclass
   `params.Strict`; reuse `params.CommunityPath` / `IdPath` / `Name` where they fit.
2. Write the handler and register it:

       @api.endpoint("POST", "/communities/{name}/bans", summary="Ban an actor", scope="moderate",
                     tag="bans", path_model=CommunityPath, body=BanCreate, response=BanOut, status=201)
       async def bans_add(call: Call, path: CommunityPath, body: BanCreate) -> BanOut:
           # (its docstring becomes the operation's description in the OpenAPI document)
           group = await call.community(path.name)  # 403 unless the caller moderates it (admins do)
           ban = await ban_actor(call.ctx, group, body.actor, moderator=call.actor, ...)
           return BanOut(...)

   The handler takes `call` plus exactly the keywords declared (`path`, `query`, `body`); it calls
   one service function (never touching the Request) and returns the declared response type, or
   None for a 204 (no `response=`). Raise fedicom.errors (BadRequest, Forbidden, NotFound…): they
   become `{"error": reason}` with their status. `call.actor` is the caller's Person actor URI (for
   the modlog and federation), `call.ctx` the Groups runtime, `call.defed` the Defederation cache.
3. tests/moderation/test_admin_openapi.py exercises every declared operation with schemathesis;
   add a test of your endpoint's rules beside your other tests.
"""

from __future__ import annotations

from functools import cache
from importlib.metadata import version
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route

# Endpoint modules register on import; keep this list when adding one.
from fedicom.moderation.api import (  # noqa: F401
    aliases,
    bans_reports,
    blocks,
    cleanups,
    communities,
    content,
    jobs,
    modlog,
    moving,
    site,
    staff,
    tokens,
)
from fedicom.moderation.api.framework import PREFIX, api_hosting
from fedicom.moderation.api.openapi import build_openapi
from fedicom.moderation.api.registry import api


@cache
def openapi_document(base_url: str) -> dict[str, Any]:
    return build_openapi(api.endpoints, server_url=base_url + PREFIX, version=version("fedicom"))


async def serve_openapi(request: Request) -> Response:
    """The document is public (it describes the API, it opens nothing)."""
    return JSONResponse(openapi_document(api_hosting(request).settings.base_url))


def routes() -> list[BaseRoute]:
    return [Mount(PREFIX, routes=[Route("/openapi.json", serve_openapi), *api.routes()])]
