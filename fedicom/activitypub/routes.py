"""Protocol routes that belong to the instance: discovery, shared inbox, instance actor, activities."""

from __future__ import annotations

from importlib.metadata import version
from typing import Any, Protocol

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from fedicom.activitypub import discovery
from fedicom.activitypub.federation import Federation
from fedicom.activitypub.jsonld import ACTOR_CONTEXT
from fedicom.activitypub.signatures import IncomingRequest
from fedicom.errors import BadRequest, FedicomError, NotFound
from fedicom.http import ActivityResponse, cors, read_body
from fedicom.settings import Settings


class Hosting(Protocol):
    """What the protocol routes read of the app (fedicom/web/appstate.py's AppState provides it)."""

    @property
    def fed(self) -> Federation: ...

    @property
    def settings(self) -> Settings: ...


def hosting(request: Request) -> Hosting:
    found: Hosting = request.app.state.fedicom
    return found


def fed_of(request: Request) -> Federation:
    return hosting(request).fed


async def webfinger(request: Request) -> Response:
    fed = fed_of(request)
    resource = request.query_params.get("resource", "").strip()
    if "@" not in resource and not resource.startswith(("http://", "https://")):
        # RFC 7033 §4.2: an absent or malformed resource is a bad request, not an unknown one
        raise BadRequest("the resource parameter must be acct:name@domain or an actor URL")
    domains = {fed.domain, hosting(request).settings.web_host}
    if resource.rstrip("/") in (fed.instance_actor_uri, fed.base_url):
        name: str | None = fed.domain.split(":")[0]
    elif resource.startswith(("http://", "https://")):
        name = await _name_from_url(fed, resource)
    else:
        name = discovery.parse_resource(resource, domains=domains)
    if not name:
        raise NotFound("no such resource on this server")
    if name == fed.domain.split(":")[0]:
        jrd = discovery.webfinger_jrd(
            subject=f"acct:{name}@{fed.domain}",
            actor_uri=fed.instance_actor_uri,
            actor_type="Application",
            profile_url=fed.base_url,
        )
    else:
        found = await fed.hooks.resolve_handle(name)
        if found is None:
            raise NotFound("no such community on this server")
        uri, actor_type = found
        jrd = discovery.webfinger_jrd(
            subject=f"acct:{name}@{fed.domain}",
            actor_uri=uri,
            actor_type=actor_type,
            profile_url=uri,
            moved_to=await fed.hooks.moved_to(name),
        )
    return cors(JSONResponse(jrd, media_type="application/jrd+json"))


async def _name_from_url(fed: Federation, url: str) -> str | None:
    prefix = f"{fed.base_url}/c/"
    if url.startswith(prefix):
        name = url.removeprefix(prefix).strip("/")
        if name and "/" not in name:
            return name.lower()
    return None


async def host_meta(request: Request) -> Response:
    base = fed_of(request).base_url
    if "json" in request.headers.get("accept", "") or request.url.path.endswith(".json"):
        return cors(JSONResponse(discovery.host_meta_json(base)))
    return cors(Response(discovery.host_meta_xrd(base), media_type="application/xrd+xml"))


async def nodeinfo_links(request: Request) -> Response:
    return cors(JSONResponse(discovery.nodeinfo_links(fed_of(request).base_url)))


async def nodeinfo(request: Request) -> Response:
    fed = fed_of(request)
    v = request.path_params["version"]
    if v not in discovery.NODEINFO_SCHEMAS:
        raise NotFound("unknown NodeInfo version")
    doc = discovery.nodeinfo_document(
        v,
        software_version=version("fedicom"),
        usage=await fed.hooks.usage(),
        name=hosting(request).settings.instance_name,
    )
    profile = f'application/json; profile="{discovery.NODEINFO_SCHEMAS[v]}#"'
    return cors(JSONResponse(doc, media_type=profile))


async def instance_actor(request: Request) -> Response:
    fed = fed_of(request)
    uri = fed.instance_actor_uri
    doc: dict[str, Any] = {
        "@context": ACTOR_CONTEXT,
        "id": uri,
        "type": "Application",
        "preferredUsername": fed.domain.split(":")[0],
        "name": hosting(request).settings.instance_name,
        "inbox": f"{fed.base_url}/inbox",
        "outbox": f"{uri}/outbox",
        "endpoints": {"sharedInbox": f"{fed.base_url}/inbox"},
        "manuallyApprovesFollowers": True,
        "url": fed.base_url,
        "publicKey": {"id": f"{uri}#main-key", "owner": uri, "publicKeyPem": await fed.keys.public_pem(uri)},
    }
    return ActivityResponse(doc)


async def instance_outbox(request: Request) -> Response:
    uri = f"{fed_of(request).instance_actor_uri}/outbox"
    return ActivityResponse(
        {
            "@context": ACTOR_CONTEXT[0],
            "id": uri,
            "type": "OrderedCollection",
            "totalItems": 0,
            "orderedItems": [],
        }
    )


async def shared_inbox(request: Request) -> Response:
    return await receive(request, recipient=None)


async def receive(request: Request, recipient: str | None) -> Response:
    """Verify and durably store one POSTed activity; 202 means it is on disk."""
    fed = fed_of(request)
    try:
        body = await read_body(request, fed.max_body_bytes)
        req = IncomingRequest(
            method=request.method, url=public_url(fed, request), headers=request.headers, body=body
        )
        await fed.receive(req, recipient)
    except FedicomError as exc:
        fed.observers.received(exc.status)
        raise
    fed.observers.received(202)
    return Response(status_code=202)


def public_url(fed: Federation, request: Request) -> str:
    """The URL the sender signed: our public origin plus the path as sent (proxies may rewrite scheme)."""
    raw = request.scope.get("raw_path") or request.url.path.encode()
    query = request.scope.get("query_string", b"")
    return fed.base_url + raw.decode("latin-1") + ("?" + query.decode("latin-1") if query else "")


async def activity(request: Request) -> Response:
    fed = fed_of(request)
    await fed.check_fetch(request.headers)
    doc = await fed.published(f"{fed.base_url}/activities/{request.path_params['uid']}")
    if doc is None:
        raise NotFound("no such activity")
    return ActivityResponse(doc)


routes = [
    Route("/.well-known/webfinger", webfinger),
    Route("/.well-known/host-meta", host_meta),
    Route("/.well-known/host-meta.json", host_meta),
    Route("/.well-known/nodeinfo", nodeinfo_links),
    Route("/nodeinfo/{version}", nodeinfo),
    Route("/actor", instance_actor),
    Route("/actor/outbox", instance_outbox),
    Route("/inbox", shared_inbox, methods=["POST"]),
    Route("/activities/{uid}", activity),
]
