"""Seeding a benchmark server's database through fedicom's own models, in a short-lived process.

Run as `python -m bench.seed` with the server's FEDICOM_* environment and a JSON spec on stdin:
`{"community": NAME, "members": [actor document, ...], "software": {host: NodeInfo name}}`. A process
of its own keeps the ORM's process-wide state out of the load generator (and lets one run switch
between SQLite and PostgreSQL).
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from typing import Any
from urllib.parse import urlsplit

from fedicom import storage
from fedicom.activitypub.keys import KeyStore
from fedicom.activitypub.models import RemoteActor, RemoteServer
from fedicom.groups.communities import Site, create_community
from fedicom.groups.models import Group, Membership
from fedicom.settings import load_settings
from fedicom.staff.accounts import name_reserved


async def fresh_postgres(url: str, suffix: str) -> str:
    """A database of its own beside `url`, `<name>_<suffix>`, created anew: a bench counts its own rows."""
    import asyncpg

    base, _, name = url.rpartition("/")
    own = f"{name}_{suffix}"
    conn = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{own}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{own}"')
    finally:
        await conn.close()
    return f"{base}/{own}"


async def seed_community(site: Site, name: str) -> Group:
    """The community (open, members post), created with its signing key."""
    return await create_community(KeyStore(), site, name, reserved=name_reserved)


async def seed_members(group: Group, documents: list[dict[str, Any]]) -> None:
    """Each actor as a fresh cached `RemoteActor` (key included) and an accepted member (shared inbox)."""
    now = time.time()
    actors, memberships = [], []
    for doc in documents:
        shared = doc["endpoints"]["sharedInbox"]
        actors.append(
            RemoteActor(
                uri=doc["id"],
                type=doc["type"],
                host=urlsplit(doc["id"]).netloc,
                preferred_username=doc["preferredUsername"],
                name=doc.get("name"),
                inbox=doc["inbox"],
                shared_inbox=shared,
                followers=doc.get("followers"),
                key_id=doc["publicKey"]["id"],
                public_key_pem=doc["publicKey"]["publicKeyPem"],
                document=doc,
                fetched_at=now,
            )
        )
        follow = {"id": f"{doc['id']}/follows/bench", "type": "Follow", "actor": doc["id"]}
        memberships.append(
            Membership(
                group=group,
                actor=doc["id"],
                inbox=shared,
                state="accepted",
                follow_id=follow["id"],
                follow_activity=json.dumps(follow),
            )
        )
    await RemoteActor.bulk_create(actors, batch_size=500)
    await Membership.bulk_create(memberships, batch_size=500)


async def seed_software(software: dict[str, str]) -> None:
    """What each member server runs, as the server would have learned it from NodeInfo (no flow under
    test fetches it, as none fetches an actor)."""
    now = time.time()
    rows = [RemoteServer(host=h, software=name, software_checked_at=now) for h, name in software.items()]
    await RemoteServer.bulk_create(rows, batch_size=500)


async def seed(spec: dict[str, Any]) -> None:
    settings = load_settings()
    await storage.open_db(settings)
    try:
        group = await seed_community(Site(settings.base_url, settings.domain), spec["community"])
        await seed_members(group, spec["members"])
        await seed_software(spec.get("software", {}))
    finally:
        await storage.close_db()


def main() -> None:
    asyncio.run(seed(json.load(sys.stdin)))


if __name__ == "__main__":
    main()
