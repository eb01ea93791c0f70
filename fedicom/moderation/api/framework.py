"""The admin API's small registry: each endpoint is declared once, and both the route and its OpenAPI
description are made from that declaration, so the document always says what the server does.

A request is authenticated (bearer token), its scope checked, its path, query and body parsed into
pydantic models, and the handler's return value serialised through the declared response type.
"""

from __future__ import annotations

import asyncio
import inspect
import os
import tempfile
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from pydantic import BaseModel, TypeAdapter, ValidationError
from pydantic_core import ErrorDetails
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route

from fedicom.errors import BadRequest, FedicomError, Forbidden, PayloadTooLarge, Unauthorized, Unprocessable
from fedicom.groups.routes import CommunityHosting
from fedicom.http import read_body
from fedicom.media.store import FileStore
from fedicom.moderation.acting import Acting
from fedicom.moderation.defederation import Defederation
from fedicom.staff.models import ApiToken
from fedicom.staff.tokens import authenticate

PREFIX = "/api/v1/admin"
MAX_BODY = 65_536  # rules and privacy policies fit many times over
# Scopes are nested: a token with `moderate` may also read, one with `admin` may do everything.
COVERS = {"read": ("read", "moderate", "admin"), "moderate": ("moderate", "admin"), "admin": ("admin",)}

Handler = Callable[..., Awaitable[Any]]


class Error(BaseModel):
    """Every error answer: one sentence saying what was wrong."""

    error: str


class ApiHosting(CommunityHosting, Protocol):
    """What the admin API reads of the app (fedicom/web/appstate.py's AppState provides it)."""

    @property
    def defed(self) -> Defederation: ...

    @property
    def files(self) -> FileStore: ...


def api_hosting(request: Request) -> ApiHosting:
    found: ApiHosting = request.app.state.fedicom
    return found


@dataclass(frozen=True)
class Upload:
    """A file sent as the raw body (an endpoint declared with `upload=`): spooled to disk as it
    arrives, never held in memory, removed after the call; `headers` are those the endpoint declares."""

    path: Path
    headers: Mapping[str, str]


@dataclass(frozen=True)
class Download:
    """A file answered as it is (an endpoint declared with `download=`), removed once sent."""

    path: Path
    filename: str


@dataclass
class Call(Acting):
    """Who is calling and with what: handed to every handler (handlers never see the Request)."""

    token: ApiToken


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str  # below PREFIX, with {placeholders} named like the fields of `path_model`
    handler: Handler
    summary: str
    scope: str
    tag: str
    path_model: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    body: type[BaseModel] | None = None
    response: Any = None  # a pydantic type (a model, list[Model]…) or None for 204 No Content
    status: int = 200
    max_body: int = MAX_BODY  # larger for bodies carrying images
    upload: str | None = None  # the media type of a raw file body, handed over as an Upload
    upload_headers: Mapping[str, str] = field(default_factory=dict)  # header name: what it carries
    download: str | None = None  # the media type of a file answer (the handler returns a Download)

    @property
    def operation_id(self) -> str:
        return self.handler.__name__


@dataclass
class AdminApi:
    """The registry endpoint modules add to with `@api.endpoint(...)`."""

    endpoints: list[Endpoint] = field(default_factory=list)

    def endpoint(
        self,
        method: str,
        path: str,
        *,
        summary: str,
        scope: str,
        tag: str,
        path_model: type[BaseModel] | None = None,
        query: type[BaseModel] | None = None,
        body: type[BaseModel] | None = None,
        response: Any = None,
        status: int | None = None,
        max_body: int = MAX_BODY,
        upload: str | None = None,
        upload_headers: Mapping[str, str] | None = None,
        download: str | None = None,
    ) -> Callable[[Handler], Handler]:
        if scope not in COVERS:
            raise ValueError(f"unknown scope {scope}")

        def register(handler: Handler) -> Handler:
            declared = {n for n, m in (("path", path_model), ("query", query), ("body", body or upload)) if m}
            if handler_params(handler) != declared:
                raise TypeError(f"{handler.__name__} must take call and exactly {sorted(declared)}")
            self.endpoints.append(
                Endpoint(
                    method=method.upper(),
                    path=path,
                    handler=handler,
                    summary=summary,
                    scope=scope,
                    tag=tag,
                    path_model=path_model,
                    query=query,
                    body=body,
                    response=response,
                    status=status or (200 if response is not None or download else 204),
                    max_body=max_body,
                    upload=upload,
                    upload_headers=dict(upload_headers or {}),
                    download=download,
                )
            )
            return handler

        return register

    def routes(self) -> list[Route]:
        """One Starlette route per path, dispatching on the method."""
        by_path: dict[str, dict[str, Endpoint]] = {}
        for ep in self.endpoints:
            by_path.setdefault(ep.path, {})[ep.method] = ep
        return [Route(path, _dispatcher(methods), methods=list(methods)) for path, methods in by_path.items()]


def _dispatcher(methods: dict[str, Endpoint]) -> Callable[[Request], Awaitable[Response]]:
    async def dispatch(request: Request) -> Response:
        try:
            return await _serve(methods[request.method], request)
        except FedicomError as exc:
            response = JSONResponse({"error": exc.reason}, status_code=exc.status)
            if exc.status == 401:
                response.headers["WWW-Authenticate"] = 'Bearer realm="fedicom admin API"'
            return response

    return dispatch


async def _serve(ep: Endpoint, request: Request) -> Response:
    call = await _authenticate(request)
    if not any(s in call.token.scopes for s in COVERS[ep.scope]):
        raise Forbidden(f"the token lacks the {ep.scope} scope")
    if ep.scope == "admin":
        call.require_admin()
    kwargs: dict[str, Any] = {}
    if ep.path_model is not None:
        kwargs["path"] = _validate(ep.path_model, dict(request.path_params), "path")
    if ep.query is not None:
        kwargs["query"] = _validate(ep.query, dict(request.query_params), "query")
    if ep.body is not None:
        raw = await read_body(request, ep.max_body)
        if not raw.strip():
            raise BadRequest("a JSON body is required")
        try:
            kwargs["body"] = ep.body.model_validate_json(raw)
        except ValidationError as exc:
            raise _validation_error(exc, "body") from None
    if ep.upload is not None:
        return await _with_upload(ep, request, call, kwargs)
    return _answer(ep, await ep.handler(call, **kwargs))


async def _with_upload(ep: Endpoint, request: Request, call: Call, kwargs: dict[str, Any]) -> Response:
    headers = {name: request.headers[name] for name in ep.upload_headers if name in request.headers}
    fd, name = tempfile.mkstemp(prefix="fedicom-upload-")
    try:
        with os.fdopen(fd, "wb") as spool:
            await _spool(request, ep.max_body, spool)
        kwargs["body"] = Upload(Path(name), headers)
        return _answer(ep, await ep.handler(call, **kwargs))
    finally:
        await asyncio.to_thread(Path(name).unlink, missing_ok=True)


async def _spool(request: Request, limit: int, out: Any) -> None:
    """The body written to `out` as it arrives, refused with 413 past `limit` bytes."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isascii() and declared.isdigit() and int(declared) > limit:
        raise PayloadTooLarge(f"the body is larger than {limit} bytes")
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge(f"the body is larger than {limit} bytes")
        out.write(chunk)
    if size == 0:
        raise BadRequest("a file is required as the body")


def _answer(ep: Endpoint, result: Any) -> Response:
    if isinstance(result, Download):
        return FileResponse(
            result.path,
            media_type=ep.download,
            filename=result.filename,
            background=BackgroundTask(result.path.unlink, missing_ok=True),
        )
    if ep.response is None:
        return Response(status_code=ep.status)
    content = TypeAdapter(ep.response).dump_python(result, mode="json")
    return JSONResponse(content, status_code=ep.status)


async def _authenticate(request: Request) -> Call:
    header = request.headers.get("authorization", "")
    scheme, _, secret = header.partition(" ")
    if not header:
        raise Unauthorized("an API token is required: send Authorization: Bearer fdc_…")
    if scheme.lower() != "bearer" or not secret.strip():
        raise Unauthorized("the Authorization header must be Bearer followed by an API token")
    token, staff = await authenticate(secret.strip())
    state = api_hosting(request)
    return Call(staff, state.groups, state.defed, state.settings, state.files, token)


def _validate(model: type[BaseModel], data: dict[str, Any], where: str) -> BaseModel:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise _validation_error(exc, where) from None


def _validation_error(exc: ValidationError, where: str) -> FedicomError:
    """The first problem, in one sentence; malformed JSON is a 400, unacceptable values a 422."""
    first: ErrorDetails = exc.errors(include_url=False)[0]
    if first["type"] == "json_invalid":
        return BadRequest("the body is not valid JSON")
    if first["type"] == "model_type" and where == "body":
        return Unprocessable("the body must be a JSON object")
    loc = ".".join(str(p) for p in first["loc"])
    return Unprocessable(f"{where} {loc}: {first['msg']}" if loc else f"{where}: {first['msg']}")


def handler_params(handler: Handler) -> set[str]:
    """The keyword parameters a handler takes besides `call` (they must match its declaration)."""
    return set(inspect.signature(handler).parameters) - {"call"}
