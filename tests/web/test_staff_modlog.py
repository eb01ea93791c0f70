"""The staff view of the moderation log: moderators always named and private notes shown (while the
public /modlog follows FEDICOM_MODLOG_HIDE_MODERATORS and never shows them), filtered by community,
action and moderator, paged newest first, read-only."""

from __future__ import annotations

import json
import re

from fedicom.moderation import modlog, reports
from fedicom.staff.accounts import create_staff
from fedicom.staff.models import Staff
from tests.support.peer import Peer
from tests.web.http import client, get
from tests.web.scene import PASSWORD, community, community_with_moderator, thread
from tests.web.signin import form_token, staff_client

REMOTE_MOD = "https://lemmy.example/u/carol"
ENTRY = re.compile(r'<tr id="entry-(\d+)">')


def entries(html: str) -> list[int]:
    return [int(i) for i in ENTRY.findall(html)]


def row(html: str, action: str) -> str:
    """The one table row of that action."""
    [found] = [r for r in html.split("<tr ")[1:] if f"<td>{action}<" in r]
    return found.split("</tr>")[0]


async def test_staff_see_who_banned_and_the_private_notes_the_public_does_not(instance, peer: Peer) -> None:
    # Given an instance whose public modlog hides moderators, where mia bans alice from the ban page
    # and forwards a report about bob's thread to bob's server (where it went is a private note)
    inst = await instance(modlog_hide_moderators=True)
    scene = await community(inst, peer)
    note, _ = await thread(peer, scene.people["bob"], scene.group, "<p>buy now</p>", name="Pills")
    host = peer.base.removeprefix("http://")
    async with staff_client(inst.base, "mia") as http:
        token = await form_token(http, "/staff/bans?community=news")
        resp = await http.post(
            "/staff/bans",
            data={
                "csrf_token": token,
                "community": "news",
                "handle": f"@alice@{host}",
                "reason": "spam links",
                "expires": "7d",
            },
        )
        assert resp.status_code == 303
        mia = await Staff.get(username="mia")
        report = await reports.file_report(inst.groups, mia, [note["id"]], reason="spam", community="news")
        await reports.forward_report(inst.groups, mia, report.id, to_author=True)

        # When mia reads the staff modlog
        page = await get(http, "/staff/modlog")

    # Then the ban shows who did it, whom, why and until when; and where the report went, marked private
    assert page.status == 200 and page.headers["cache-control"] == "private, no-store"
    assert "the public log hides their names on this instance" in page.text
    banned = row(page.text, "ban")
    assert "<td>mia</td>" in banned and f"@alice@{host}" in banned
    assert "<td>spam links</td>" in banned and "expires: " in banned and "Private" not in banned
    forwarded = row(page.text, "forward report")
    assert "<td>mia</td>" in forwarded
    assert f'<span class="badge">Private</span> servers: {host}' in forwarded

    # And the public modlog, as page and JSON, names no moderator and shows no private note
    async with client(inst.base) as http:
        public = (await http.get("/modlog")).text
        doc = json.loads((await http.get("/modlog?format=json")).text)
    assert ">mia<" not in public and "/u/mia" not in public and "servers:" not in public
    assert "spam links" in public
    assert {e["moderator"] for e in doc["items"]} == {"a moderator"}
    assert all("servers" not in e["details"] for e in doc["items"])


async def test_the_log_is_filtered_by_community_action_and_moderator_and_paged(instance) -> None:
    # Given 55 domain unblocks from the command line, then bans in news (by mia) and pets (by ada),
    # and a removal by a moderator on another server
    inst = await instance()
    await community_with_moderator(inst, "news")
    await inst.community("pets", title="Pets")
    await create_staff("ada", PASSWORD, is_admin=True)
    mia, ada = inst.site.staff_uri("mia"), inst.site.staff_uri("ada")
    for i in range(55):
        await modlog.record("cli", "unblock_domain", f"d{i}.example")
    first = await modlog.record(mia, "ban", "https://bad.example/u/one", reason="one", community="news")
    await modlog.record(ada, "ban", "https://bad.example/u/two", reason="two", community="pets")
    await modlog.record(REMOTE_MOD, "remove_post", "https://x.example/p/1", reason="off", community="news")
    last = await modlog.record(mia, "ban", "https://bad.example/u/three", reason="three", community="news")

    async with staff_client(inst.base, "ada") as http:
        # every entry, newest first, 50 a page
        page = await get(http, "/staff/modlog")
        shown = entries(page.text)
        assert len(shown) == 50 and shown[0] == last.id and shown == sorted(shown, reverse=True)
        assert 'rel="next" href="/staff/modlog?page=2"' in page.text and 'rel="prev"' not in page.text
        older = await get(http, "/staff/modlog?page=2")
        assert len(entries(older.text)) == 9 and 'rel="prev" href="/staff/modlog"' in older.text
        # the filters offer what the log holds, the moderators by name
        for option in (
            '<option value="remove_post">remove post</option>',
            '<option value="cli">cli</option>',
        ):
            assert option in page.text
        assert f'<option value="{mia}">mia</option>' in page.text
        assert f'<option value="{REMOTE_MOD}">{REMOTE_MOD}</option>' in page.text

        bans = await get(http, "/staff/modlog?action=ban")
        assert len(entries(bans.text)) == 3
        news_bans = await get(http, "/staff/modlog?action=ban&community=news")
        assert entries(news_bans.text) == [last.id, first.id]
        assert '<option value="news" selected>' in news_bans.text
        by_mia = await get(http, f"/staff/modlog?moderator={mia}")
        assert entries(by_mia.text) == [last.id, first.id]
        by_remote = await get(http, f"/staff/modlog?moderator={REMOTE_MOD}&community=news")
        assert len(entries(by_remote.text)) == 1 and "<td>off</td>" in by_remote.text
        # paging keeps the filters
        unblocks = await get(http, "/staff/modlog?action=unblock_domain")
        assert 'href="/staff/modlog?action=unblock_domain&amp;page=2"' in unblocks.text
        rest = await get(http, "/staff/modlog?action=unblock_domain&page=2")
        assert len(entries(rest.text)) == 5
        assert 'href="/staff/modlog?action=unblock_domain"' in rest.text
        none = await get(http, "/staff/modlog?action=ban&community=pets&moderator=cli")
        assert entries(none.text) == [] and "No entries match these filters." in none.text
    # the public log of this instance names moderators too (FEDICOM_MODLOG_HIDE_MODERATORS is off)
    async with client(inst.base) as http:
        assert "<td>mia</td>" in (await http.get("/modlog")).text


async def test_only_signed_in_staff_read_it_and_only_their_communities_filter(instance) -> None:
    inst = await instance()
    await community_with_moderator(inst, "news")
    await inst.community("pets", title="Pets")
    async with client(inst.base) as http:
        resp = await http.get("/staff/modlog?action=ban")
        assert resp.status_code == 303 and resp.headers["location"] == "/staff/sign-in?next=/staff/modlog"
    async with staff_client(inst.base, "mia") as http:
        assert (await get(http, "/staff/modlog?community=news")).status == 200
        refused = await get(http, "/staff/modlog?community=pets")
        assert refused.status == 403 and "does not moderate pets" in refused.text
        for bad in ("0", "x", "\u00b2", "99999"):
            assert (await get(http, f"/staff/modlog?page={bad}")).status == 400, bad
        assert (await get(http, "/staff/modlog?action=" + "a" * 41)).status == 400
        token = await form_token(http, "/staff/modlog")
        assert (await http.post("/staff/modlog", data={"csrf_token": token})).status_code == 405
