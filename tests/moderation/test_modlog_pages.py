"""The public modlog: /modlog and /c/NAME/modlog as pages and JSON, newest first, paged; moderator
names hidden on request; private notes never shown."""

from __future__ import annotations

import json

import pytest

from fedicom.groups.models import Moderator
from fedicom.moderation import modlog
from fedicom.moderation.blocks import block_domain
from fedicom.moderation.domains import obfuscated
from fedicom.moderation.models import ModlogEntry
from fedicom.moderation.modlog_public import PAGE_SIZE
from fedicom.staff.accounts import create_staff
from tests.moderation.helpers import PASSWORD
from tests.support.peer import Peer
from tests.support.servers import Instance

HTML = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8"
REMOTE_MOD = "https://lemmy.example/u/carol"


async def given_log(inst: Instance) -> None:
    await inst.community("news")
    await inst.community("pets")
    await create_staff("admin", PASSWORD, is_admin=True)
    await Moderator.create(group=await inst.groups.group("news"), actor=REMOTE_MOD)
    admin = inst.site.staff_uri("admin")
    await modlog.record(admin, "ban", "https://bad.example/u/troll", reason="spam", community="news")
    await modlog.record(
        REMOTE_MOD, "remove_post", "https://x.example/post/1", reason="rule 2", community="news"
    )
    await modlog.record(admin, "ban", "https://bad.example/u/other", reason="off topic", community="pets")
    await modlog.record(admin, "add_moderator", REMOTE_MOD, community="news", details={"role": "moderator"})


async def test_a_communitys_modlog_as_page_and_json_newest_first(instance, peer: Peer) -> None:
    inst: Instance = await instance()
    await given_log(inst)

    status, kind, page = await peer.get_status(f"{inst.base}/c/news/modlog", accept=HTML)
    assert status == 200 and kind.startswith("text/html")
    assert page.index("add moderator") < page.index("rule 2") < page.index("spam")
    assert "off topic" not in page  # another community's entry
    assert "admin" in page and REMOTE_MOD in page

    for url, accept in (
        (f"{inst.base}/c/news/modlog", "application/json"),
        (f"{inst.base}/c/news/modlog?format=json", HTML),
    ):
        status, kind, body = await peer.get_status(url, accept=accept)
        assert status == 200 and kind.startswith("application/json")
        doc = json.loads(body)
        assert doc["community"] == "news" and doc["page"] == 1 and doc["next"] is None
        assert [e["action"] for e in doc["items"]] == ["add_moderator", "remove_post", "ban"]
        first = doc["items"][2]
        assert (first["moderator"], first["target"], first["reason"]) == (
            "admin",
            "https://bad.example/u/troll",
            "spam",
        )
        assert doc["items"][0]["details"] == {"role": "moderator"}

    # the community itself is still served at /c/news (no clash with /c/{name}/modlog)
    assert (await peer.get(f"{inst.base}/c/news"))["type"] == "Group"


async def test_the_instance_modlog_shows_every_community_and_pages(instance, peer: Peer) -> None:
    inst: Instance = await instance()
    await given_log(inst)
    for i in range(PAGE_SIZE):
        await modlog.record("cli", "unblock_domain", f"d{i}.example")

    doc = json.loads((await peer.get_status(f"{inst.base}/modlog?format=json"))[2])
    assert len(doc["items"]) == PAGE_SIZE and doc["prev"] is None
    assert doc["items"][0]["target"] == f"d{PAGE_SIZE - 1}.example"
    older = json.loads((await peer.get_status(doc["next"]))[2])
    assert [e["reason"] for e in older["items"]] == ["", "off topic", "rule 2", "spam"]
    assert [e["community"] for e in older["items"]] == ["news", "pets", "news", "news"]
    assert older["next"] is None and older["prev"].endswith("page=1")

    page = (await peer.get_status(f"{inst.base}/modlog?page=2", accept=HTML))[2]
    assert 'href="/c/pets/modlog"' in page and 'rel="prev"' in page and 'rel="next"' not in page


async def test_moderator_names_can_be_hidden(instance, peer: Peer) -> None:
    inst: Instance = await instance(modlog_hide_moderators=True)
    await given_log(inst)
    body = (await peer.get_status(f"{inst.base}/c/news/modlog?format=json"))[2]
    doc = json.loads(body)
    assert REMOTE_MOD not in body and "/u/admin" not in body
    assert [e["moderator"] for e in doc["items"]] == [
        "a moderator",
        "a moderator of lemmy.example",
        "a moderator",
    ]
    assert doc["items"][0]["target"] == "a moderator of lemmy.example"  # the moderator added
    page = (await peer.get_status(f"{inst.base}/c/news/modlog", accept=HTML))[2]
    assert REMOTE_MOD not in page and ">admin<" not in page and "names are not shown" in page


async def test_private_notes_and_obfuscated_domains_never_appear(instance, peer: Peer) -> None:
    inst: Instance = await instance()
    await create_staff("admin", PASSWORD, is_admin=True)
    await block_domain(
        inst.groups,
        inst.defed,
        "nasty.example",
        public_comment="harassment",
        private_comment="ticket 7 from Jo",
        obfuscate=True,
        moderator=inst.site.staff_uri("admin"),
    )
    for url in (f"{inst.base}/modlog?format=json", f"{inst.base}/modlog"):
        body = (await peer.get_status(url, accept=HTML))[2]
        assert "harassment" in body
        assert "ticket 7" not in body and "Jo" not in body
        assert "nasty.example" not in body and obfuscated("nasty.example") in body


async def test_bad_requests_get_clear_errors(instance, peer: Peer) -> None:
    inst: Instance = await instance()
    status, _, body = await peer.get_status(f"{inst.base}/c/nothing/modlog")
    assert status == 404 and "no community named nothing" in body
    status, _, body = await peer.get_status(f"{inst.base}/modlog?page=0")
    assert status == 400 and "page" in body
    status, _, body = await peer.get_status(f"{inst.base}/modlog?format=xml")
    assert status == 400 and "format" in body
    status, _, body = await peer.get_status(f"{inst.base}/modlog", accept=HTML)
    assert status == 200 and "No moderation actions yet" in body


async def test_the_log_cannot_be_edited_or_deleted(instance) -> None:
    """The database itself refuses UPDATE and DELETE on the modlog, whoever asks."""
    await instance()
    entry = await modlog.record(
        "https://x.example/u/mia", "ban", "https://bad.example/u/troll", reason="spam"
    )
    entry.reason = "nothing happened"
    with pytest.raises(Exception, match="append-only"):
        await entry.save()
    with pytest.raises(Exception, match="append-only"):
        await ModlogEntry.filter(id=entry.id).update(reason="nothing happened")
    with pytest.raises(Exception, match="append-only"):
        await entry.delete()
    assert [(e.reason, e.target) for e in await ModlogEntry.all()] == [
        ("spam", "https://bad.example/u/troll")
    ]
