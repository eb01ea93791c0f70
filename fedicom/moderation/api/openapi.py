"""The OpenAPI 3.1 document of the admin API, built from the endpoint declarations. Pure."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, TypeAdapter

from fedicom.moderation.api.framework import MAX_BODY, Endpoint, Error

REF = "#/components/schemas/{model}"
ERRORS = {
    400: "The request is malformed (not JSON, or a value that makes no sense here).",
    401: "The API token is missing, unknown, expired or revoked.",
    403: "The token lacks the scope, or the staff member does not moderate the community.",
    404: "The thing named does not exist.",
    422: "A value in the path, query or body is not acceptable.",
}
TOO_LARGE = "The body is larger than 64 KiB."
BINARY = {"type": "string", "format": "binary"}  # a file as it is (OpenAPI 3.1 also reads contentMediaType)


def build_openapi(endpoints: list[Endpoint], *, server_url: str, version: str) -> dict[str, Any]:
    components: dict[str, Any] = {}
    paths: dict[str, dict[str, Any]] = {}
    for ep in endpoints:
        paths.setdefault(ep.path, {})[ep.method.lower()] = _operation(ep, components)
    _schema(Error, "serialization", components)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "fedicom admin API",
            "version": version,
            "description": "Manage staff, API tokens, communities, moderators, domain blocks and read "
            "the modlog. Authenticate with `Authorization: Bearer fdc_…` (see docs/staff-and-api.md). "
            "Scopes are nested: `read` < `moderate` < `admin`.",
        },
        "servers": [{"url": server_url}],
        "security": [{"bearerAuth": []}],
        "paths": paths,
        "components": {
            "schemas": dict(sorted(components.items())),
            "securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer", "description": "An fdc_… API token."}
            },
        },
    }


def _operation(ep: Endpoint, components: dict[str, Any]) -> dict[str, Any]:
    op: dict[str, Any] = {
        "operationId": ep.operation_id,
        "summary": ep.summary,
        "description": (ep.handler.__doc__ or ep.summary).strip() + f"\n\nRequires the `{ep.scope}` scope.",
        "tags": [ep.tag],
        "x-scope": ep.scope,
    }
    parameters = _parameters(ep.path_model, "path", components) + _parameters(ep.query, "query", components)
    parameters += [
        {"name": name, "in": "header", "required": False, "description": text, "schema": {"type": "string"}}
        for name, text in ep.upload_headers.items()
    ]
    if parameters:
        op["parameters"] = parameters
    if ep.body is not None:
        op["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": _schema(ep.body, "validation", components)}},
        }
    if ep.upload is not None:
        op["requestBody"] = {"required": True, "content": {ep.upload: {"schema": BINARY}}}
    responses: dict[str, Any] = {}
    if ep.download is not None:
        responses[str(ep.status)] = {"description": "The file.", "content": {ep.download: {"schema": BINARY}}}
    elif ep.response is None:
        responses[str(ep.status)] = {"description": "Done."}
    else:
        schema = _schema(ep.response, "serialization", components)
        responses[str(ep.status)] = {
            "description": "OK.",
            "content": {"application/json": {"schema": schema}},
        }
    errors = dict(ERRORS)
    if ep.body is not None:
        errors[413] = TOO_LARGE
    if ep.upload is not None:
        errors[413] = f"The file is larger than {ep.max_body // 2**20} MiB."
    if ep.max_body > MAX_BODY:  # the body carries files
        errors[415] = "A file is not of an accepted type (e.g. not a PNG, JPEG, GIF or WebP image)."
    for status, text in sorted(errors.items()):
        responses[str(status)] = {
            "description": text,
            "content": {"application/json": {"schema": {"$ref": REF.format(model="Error")}}},
        }
    op["responses"] = responses
    return op


def _schema(tp: Any, mode: str, components: dict[str, Any]) -> dict[str, Any]:
    """The JSON Schema of a type; models go to components and are referenced."""
    schema = TypeAdapter(tp).json_schema(ref_template=REF, mode=mode)  # type: ignore[arg-type]
    components.update(schema.pop("$defs", {}))
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        components[tp.__name__] = schema
        return {"$ref": REF.format(model=tp.__name__)}
    return schema


def _parameters(
    model: type[BaseModel] | None, where: str, components: dict[str, Any]
) -> list[dict[str, Any]]:
    if model is None:
        return []
    schema = model.model_json_schema(ref_template=REF, mode="validation")
    components.update(schema.pop("$defs", {}))
    required = set(schema.get("required", []))
    out = []
    for name, prop in schema.get("properties", {}).items():
        prop = _without_null(prop)
        param: dict[str, Any] = {"name": name, "in": where, "required": where == "path" or name in required}
        if "description" in prop:
            param["description"] = prop.pop("description")
        prop.pop("title", None)
        param["schema"] = prop
        out.append(param)
    return out


def _without_null(prop: dict[str, Any]) -> dict[str, Any]:
    """`X | None` is how a model says "optional"; in a query string absent is the only null."""
    variants = prop.get("anyOf")
    if not variants:
        return dict(prop)
    kept = [v for v in variants if v.get("type") != "null"]
    rest = {
        k: v for k, v in prop.items() if k not in ("anyOf", "default") or (k == "default" and v is not None)
    }
    return {**kept[0], **rest} if len(kept) == 1 else {**rest, "anyOf": kept}
