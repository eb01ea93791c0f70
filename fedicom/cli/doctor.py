"""`fedicom doctor`: check a configuration as deployed, and say how to fix what is wrong."""

from __future__ import annotations

import asyncio
import sys

import click
from rich.markup import escape

from fedicom.cli.base import console
from fedicom.doctor import CHECKS, Result, judge_settings, run_checks
from fedicom.errors import ConfigError
from fedicom.settings import load_settings

_STYLE = {"ok": "[green]ok  [/green]", "warn": "[yellow]warn[/yellow]", "fail": "[red]fail[/red]"}


def show(result: Result) -> None:
    console.print(f"{_STYLE[result.status]}  {result.check:<11} {escape(result.summary)}")
    if result.fix:
        console.print(f"{'':<17} fix: {escape(result.fix)}")


@click.command()
@click.option(
    "--only",
    multiple=True,
    type=click.Choice(CHECKS),
    help="Run only this check (repeatable), e.g. --only database for a container health check.",
)
@click.option("--community", metavar="NAME", help="Community whose handle to look up (default: the first).")
@click.option(
    "--time-server",
    metavar="URL",
    help="A public https server whose Date header the clock is compared with.",
)
def doctor(only: tuple[str, ...], community: str | None, time_server: str | None) -> None:
    """Check settings, database, queues, DNS, TLS, WebFinger and clock; exit 1 if any check fails.

    Run it where fedicom runs, with the same settings (FEDICOM_* variables or .env).
    """
    selected = set(only) or set(CHECKS)
    try:
        settings = load_settings()
    except ConfigError as exc:
        show(Result("settings", "fail", exc.reason, "correct it (docs/configuration.md)"))
        sys.exit(1)
    results = []
    if "settings" in selected:
        results.append(judge_settings(settings))
        show(results[-1])
    results += asyncio.run(
        run_checks(settings, only=selected, community=community, time_server=time_server, report=show)
    )
    if any(r.status == "fail" for r in results):
        sys.exit(1)


COMMANDS = [doctor]
