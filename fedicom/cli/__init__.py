"""The `fedicom` command: serve, deliver, migrate, manage communities and moderate."""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import traceback
from typing import NoReturn

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


def run() -> None:
    """The `fedicom` command as installed: `main`, ended without the interpreter's clean-up once this
    process has used the object store.

    obstore cannot stop its Tokio runtime, whose threads may still be releasing a finished call's
    Python objects while the interpreter finalizes; that aborts the process (SIGABRT) after its work
    and output are done, which a health check (`fedicom doctor --only media`) reads as a failure.
    """
    try:
        main()
    except SystemExit as end:  # how click ends every command, failed ones included
        if _object_store_used():
            _exit_now(end.code)
        raise
    except BaseException:  # a crash click let through
        if _object_store_used():
            with contextlib.suppress(OSError, ValueError):
                traceback.print_exc()
            _exit_now(1)
        raise


def _object_store_used() -> bool:
    s3 = sys.modules.get("fedicom.media.s3")  # not imported, not used (importing obstore takes 35 ms)
    return s3 is not None and bool(s3.used())  # a module's attribute is Any to mypy


def _exit_now(code: object) -> NoReturn:
    """Exit as SystemExit(code) would, with the logs and output flushed, but without finalizing;
    output that cannot be written any more (a closed pipe) makes it 120, as Python's own exit does."""
    if code is not None and not isinstance(code, int):
        with contextlib.suppress(OSError, ValueError):
            print(code, file=sys.stderr)
        code = 1
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            code = code or 120
    os._exit(code or 0)


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
