"""Fixtures for driving the real `fedicom` command in tests (used by every CLI test module)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

import pytest
from click.testing import CliRunner, Result

from fedicom import storage
from fedicom.cli import base, main
from fedicom.settings import load_settings
from tests.support.db import POSTGRES_URL, _in_thread, make_settings

DOMAIN = "groups.example"
Run = Callable[..., Result]
T = TypeVar("T")


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    data_dir = tmp_path / "data"
    values = {"FEDICOM_DATA_DIR": str(data_dir), "FEDICOM_DEV": "1", "FEDICOM_DOMAIN": DOMAIN}
    if POSTGRES_URL:
        values["FEDICOM_DATABASE_URL"] = make_settings(data_dir).database_url  # migrated, and emptied
    return values


@pytest.fixture
def run(env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Run:
    """`run("community", "list")` → click's Result; extra keyword arguments override the environment."""
    workdir = tmp_path / "cwd"
    workdir.mkdir()
    monkeypatch.chdir(workdir)
    # tables as wide as their content wherever the suite runs (no terminal, xdist workers, CI)
    for console in (base.console, base.err_console):
        monkeypatch.setattr(console, "_width", 200)
    runner = CliRunner()

    def invoke(*args: str, **overrides: str) -> Result:
        return runner.invoke(main, list(args), env={**env, **overrides})

    return invoke


@pytest.fixture
def migrated(run: Run, env: dict[str, str]) -> Run:
    """`run` against a database with the schema in place: on SQLite a copy of this run's migrated
    template (as fast as a file copy; test_cli.py runs the real `fedicom migrate`), on PostgreSQL
    the run's database, migrated and emptied by `env`."""
    if not POSTGRES_URL:
        data_dir = Path(env["FEDICOM_DATA_DIR"])
        data_dir.mkdir(parents=True, exist_ok=True)
        make_settings(data_dir)
    return run


async def in_thread(run: Run, *args: str) -> Result:
    """The command as `run` runs it, in a thread: it runs its own event loop, and a peer serving in the
    test's loop (a federated command fetches or delivers) keeps answering meanwhile."""
    return await asyncio.to_thread(run, *args)


def one_line(result: Result) -> str:
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    return lines[0]


def in_db(env: dict[str, str], work: Callable[[], Awaitable[T]]) -> T:
    """Run `work` against a CLI test's database: to set the scene, or to check what a command stored.

    It runs in a thread with its own event loop, as the command does, so a peer serving in the
    test's loop keeps answering meanwhile.
    """
    settings = load_settings(
        data_dir=Path(env["FEDICOM_DATA_DIR"]),
        dev=True,
        domain=DOMAIN,
        database_url=env.get("FEDICOM_DATABASE_URL", ""),
    )
    out: list[T] = []

    async def wrapped() -> None:
        await storage.open_db(settings)
        try:
            out.append(await work())
        finally:
            await storage.close_db()

    _in_thread(wrapped())
    return out[0]
