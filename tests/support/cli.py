"""Fixtures for driving the real `fedicom` command in tests (used by every CLI test module)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from fedicom.cli import base, main
from tests.support.db import POSTGRES_URL, make_settings

DOMAIN = "groups.example"
Run = Callable[..., Result]


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
def migrated(run: Run) -> Run:
    result = run("migrate")
    assert result.exit_code == 0, result.output
    return run


def one_line(result: Result) -> str:
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    return lines[0]
