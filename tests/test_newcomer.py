"""The newcomer path: on a clean clone, `make run` installs everything and serves a demo community."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import aiohttp

from tests.support.servers import free_port

ROOT = Path(__file__).resolve().parents[1]


async def test_make_run_on_a_clean_clone_serves_the_demo_community(tmp_path: Path) -> None:
    # Given a clean clone of the committed tree (what a newcomer gets from git)
    clone = tmp_path / "fedicom"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FEDICOM_", "VIRTUAL_ENV"))}
    env["PORT"] = str(port)
    env["FEDICOM_DOMAIN"] = f"localhost:{port}"
    log = tmp_path / "make-run.log"

    # When the newcomer types `make run`
    proc = subprocess.Popen(
        [shutil.which("make") or "make", "run"],
        cwd=clone,
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        # Then the demo community answers WebFinger, and its handle was printed
        url = f"http://127.0.0.1:{port}/.well-known/webfinger?resource=acct:demo@localhost:{port}"
        # (a budget for a loaded CI machine: the install and the first migrations take a minute alone)
        deadline = time.monotonic() + 600
        async with aiohttp.ClientSession() as session:
            while time.monotonic() < deadline:
                assert proc.poll() is None, log.read_text()[-3000:]
                try:
                    async with session.get(url) as resp:
                        if resp.status == 200:
                            jrd = await resp.json(content_type=None)
                            break
                except aiohttp.ClientError:
                    pass
                await asyncio.sleep(0.2)
            else:
                raise AssertionError(log.read_text()[-3000:])
        assert jrd["subject"] == f"acct:demo@localhost:{port}"
        assert f"@demo@localhost:{port}" in log.read_text()
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)


# `make test` installs the Debian packages the suite drives (scripts/install-test-tools), so the README's
# two commands are the whole set-up. The script runs here with a PATH of stand-ins that record how
# they were called: apt-get and sudo never really run.
SCRIPT = ROOT / "scripts" / "install-test-tools"
TOOLS = {
    "nginx": "nginx",
    "caddy": "caddy",
    "apache2": "apache2",
    "systemd-analyze": "systemd",
    "sqlite3": "sqlite3",
    "docker-compose": "docker-compose",
    "chromium": "chromium",
    "java": "default-jre-headless",
}


def stand_ins(folder: Path, uid: int, present: set[str], *, sudo: bool = True) -> Path:
    """A bin folder: `id -u` says `uid`, apt-get and sudo log their arguments, `present` tools exist."""
    bin_dir = folder / "bin"
    bin_dir.mkdir()
    log = folder / "calls.log"
    commands = {"id": f"echo {uid}", "apt-get": f'echo "apt-get $*" >> {log}'}
    if sudo:
        commands["sudo"] = f'echo "sudo $*" >> {log}'
    commands |= {tool: "exit 0" for tool in present}
    for name, body in commands.items():
        (bin_dir / name).write_text(f"#!/bin/sh\n{body}\n")
        (bin_dir / name).chmod(0o755)
    (bin_dir / "env").symlink_to(shutil.which("env") or "/usr/bin/env")
    return bin_dir


def install(folder: Path, uid: int, present: set[str], **kw: object) -> tuple[int, str, list[str]]:
    bin_dir = stand_ins(folder, uid, present, **kw)  # type: ignore[arg-type]
    env = {"PATH": str(bin_dir), "CI": "true"}
    run = subprocess.run(["/bin/bash", str(SCRIPT)], env=env, capture_output=True, text=True, check=False)
    log = folder / "calls.log"
    return run.returncode, run.stdout + run.stderr, log.read_text().splitlines() if log.exists() else []


def expected_missing(present: set[str]) -> list[str]:
    """What the script must ask for: tools neither among the stand-ins nor in /usr/sbin (as on Debian)."""
    return [
        pkg for tool, pkg in TOOLS.items() if tool not in present and not Path(f"/usr/sbin/{tool}").exists()
    ]


def test_make_test_first_installs_the_tools_the_suite_drives() -> None:
    dry = subprocess.run(["make", "-n", "test"], cwd=ROOT, capture_output=True, text=True, check=True)
    lines = dry.stdout.splitlines()
    order = [
        next(i for i, line in enumerate(lines) if word in line)
        for word in ("install-test-tools", "ruff", "pytest")
    ]
    assert order == sorted(order)  # the tools are there before lint and the suite run
    assert "scripts/install-test-tools" in (ROOT / ".ci" / "run").read_text()  # CI installs as before


def test_as_root_only_the_missing_packages_are_installed_quietly(tmp_path: Path) -> None:
    present = {"caddy", "java", "sqlite3"}
    code, output, calls = install(tmp_path, 0, present)
    missing = expected_missing(present)
    assert (
        code == 0 and output.strip() == f"installing {' '.join(missing)} for the deployment and browser tests"
    )
    assert calls == [
        "apt-get -qq -o Acquire::Retries=3 update",
        f"apt-get -qq -o Acquire::Retries=3 install -y --no-install-recommends {' '.join(missing)}",
    ]
    assert "chromium" in missing and "caddy" not in missing and "default-jre-headless" not in missing


def test_a_user_installs_through_sudo_which_never_waits_for_a_password_on_ci(tmp_path: Path) -> None:
    code, _, calls = install(tmp_path, 1000, {"java"})
    missing = " ".join(expected_missing({"java"}))
    assert code == 0
    assert calls == [
        "sudo -n env DEBIAN_FRONTEND=noninteractive apt-get -qq -o Acquire::Retries=3 update",
        "sudo -n env DEBIAN_FRONTEND=noninteractive apt-get -qq -o Acquire::Retries=3 install -y "
        f"--no-install-recommends {missing}",
    ]


def test_with_everything_present_nothing_runs_and_nothing_is_said(tmp_path: Path) -> None:
    assert install(tmp_path, 1000, set(TOOLS)) == (0, "", [])


def test_without_root_or_sudo_it_stops_and_names_the_command(tmp_path: Path) -> None:
    code, output, calls = install(tmp_path, 1000, {"java"}, sudo=False)
    missing = " ".join(expected_missing({"java"}))
    assert code == 1 and calls == []
    assert f"as root: apt-get install -y --no-install-recommends {missing}" in output
