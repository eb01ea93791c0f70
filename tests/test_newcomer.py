"""The newcomer path: on a clean clone, `make run` installs everything and serves a demo community."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
from pathlib import Path

import aiohttp

from tests.support.servers import free_socket

ROOT = Path(__file__).resolve().parents[1]


async def test_make_run_on_a_clean_clone_serves_the_demo_community(tmp_path: Path) -> None:
    # Given a clean clone of the committed tree (what a newcomer gets from git)
    clone = tmp_path / "fedicom"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
    sock = free_socket()
    port = sock.getsockname()[1]
    sock.close()
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
        async with aiohttp.ClientSession() as session:
            for _ in range(900):
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
