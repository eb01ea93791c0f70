"""Replaying recorded payloads through the real inbox of an in-process instance.

The instance takes the base URL of the community the payload addresses (fedicom serves groups at
`/c/NAME`, as Lemmy does, so Lemmy's recorded ids are ours). Remote actors are seeded into the
actor cache with a test key, as if fetched before; each payload is POSTed byte for byte as recorded
and signed with that key, so signature checks run for real.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from starlette.applications import Starlette

from fedicom.activitypub import leases
from fedicom.activitypub.actors import parse_actor
from fedicom.activitypub.federation import Federation
from fedicom.activitypub.signatures import load_private_key, sign_request
from fedicom.app import create_app
from fedicom.groups.communities import Site, create_community
from fedicom.groups.models import Group, Membership
from fedicom.jobs.runner import JobRunner
from fedicom.moderation import cleanup
from fedicom.staff.accounts import name_reserved
from fedicom.web.appstate import app_state
from tests.support.db import make_settings
from tests.support.peer import test_key

FIXTURES = Path(__file__).resolve().parents[3] / "shared" / "interop" / "fixtures"


def fixtures_dir() -> Path:
    """The shared fixtures; CI requires them, a bare clone skips the replay tests."""
    if not FIXTURES.is_dir():
        if os.environ.get("FEDICOM_REQUIRE_FIXTURES"):
            raise RuntimeError(f"interop fixtures missing at {FIXTURES}")
        pytest.skip(f"interop fixtures not found at {FIXTURES} (they sit beside the checkout in CI)")
    return FIXTURES


def load(rel: str) -> tuple[bytes, dict[str, Any]]:
    raw = (fixtures_dir() / rel).read_bytes()
    return raw, json.loads(raw)


@dataclass
class Replay:
    app: Starlette
    client: httpx.AsyncClient
    base: str

    @property
    def fed(self) -> Federation:
        return app_state(self.app).fed

    @property
    def site(self) -> Site:
        return app_state(self.app).site

    async def community(self, name: str, **kw: Any) -> Group:
        return await create_community(self.fed.keys, self.site, name, **kw, reserved=name_reserved)

    async def seed_actor(self, uri: str, *, kind: str = "Person") -> str:
        """Put a remote actor with a test key into the cache; returns its private key PEM."""
        private_pem, public_pem = test_key()
        origin = f"{urlsplit(uri).scheme}://{urlsplit(uri).netloc}"
        doc = {
            "id": uri,
            "type": kind,
            "preferredUsername": uri.rstrip("/").rsplit("/", 1)[-1],
            "inbox": f"{uri}/inbox",
            "endpoints": {"sharedInbox": f"{origin}/inbox"},
            "publicKey": {"id": f"{uri}#main-key", "owner": uri, "publicKeyPem": public_pem},
        }
        await self.fed.actors.store(parse_actor(doc))
        return private_pem

    async def member(self, group: Group, actor: str) -> None:
        await self.seed_actor(actor)
        origin = f"{urlsplit(actor).scheme}://{urlsplit(actor).netloc}"
        app_state(self.app).groups.rosters.forget(group.id)
        await Membership.create(
            group=group,
            actor=actor,
            inbox=f"{origin}/inbox",
            state="accepted",
            follow_id=f"{actor}/follow",
            follow_activity="{}",
        )

    async def post(self, path: str, body: bytes, *, actor: str, private_pem: str) -> httpx.Response:
        url = f"{self.base}{path}"
        headers = sign_request(
            method="POST",
            url=url,
            body=body,
            key_id=f"{actor}#main-key",
            private_key=load_private_key(private_pem),
        )
        return await self.client.post(url, content=body, headers=headers)

    async def drain(self) -> None:
        """Process every stored activity now (the background processor is off in replay tests), and
        run the clean-up jobs that processing queued (a ban's removeData)."""
        handlers = app_state(self.app).jobs.handlers
        cleanups = JobRunner({cleanup.KIND: handlers[cleanup.KIND]})
        while True:
            rows = await leases.claim("inbox_item", "id, recipient, payload, tries", limit=100, lease=30)
            for row in rows:
                await self.fed.processor.process(row)
            if not rows and not await cleanups.run_due():
                return


@contextlib.asynccontextmanager
async def replay_instance(tmp_path: Path, base_url: str) -> AsyncIterator[Replay]:
    domain = urlsplit(base_url).netloc
    settings = make_settings(tmp_path, domain=domain, base_url=base_url)
    app = create_app(settings, workers=False)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=base_url) as client:
            yield Replay(app, client, base_url)


def now() -> float:
    return time.time()
