"""Charts drawn on the server as inline SVG: no script, so they pass the strict CSP, print, and read the
same with JavaScript off. Colours are CSS classes (`chart-*` in fedicom.css), so light and dark mode
follow the site's palette. Each chart names itself (`<title>`, `<desc>`) for screen readers; the pages
put the same figures in a table beside it. A value of None is a day without a figure: lines break there
and bars leave it empty, so a gap never reads as a zero.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

WIDTH, HEIGHT = 720, 220
LEFT, RIGHT, TOP, BOTTOM = 44, 8, 10, 26  # room for the axis labels


@dataclass(frozen=True)
class Series:
    name: str
    css: str  # chart-a ... chart-d, chart-good, chart-bad: the palette slot
    values: Sequence[float | None]  # None: no figure that day


def _nice_max(value: float) -> float:
    """A round top for the axis (1, 2, 5 x 10^n) at or above the largest value."""
    if value <= 0:
        return 1.0
    magnitude = 10 ** (len(str(int(value))) - 1)
    for step in (1, 2, 5, 10):
        if value <= step * magnitude:
            return float(step * magnitude)
    return float(10 * magnitude)


def _frame(chart_id: str, title: str, desc: str, body: str, top: float, first: str, last: str) -> Markup:
    plot_h = HEIGHT - TOP - BOTTOM
    axis = (
        f'<line class="chart-axis" x1="{LEFT}" y1="{TOP + plot_h}" x2="{WIDTH - RIGHT}" y2="{TOP + plot_h}"/>'
        f'<text class="chart-label" x="{LEFT - 6}" y="{TOP + 10}" text-anchor="end">{_number(top)}</text>'
        f'<text class="chart-label" x="{LEFT - 6}" y="{TOP + plot_h}" text-anchor="end">0</text>'
        f'<text class="chart-label" x="{LEFT}" y="{HEIGHT - 6}">{escape(first)}</text>'
        f'<text class="chart-label" x="{WIDTH - RIGHT}" y="{HEIGHT - 6}" text-anchor="end">'
        f"{escape(last)}</text>"
    )
    return Markup(
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="{chart_id}-t {chart_id}-d">'
        f'<title id="{chart_id}-t">{escape(title)}</title><desc id="{chart_id}-d">{escape(desc)}</desc>'
        f"{axis}{body}</svg>"
    )


def _number(value: float) -> str:
    return f"{value:,.0f}" if value >= 10 or value == int(value) else f"{value:.1f}"


def stacked_bars(chart_id: str, title: str, labels: Sequence[str], series: Sequence[Series]) -> Markup:
    """One bar per label (a day), its series stacked bottom up."""
    totals = [sum(s.values[i] or 0.0 for s in series) for i in range(len(labels))]
    top = _nice_max(max(totals, default=0))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(len(labels), 1)
    width = max(slot * 0.8, 1.0)
    parts = []
    for i, label in enumerate(labels):
        base: float = TOP + plot_h
        for s in series:
            value = s.values[i] or 0.0
            height = plot_h * value / top
            if height <= 0:
                continue
            base -= height
            x = LEFT + i * slot + (slot - width) / 2
            parts.append(
                f'<rect class="{s.css}" x="{x:.1f}" y="{base:.1f}" width="{width:.1f}" height="{height:.1f}">'
                f"<title>{escape(label)}: {escape(s.name)} {_number(value)}</title></rect>"
            )
    desc = ", ".join(f"{s.name}: {_number(sum(v or 0.0 for v in s.values))} in all" for s in series)
    first, last = (labels[0], labels[-1]) if labels else ("", "")
    return _frame(chart_id, title, desc, "".join(parts), top, first, last)


def _runs(values: Sequence[float | None]) -> list[list[tuple[int, float]]]:
    """The stretches of known values, as (position, value): a None between them breaks the line."""
    runs: list[list[tuple[int, float]]] = [[]]
    for i, value in enumerate(values):
        if value is None:
            runs.append([])
        else:
            runs[-1].append((i, value))
    return [run for run in runs if run]


def _span(series: Series, labels: Sequence[str]) -> str:
    """Where a line starts and ends, for its description; with the days when it has gaps at either end."""
    known = [(i, v) for i, v in enumerate(series.values) if v is not None]
    if not known:
        return f"{series.name}: no figures"
    (first, start), (last, end) = known[0], known[-1]
    if first == 0 and last == len(series.values) - 1:
        return f"{series.name} from {_number(start)} to {_number(end)}"
    return f"{series.name} from {_number(start)} ({labels[first]}) to {_number(end)} ({labels[last]})"


def lines(chart_id: str, title: str, labels: Sequence[str], series: Sequence[Series]) -> Markup:
    """One line per series over the labels (days); a lone day between gaps is drawn as a dot."""
    known = [v for s in series for v in s.values if v is not None]
    top = _nice_max(max(known, default=0))
    low = min([0.0, *known])  # below zero only if a value is
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / max(len(labels) - 1, 1)

    def point(i: int, v: float) -> tuple[float, float]:
        return LEFT + i * step, TOP + plot_h - plot_h * (v - low) / (top - low)

    parts = []
    for s in series:
        for run in _runs(s.values):
            if len(run) == 1:
                x, y = point(*run[0])
                parts.append(f'<circle class="{s.css} chart-dot" cx="{x:.1f}" cy="{y:.1f}" r="3.5"/>')
                continue
            points = " ".join(f"{x:.1f},{y:.1f}" for x, y in (point(i, v) for i, v in run))
            parts.append(f'<polyline class="{s.css} chart-line" points="{points}"/>')
    desc = ", ".join(_span(s, labels) for s in series if s.values)
    first, last = (labels[0], labels[-1]) if labels else ("", "")
    return _frame(chart_id, title, desc, "".join(parts), top, first, last)


def bars(chart_id: str, title: str, items: Sequence[tuple[str, float]], css: str = "chart-a") -> Markup:
    """Horizontal bars, one per item, labelled with its name and value."""
    row = 26
    height = max(len(items), 1) * row + 8
    label_w = 190
    top = max((v for _, v in items), default=0) or 1
    parts = []
    for i, (name, value) in enumerate(items):
        y = 4 + i * row
        width = (WIDTH - label_w - 70) * value / top
        parts.append(
            f'<text class="chart-label" x="{label_w - 8}" y="{y + 16}" text-anchor="end">'
            f"{escape(name)}</text>"
            f'<rect class="{css}" x="{label_w}" y="{y + 3}" width="{width:.1f}" height="{row - 8}"/>'
            f'<text class="chart-label" x="{label_w + width + 6:.1f}" y="{y + 16}">{_number(value)}</text>'
        )
    desc = ", ".join(f"{name}: {_number(value)}" for name, value in items)
    return Markup(
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-labelledby="{chart_id}-t {chart_id}-d">'
        f'<title id="{chart_id}-t">{escape(title)}</title><desc id="{chart_id}-d">{escape(desc)}</desc>'
        f"{''.join(parts)}</svg>"
    )
