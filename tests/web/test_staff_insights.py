"""The staff insights page: a month of a community's life drawn as charts with their tables, the health
score with its factors, the people at the centre, an alert with what was behind it; downloadable as CSV
and JSON; valid HTML, accessible in light and dark mode; only for the community's moderators."""

from __future__ import annotations

import csv
import io
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

from playwright.async_api import Browser

from fedicom.activitypub.models import RemoteServer
from fedicom.groups.events import MemberChange
from fedicom.groups.models import Group, Membership, MembershipState
from fedicom.insights.clock import Clock
from fedicom.insights.counting import Counter, add_day, add_member_day, local_day
from fedicom.insights.db import db, query
from fedicom.insights.scoring import Thresholds
from tests.support.peer import Peer
from tests.support.steps import counted
from tests.web.browser import assert_valid_html, check_axe, screenshot
from tests.web.http import client, get
from tests.web.scene import Scene, community, reply, thread, vote
from tests.web.signin import admin, browser_sign_in, form_token, staff_client

PAGE = "/staff/communities/news/insights"
SERVERS = ("mastodon.social", "lemmy.world", "kbin.earth", "piefed.social", "misskey.io")


async def month(inst, peer: Peer) -> Scene:
    """`news` with real threads, replies and votes today, and 40 earlier days of counted activity; today
    a wave of angry posts raises a sentiment alert."""
    scene = await community(inst, peer)
    alice, bob, carol = (scene.people[n] for n in ("alice", "bob", "carol"))
    scene.posts["q"], _ = await thread(
        peer, alice, scene.group, "<p>Which lens for night shots?</p>", name="Lens?"
    )
    await reply(peer, bob, scene.group, scene.posts["q"]["id"], "<p>The 35 mm f/1.4 is great at night.</p>")
    await vote(scene, "carol", "q")
    for i in range(6):
        await thread(
            peer, carol, scene.group, f"<p>The update broke my camera again, awful support ({i}).</p>"
        )
    await counted()
    group = await Group.get(name="news")
    today = local_day(datetime.now(UTC), group)
    rng = random.Random(3)
    counter = Counter(inst.groups)
    for host, software in zip(SERVERS, ("mastodon", "lemmy", "mbin", "piefed", "misskey"), strict=True):
        await RemoteServer.create(host=host, software=software)
    for n in range(40, 0, -1):
        day = today - timedelta(days=n)
        posts, comments = rng.randint(4, 12), rng.randint(10, 30)
        negative = rng.randint(0, 3)
        counts = {"posts": posts, "comments": comments, "votes": rng.randint(20, 60), "negative": negative}
        counts |= {"leaves": rng.randint(0, 1)}
        counts |= {"positive": rng.randint(5, 12), "neutral": rng.randint(8, 20)}
        await add_day(db(), group, day, **counts)
        for source in ("", "(this site)", "news.ycombinator.com", "mastodon.social"):
            await query(
                "INSERT INTO insight_traffic (group_id, day, source, views) VALUES (?, ?, ?, ?)",
                [group.id, day, source, rng.randint(5, 80)],
            )
        for who in rng.sample(range(30), rng.randint(5, 14)):
            await add_member_day(db(), group, day, f"https://elsewhere.example/users/m{who}", comments=1)
        for k in range(rng.randint(1, 5)):  # members who joined that day, from a few servers
            actor = f"https://{rng.choice(SERVERS)}/users/n{n}-{k}"
            await Membership.create(
                group=group, actor=actor, inbox=f"{actor}/inbox", state=MembershipState.ACCEPTED,
                follow_id=f"{actor}#f", follow_activity="{}",
            )  # fmt: skip
            at = datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=12)
            await counter.member_joined(MemberChange(group, actor, at), None)
    assert await Clock(inst.groups, Thresholds()).tick(datetime.now(UTC)) == 1  # the angry wave
    return scene


async def test_moderators_read_insights_as_charts_tables_csv_and_json(instance, peer: Peer) -> None:
    inst = await instance()
    await month(inst, peer)
    await admin("ada")
    async with staff_client(inst.base, "mia") as http:
        page = await get(http, PAGE)
        week = await get(http, PAGE + "?days=7")
        wrong = await get(http, PAGE + "?days=5")
        table = await http.get(PAGE.replace("insights", "insights.csv") + "?days=30")
        data = await http.get(PAGE.replace("insights", "insights.json") + "?days=30")
    assert page.status == 200 and page.headers["cache-control"] == "private, no-store"
    text = page.text
    assert text.count('<svg class="chart"') == 9 and text.count('role="img"') == 9
    assert "How the stages move shows from the second day" in text  # today's snapshot is the only one
    assert 'aria-current="page">Insights</a>' in text and 'aria-current="page">Last 30 days</a>' in text
    assert "read negative" in text and 'id="alert-' in text  # the alert, with the posts behind it
    assert "Health:" in text and "Responsiveness" in text and "Lens?" not in text  # no post titles here
    assert week.status == 200 and 'aria-current="page">Last 7 days</a>' in week.text
    assert wrong.status == 400 and "Days is one of 7, 30, 90" in wrong.text
    assert table.status_code == 200 and table.headers["content-type"].startswith("text/csv")
    assert "attachment" in table.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(table.text)))
    assert len(rows) == 30 and rows[-1]["posts"] == "7" and rows[-1]["comments"] == "1"
    assert set(rows[0]) >= {"day", "posts", "comments", "votes", "joins", "leaves", "members", "negative"}
    found = data.json()
    assert found["posts"] == sum(int(r["posts"]) for r in rows)
    assert [a["metric"] for a in found["alerts"]] == ["negative_share"] and len(
        found["alerts"][0]["behind"]
    ) == 6
    assert found["active_members"]["1d"] == 3 and found["stages"]["first_contribution"] >= 2
    async with staff_client(inst.base, "ada") as http:
        assert (await get(http, PAGE)).status == 200  # an admin moderates every community


async def test_the_page_is_valid_and_accessible_in_both_modes(
    instance, peer: Peer, browser: Browser, tmp_path: Path
) -> None:
    inst = await instance()
    await month(inst, peer)
    async with staff_client(inst.base, "mia") as http:
        documents = {
            path: (await get(http, path)).text for path in (PAGE, PAGE + "?days=7", PAGE + "?days=90")
        }
    assert_valid_html(documents, tmp_path)

    page = await browser_sign_in(browser, inst.base, "mia")
    await page.goto(inst.base + "/staff/c/news")
    await page.get_by_role("link", name="Insights").click()
    await page.wait_for_url(inst.base + PAGE)
    problems: dict[str, str] = {}
    assert await page.locator("svg.chart").count() == 9
    await page.get_by_text("Activity per day: the figures").click()  # the table behind a chart
    assert await page.get_by_role("table", name="Activity per day").is_visible()
    await check_axe(page, problems, PAGE)
    await screenshot(page, "staff-insights")
    await page.emulate_media(color_scheme="dark")
    await check_axe(page, problems, PAGE + " (dark)")
    await screenshot(page, "staff-insights-dark")
    assert problems == {}


async def test_staff_recognise_an_expert_whose_name_then_carries_the_badge(instance, peer: Peer) -> None:
    inst = await instance()
    scene = await month(inst, peer)
    bob = scene.people["bob"].uri
    thread_page = f"/c/news/p/{(await scene.post('q')).id}"
    async with staff_client(inst.base, "mia") as http:
        token = await form_token(http, PAGE)
        given = await http.post(
            "/staff/communities/news/experts", data={"csrf_token": token, "actor": bob, "action": "grant"}
        )
        assert (
            given.status_code == 303
            and "is shown as an expert of Daily News now" in (await get(http, given.headers["location"])).text
        )
    async with client(inst.base) as visitor:
        shown = await get(visitor, thread_page)
    assert shown.status == 200 and shown.text.count('class="badge expert"') == 1  # bob's reply only
    async with staff_client(inst.base, "mia") as http:
        token = await form_token(http, PAGE)
        bad = await http.post(
            "/staff/communities/news/experts",
            data={"csrf_token": token, "actor": "not a url", "action": "grant"},
        )
        assert "is not an actor" in (await get(http, bad.headers["location"])).text
        await http.post(
            "/staff/communities/news/experts", data={"csrf_token": token, "actor": bob, "action": "revoke"}
        )
    async with client(inst.base) as visitor:
        assert 'class="badge expert"' not in (await get(visitor, thread_page)).text
