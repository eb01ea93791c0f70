"""The instance's insights for admins: every community together on one page (charts, tables, alerts
named with their community), as CSV and JSON and from the admin API; refused to moderators who are
not admins; valid HTML, accessible in light and dark mode."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from playwright.async_api import Browser

from fedicom.groups.models import Group
from fedicom.insights.counting import add_day, local_day
from fedicom.insights.db import db
from fedicom.staff.models import Staff
from fedicom.staff.tokens import create_token
from tests.support.peer import Peer
from tests.web.browser import assert_valid_html, check_axe, screenshot
from tests.web.http import get
from tests.web.signin import admin, browser_sign_in, staff_client
from tests.web.test_staff_insights import month

PAGE = "/staff/insights"


async def two_communities(inst, peer: Peer) -> Group:
    """`news` with its month of life (test_staff_insights.month) and `photos`, with a week of its own."""
    await month(inst, peer)
    photos = await inst.community("photos")
    today = local_day(datetime.now(UTC), photos)
    for n in range(7):
        await add_day(db(), photos, today - timedelta(days=n), posts=2, comments=5, joins=1)
    return photos


async def test_admins_read_every_community_together(instance, peer: Peer) -> None:
    inst = await instance()
    await two_communities(inst, peer)
    await admin("ada")
    async with staff_client(inst.base, "ada") as http:
        page = await get(http, PAGE)
        news = await http.get("/staff/communities/news/insights.json?days=30")
        table = await http.get(PAGE + ".csv?days=30")
        data = await http.get(PAGE + ".json?days=30")
    assert page.status == 200 and page.headers["cache-control"] == "private, no-store"
    assert "Insights: all communities" in page.text and page.text.count('<svg class="chart"') == 9
    assert 'aria-current="page">Insights</a>' in page.text  # the staff navigation's entry
    assert 'in <a href="/staff/communities/news/insights">news</a>' in page.text  # the alert's community
    assert "Recognise" not in page.text  # experts are granted per community, on its page
    found, one = data.json(), news.json()
    assert (found["scope"], found["community"]) == ("instance", "")
    assert found["posts"] == one["posts"] + 7 * 2 and found["comments"] == one["comments"] + 7 * 5
    assert [(c["community"], c["posts"]) for c in found["by_community"]] == [
        ("news", one["posts"]),
        ("photos", 14),
    ]
    rows = list(csv.DictReader(io.StringIO(table.text)))
    assert "instance-insights" in table.headers["content-disposition"]
    assert len(rows) == 30 and sum(int(r["posts"]) for r in rows) == found["posts"]

    # and from the admin API, for an admin's token only
    ada, mia = await Staff.get(username="ada"), await Staff.get(username="mia")
    async with httpx.AsyncClient(base_url=inst.base) as api:
        for who, scopes, status in ((ada, ["admin"], 200), (ada, ["read"], 403), (mia, ["read"], 403)):
            secret = (await create_token(who, "test", scopes))[1]
            answer = await api.get(
                "/api/v1/admin/insights?days=30", headers={"Authorization": f"Bearer {secret}"}
            )
            assert answer.status_code == status, (who.username, scopes, answer.text)
            if status == 200:
                assert answer.json()["posts"] == found["posts"]


async def test_moderators_who_are_not_admins_are_refused(instance, peer: Peer) -> None:
    inst = await instance()
    await month(inst, peer)
    async with staff_client(inst.base, "mia") as http:
        refused = await get(http, PAGE)
        dashboard = await get(http, "/staff")
    assert refused.status == 403 and "admin" in refused.text
    assert 'href="/staff/insights"' not in dashboard.text  # not offered in the navigation either


async def test_the_page_is_valid_and_accessible_in_both_modes(
    instance, peer: Peer, browser: Browser, tmp_path: Path
) -> None:
    inst = await instance()
    await two_communities(inst, peer)
    await admin("ada")
    async with staff_client(inst.base, "ada") as http:
        documents = {path: (await get(http, path)).text for path in (PAGE, PAGE + "?days=90")}
    assert_valid_html(documents, tmp_path)
    page = await browser_sign_in(browser, inst.base, "ada")
    await page.goto(inst.base + "/staff")
    await page.get_by_role("link", name="Insights").click()
    await page.wait_for_url(inst.base + PAGE)
    assert await page.locator("svg.chart").count() == 9
    problems: dict[str, str] = {}
    await check_axe(page, problems, PAGE)
    await screenshot(page, "staff-instance-insights")
    await page.emulate_media(color_scheme="dark")
    await check_axe(page, problems, PAGE + " (dark)")
    await screenshot(page, "staff-instance-insights-dark")
    assert problems == {}
