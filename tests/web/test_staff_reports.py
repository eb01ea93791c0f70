"""The staff report queue over real HTTP: each staff member sees the reports of the communities they
moderate (admins every one, the instance's own too), with who reported, why and what, the reported
post rendered sanitized; resolving tells the community's remote moderators with Resolve{Flag},
forwarding reaches the author's server without the reporter, and "remove and resolve" removes the
post as any removal does; only those who may handle a report see or act on it; plus the browser flow,
and every page of the queue and of posts checked by the Nu HTML checker and axe-core."""

from __future__ import annotations

import html
import json
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser

from fedicom.groups.models import Group, Moderator, Post
from fedicom.moderation import reports
from fedicom.moderation.held import reject_post
from fedicom.moderation.models import ModlogEntry, Report
from fedicom.moderation.removals import remove_post
from fedicom.moderation.threads import lock_post, pin_post
from fedicom.staff.accounts import create_staff
from tests.support.peer import Peer, Person, serving
from tests.support.steps import announced
from tests.web.browser import assert_valid_html, check_axe, screenshot
from tests.web.http import client, get
from tests.web.scene import PASSWORD, XSS_CONTENT, Scene, community, join, reply, send, thread
from tests.web.signin import browser_sign_in, form_token, staff_client, staff_documents

NOTICE = re.compile(r'<p class="(done-box|error-box)" role="(?:status|alert)">(.*?)</p>', re.S)


@pytest.fixture
async def far_peer() -> AsyncIterator[Peer]:
    """Another server (127.0.0.2): the member who reports lives there, apart from the moderator."""
    async with serving("127.0.0.2") as p:
        yield p


async def reported(inst: Any, peer: Peer, far_peer: Peer) -> tuple[Scene, Person, Person, Report]:
    """news (mia moderates it, and rita on the members' server too) with a spam thread by alice that
    rex, a member on another server, reports the way Lemmy does; rita's server got the report."""
    scene = await community(inst, peer)
    rita = peer.person("rita")
    await Moderator.create(group=await inst.groups.group("news"), actor=rita.uri)
    scene.posts["spam"], _ = await thread(
        peer, scene.people["alice"], scene.group, "<p>Buy <b>cheap</b> pills</p>", name="Great deals"
    )
    rex = far_peer.person("rex")
    await join(far_peer, rex, scene.group)
    flag = far_peer.activity(
        "Flag", rex, scene.posts["spam"]["id"], to=[scene.group], audience=scene.group, summary="Spam, again"
    )
    await send(far_peer, rex, scene.group, flag)
    await peer.wait_for(lambda: peer.received_of("Flag"))
    return scene, rita, rex, await Report.get()


async def submit(http: httpx.AsyncClient, path: str, action: str, **fields: str) -> httpx.Response:
    """Send a form of the page at `path` to `action`."""
    token = await form_token(http, path)
    return await http.post(action, data={"csrf_token": token, **fields})


async def notice(http: httpx.AsyncClient, resp: httpx.Response) -> tuple[str, str, str]:
    """Where the redirect after an action leads and the notice shown there (kind, text)."""
    assert resp.status_code == 303, resp.text
    page = await get(http, resp.headers["location"])
    found = NOTICE.search(page.text)
    assert found, "no notice shown"
    return resp.headers["location"], found.group(1), html.unescape(found.group(2))


def resolves(peer: Peer) -> list[dict[str, Any]]:
    return peer.received_of("Resolve")


async def test_each_staff_member_sees_the_reports_they_may_handle(
    instance, peer: Peer, far_peer: Peer
) -> None:
    inst = await instance()
    scene, _rita, _rex, report = await reported(inst, peer, far_peer)
    pets = await inst.community("pets", title="Pets")
    otto = await create_staff("otto", PASSWORD)
    await Moderator.create(group=pets, actor=inst.site.staff_uri("otto"))
    ada = await create_staff("ada", PASSWORD, is_admin=True)
    alice = scene.people["alice"]
    about_account = await reports.file_report(inst.groups, ada, [alice.uri], reason="ban evasion")
    in_pets = await reports.file_report(
        inst.groups, otto, [alice.uri], reason="wrong place", community="pets"
    )
    spam = await scene.post("spam")

    async with staff_client(inst.base, "mia") as http:
        queue = await get(http, "/staff/reports")
        assert queue.status == 200 and "<h1>Reports</h1>" in queue.text
        assert 'aria-current="page">Reports</a>' in queue.text
        assert f'<a href="/staff/reports/{report.id}">Report #{report.id}</a>' in queue.text
        assert "Spam, again" in queue.text and "@rex@127.0.0.2:" in queue.text  # staff see the reporter
        assert f'<a href="/staff/c/news/p/{spam.id}">Great deals</a>' in queue.text
        assert f"Report #{about_account.id}" not in queue.text and f"Report #{in_pets.id}" not in queue.text
        assert "1 open report, newest first." in queue.text
        filtered = await get(http, "/staff/reports?community=news&state=all")
        assert f"Report #{report.id}" in filtered.text and "<h1>Reports in Daily News</h1>" in filtered.text
        resolved = await get(http, "/staff/reports?state=resolved")
        assert "0 resolved reports" in resolved.text and "Nothing to review here." in resolved.text
        assert (await get(http, "/staff/reports?community=pets")).status == 403
        bad = await get(http, "/staff/reports?state=closed")
        assert bad.status == 400 and "Unknown state &#39;closed&#39;" in bad.text
        assert (await get(http, f"/staff/reports/{about_account.id}")).status == 403
        assert (await get(http, "/staff/reports/999")).status == 404

    async with staff_client(inst.base, "ada") as http:
        queue = await get(http, "/staff/reports")
        for item in (report, about_account, in_pets):
            assert f"Report #{item.id}</a>" in queue.text
        assert "To the instance's admins" in queue.text and "The account" in queue.text


async def test_the_report_page_shows_the_reported_post_sanitized(
    instance, peer: Peer, far_peer: Peer
) -> None:
    inst = await instance()
    scene, _rita, rex, _report = await reported(inst, peer, far_peer)
    note, _ = await thread(peer, scene.people["bob"], scene.group, XSS_CONTENT, name="<b>Harmless</b>")
    ada = await create_staff("ada", PASSWORD, is_admin=True)
    filed = await reports.file_report(inst.groups, ada, [note["id"]], reason="scripts <script>")
    async with staff_client(inst.base, "mia") as http:
        page = await get(http, f"/staff/reports/{filed.id}")
    assert page.status == 200 and f"<h1>Report #{filed.id}</h1>" in page.text
    assert "<script>" not in page.text.split("</head>")[1]
    assert "onerror" not in page.text and 'href="javascript:' not in page.text.lower()
    assert "&lt;b&gt;Harmless&lt;/b&gt;" in page.text and "scripts &lt;script&gt;" in page.text
    assert "Totally harmless" in page.text
    assert 'name="to_author" value="yes"' in page.text  # bob is on another server
    assert rex.uri not in page.text  # only this report's reporter: ada


async def test_resolving_a_report_tells_the_remote_moderators(instance, peer: Peer, far_peer: Peer) -> None:
    # Given rex's report about alice's thread, forwarded to rita's server
    inst = await instance()
    scene, _rita, rex, report = await reported(inst, peer, far_peer)
    [forwarded] = peer.received_of("Flag")
    assert rex.uri not in json.dumps(forwarded)
    path = f"/staff/reports/{report.id}"
    async with staff_client(inst.base, "mia") as http:
        page = await get(http, path)
        assert "Buy <b>cheap</b> pills" in page.text and "Spam, again" in page.text
        spam = await get(http, f"/staff/c/news/p/{(await scene.post('spam')).id}")
        assert f'<a href="{path}">report #{report.id}</a>' in spam.text  # the post links back to it

        # When mia resolves it with a note
        resp = await submit(http, path, f"{path}/resolve", note="Warned alice")

        # Then she is back at the queue with a notice, and it is closed with the note in the modlog
        assert await notice(http, resp) == ("/staff/reports", "done-box", f"Report #{report.id} resolved.")
        closed = await Report.get(id=report.id)
        assert (closed.state, closed.resolution, closed.resolved_by) == (
            "resolved",
            "Warned alice",
            scene.moderator,
        )
        assert (await ModlogEntry.get(action="resolve_report")).reason == "Warned alice"
        page = await get(http, path)
        assert (
            "Resolved by" in page.text and "Warned alice" in page.text and f"{path}/resolve" not in page.text
        )

        # And rita's server gets Lemmy's Resolve{Flag} of the very Flag it got, from mia
        [resolve] = await peer.wait_for(lambda: resolves(peer))
        assert resolve["actor"] == scene.moderator
        assert resolve["object"] == {k: v for k, v in forwarded.items() if k != "@context"}

        # When she tries to close it again, the service's reason is shown
        resp = await submit(http, path, f"{path}/dismiss", note="again")
        assert await notice(http, resp) == (path, "error-box", f"Report #{report.id} is already resolved.")


async def test_dismissing_needs_a_note_and_closes_the_report(instance, peer: Peer, far_peer: Peer) -> None:
    inst = await instance()
    _scene, _rita, _rex, report = await reported(inst, peer, far_peer)
    path = f"/staff/reports/{report.id}"
    async with staff_client(inst.base, "mia") as http:
        resp = await submit(http, path, f"{path}/dismiss", note="  ")
        assert await notice(http, resp) == (
            path,
            "error-box",
            "Say why the report is closed: a reason is required.",
        )
        assert (await Report.get(id=report.id)).state == "open"
        resp = await submit(http, path, f"{path}/dismiss", note="Not spam: a real offer")
        assert await notice(http, resp) == ("/staff/reports", "done-box", f"Report #{report.id} dismissed.")
    closed = await Report.get(id=report.id)
    assert (closed.state, closed.resolution) == ("dismissed", "Not spam: a real offer")
    [resolve] = await peer.wait_for(lambda: resolves(peer))  # remote moderators see it closed too
    assert resolve["object"]["object"] == closed.targets[0]


async def test_remove_and_resolve_removes_the_post_as_any_removal(
    instance, peer: Peer, far_peer: Peer
) -> None:
    inst = await instance()
    scene, _rita, _rex, report = await reported(inst, peer, far_peer)
    spam = await scene.post("spam")
    path = f"/staff/reports/{report.id}"
    async with staff_client(inst.base, "mia") as http:
        resp = await submit(http, path, f"{path}/remove", post=str(spam.id), rule="2", reason="Ads")
        assert await notice(http, resp) == (
            "/staff/reports",
            "done-box",
            f"Removed post {spam.id} and resolved report #{report.id}.",
        )
        resp = await submit(http, path, f"{path}/remove", post="12345", reason="x")
        assert resp.status_code == 404
    why = "Rule 2: Stay on topic. Ads"
    removed = await Post.get(id=spam.id)
    assert (removed.state, removed.state_reason) == ("removed", why)
    closed = await Report.get(id=report.id)
    assert (closed.state, closed.resolution) == ("resolved", f"removed post {spam.id}: {why}")
    [wrapped] = await peer.wait_for(lambda: announced(peer, "Delete", scene.posts["spam"]["id"]))
    assert wrapped["object"]["summary"] == why and wrapped["object"]["actor"] == scene.moderator
    await peer.wait_for(lambda: resolves(peer))


async def test_remove_and_resolve_changes_nothing_when_the_removal_is_refused(
    instance, peer: Peer, far_peer: Peer
) -> None:
    inst = await instance()
    scene, _rita, _rex, report = await reported(inst, peer, far_peer)
    spam = await scene.post("spam")
    path = f"/staff/reports/{report.id}"
    async with staff_client(inst.base, "mia") as http:
        resp = await submit(http, path, f"{path}/remove", post=str(spam.id), rule="7", reason="")
        assert await notice(http, resp) == (path, "error-box", "News has 2 rules; there is no rule 7.")
    assert (await Post.get(id=spam.id)).state == "visible"
    assert (await Report.get(id=report.id)).state == "open"


async def test_forwarding_to_the_authors_server_leaves_the_reporter_out(
    instance, peer: Peer, far_peer: Peer
) -> None:
    inst = await instance()
    scene, _rita, rex, report = await reported(inst, peer, far_peer)
    path = f"/staff/reports/{report.id}"
    async with staff_client(inst.base, "mia") as http:
        resp = await submit(http, path, f"{path}/forward", to_author="yes")
        host = peer.base.removeprefix("http://")
        assert await notice(http, resp) == (path, "done-box", f"Report #{report.id} forwarded to {host}.")
    [to_author] = await peer.wait_for(
        lambda: [r for r in peer.received if isinstance(r.activity["object"], list)]
    )
    assert to_author.signer == f"{inst.base}/actor" and to_author.activity["type"] == "Flag"
    assert to_author.activity["object"] == [scene.posts["spam"]["id"], scene.people["alice"].uri]
    assert rex.uri not in json.dumps(to_author.activity) and far_peer.base not in json.dumps(
        to_author.activity
    )
    assert await ModlogEntry.filter(action="forward_report").exists()


async def test_only_those_who_may_handle_a_report_act_on_it(instance, peer: Peer, far_peer: Peer) -> None:
    inst = await instance()
    _scene, _rita, _rex, report = await reported(inst, peer, far_peer)
    await create_staff("otto", PASSWORD)
    await Moderator.create(
        group=await inst.community("pets", title="Pets"), actor=inst.site.staff_uri("otto")
    )
    path = f"/staff/reports/{report.id}"
    async with staff_client(inst.base, "mia") as http:
        token = await form_token(http, path)
        resp = await http.post(f"{path}/resolve", data={"note": "no token"})
        assert resp.status_code == 403 and "reload the page" in resp.text
    async with staff_client(inst.base, "otto") as http:
        own = await form_token(http, "/staff/reports")
        assert (await get(http, path)).status == 403
        for action in ("resolve", "dismiss", "forward", "remove"):
            resp = await http.post(f"{path}/{action}", data={"csrf_token": own, "note": "x", "post": "1"})
            assert resp.status_code == 403, action
    async with client(inst.base) as http:
        resp = await http.get(path)
        assert resp.status_code == 303 and resp.headers["location"] == f"/staff/sign-in?next={path}"
        resp = await http.post(f"{path}/resolve", data={"csrf_token": token, "note": "x"})
        assert resp.status_code == 303 and resp.headers["location"].startswith("/staff/sign-in")
    assert (await Report.get(id=report.id)).state == "open"
    assert not await ModlogEntry.exists()


async def test_resolve_a_report_in_the_browser(
    instance, peer: Peer, far_peer: Peer, browser: Browser
) -> None:
    inst = await instance()
    _scene, _rita, _rex, report = await reported(inst, peer, far_peer)
    page = await browser_sign_in(browser, inst.base, "mia")
    await page.get_by_role("navigation", name="Staff", exact=True).get_by_role("link", name="Reports").click()
    await page.wait_for_url(inst.base + "/staff/reports")
    await screenshot(page, "staff-reports")
    await page.get_by_role("link", name=f"Report #{report.id}").click()
    await page.wait_for_url(f"{inst.base}/staff/reports/{report.id}")
    assert await page.get_by_text("Spam, again").is_visible()
    await page.get_by_label("What was done").fill("Talked to alice; she will stop")
    await screenshot(page, "staff-report")
    await page.get_by_role("button", name="Resolve", exact=True).click()
    await page.wait_for_url(inst.base + "/staff/reports")
    assert await page.get_by_role("status").inner_text() == f"Report #{report.id} resolved."
    assert await page.get_by_text("Nothing to review here.").is_visible()
    [resolve] = await peer.wait_for(lambda: resolves(peer))
    assert resolve["object"]["object"] == report.targets[0]


async def every_kind_of_page(inst: Any, scene: Scene) -> dict[str, list[str]]:
    """Reports (open, closed, about an account, about a hostile post) and posts in every state and
    flag, by the staff member who sees each."""
    peer = scene.peer
    alice, bob = scene.people["alice"], scene.people["bob"]
    ada = await create_staff("ada", PASSWORD, is_admin=True)
    scene.posts["rules"], _ = await thread(peer, bob, scene.group, "<p>Read them</p>", name="Rules")
    scene.posts["answer"], _ = await reply(peer, alice, scene.group, scene.posts["rules"]["id"], "<p>ok</p>")
    scene.posts["xss"], _ = await thread(peer, bob, scene.group, XSS_CONTENT, name="<i>tricky</i>")
    await pin_post(inst.groups, await scene.post("rules"), scene.moderator, pinned=True)
    await lock_post(inst.groups, await scene.post("rules"), scene.moderator, locked=True)
    await remove_post(inst.groups, await scene.post("answer"), scene.moderator, reason="<b>rude</b> & more")
    await Group.filter(name="news").update(premoderation="all")
    inst.groups.forget_group("news")
    scene.posts["held"], _ = await thread(peer, alice, scene.group, "<p>Waiting</p>", name="Held one")
    scene.posts["rejected"], _ = await thread(peer, bob, scene.group, "<p>Never shown</p>", name="Rejected")
    await reject_post(inst.groups, await scene.post("rejected"), scene.moderator, reason="no")
    xss = await scene.post("xss")
    account = await reports.file_report(
        inst.groups, ada, [alice.uri, "https://gone.example/x"], reason="evasion"
    )
    on_xss = await reports.file_report(inst.groups, ada, [xss.object_id, alice.uri], reason="<script>")
    closed = await reports.file_report(
        inst.groups, ada, [(await scene.post("rules")).object_id], reason="meh"
    )
    await reports.dismiss_report(inst.groups, ada, closed.id, reason="fine")
    post_ids = [(await scene.post(n)).id for n in ("spam", "rules", "answer", "xss", "held", "rejected")]
    return {
        "mia": [
            "/staff/reports",
            "/staff/reports?community=news&state=all",
            "/staff/reports?state=dismissed",
            "/staff/reports?page=2",
            f"/staff/reports/{on_xss.id}",
            f"/staff/reports/{closed.id}",
            *[f"/staff/c/news/posts?state={s}" for s in ("visible", "removed", "held", "all")],
            "/staff/c/news/posts?page=2",
            *[f"/staff/c/news/p/{i}" for i in post_ids],
        ],
        "ada": ["/staff/reports?state=all", f"/staff/reports/{account.id}"],
    }


async def test_the_report_and_post_pages_are_valid_html_and_accessible(
    instance, peer: Peer, far_peer: Peer, browser: Browser, tmp_path: Path
) -> None:
    inst = await instance()
    scene, _rita, _rex, report = await reported(inst, peer, far_peer)
    pages = await every_kind_of_page(inst, scene)
    spam = await scene.post("spam")
    documents: dict[str, str] = {}
    async with staff_client(inst.base, "mia") as http:
        path = f"/staff/reports/{report.id}"
        resp = await submit(http, path, f"{path}/remove", post=str(spam.id), reason="")
        documents["mia: refused removal"] = (await get(http, resp.headers["location"])).text
        resp = await submit(http, path, f"{path}/forward")
        documents["mia: forwarded"] = (await get(http, resp.headers["location"])).text
    documents |= await staff_documents(inst.base, pages)
    assert_valid_html(documents, tmp_path)

    problems = {}
    for name, paths in pages.items():
        page = await browser_sign_in(browser, inst.base, name)
        for path in paths:
            await page.goto(inst.base + path)
            await check_axe(page, problems, f"{name}: {path}")
        if name == "mia":
            await page.goto(f"{inst.base}/staff/reports/{report.id}")
            await page.get_by_role("button", name=f"Remove post {spam.id} and resolve").click()
            await page.get_by_role("alert").wait_for()
            await check_axe(page, problems, "mia: refused removal")
    assert problems == {}, "\n".join(f"{p}: {v}" for p, v in problems.items())
