"""The engagement funnel over time on the staff insights page: a line per stage through the daily
snapshots, gaps where a day has none (never zeros), the same figures in a table, each stage's net
movement in words ("12 more regulars than 29 days ago"), the series in the CSV; valid and accessible
in light and dark mode."""

from __future__ import annotations

import csv
import html
import io
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from playwright.async_api import Browser

from fedicom.groups.models import Group
from fedicom.insights.counting import local_day
from fedicom.insights.models import StageDay
from fedicom.web.charts import BOTTOM, HEIGHT, LEFT, RIGHT, TOP, WIDTH
from tests.web.browser import assert_valid_html, check_axe, screenshot
from tests.web.scene import community_with_moderator
from tests.web.signin import browser_sign_in, staff_client

PAGE = "/staff/communities/news/insights"
STAGES = ("following", "first_contribution", "regular", "passionate")
COLOURS = {
    "chart-c": "following",
    "chart-b": "first_contribution",
    "chart-a": "regular",
    "chart-good": "passionate",
}
# Days ago with a snapshot: one before the 30-day period, a gap of 7 days with one lone snapshot in it.
SNAPSHOTS = (35, *range(29, 19, -1), 15, *range(9, -1, -1))


def funnel(ago: int) -> dict[str, int]:
    """The funnel `ago` days ago: a growing community, 12 more regulars today than 29 days ago."""
    return {
        "following": 140 - ago,
        "first_contribution": 40 + ago // 2,
        "regular": 32 - ago * 12 // 29,
        "passionate": 7 - ago // 10,
    }


async def seeded(inst) -> date:
    """`news` with its funnel's snapshots stored directly; returns the community's today."""
    await community_with_moderator(inst, "news")
    group = await Group.get(name="news")
    today = local_day(datetime.now(UTC), group)
    for ago in SNAPSHOTS:
        await StageDay.create(group=group, day=today - timedelta(days=ago), **funnel(ago))
    return today


def table(text: str, caption: str) -> list[list[str]]:
    """The body rows of the table with this caption, as the text of their cells."""
    found = re.search(rf"<caption>{re.escape(caption)}</caption>(.*?)</table>", text, re.S)
    assert found, f"no table {caption!r}"
    body = found.group(1).split("<tbody>")[1]
    return [
        [
            html.unescape(re.sub(r"<[^>]+>", "", cell))
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row)
        ]
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]


def drawn(text: str, days: int) -> tuple[dict[str, dict[int, int]], int, int]:
    """What the movement chart draws, read back from its SVG: per stage, the value at each day's
    position; and how many lines and dots it took."""
    svg = re.search(r'<svg class="chart"[^>]*aria-labelledby="c-stage-days-t.*?</svg>', text, re.S)
    assert svg, "no movement chart"
    top = float(re.findall(r'text-anchor="end">([\d,]+)</text>', svg.group(0))[0].replace(",", ""))
    step, plot_h = (WIDTH - LEFT - RIGHT) / (days - 1), HEIGHT - TOP - BOTTOM
    values: dict[str, dict[int, int]] = {stage: {} for stage in STAGES}

    def mark(css: str, x: str, y: str) -> None:
        day = round((float(x) - LEFT) / step)
        values[COLOURS[css]][day] = round((TOP + plot_h - float(y)) * top / plot_h)

    polylines = re.findall(r'<polyline class="(chart-[a-z]+) chart-line" points="([^"]+)"', svg.group(0))
    for css, points in polylines:
        for point in points.split():
            mark(css, *point.split(","))
    dots = re.findall(r'<circle class="(chart-[a-z]+) chart-dot" cx="([\d.]+)" cy="([\d.]+)"', svg.group(0))
    for css, x, y in dots:
        mark(css, x, y)
    return values, len(polylines), len(dots)


def expected(days: int) -> dict[str, dict[int, int]]:
    """The snapshots of the last `days` days by stage and position (0 the period's first day)."""
    shown = [ago for ago in SNAPSHOTS if ago < days]
    return {stage: {days - 1 - ago: funnel(ago)[stage] for ago in shown} for stage in STAGES}


async def test_the_chart_draws_each_stage_through_its_snapshots_with_gaps_and_tells_the_movement(
    instance,
) -> None:
    inst = await instance()
    today = await seeded(inst)
    async with staff_client(inst.base, "mia") as http:
        month, week, quarter = [(await http.get(f"{PAGE}?days={n}")).text for n in (30, 7, 90)]
        exported = await http.get(PAGE.replace("insights", "insights.csv") + "?days=30")

    values, polylines, dots = drawn(month, 30)
    assert values == expected(30)  # 35 days ago is before the period; the gap days are not drawn
    assert (polylines, dots) == (8, 4)  # per stage: a line either side of the gap, the lone day a dot
    assert '<span class="key chart-a"></span> Regular' in month  # the legend names each colour
    assert "Regular from 20 to 32" in month  # the chart's description, for screen readers
    days = [(today - timedelta(days=ago)).isoformat() for ago in SNAPSHOTS if ago < 30]
    assert table(month, "Stages on each day with a snapshot") == [
        [day, *(str(funnel((today - date.fromisoformat(day)).days)[s]) for s in STAGES)] for day in days
    ]
    start = today - timedelta(days=29)
    assert table(month, f"How the stages moved from {start} to {today}") == [
        ["Following only", "111", "140", "+29: 29 more members following only than 29 days ago"],
        ["First contribution", "54", "40", "-14: 14 fewer first contributors than 29 days ago"],
        ["Regular", "20", "32", "+12: 12 more regulars than 29 days ago"],
        ["Passionate", "5", "7", "+2: 2 more passionate members than 29 days ago"],
    ]
    assert '<span class="change better">+12</span>' in month  # more regulars is good news

    assert drawn(week, 7)[0] == expected(7)
    assert table(week, f"How the stages moved from {today - timedelta(days=6)} to {today}")[2:] == [
        ["Regular", "30", "32", "+2: 2 more regulars than 6 days ago"],
        ["Passionate", "7", "7", "0: as many passionate members as 6 days ago"],
    ]
    assert drawn(quarter, 90)[0] == expected(90)
    assert (
        "12 more regulars than 29 days ago" not in quarter and "14 more regulars than 35 days ago" in quarter
    )

    rows = {row["day"]: row for row in csv.DictReader(io.StringIO(exported.text))}
    assert len(rows) == 30
    for ago in range(30):
        row = rows[(today - timedelta(days=ago)).isoformat()]
        want = funnel(ago) if ago in SNAPSHOTS else dict.fromkeys(STAGES, "")  # a gap is empty, not 0
        assert {s: row[s] for s in STAGES} == {s: str(want[s]) for s in STAGES}


async def test_the_movement_chart_is_valid_and_accessible_in_both_modes(
    instance, browser: Browser, tmp_path: Path
) -> None:
    inst = await instance()
    await seeded(inst)
    async with staff_client(inst.base, "mia") as http:
        documents = {
            path: (await http.get(path)).text for path in (PAGE, PAGE + "?days=7", PAGE + "?days=90")
        }
    assert_valid_html(documents, tmp_path)

    page = await browser_sign_in(browser, inst.base, "mia")
    await page.goto(inst.base + PAGE)
    stages = page.locator("section", has=page.get_by_role("heading", name="Engagement stages"))
    assert await stages.get_by_role("img", name="Members by engagement stage, day by day").is_visible()
    assert await stages.get_by_role("table", name=re.compile("How the stages moved")).is_visible()
    await stages.get_by_text("Stages on each day with a snapshot: the figures").click()
    assert await stages.get_by_role("table", name="Stages on each day with a snapshot").is_visible()
    await stages.get_by_text("Stages on each day with a snapshot: the figures").click()  # closed again
    problems: dict[str, str] = {}
    await check_axe(page, problems, PAGE)
    await screenshot(page, "staff-insights-stages", stages)
    await page.emulate_media(color_scheme="dark")
    await check_axe(page, problems, PAGE + " (dark)")
    await screenshot(page, "staff-insights-stages-dark", stages)
    assert problems == {}
