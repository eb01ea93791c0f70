"""The staff bans page over real HTTP: banning by handle in a community or instance-wide, with an expiry
and removal of posts, federates as Lemmy's Block and lifting it as Undo{Block}; refusals say why and
store nothing; only a community's moderators (and admins) act; plus the browser flow and validity."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from playwright.async_api import Browser

from fedicom.groups.models import Membership, Moderator, Post
from fedicom.jobs.queue import enqueue
from fedicom.moderation import bans, cleanup
from fedicom.moderation.models import Ban, ModlogEntry
from fedicom.staff.accounts import create_staff
from tests.support.peer import Peer
from tests.support.steps import cleaned_up
from tests.web.browser import assert_valid_html, check_axe, screenshot
from tests.web.http import Page, client, get
from tests.web.scene import PASSWORD, community, thread
from tests.web.signin import admin, browser_sign_in, form_token, staff_client, staff_documents


def handle(peer: Peer, name: str) -> str:
    return f"@{name}@{peer.base.removeprefix('http://')}"


async def ban(http: httpx.AsyncClient, view: str = "news", **fields: str) -> httpx.Response:
    """Send the "Ban someone" form of /staff/bans?community=VIEW (or of /staff/bans when VIEW is "")."""
    token = await form_token(http, f"/staff/bans?community={view}" if view else "/staff/bans")
    data = {"csrf_token": token, "view": view, "community": "news", "reason": "spam", "expires": "", **fields}
    return await http.post("/staff/bans", data=data)


async def unban(http: httpx.AsyncClient, item: Ban, view: str = "news") -> httpx.Response:
    token = await form_token(http, "/staff/bans")
    return await http.post(
        "/staff/bans/remove", data={"csrf_token": token, "ban": str(item.id), "view": view}
    )


async def followed(http: httpx.AsyncClient, resp: httpx.Response) -> Page:
    """The page a 303 leads to, with the notice of the action."""
    assert resp.status_code == 303, resp.text
    return await get(http, resp.headers["location"])


def blocks_of(peer: Peer, kind: str, inner: str | None = None) -> list[dict[str, Any]]:
    return peer.received_of(kind, inner=inner)


async def nothing_stored() -> bool:
    return not await Ban.exists() and not await ModlogEntry.filter(action="ban").exists()


async def test_a_moderator_bans_a_member_for_a_week_and_lifts_the_ban(instance, peer: Peer) -> None:
    # Given news, moderated by mia, with alice a member on the loopback peer
    inst = await instance()
    scene = await community(inst, peer)
    alice = scene.people["alice"]
    async with staff_client(inst.base, "mia") as http:
        # When mia bans alice by handle for a week
        resp = await ban(http, handle=handle(peer, "alice"), reason="spam links", expires="7d")
        assert resp.headers["location"] == "/staff/bans?community=news"
        page = await followed(http, resp)

        # Then the page says so and lists the ban with who, where, why, by whom and until when
        until = datetime.now(UTC) + timedelta(days=7)
        assert f"Banned {handle(peer, 'alice')} from news until {until:%Y-%m-%d}" in page.text
        assert 'aria-current="page">Bans</a>' in page.text  # the community's tab
        assert "spam links" in page.text and "<td>mia</td>" in page.text
        assert f'aria-label="Unban {handle(peer, "alice")} from news"' in page.text
        item = await Ban.get(actor=alice.uri)
        assert item.expires_at is not None and abs(item.expires_at - until) < timedelta(minutes=1)
        assert not await Membership.exists(actor=alice.uri)

        # And alice's server gets Lemmy's Block from mia, with its end, and the group's Announce of it
        [block] = await peer.wait_for(lambda: [r for r in peer.received if r.activity["type"] == "Block"])
        assert block.signer == inst.site.staff_uri("mia")
        doc = block.activity
        assert (doc["object"], doc["target"], doc["summary"]) == (alice.uri, scene.group, "spam links")
        assert doc["endTime"] == doc["expires"] == item.expires_at.strftime("%Y-%m-%dT%H:%M:%SZ")
        assert doc["removeData"] is False
        await peer.wait_for(lambda: blocks_of(peer, "Announce", "Block"))

        # When mia lifts the ban
        page = await followed(http, await unban(http, item))

        # Then it is gone, the page says so, and Undo{Block} of that very Block goes out
        assert f"Lifted the ban of {handle(peer, 'alice')} from news." in page.text
        assert "No bans in force in Daily News." in page.text
        assert not await Ban.exists()
        [undo] = await peer.wait_for(lambda: blocks_of(peer, "Undo", "Block"))
        assert undo["object"]["id"] == doc["id"] and undo["actor"] == inst.site.staff_uri("mia")


async def test_an_admin_bans_from_the_whole_instance_and_lifts_it(instance, peer: Peer) -> None:
    inst = await instance()
    await community(inst, peer)
    await admin("ada")
    bob = peer.people["bob"]
    async with staff_client(inst.base, "ada") as http:
        # the admin's form offers every community and the whole instance
        form = await get(http, "/staff/bans")
        assert '<option value="">The whole instance</option>' in form.text
        page = await followed(http, await ban(http, view="", community="", handle=bob.uri, reason="evasion"))
        assert "Banned" in page.text and "from the whole instance." in page.text
        assert "Whole instance" in page.text and "Never" in page.text
        item = await Ban.get(actor=bob.uri)
        assert item.community_id is None and item.expires_at is None  # type: ignore[attr-defined]
        [block] = await peer.wait_for(lambda: blocks_of(peer, "Block"))
        assert (block["target"], block["cc"]) == (f"{inst.base}/actor", [])
        assert "endTime" not in block and "expires" not in block

        resp = await unban(http, item, view="")
        assert resp.headers["location"] == "/staff/bans"
        assert "from the whole instance." in (await followed(http, resp)).text
        [undo] = await peer.wait_for(lambda: blocks_of(peer, "Undo", "Block"))
        assert undo["object"]["id"] == block["id"]
    assert not await Ban.exists()


async def test_expiries_are_read_as_durations_or_dates_and_bad_ones_are_refused(instance, peer: Peer) -> None:
    inst = await instance()
    scene = await community(inst, peer)
    carol, dave = scene.people["carol"], scene.people["dave"]
    async with staff_client(inst.base, "mia") as http:
        # a bad expiry: the form comes back as typed, saying why, and nothing is stored or sent
        for typed, why in (
            ("soon", "&#39;soon&#39; is not an expiry: use a duration like 7d"),
            ("2001-01-01", "The expiry 2001-01-01 is in the past."),
            ("0d", "A ban&#39;s duration must be more than zero."),
        ):
            resp = await ban(http, handle=handle(peer, "carol"), reason="cool down", expires=typed)
            assert resp.status_code == 400 and why in resp.text, typed
            assert f'value="{typed}"' in resp.text and ">cool down</textarea>" in resp.text
            assert 'aria-describedby="ban-expires-hint ban-error" aria-invalid="true"' in resp.text
        assert await nothing_stored()

        # a date ends the ban at midnight UTC that day; two weeks as 2w
        next_year = datetime.now(UTC).year + 1
        await followed(http, await ban(http, handle=carol.uri, expires=f"{next_year}-03-01"))
        assert (await Ban.get(actor=carol.uri)).expires_at == datetime(next_year, 3, 1, tzinfo=UTC)
        await followed(http, await ban(http, handle=dave.uri, expires="2w"))
        ends = (await Ban.get(actor=dave.uri)).expires_at
        assert ends is not None
        assert abs(ends - (datetime.now(UTC) + timedelta(weeks=2))) < timedelta(minutes=1)
    await peer.wait_for(lambda: len(blocks_of(peer, "Block")) == 2)
    assert {b["endTime"] for b in blocks_of(peer, "Block")} == {
        f"{next_year}-03-01T00:00:00Z",
        ends.strftime("%Y-%m-%dT%H:%M:%SZ"),
    }


async def test_also_remove_their_posts_removes_them(instance, peer: Peer) -> None:
    inst = await instance()
    scene = await community(inst, peer)
    bob = scene.people["bob"]
    note, _ = await thread(peer, bob, scene.group, "<p>buy now</p>", name="Cheap pills")
    keep, _ = await thread(peer, scene.people["alice"], scene.group, "<p>hello</p>", name="Hello")
    async with staff_client(inst.base, "mia") as http:
        page = await followed(http, await ban(http, handle=handle(peer, "bob"), remove_data="1"))
        assert "and their posts there are being removed (see Clean-ups running)." in page.text
        assert "Posts removed" in page.text
        [job] = await cleaned_up()
        post = await Post.get(object_id=note["id"])
        assert (post.state, post.state_reason) == ("removed", "author banned: spam")
        assert (await Post.get(object_id=keep["id"])).state != "removed"
        [block] = await peer.wait_for(lambda: blocks_of(peer, "Block"))
        assert block["removeData"] is True
        assert (await ModlogEntry.get(action="ban")).details["remove_data"] is True
        entry = await ModlogEntry.get(action="remove_data_applied")
        assert (entry.target, entry.details) == (bob.uri, {"posts_removed": 1})

        # a clean-up still waiting (its runner busy elsewhere) is shown with its progress
        plan = cleanup.Plan.read(job.data)
        plan.after, plan.done = 0, 0
        await enqueue(cleanup.KIND, plan.payload(), run_at=time.time() + 3600)
        shown = await get(http, "/staff/bans?community=news")
        assert "Clean-ups running" in shown.text and "removing posts" in shown.text
        assert f'Posts of <span class="handle">{bob.uri}</span> in news' in shown.text


async def test_bad_handles_and_missing_reasons_are_refused_and_nothing_is_stored(
    instance, peer: Peer
) -> None:
    inst = await instance()
    await community(inst, peer)
    async with staff_client(inst.base, "mia") as http:
        for typed, reason, status, why, field in (
            ("not a handle", "spam", 400, "is not a handle of the form user@host", "handle"),
            (handle(peer, "nobody"), "spam", 404, f"There is no account {handle(peer, 'nobody')}.", "handle"),
            (inst.site.staff_uri("mia"), "spam", 400, "Accounts of this server cannot be banned", "handle"),
            (handle(peer, "alice"), "   ", 400, "A ban needs a reason", "reason"),
        ):
            resp = await ban(http, handle=typed, reason=reason)
            assert resp.status_code == status and why in resp.text, (typed, resp.text[-3000:])
            assert f'aria-describedby="ban-{field}-hint ban-error" aria-invalid="true"' in resp.text
            assert "Error: Bans in Daily News" in resp.text  # the title says it, for screen readers
        # a crafted field (NUL, or longer than the form allows) is refused too
        assert (await ban(http, handle=handle(peer, "alice"), reason="a\x00b")).status_code == 400
        assert (await ban(http, handle="@" + "a" * 2000 + "@x.example")).status_code == 400
    assert await nothing_stored()
    assert not peer.received_of("Block")


async def test_only_moderators_of_the_community_and_admins_may_ban(instance, peer: Peer) -> None:
    # Given news (mia moderates it), pets (mia does not), bans by the admin in pets and instance-wide
    inst = await instance()
    scene = await community(inst, peer)
    await inst.community("pets", title="Pets")
    ada = await create_staff("ada", PASSWORD, is_admin=True)
    await create_staff("other", PASSWORD)
    in_pets = await bans.ban(inst.groups, ada, scene.people["carol"].uri, community="pets", reason="x")
    await bans.ban(inst.groups, ada, scene.people["dave"].uri, reason="instance")
    async with staff_client(inst.base, "mia") as http:
        # mia sees neither, cannot open pets' bans, nor ban there or instance-wide
        page = await get(http, "/staff/bans")
        assert "No bans in force in the communities you moderate." in page.text
        assert '<option value="">' not in page.text and 'value="pets"' not in page.text
        assert (await get(http, "/staff/bans?community=pets")).status == 403
        for scope, why in (("pets", "does not moderate pets"), ("", "is not an instance admin")):
            resp = await ban(http, community=scope, handle=handle(peer, "alice"))
            assert resp.status_code == 403 and why in resp.text
            assert 'aria-describedby="ban-community-hint ban-error" aria-invalid="true"' in resp.text
        # nor lift the admin's ban in pets: the notice says why and the ban stays
        page = await followed(http, await unban(http, in_pets))
        assert "does not moderate pets" in page.text and 'class="error-box"' in page.text
        assert await Ban.filter(id=in_pets.id).exists()
    assert await Ban.all().count() == 2
    async with staff_client(inst.base, "other") as http:
        page = await get(http, "/staff/bans")
        assert "You moderate no community, so there is nobody you can ban." in page.text
    # a moderator added later may
    await Moderator.create(group=await inst.groups.group("pets"), actor=inst.site.staff_uri("other"))
    async with staff_client(inst.base, "other") as http:
        page = await get(http, "/staff/bans?community=pets")
        assert f'aria-label="Unban {handle(peer, "carol")} from pets"' in page.text


async def test_signed_out_visitors_and_forms_without_the_token_are_refused(instance, peer: Peer) -> None:
    inst = await instance()
    scene = await community(inst, peer)
    item = await bans.ban(
        inst.groups, await create_staff("ada", PASSWORD, is_admin=True), scene.people["bob"].uri, reason="x"
    )
    data = {"community": "news", "handle": scene.people["alice"].uri, "reason": "spam"}
    async with client(inst.base) as http:
        resp = await http.get("/staff/bans?community=news")
        assert resp.status_code == 303 and resp.headers["location"] == "/staff/sign-in?next=/staff/bans"
        for path, form in (("/staff/bans", data), ("/staff/bans/remove", {"ban": str(item.id)})):
            resp = await http.post(path, data=form)
            assert resp.status_code == 303 and resp.headers["location"].startswith("/staff/sign-in")
    async with staff_client(inst.base, "mia") as http:
        await get(http, "/staff/bans")
        assert (await http.post("/staff/bans", data=data)).status_code == 403
        assert (await http.post("/staff/bans/remove", data={"ban": str(item.id)})).status_code == 403
        token = await form_token(http, "/staff/bans")
        page = await followed(
            http, await http.post("/staff/bans/remove", data={"csrf_token": token, "ban": "9"})
        )
        assert "That ban is no longer in force" in page.text
    assert await Ban.all().count() == 1 and not await Ban.exists(actor=scene.people["alice"].uri)


async def test_ban_and_unban_in_the_browser(instance, peer: Peer, browser: Browser) -> None:
    inst = await instance()
    await community(inst, peer)
    page = await browser_sign_in(browser, inst.base, "mia")
    await page.get_by_role("navigation", name="Staff", exact=True).get_by_role("link", name="Bans").click()
    await page.wait_for_url(inst.base + "/staff/bans")
    await page.goto(inst.base + "/staff/bans?community=news")
    await page.get_by_label("Who").fill(handle(peer, "alice"))
    await page.get_by_label("Reason").fill("Spam links, again")
    await page.get_by_label("Ends").fill("7d")
    await page.get_by_role("button", name="Ban", exact=True).click()
    await page.wait_for_url(inst.base + "/staff/bans?community=news")
    assert "Banned " + handle(peer, "alice") in await page.get_by_role("status").inner_text()
    row = page.get_by_role("row", name="Alice")
    assert "Spam links, again" in await row.inner_text() and "mia" in await row.inner_text()
    await screenshot(page, "staff-bans")
    await page.get_by_role("button", name=f"Unban {handle(peer, 'alice')} from news").click()
    await page.wait_for_url(inst.base + "/staff/bans?community=news")
    assert "Lifted the ban" in await page.get_by_role("status").inner_text()
    assert await page.get_by_role("row", name="Alice").count() == 0
    await (
        page.get_by_role("navigation", name="Staff", exact=True)
        .get_by_role("link", name="Moderation log")
        .click()
    )
    await page.wait_for_url(inst.base + "/staff/modlog")
    assert await page.get_by_role("row", name="unban").count() == 1
    assert "Spam links, again" in await page.get_by_role("row", name="spam links").inner_text()
    await screenshot(page, "staff-modlog")
    await peer.wait_for(lambda: blocks_of(peer, "Undo", "Block"))


async def test_the_bans_and_modlog_pages_are_valid_html_and_accessible(
    instance, peer: Peer, browser: Browser, tmp_path: Path
) -> None:
    inst = await instance()
    scene = await community(inst, peer)
    await inst.community("pets", title="Pets")
    ada = await create_staff("ada", PASSWORD, is_admin=True)
    await create_staff("other", PASSWORD)
    await bans.ban(inst.groups, ada, scene.people["dave"].uri, reason="instance-wide", remove_data=True)
    staff_pages = {
        "ada": ["/staff/bans", "/staff/bans?community=pets", "/staff/modlog", "/staff/modlog?page=2"],
        "mia": ["/staff/bans?community=news", "/staff/modlog?action=ban&community=news"],
        "other": ["/staff/bans", "/staff/modlog?action=nothing"],
    }
    documents: dict[str, str] = {}
    async with staff_client(inst.base, "mia") as http:
        resp = await ban(http, handle=handle(peer, "alice"), expires="7d", reason="<b>spam</b> & more")
        documents["mia: ban"] = (await followed(http, resp)).text
        documents["mia: refused"] = (await ban(http, handle=handle(peer, "bob"), expires="later")).text
    documents |= await staff_documents(inst.base, staff_pages)
    assert_valid_html(documents, tmp_path)

    problems = {}
    for name, paths in staff_pages.items():
        page = await browser_sign_in(browser, inst.base, name)
        for path in paths:
            await page.goto(inst.base + path)
            await check_axe(page, problems, f"{name}: {path}")
        if name == "mia":
            await page.goto(inst.base + "/staff/bans?community=news")
            await page.get_by_label("Who").fill("nobody at all")
            await page.get_by_label("Reason").fill("spam")
            await page.get_by_role("button", name="Ban", exact=True).click()
            await page.get_by_role("alert").wait_for()
            await check_axe(page, problems, "mia: refused ban")
    assert problems == {}, "\n".join(f"{p}: {v}" for p, v in problems.items())
