"""`fedicom insights COMMUNITY`: what a community manager reads first, in a terminal or as JSON."""

from __future__ import annotations

from typing import Any

import click
from rich.markup import escape

from fedicom.cli.base import console, json_option, load, print_json, run, table


@click.command("insights")
@click.argument("community")
@click.option("--days", default=30, show_default=True, type=click.IntRange(1, 366), help="The period.")
@json_option
def insights(community: str, days: int, as_json: bool) -> None:
    """A community's figures over the last DAYS days, against the DAYS before (docs/insights.md)."""
    from fedicom.app import build_federation
    from fedicom.groups.communities import get_community
    from fedicom.insights.report import Insights
    from fedicom.insights.report import insights as compute
    from fedicom.insights.stages import thresholds

    settings = load()

    async def work() -> Insights:
        runtime = build_federation(settings)
        try:  # what the server has not counted yet (or nothing counts: it is stopped)
            await runtime.backlog.drain()
        finally:
            await runtime.fed.session.close()
        return await compute(await get_community(community), days, limits=thresholds(settings))

    found = run(settings, work)
    if as_json:
        print_json(found.as_json())
        return
    _show(found)


def _change(now: int, before: int) -> str:
    if not before:
        return "new" if now else "-"
    return f"{(now - before) / before:+.0%}"


def _show(found: Any) -> None:
    period = found.period
    span = f"{period['start']} to {period['end']} ({period['days']} days)"
    console.print(f"[bold]{escape(found.community)}[/bold], {span}")
    figures = table("figure", "value", "previous period", "change")
    for key in ("joins", "leaves", "posts", "comments", "votes", "reports", "views"):
        now, before = getattr(found, key), found.previous[key]
        figures.add_row(key, str(now), str(before), _change(now, before))
    figures.add_row("members", str(found.members), "", "")
    active = found.active_members
    figures.add_row(
        "active members (1 / 7 / 30 days)", f"{active['1d']} / {active['7d']} / {active['30d']}", "", ""
    )
    figures.add_row("stickiness (daily ÷ monthly active)", _or_dash(found.stickiness), "", "")
    figures.add_row("new contributors", str(found.new_contributors), "", "")
    figures.add_row("first reply, median (minutes)", _or_dash(found.first_reply_minutes_median), "", "")
    figures.add_row("threads unanswered after 24 h", str(found.unanswered_24h), "", "")
    questions = found.questions
    figures.add_row(
        "questions answered by staff", f"{questions['answered_by_staff']} of {questions['asked']}", "", ""
    )
    inter = found.interaction
    figures.add_row("people per thread", str(inter["participants_mean"]), "", "")
    console.print(figures)
    stages = table("stage", "members")
    for name, n in found.stages.items():
        stages.add_row(name.replace("_", " "), str(n))
    console.print(stages)
    health = table("health factor", "score", "from", "rule")
    for f in found.factors:
        health.add_row(f.name, _or_dash(f.score), escape(f.value), escape(f.how))
    health.add_row("[bold]health[/bold]", _or_dash(found.health["score"]), "", "mean of the factors measured")
    console.print(health)
    people = table("top contributors", "server", "posts", "comments")
    for row in found.top_contributors:
        people.add_row(escape(row["actor"]), escape(row["server"]), str(row["posts"]), str(row["comments"]))
    console.print(people if found.top_contributors else "No contributions in the period.")


def _or_dash(value: object) -> str:
    return "-" if value is None else str(value)


COMMANDS = [insights]
