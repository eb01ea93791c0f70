"""A real ActivityRelay (the `activityrelay` package, run as its own process) on loopback, and the TLS
fronts it needs.

activityrelay names itself `https://DOMAIN/actor` and reads a follower's NodeInfo at
`https://HOST/.well-known/nodeinfo` (port 443, whatever port the actor's id names), so each simulated
server gets its own 127.x.y.z address with a TLS front on port 443 (root, as in CI) that passes requests
to the plain-HTTP server behind it, Host header kept so signatures still verify. One self-signed
certificate names every address; the relay process trusts it through SSL_CERT_FILE, and this process
through aiohttp's default context (`trust`). `scripts/install-test-relay` installs the relay in
`.relay-venv` (its own environment: it is an application with its own pinned dependencies).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import ipaddress
import os
import random
import ssl
import subprocess
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp
from aiohttp import web
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.support.servers import free_port

RELAY_BIN = Path(__file__).resolve().parents[2] / ".relay-venv" / "bin" / "activityrelay"
HOP_HEADERS = frozenset({"connection", "keep-alive", "transfer-encoding", "content-length", "host"})


def loopback_addresses(n: int) -> list[str]:
    """`n` distinct 127.x.y.z addresses, chosen at random so parallel runs do not meet on port 443."""
    picked: set[str] = set()
    while len(picked) < n:
        picked.add(f"127.{random.randrange(10, 250)}.{random.randrange(1, 250)}.{random.randrange(2, 250)}")
    return sorted(picked)


def make_certificate(folder: Path, addresses: list[str]) -> tuple[Path, Path]:
    """A self-signed certificate (its own CA) for the addresses; returns (certificate, key) paths."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "fedicom test relay")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(a)) for a in addresses]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_path, key_path


def trust(cert: Path) -> None:
    """Make this process's aiohttp clients (fedicom's session, the peer's) trust the test certificate:
    aiohttp builds its verifying context once, at import, so SSL_CERT_FILE comes too late here."""
    from aiohttp import connector

    connector._SSL_CONTEXT_VERIFIED.load_verify_locations(cafile=str(cert))


@contextlib.asynccontextmanager
async def tls_front(address: str, target: str, cert: Path, key: str | Path) -> AsyncIterator[None]:
    """HTTPS on address:443, passed on to `target` (http://host:port) with the Host header kept."""
    session = aiohttp.ClientSession(auto_decompress=False)

    async def forward(request: web.Request) -> web.StreamResponse:
        headers = {k: v for k, v in request.headers.items() if k.lower() not in HOP_HEADERS}
        headers["Host"] = request.host
        async with session.request(
            request.method,
            target + request.path_qs,
            headers=headers,
            data=await request.read(),
            allow_redirects=False,
        ) as resp:
            body = await resp.read()
            kept = {k: v for k, v in resp.headers.items() if k.lower() not in HOP_HEADERS}
            return web.Response(status=resp.status, body=body, headers=kept)

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", forward)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(str(cert), str(key))
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
    await runner.setup()
    await web.TCPSite(runner, address, 443, ssl_context=context).start()
    try:
        yield
    finally:
        await runner.cleanup()
        await session.close()


@dataclass
class RunningRelay:
    domain: str  # its address: the relay's actor is https://DOMAIN/actor
    log: Path

    @property
    def actor(self) -> str:
        return f"https://{self.domain}/actor"

    @property
    def inbox(self) -> str:
        return f"https://{self.domain}/inbox"


@contextlib.asynccontextmanager
async def activityrelay(folder: Path, address: str, cert: Path, key: Path) -> AsyncIterator[RunningRelay]:
    """The relay behind a TLS front on address:443; open registration, no approval, one push worker."""
    if not RELAY_BIN.exists():
        raise AssertionError(
            f"{RELAY_BIN} is missing: run scripts/install-test-relay (it installs activityrelay)"
        )
    folder.mkdir(parents=True, exist_ok=True)
    port = free_port(address)
    config = folder / "relay.yaml"
    config.write_text(
        f"listen: {address}\nport: {port}\ndomain: {address}\nworkers: 1\n"
        f"db_type: sqlite\nca_type: database\nsq_path: {folder / 'relay.sqlite3'}\n"
    )
    env = {**os.environ, "SSL_CERT_FILE": str(cert)}
    setup = await asyncio.create_subprocess_exec(
        str(RELAY_BIN), "-c", str(config), "setup", "--skip-questions",
        stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, env=env,
    )  # fmt: skip
    await setup.communicate(b"n\n")  # "run it now?": no, it is started below
    log = folder / "relay.log"
    with log.open("wb") as out:
        process = await asyncio.create_subprocess_exec(
            str(RELAY_BIN), "-c", str(config), "run", stdout=out, stderr=subprocess.STDOUT, env=env
        )
    try:
        async with tls_front(address, f"http://{address}:{port}", cert, key):
            await _wait_ready(f"http://{address}:{port}/actor", process, log)
            yield RunningRelay(address, log)
    finally:
        process.terminate()
        try:
            await asyncio.wait_for(process.wait(), 10)
        except TimeoutError:
            process.kill()
            await process.wait()


async def _wait_ready(url: str, process: asyncio.subprocess.Process, log: Path) -> None:
    async with aiohttp.ClientSession() as session:
        for _ in range(150):
            if process.returncode is not None:
                raise AssertionError(f"activityrelay exited: {log.read_text()[-2000:]}")
            with contextlib.suppress(aiohttp.ClientError):
                async with session.get(url) as resp:
                    if resp.status == 200:
                        return
            await asyncio.sleep(0.1)
    raise AssertionError(f"activityrelay did not start: {log.read_text()[-2000:]}")
