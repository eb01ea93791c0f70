"""Staff sign-in over real HTTP: argon2-checked passwords, secure session cookies, CSRF, rate limits,
sessions that end on sign-out, on expiry and when the account is disabled."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from fedicom.groups.models import Group, Membership, Moderator, Post
from fedicom.moderation.models import Report
from fedicom.staff import sessions
from fedicom.staff.accounts import create_staff
from fedicom.staff.models import Staff, StaffSession
from fedicom.web.appstate import app_state
from tests.support.peer import Peer
from tests.web.browser import screenshot
from tests.web.http import client, get
from tests.web.scene import PASSWORD, community
from tests.web.signin import admin, browser_sign_in, form_token, staff_client


async def test_signed_out_visitors_are_sent_to_sign_in_and_brought_back(instance) -> None:
    inst = await instance()
    await admin()
    async with client(inst.base) as http:
        resp = await http.get("/staff")
        assert resp.status_code == 303
        assert resp.headers["location"] == "/staff/sign-in?next=/staff"
        page = await get(http, resp.headers["location"])
        assert page.status == 200 and 'name="password"' in page.text
        assert page.headers["cache-control"] == "private, no-store"
        resp = await http.post(
            "/staff/sign-in",
            data={
                "csrf_token": page.csrf_token(),
                "username": "ADA",
                "password": PASSWORD,
                "next": "/staff/reports",
            },
        )
        assert resp.status_code == 303 and resp.headers["location"] == "/staff/reports"
        cookie = resp.headers["set-cookie"]
        assert "fedicom-staff=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
        home = await get(http, "/staff")
        assert home.status == 200 and "Signed in as <strong>ada</strong> (admin)" in home.text


async def test_the_cookie_is_secure_and_host_only_over_https(instance) -> None:
    inst = await instance()
    await admin()
    # The instance names itself https (as behind a TLS proxy) while the test speaks http to it.
    app_state(inst.app).csrf.secure = True
    app_state(inst.app).csrf.cookie = "__Host-fedicom-csrf"
    async with client(inst.base) as http:
        page = await get(http, "/staff/sign-in")
        http.cookies.set("__Host-fedicom-csrf", page.headers["set-cookie"].split("=", 1)[1].split(";")[0])
        resp = await http.post(
            "/staff/sign-in",
            data={"csrf_token": page.csrf_token(), "username": "ada", "password": PASSWORD},
        )
    cookie = resp.headers["set-cookie"]
    assert resp.status_code == 303 and cookie.startswith("__Host-fedicom-staff=")
    assert "Secure" in cookie and "Path=/" in cookie and "Domain" not in cookie


async def test_a_wrong_password_or_name_is_refused_alike(instance) -> None:
    inst = await instance()
    await admin()
    async with client(inst.base) as http:
        token = await form_token(http, "/staff/sign-in")
        for name, password in (("ada", "not the password"), ("nobody", PASSWORD)):
            resp = await http.post(
                "/staff/sign-in", data={"csrf_token": token, "username": name, "password": password}
            )
            assert resp.status_code == 400 and "The name or the password is wrong." in resp.text
            assert "fedicom-staff" not in resp.headers.get("set-cookie", "")
        assert (await http.get("/staff")).status_code == 303
    assert await StaffSession.all().count() == 0


async def test_sign_in_needs_the_forms_csrf_token(instance) -> None:
    inst = await instance()
    await admin()
    async with client(inst.base) as http:
        await get(http, "/staff/sign-in")
        resp = await http.post("/staff/sign-in", data={"username": "ada", "password": PASSWORD})
        assert resp.status_code == 403
        token = await form_token(http, "/staff/sign-in")
        resp = await http.post(
            "/staff/sign-in",
            data={"csrf_token": token, "username": "ada", "password": PASSWORD},
            headers={"Origin": "https://evil.example"},
        )
        assert resp.status_code == 403 and "evil.example" in resp.text


async def test_sign_in_attempts_are_rate_limited_per_address(instance) -> None:
    inst = await instance()
    await admin()
    async with client(inst.base) as http:
        token = await form_token(http, "/staff/sign-in")
        statuses = []
        for _ in range(11):
            resp = await http.post(
                "/staff/sign-in", data={"csrf_token": token, "username": "ada", "password": "guess-guess"}
            )
            statuses.append(resp.status_code)
        assert statuses == [400] * 10 + [429]
        assert "too many sign-in attempts" in resp.text.lower()
        # The right password does not get through either while the limit holds.
        resp = await http.post(
            "/staff/sign-in", data={"csrf_token": token, "username": "ada", "password": PASSWORD}
        )
        assert resp.status_code == 429


async def test_a_sign_in_target_on_another_site_is_ignored(instance) -> None:
    inst = await instance()
    await admin()
    async with client(inst.base) as http:
        token = await form_token(http, "/staff/sign-in")
        for target in ("https://evil.example/staff", "//evil.example/staff", "/\\evil.example", "/c/news"):
            resp = await http.post(
                "/staff/sign-in",
                data={"csrf_token": token, "username": "ada", "password": PASSWORD, "next": target},
            )
            assert resp.headers["location"] == "/staff", target


async def test_sign_out_ends_the_session(instance) -> None:
    inst = await instance()
    await admin()
    async with staff_client(inst.base, "ada") as http:
        token = await form_token(http, "/staff")
        assert await StaffSession.all().count() == 1
        resp = await http.post("/staff/sign-out", data={"csrf_token": token})
        assert resp.status_code == 303 and resp.headers["location"] == "/staff/sign-in"
        assert await StaffSession.all().count() == 0
        assert (await http.get("/staff")).status_code == 303


async def test_sessions_end_when_idle_expired_or_the_account_is_disabled(instance) -> None:
    await instance()
    ada = await create_staff("ada", PASSWORD, is_admin=True)
    secret = await sessions.open_session(ada)
    assert (await sessions.resolve(secret)).username == "ada"
    later = datetime.now(UTC) + sessions.IDLE + timedelta(seconds=1)
    assert await sessions.resolve(secret, now=later) is None  # idle too long: gone for good
    assert await sessions.resolve(secret) is None
    secret = await sessions.open_session(ada)
    await StaffSession.all().update(last_seen_at=datetime.now(UTC) + sessions.LIFETIME)
    assert (
        await sessions.resolve(secret, now=datetime.now(UTC) + sessions.LIFETIME + timedelta(seconds=1))
        is None
    )
    secret = await sessions.open_session(ada)
    await Staff.filter(id=ada.id).update(disabled=True)
    assert await sessions.resolve(secret) is None
    assert await sessions.check_password("ada", PASSWORD) is None  # disabled accounts cannot sign in


async def test_the_dashboard_shows_what_waits_in_each_community(instance, peer: Peer) -> None:
    inst = await instance()
    await community(inst, peer)  # news, moderated by mia
    await create_staff("other", PASSWORD)
    async with staff_client(inst.base, "mia") as http:
        page = await get(http, "/staff")
    assert 'href="/staff/c/news"' in page.text and "<td>4</td>" in page.text
    assert "Domain blocks" not in page.text and "Create a community" not in page.text
    async with staff_client(inst.base, "other") as http:
        page = await get(http, "/staff")
    assert "You moderate no community yet." in page.text and "/staff/c/news" not in page.text


async def test_the_dashboard_counts_each_communitys_queues(instance, peer: Peer) -> None:
    inst = await instance()
    scene = await community(inst, peer)  # news: 4 members
    news = await Group.get(name="news")
    pets = await inst.community("pets", title="Pets")
    await Moderator.create(group=pets, actor=scene.moderator)
    await inst.community("quiet")  # not mia's
    for n, group in enumerate((news, pets, pets)):
        await Membership.create(
            group=group,
            actor=f"https://r.example/u/{n}",
            inbox="https://r.example/inbox",
            follow_id=f"f{n}",
            follow_activity="{}",
        )
    await Report.create(community=pets, reporter="https://r.example/u/1", reason="spam")
    await Report.create(community=pets, reporter="https://r.example/u/1", reason="old", state="resolved")
    await Post.create(
        group=news,
        object_id="https://r.example/p/1",
        type="Note",
        author="https://r.example/u/0",
        document={},
        published=datetime.now(UTC),
        state="held",
    )
    async with staff_client(inst.base, "mia") as http:
        page = await get(http, "/staff")
    rows = re.findall(
        r'<tr>\n<th scope="row"><a href="/staff/c/(\w+)">.*?</th>\n((?:<td>.*?</td>\n)+)</tr>', page.text
    )
    counts = {name: re.findall(r">(\d+)</", cells) for name, cells in rows}
    # members, requests, held, reports, not shared in 24 h and 7 days (nothing arrived through the inbox)
    assert counts == {"news": ["4", "1", "1", "0", "0", "0"], "pets": ["0", "2", "0", "1", "0", "0"]}


async def test_staff_sign_in_in_the_browser(instance, peer: Peer, browser) -> None:
    inst = await instance()
    await community(inst, peer)
    context = await browser.new_context()
    page = await context.new_page()
    await page.goto(inst.base + "/c/news")
    await page.get_by_role("link", name="Staff").click()
    await page.wait_for_url(inst.base + "/staff/sign-in?next=/staff")
    await page.get_by_label("Name").fill("mia")
    await page.get_by_label("Password").fill("wrong password")
    await page.get_by_role("button", name="Sign in").click()
    assert await page.get_by_role("alert").inner_text() == "The name or the password is wrong."
    await screenshot(page, "staff-sign-in-error")
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await page.wait_for_url(inst.base + "/staff")
    assert await page.get_by_role("heading", level=1).inner_text() == "Dashboard"
    assert await page.get_by_role("row", name="Daily News").is_visible()
    await screenshot(page, "staff-dashboard")
    await page.get_by_role("button", name="Sign out").click()
    await page.wait_for_url(inst.base + "/staff/sign-in")
    page2 = await browser_sign_in(browser, inst.base, "mia")
    assert await page2.get_by_text("Signed in as mia").is_visible()


async def test_a_notice_shows_only_when_this_server_signed_it(instance) -> None:
    """Another site can plant a cookie, but not make a staff page say what it wants."""
    import base64

    inst = await instance()
    await admin()
    async with staff_client(inst.base, "ada") as http:
        token = await form_token(http, "/staff")
        forged = base64.urlsafe_b64encode(b"done\nYour account is locked: call +1 555").decode()
        http.cookies.set("fedicom-flash", f"{forged}.{'0' * 32}", path="/staff")
        page = await get(http, "/staff")
        assert "call +1 555" not in page.text and 'role="status"' not in page.text
        # A real notice, after a real action, is shown once.
        http.cookies.delete("fedicom-flash", path="/staff")
        resp = await http.post("/staff/blocks/allow", data={"csrf_token": token, "domain": "friends.example"})
        assert resp.status_code == 303
        shown = await get(http, resp.headers["location"])
        assert (
            'role="status"' in shown.text and "friends.example" in shown.text.split('role="status"')[1][:300]
        )
        again = await get(http, resp.headers["location"])
        assert 'role="status"' not in again.text
