"""A crash never loses a queued delivery: SIGKILL in the middle of a fan-out, restart, all arrive."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

import aiohttp

from tests.support.db import make_settings
from tests.support.peer import PUBLIC, Peer
from tests.support.servers import free_socket

SERVERS = 30


def start_server(env: dict[str, str], port: int, log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "fedicom", "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


async def wait_up(url: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    async with aiohttp.ClientSession() as session:
        for _ in range(300):
            assert proc.poll() is None, log.read_text()
            try:
                async with session.get(url, headers={"Accept": "application/activity+json"}) as resp:
                    if resp.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.1)
    raise AssertionError(f"server did not start: {log.read_text()}")


async def test_sigkill_mid_fanout_loses_no_delivery(tmp_path: Path) -> None:
    # Given a fedicom process whose demo community has members on 30 servers that answer slowly
    sock = free_socket()
    port = sock.getsockname()[1]
    sock.close()
    settings = make_settings(tmp_path / "data", domain=f"127.0.0.1:{port}")
    env = {
        **os.environ,
        "FEDICOM_DEV": "1",
        "FEDICOM_DOMAIN": f"127.0.0.1:{port}",
        "FEDICOM_DATA_DIR": str(settings.data_dir),
        "FEDICOM_DATABASE_URL": settings.database_url,
        "FEDICOM_DEMO_COMMUNITY": "1",
        "FEDICOM_DELIVERY_CONCURRENCY": "4",
        "FEDICOM_DELIVERY_LEASE_SECONDS": "2",
    }
    log = tmp_path / "server.log"
    group = f"http://127.0.0.1:{port}/c/demo"
    proc = start_server(env, port, log)
    peers = [Peer() for _ in range(SERVERS)]
    try:
        await wait_up(group, proc, log)
        members = []
        for p in peers:
            await p.start()
            person = p.person("member")
            members.append(person)
            status, text = await p.post(person, f"{group}/inbox", p.activity("Follow", person, group))
            assert status == 202, text
        for p in peers:
            await p.wait_for(lambda p=p: p.received_of("Accept"))
            p.announce_delay = 0.3

        # When a member posts and the process is killed once a few announces have arrived
        author, home = members[0], peers[0]
        note = home.note(author, "<p>crash test</p>", to=[PUBLIC], cc=[group])
        status, _ = await home.post(
            author, f"{group}/inbox", home.activity("Create", author, note, to=[PUBLIC])
        )
        assert status == 202

        def announced() -> int:
            return sum(1 for p in peers if p.received_of("Announce"))

        await peers[0].wait_for(lambda: announced() >= 3, timeout=20)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        before = announced()
        assert before < SERVERS, "the fan-out finished before the kill; the test proves nothing"

        # Then after a restart every server receives both announce shapes
        proc = start_server(env, port, log)
        await wait_up(group, proc, log)
        for p in peers:
            p.announce_delay = 0.0

        def complete() -> bool:
            return all(
                p.received_of("Announce", inner="Create") and p.received_of("Announce", inner="uri")
                for p in peers
            )

        await peers[0].wait_for(complete, timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=20)
        for p in peers:
            await p.stop()
