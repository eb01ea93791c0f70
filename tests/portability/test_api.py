"""The admin API's export (a zip download) and import (the zip as the body): admins only, the key's
passphrase in a header, errors in one sentence."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx

from fedicom.activitypub.models import SigningKey
from fedicom.groups.models import Group
from fedicom.moderation.api import openapi_document
from fedicom.staff.accounts import create_staff
from fedicom.staff.models import Staff
from fedicom.staff.tokens import create_token
from tests.portability.scene import PASSWORD
from tests.support.servers import Instance


async def token(username: str, admin: bool) -> str:
    await create_staff(username, PASSWORD, is_admin=admin)
    return (await create_token(await Staff.get(username=username), "t", ["admin" if admin else "moderate"]))[
        1
    ]


async def test_an_admin_exports_with_the_key_and_imports_it_back_under_another_name(
    instance: Callable[..., Awaitable[Instance]], tmp_path: Path
) -> None:
    inst = await instance()
    await inst.community("news", title="News", rules="Be kind.")
    root, mia = await token("root", True), await token("mia", False)
    auth = {"Authorization": f"Bearer {root}"}
    async with httpx.AsyncClient(base_url=inst.base, timeout=60) as client:
        refused = await client.post(
            "/api/v1/admin/communities/news/export", json={}, headers={"Authorization": f"Bearer {mia}"}
        )
        assert refused.status_code == 403
        no_phrase = await client.post(
            "/api/v1/admin/communities/news/export", json={"with_keys": True}, headers=auth
        )
        assert no_phrase.status_code == 400 and "passphrase" in no_phrase.json()["error"]

        answer = await client.post(
            "/api/v1/admin/communities/news/export",
            json={"with_keys": True, "passphrase": "a long passphrase"},
            headers=auth,
        )
        assert answer.status_code == 200 and answer.headers["content-type"] == "application/zip"
        assert 'filename="news-' in answer.headers["content-disposition"]
        archive = answer.content

        upload = {**auth, "Content-Type": "application/zip"}
        wrong = await client.post(
            "/api/v1/admin/communities/import?name=news2",
            content=archive,
            headers={**upload, "Fedicom-Archive-Passphrase": "not it"},
        )
        assert wrong.status_code == 400 and "passphrase does not open" in wrong.json()["error"]
        garbage = await client.post("/api/v1/admin/communities/import", content=b"not a zip", headers=upload)
        assert garbage.status_code == 400 and "not a zip archive" in garbage.json()["error"]
        taken = await client.post(
            "/api/v1/admin/communities/import",
            content=archive,
            headers={**upload, "Fedicom-Archive-Passphrase": "a long passphrase"},
        )
        assert taken.status_code == 400 and "already exists here" in taken.json()["error"]

        done = await client.post(
            "/api/v1/admin/communities/import?name=news2",
            content=archive,
            headers={**upload, "Fedicom-Archive-Passphrase": "a long passphrase"},
        )
    assert done.status_code == 201, done.text
    assert done.json()["uri"] == inst.site.uri("news2") and done.json()["source"] == inst.site.uri("news")
    copy = await Group.get(name="news2")
    assert copy.rules == "Be kind." and copy.origin_uri == inst.site.uri("news")
    original = await SigningKey.get(owner=inst.site.uri("news"))
    assert (await SigningKey.get(owner=inst.site.uri("news2"))).private_pem == original.private_pem


def test_the_openapi_document_describes_the_archive_endpoints() -> None:
    paths = openapi_document("http://x.example")["paths"]
    exporting = paths["/communities/{name}/export"]["post"]
    assert "application/zip" in exporting["responses"]["200"]["content"]
    importing = paths["/communities/import"]["post"]
    assert "application/octet-stream" in importing["requestBody"]["content"]
    assert {"name": "Fedicom-Archive-Passphrase", "in": "header"}.items() <= importing["parameters"][
        -1
    ].items()
