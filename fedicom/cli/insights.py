"""`fedicom insights COMMUNITY`: what a community manager reads first, in a terminal or as JSON; and
`fedicom insights rebuild`, which counts a community's figures again from its stored history."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click
from rich.markup import escape

from fedicom.cli.base import console, err_console, json_option, load, print_json, run, table
from fedicom.cli.waiting import progress_bar

if TYPE_CHECKING:
    from fedicom.insights.rebuild import Rebuilt

BATCH = 1000  # posts per transaction: a rebuild of a million posts never holds one huge transaction


class _ShowByDefault(click.Group):
    """`fedicom insights NAME` shows a community, as it always has; `fedicom insights rebuild ...` (and
    `fedicom insights show NAME`, for a community named like a subcommand) name what to do."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ctx.help_option_names:
            args = ["show", *args]
        return super().parse_args(ctx, args)


@click.group("insights", cls=_ShowByDefault)
def insights() -> None:
    """A community's figures (`fedicom insights NAME`), and counting them again (docs/insights.md)."""


@insights.command("show")
@click.argument("community", required=False)
@click.option("--instance", is_flag=True, help="Every community together (what admins see).")
@click.option("--days", default=30, show_default=True, type=click.IntRange(1, 366), help="The period.")
@json_option
def show(community: str | None, instance: bool, days: int, as_json: bool) -> None:
    """A community's figures over the last DAYS days, against the DAYS before (docs/insights.md);
    with --instance, every community's together."""
    from fedicom.app import build_federation
    from fedicom.groups.communities import get_community
    from fedicom.insights.report import Insights, instance_insights
    from fedicom.insights.report import insights as compute
    from fedicom.insights.stages import thresholds

    if instance == (community is not None):
        raise click.UsageError("name a community, or give --instance for every community together")
    settings = load()

    async def work() -> Insights:
        runtime = build_federation(settings)
        try:  # what the server has not counted yet (or nothing counts: it is stopped)
            await runtime.backlog.drain()
        finally:
            await runtime.fed.session.close()
        if community is None:
            return await instance_insights(days, limits=thresholds(settings))
        return await compute(await get_community(community), days, limits=thresholds(settings))

    found = run(settings, work)
    if as_json:
        print_json(found.as_json())
        return
    _show(found)


@insights.command("rebuild")
@click.argument("community", required=False)
@click.option("--all", "every", is_flag=True, help="Every community, one after the other.")
@click.option(
    "--batch",
    default=BATCH,
    show_default=True,
    type=click.IntRange(1, 100_000),
    help="Posts (or members, or reports) counted per transaction.",
)
@json_option
def rebuild(community: str | None, every: bool, batch: int, as_json: bool) -> None:
    """Count a community's figures again from its stored history.

    Run it once after upgrading to a fedicom with insights (docs/upgrading.md). What insights counted
    of COMMUNITY (or, with --all, of every community) is cleared, then its members, posts, comments,
    votes and reports are counted again, oldest first. Page views, alerts, alert rules, experts and
    the stages of past days stay (nothing stored gives them back); members who left before are in no
    stored row. Safe while the server runs: it holds back counting posts and votes until the rebuild
    is done, then counts what arrived meanwhile. Interrupted, run it again: it starts over.
    """
    from fedicom.app import build_federation
    from fedicom.groups.communities import get_community, list_communities
    from fedicom.insights.rebuild import rebuild as recount
    from fedicom.insights.stages import thresholds

    if bool(community) == every:
        raise click.UsageError("name a community, or give --all for every community")
    settings = load()

    async def work() -> list[Rebuilt]:
        runtime = build_federation(settings)
        try:
            groups = await list_communities() if every else [await get_community(str(community))]
            done: list[Rebuilt] = []
            with progress_bar(err_console if as_json else console) as progress:
                for group in groups:
                    if every:  # one bar per stage, taken up again by each community
                        progress("communities", len(done), len(groups))
                    done.append(
                        await recount(
                            group,
                            runtime.backlog,
                            limits=thresholds(settings),
                            keep_days=settings.insights_keep_days,
                            batch=batch,
                            progress=progress,
                        )
                    )
                if every:
                    progress("communities", len(done), len(groups))
            return done
        finally:
            await runtime.fed.session.close()

    found = run(settings, work)
    if as_json:
        print_json([r.as_json() for r in found] if every else found[0].as_json())
        return
    _show_rebuilt(found)


def _show_rebuilt(found: list[Rebuilt]) -> None:
    shown = table("community", "members", "posts", "comments", "votes", "reports", "rows cleared", "seconds")
    for r in found:
        counts = (r.members, r.posts, r.comments, r.votes, r.reports, sum(r.cleared.values()), r.seconds)
        shown.add_row(escape(r.community), *map(str, counts))
    console.print(shown if found else "There is no community to rebuild.")
    waiting = {k: sum(r.waiting[k] for r in found) for k in ("posts", "votes")}
    if any(waiting.values()):
        console.print(
            f"{waiting['posts']} posts and {waiting['votes']} votes that arrived meanwhile are counted by "
            "the server as usual."
        )
    if found:
        console.print(
            f"Counted the insights of {len(found)} {'community' if len(found) == 1 else 'communities'} "
            "again; page views, alerts, alert rules, experts and past days' stages were kept."
        )


def _change(now: int, before: int) -> str:
    if not before:
        return "new" if now else "-"
    return f"{(now - before) / before:+.0%}"


def _show(found: Any) -> None:
    period = found.period
    span = f"{period['start']} to {period['end']} ({period['days']} days)"
    console.print(f"[bold]{escape(found.community or 'Every community')}[/bold], {span}")
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
    if found.answers is not None:
        accepted = found.answers
        figures.add_row(
            "questions with an accepted answer", f"{accepted['accepted']} of {accepted['questions']}", "", ""
        )
        figures.add_row(
            "accepted answer, median (hours)", _or_dash(accepted["hours_to_accepted_median"]), "", ""
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
    if found.by_community:
        each = table("community", "members", "joined", "left", "threads", "comments", "votes")
        for row in found.by_community:
            keys = ("members", "joins", "leaves", "posts", "comments", "votes")
            each.add_row(escape(row["community"]), *(str(row[k]) for k in keys))
        console.print(each)


def _or_dash(value: object) -> str:
    return "-" if value is None else str(value)


COMMANDS = [insights]
