"""The `fedicom` command: serve, deliver, migrate, manage communities and moderate."""

from __future__ import annotations

import logging

import click


@click.group()
@click.option("-v", "--verbose", is_flag=True, help="Log debug messages.")
def main(verbose: bool) -> None:
    """fedicom: a community server for the fediverse.

    Settings come from FEDICOM_* environment variables and an optional .env file
    (see docs/configuration.md).
    """
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )


def _register() -> None:
    """Subcommands live in modules named for what they manage."""
    from fedicom.cli import (
        alerts,
        aliases,
        allows,
        answers,
        bans,
        blocks,
        communities,
        content,
        db,
        doctor,
        experts,
        idea_board,
        ideas,
        insights,
        invites,
        jobs,
        listen,
        modlog,
        moving,
        notifications,
        portability,
        publishing,
        refused,
        reports,
        reputation,
        server,
        site,
        staff,
    )

    modules = (
        server,
        communities,
        blocks,
        allows,
        modlog,
        bans,
        reports,
        staff,
        content,
        publishing,
        doctor,
        db,
        site,
        notifications,
        jobs,
        refused,
        insights,
        alerts,
        experts,
        reputation,
        listen,
        answers,
        ideas,
        idea_board,
        aliases,
        invites,
        moving,
        portability,
    )
    for module in modules:
        for command in module.COMMANDS:
            main.add_command(command)


_register()
