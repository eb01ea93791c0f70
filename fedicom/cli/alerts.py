"""`fedicom alerts`: spikes insights saw (negative posts, reports, leaves) and the rules that judge them."""

from __future__ import annotations

from typing import Any

import click
from rich.markup import escape

from fedicom.cli.base import console, json_option, load, print_json, run, table
from fedicom.insights.models import AlertMetric


@click.group("alerts")
def alerts() -> None:
    """Crisis alerts from insights, and their rules (docs/insights.md)."""


@alerts.command("list")
@click.option("--community", metavar="NAME", help="Only this community.")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 1000))
@json_option
def alerts_list(community: str | None, limit: int, as_json: bool) -> None:
    """Alerts raised, newest first, with what was behind each."""
    from fedicom.groups.communities import get_community
    from fedicom.insights.alerts import describe
    from fedicom.insights.models import Alert

    async def work() -> list[dict[str, Any]]:
        rows = Alert.all().prefetch_related("group").order_by("-day", "-id").limit(limit)
        if community:
            rows = rows.filter(group_id=(await get_community(community)).id)
        return [_alert(a, describe(a)) for a in await rows]

    found = run(load(), work)
    if as_json:
        print_json(found)
        return
    shown = table("id", "community", "day", "metric", "what", "behind")
    for a in found:
        shown.add_row(
            str(a["id"]), a["community"], a["day"], a["metric"], escape(a["text"]), str(len(a["behind"]))
        )
    console.print(shown if found else "No alert was raised.")


def _alert(a: Any, text: str) -> dict[str, Any]:
    return {
        "id": a.id,
        "community": a.group.name,
        "day": a.day.isoformat(),
        "metric": str(a.metric),
        "value": a.value,
        "count": a.count,
        "baseline": a.baseline,
        "threshold": a.threshold,
        "text": text,
        "behind": a.behind,
        "raised": a.created_at,
    }


@alerts.group("rule")
def rule() -> None:
    """The rules alerts follow: per community, or for every community without one of its own."""


@rule.command("list")
@json_option
def rule_list(as_json: bool) -> None:
    """Every rule: its metric, baseline, k and minimum; `default` where no rule was added."""
    from fedicom.insights.models import AlertRule

    async def work() -> list[dict[str, Any]]:
        rows = [_rule(r) for r in await AlertRule.all().prefetch_related("group").order_by("id")]
        covered = {r["metric"] for r in rows if r["community"] is None}
        return rows + [_rule(AlertRule(metric=m)) for m in AlertMetric if m.value not in covered]

    found = run(load(), work)
    if as_json:
        print_json(found)
        return
    shown = table("id", "community", "metric", "baseline days", "k", "min events", "on")
    for r in found:
        shown.add_row(
            str(r["id"] or "default"),
            r["community"] or "(every)",
            r["metric"],
            str(r["baseline_days"]),
            str(r["k"]),
            str(r["min_count"]),
            "yes" if r["enabled"] else "off",
        )
    console.print(shown)


def _rule(r: Any) -> dict[str, Any]:
    return {
        "id": r.id,
        "community": r.group.name if r.group_id else None,
        "metric": str(r.metric),
        "baseline_days": r.baseline_days,
        "k": r.k,
        "min_count": r.min_count,
        "enabled": r.enabled,
    }


@rule.command("add")
@click.option("--metric", required=True, type=click.Choice([m.value for m in AlertMetric]))
@click.option(
    "--community", metavar="NAME", help="Only this community (default: every community without its own)."
)
@click.option(
    "--k", default=4.0, show_default=True, type=click.FloatRange(0.5, 10), help="Standard deviations."
)
@click.option("--baseline-days", default=28, show_default=True, type=click.IntRange(7, 365))
@click.option(
    "--min",
    "min_count",
    default=5,
    show_default=True,
    type=click.IntRange(1, 100_000),
    help="Events at least.",
)
@click.option("--off", is_flag=True, help="Switch this metric's alerts off where the rule applies.")
@json_option
def rule_add(
    metric: str, community: str | None, k: float, baseline_days: int, min_count: int, off: bool, as_json: bool
) -> None:
    """Add a rule, or replace the one for the same metric and community."""
    from fedicom.groups.communities import get_community
    from fedicom.insights.models import AlertRule

    async def work() -> dict[str, Any]:
        group = await get_community(community) if community else None
        await AlertRule.filter(group_id=group.id if group else None, metric=metric).delete()
        made = await AlertRule.create(
            group=group,
            metric=AlertMetric(metric),
            k=k,
            baseline_days=baseline_days,
            min_count=min_count,
            enabled=not off,
        )
        return _rule(await AlertRule.get(id=made.id).prefetch_related("group"))

    made = run(load(), work)
    if as_json:
        print_json(made)
        return
    scope = community or "every community"
    if off:
        console.print(f"Rule {made['id']}: no {metric} alerts for {scope}.")
    else:
        console.print(
            f"Rule {made['id']}: {metric} for {scope}, k={k}, {baseline_days} days, min {min_count}."
        )


@rule.command("remove")
@click.argument("rule_id", type=int)
def rule_remove(rule_id: int) -> None:
    """Remove a rule by its id (see `fedicom alerts rule list`); the defaults apply again where it did."""
    from fedicom.errors import NotFound
    from fedicom.insights.models import AlertRule

    async def work() -> None:
        if not await AlertRule.filter(id=rule_id).delete():
            raise NotFound(f"there is no alert rule {rule_id}")

    run(load(), work)
    console.print(f"Rule {rule_id} removed.")


COMMANDS = [alerts]
