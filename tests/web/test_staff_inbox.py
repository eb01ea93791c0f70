"""The staff inbox and notification settings pages: read and clear the inbox in Chromium, choose how
to be told; the pages are valid HTML and pass axe in light and dark mode."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from playwright.async_api import Browser

from fedicom.groups.models import Group
from fedicom.notifications.models import Notification, NotificationSettings
from fedicom.staff.models import Staff
from tests.notifications.conftest import SECRET, staff_post_scene
from tests.support.peer import Peer
from tests.support.steps import reply, send, thread
from tests.web.browser import assert_valid_html, check_axe, screenshot
from tests.web.http import get
from tests.web.scene import XSS_CONTENT
from tests.web.signin import browser_sign_in, form_token, staff_client

INBOX = "/staff/inbox"
SETTINGS = "/staff/notifications"
HOOK = "http://127.0.0.1:9/hooks/fedicom"  # development mode: a loopback address is allowed


async def busy_inbox(inst, peer: Peer):  # type: ignore[no-untyped-def]
    """mia's inbox: two replies to her post (one with hostile markup), a join request, a held post."""
    scene = await staff_post_scene(inst, peer)
    await reply(peer, scene.bob, scene.group, scene.staff_post.object_id, "<p>Nice to meet you all</p>")
    await reply(peer, scene.bob, scene.group, scene.staff_post.object_id, XSS_CONTENT)
    await Group.filter(name="news").update(private=True, premoderation="all")
    inst.groups.forget_group("news")
    erin = peer.person("erin")
    await send(peer, erin, f"{scene.group}/inbox", peer.activity("Follow", erin, scene.group))
    await thread(peer, scene.bob, scene.group, "<p>Is this allowed?</p>", name="A question")
    return scene


async def test_read_and_clear_the_inbox_in_the_browser(instance, peer: Peer, browser: Browser) -> None:
    inst = await instance()
    await busy_inbox(inst, peer)
    page = await browser_sign_in(browser, inst.base, "mia")
    assert await page.get_by_role("link", name="4 unread notifications in your inbox").count() == 1
    await page.get_by_role("link", name="Inbox 4 unread").click()
    await page.wait_for_url(inst.base + INBOX)
    await screenshot(page, "staff-inbox")
    headings = await page.get_by_role("heading", level=2).all_inner_texts()
    assert [re.sub(r"\s+", " ", h) for h in headings] == [
        "A post by @bob@127.0.0.1:" + peer.base.rsplit(":", 1)[1] + " waits for review in Daily News Unread",
        "@erin@127.0.0.1:" + peer.base.rsplit(":", 1)[1] + " asks to join Daily News Unread",
        "@bob@127.0.0.1:" + peer.base.rsplit(":", 1)[1] + " replied to your post in Daily News Unread",
        "@bob@127.0.0.1:" + peer.base.rsplit(":", 1)[1] + " replied to your post in Daily News Unread",
    ]
    await page.get_by_role("button", name=re.compile(r"^Mark read: @erin@")).click()
    await page.wait_for_load_state()
    assert re.match(r"Notification \d+ is marked read\.", await page.get_by_role("status").inner_text())
    assert await page.get_by_role("link", name="Inbox 3 unread").count() == 1
    await page.get_by_label("Show").select_option("unread")
    await page.get_by_label("Kind").select_option("reply")
    await page.get_by_role("button", name="Show").click()
    await page.wait_for_url(re.compile(r".*show=unread&kind=reply.*"))
    assert await page.locator("ol.inbox > li").count() == 2
    await page.get_by_role("button", name="Mark all 2 unread notifications read").click()
    await page.wait_for_load_state()
    assert await page.get_by_role("status").inner_text() == "2 notifications marked read."
    assert await page.get_by_text("Nothing needs you right now.").count() == 1
    await page.goto(inst.base + INBOX)
    await page.get_by_role("button", name=re.compile(r"^Mark all 1 unread")).click()
    await page.wait_for_load_state()
    assert await page.get_by_role("link", name=re.compile("unread")).count() == 0  # the count is gone
    assert await Notification.filter(read_at__isnull=True).count() == 0


async def test_choose_email_then_a_webhook_whose_secret_is_shown_once(
    instance, peer: Peer, browser: Browser
) -> None:
    inst = await instance(
        smtp_host="127.0.0.1", smtp_port=2525, smtp_security="none", smtp_from="f@x.example"
    )
    await staff_post_scene(inst, peer)
    page = await browser_sign_in(browser, inst.base, "mia")
    await page.goto(inst.base + SETTINGS)
    assert await page.get_by_label(re.compile("An email for each notification")).is_disabled()
    await page.get_by_label("Where notification emails go").fill("mia@example.org")
    await page.get_by_role("button", name="Save address").click()
    await page.wait_for_load_state()
    assert await page.get_by_role("status").inner_text() == "Your email address is saved."
    await page.get_by_label(re.compile("A daily email digest")).check()
    await page.get_by_role("button", name="Save channel").click()
    await page.wait_for_load_state()
    assert await page.get_by_role("status").inner_text() == "You are told: a daily email digest."
    await page.get_by_label(re.compile("A webhook: A signed")).check()
    await page.get_by_label("Webhook URL").fill(HOOK)
    await page.get_by_role("button", name="Save channel").click()
    await page.wait_for_load_state()
    secret = await page.get_by_label("Webhook secret", exact=True).input_value()
    await screenshot(page, "staff-notification-settings")
    saved = await NotificationSettings.get(staff_id=(await Staff.get(username="mia")).id)
    assert (saved.channel, saved.webhook_url, saved.webhook_secret) == ("webhook", HOOK, secret)
    assert len(secret) >= 40
    await page.goto(inst.base + SETTINGS)
    assert secret not in await page.content()  # never shown again
    await page.get_by_label("Webhook secret (optional)").fill(SECRET)
    await page.get_by_role("button", name="Save channel").click()
    await page.wait_for_load_state()
    assert (await NotificationSettings.get(staff_id=saved.staff_id)).webhook_secret == SECRET  # type: ignore[attr-defined]
    await page.get_by_label("Webhook URL").fill("ftp://nowhere")
    await page.get_by_role("button", name="Save channel").click()
    await page.wait_for_load_state()
    assert "webhook URL" in await page.get_by_role("alert").inner_text()


async def test_the_settings_forms_need_their_csrf_token_and_refuse_bad_input(instance, peer: Peer) -> None:
    inst = await instance()
    await staff_post_scene(inst, peer)
    async with staff_client(inst.base, "mia") as http:
        assert (await http.post(f"{SETTINGS}/channel", data={"channel": "page"})).status_code == 403
        token = await form_token(http, SETTINGS)
        resp = await http.post(f"{SETTINGS}/channel", data={"csrf_token": token, "channel": "email"})
        assert resp.status_code == 303
        page = await get(http, SETTINGS)
        assert "This server sends no email: its operator has not set up an SMTP server." in page.text
        await http.post(f"{SETTINGS}/email", data={"csrf_token": token, "email": "x" * 300})
        assert "The email address is longer than 254 characters." in (await get(http, SETTINGS)).text
        await http.post(f"{INBOX}/{2**63}/read", data={"csrf_token": token})
        assert f"You have no notification {2**63}." in (await get(http, INBOX)).text
        assert (await get(http, INBOX + "?kind=gossip")).status == 400


async def test_the_inbox_and_settings_pages_are_valid_html_and_accessible(
    instance, peer: Peer, browser: Browser, tmp_path: Path
) -> None:
    inst = await instance()
    await busy_inbox(inst, peer)
    await Notification.filter(kind="join_request").update(read_at=datetime.now(UTC))  # one read, three not
    pages = [INBOX, INBOX + "?show=unread&kind=reply", SETTINGS, "/staff"]
    async with staff_client(inst.base, "mia") as http:
        documents = {path: (await get(http, path)).text for path in pages}
    assert "<script" not in documents[INBOX].split("<main", 1)[1].split("</main>", 1)[0]
    assert_valid_html(documents, tmp_path)
    page = await browser_sign_in(browser, inst.base, "mia")
    problems: dict[str, str] = {}
    for scheme in ("light", "dark"):
        await page.emulate_media(color_scheme=scheme)  # type: ignore[arg-type]
        for path in pages:
            await page.goto(inst.base + path)
            await check_axe(page, problems, f"{path} ({scheme})")
        await page.goto(inst.base + INBOX)
        await screenshot(page, f"staff-inbox-{scheme}")
    assert problems == {}, problems
