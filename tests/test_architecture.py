"""The architecture check (import-linter, `make lint`) keeps imports one way: it passes on this tree, and
fails, naming the contract, when a module imports against it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(tree: Path) -> subprocess.CompletedProcess[str]:
    """Run the check on the `fedicom` package under `tree`, with the contracts of its pyproject.toml."""
    env = {**os.environ, "PYTHONPATH": str(tree)}  # this package, never an installed copy
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo", str(tree / "pyproject.toml")],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def copy_with(tmp_path: Path, module: str, line: str) -> Path:
    """A copy of the package (code only) with `line` added at the end of `module`."""
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    shutil.copytree(
        ROOT / "fedicom",
        tmp_path / "fedicom",
        ignore=shutil.ignore_patterns("__pycache__", "static", "templates"),
    )
    path = tmp_path / "fedicom" / module
    path.write_text(path.read_text(encoding="utf-8") + f"\n{line}\n", encoding="utf-8")
    return tmp_path


def test_the_tree_keeps_every_contract() -> None:
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 kept, 0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "line", "contract", "named"),
    [
        (  # the cycle the check was made against: groups asking moderation directly
            "groups/posts.py",
            "from fedicom.moderation import gate  # noqa",
            "Layers: faces > plug-ins > groups",
            "fedicom.groups.posts -> fedicom.moderation.gate",
        ),
        (
            "activitypub/delivery.py",
            "from fedicom.groups import models  # noqa",
            "activitypub imports only settings, errors and http from fedicom",
            "fedicom.activitypub.delivery -> fedicom.groups.models",
        ),
        (
            "activitypub/inbox.py",
            "from fedicom import storage  # noqa",
            "activitypub imports only settings, errors and http from fedicom",
            "fedicom.activitypub.inbox -> fedicom.storage",
        ),
        (  # two plug-ins may use each other, but never both ways
            "staff/accounts.py",
            "from fedicom.moderation import modlog  # noqa",
            "No import cycles between fedicom's packages",
            ".staff -> .moderation",
        ),
    ],
)
def test_a_wrong_way_import_breaks_the_check_naming_its_contract(
    tmp_path: Path, module: str, line: str, contract: str, named: str
) -> None:
    result = lint_imports(copy_with(tmp_path, module, line))
    assert result.returncode != 0
    broken = result.stdout.split("Broken contracts", 1)[-1]
    assert contract in broken and named in broken, result.stdout


def test_every_part_of_the_package_has_a_layer() -> None:
    """A new package or top-level module is placed in a layer, so the check covers it from the start."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    [layers] = [c for c in config["tool"]["importlinter"]["contracts"] if c["id"] == "layers"]
    placed = {name.strip() for layer in layers["layers"] for name in layer.split(":")}
    parts = {
        f"fedicom.{p.stem}"
        for p in (ROOT / "fedicom").iterdir()
        if (p.suffix == ".py" and p.stem != "__init__") or (p / "__init__.py").exists()
    }
    assert parts - placed == set()
