"""The server-drawn charts: a day without a figure is a gap in a line and an empty slot among bars, never
a zero; lines with every day known read as before."""

from __future__ import annotations

import re

from fedicom.web.charts import BOTTOM, HEIGHT, LEFT, RIGHT, TOP, WIDTH, Series, lines, stacked_bars

DAYS = ["2026-12-01", "2026-12-02", "2026-12-03", "2026-12-04", "2026-12-05"]
PLOT_W, PLOT_H = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
STEP = PLOT_W / (len(DAYS) - 1)


def points(svg: str) -> list[list[tuple[float, float]]]:
    return [
        [(float(x), float(y)) for x, y in (p.split(",") for p in found.split())]
        for found in re.findall(r'<polyline class="[^"]*" points="([^"]+)"', svg)
    ]


def test_a_day_without_a_figure_breaks_the_line_and_a_lone_day_is_a_dot() -> None:
    svg = str(lines("c-x", "Stages", DAYS, [Series("Regular", "chart-a", [10, None, 5, 10, None])]))
    five, ten = (round(LEFT + 2 * STEP, 1), round(TOP + PLOT_H / 2, 1)), (round(LEFT + 3 * STEP, 1), TOP)
    assert points(svg) == [[five, ten]]  # 5 and 10 on an axis topped at 10; nothing on the days without
    dots = re.findall(r'<circle class="chart-a chart-dot" cx="([\d.]+)" cy="([\d.]+)"', svg)
    assert dots == [(f"{LEFT:.1f}", f"{TOP:.1f}")]  # the first day, alone between the edge and a gap
    assert "Regular from 10 (2026-12-01) to 10 (2026-12-04)" in svg


def test_a_line_with_every_day_known_is_one_polyline_described_by_its_ends() -> None:
    svg = str(lines("c-x", "Members", DAYS, [Series("Members", "chart-a", [1, 2, 3, 4, 20])]))
    assert len(points(svg)) == 1 and len(points(svg)[0]) == 5 and "<circle" not in svg
    assert '<desc id="c-x-d">Members from 1 to 20</desc>' in svg


def test_a_series_with_no_figure_at_all_draws_nothing_and_says_so() -> None:
    svg = str(lines("c-x", "Stages", DAYS, [Series("Passionate", "chart-good", [None] * 5)]))
    assert "<polyline" not in svg and "<circle" not in svg and "Passionate: no figures" in svg


def test_bars_leave_a_day_without_a_figure_empty() -> None:
    svg = str(stacked_bars("c-x", "Posts", DAYS, [Series("Posts", "chart-a", [2, None, 4, 0, 1])]))
    assert re.findall(r"<title>([\d-]+): Posts", svg) == ["2026-12-01", "2026-12-03", "2026-12-05"]
    assert "Posts: 7 in all" in svg
