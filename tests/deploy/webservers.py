"""Real nginx, Caddy and Apache processes on loopback, and fedicom behind them, for the deployment tests.

The binaries come from Debian's packages, which `make test` installs (scripts/install-test-tools).
A machine without them fails with the command that installs them: these tests are never skipped.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn

from fedicom.app import create_app
from fedicom.settings import Settings
from tests.support.db import make_settings
from tests.support.servers import Instance, free_socket

REPO = Path(__file__).resolve().parents[2]
PACKAGES = {"systemd-analyze": "systemd", "apachectl": "apache2", "pg_dump": "postgresql-client"}
_SBIN = os.pathsep.join(["/usr/local/sbin", "/usr/sbin", "/sbin"])


def binary(name: str) -> str:
    """The path of a server binary, or a failure saying how to install it."""
    found = shutil.which(name) or shutil.which(name, path=_SBIN)
    if found is None:
        package = PACKAGES.get(name, name)
        pytest.fail(
            f"{name} is not installed; these tests run the real program. Install it with "
            f"`apt-get install -y --no-install-recommends {package}` (`make test` does it for you)."
        )
    return found


def wait_for_port(host: str, port: int, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"the server exited with {proc.returncode}:\n{log.read_text()}")
        try:
            with socket.create_connection((host, port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise AssertionError(f"the server did not listen on {host}:{port}:\n{log.read_text()}")


@contextmanager
def running(
    args: list[str], *, host: str, port: int, log: Path, env: dict[str, str] | None = None
) -> Iterator[None]:
    """Run a server in the foreground until the block ends; its output goes to `log`."""
    with log.open("wb") as out:
        proc = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})})
    try:
        wait_for_port(host, port, proc, log)
        yield
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def check(args: list[str], *, env: dict[str, str] | None = None) -> str:
    """Run a validator; its combined output, or an assertion error showing it."""
    result = subprocess.run(
        args, capture_output=True, text=True, timeout=60, env={**os.environ, **(env or {})}
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"{' '.join(args)} failed ({result.returncode}):\n{output}"
    return output


# -- configuration wrappers: each puts an operator's snippet or site file into a complete server config


def nginx_conf(folder: Path, server_blocks: str) -> Path:
    conf = folder / "nginx.conf"
    conf.write_text(
        f"daemon off;\nworker_processes 1;\npid {folder}/nginx.pid;\nerror_log stderr notice;\n"
        "events { worker_connections 64; }\n"
        f"http {{\n  access_log off;\n  client_body_temp_path {folder}/body;\n"
        f"  proxy_temp_path {folder}/proxy;\n  fastcgi_temp_path {folder}/fastcgi;\n"
        f"  uwsgi_temp_path {folder}/uwsgi;\n  scgi_temp_path {folder}/scgi;\n"
        f"{server_blocks}\n}}\n"
    )
    return conf


def nginx_args(conf: Path) -> list[str]:
    return [binary("nginx"), "-e", "stderr", "-p", str(conf.parent), "-c", str(conf)]


def apache_conf(folder: Path, body: str) -> Path:
    modules = Path("/usr/lib/apache2/modules")
    loads = "\n".join(
        f"LoadModule {name}_module {modules}/mod_{name}.so"
        for name in ("mpm_event", "authz_core", "proxy", "proxy_http", "ssl", "headers")
    )
    conf = folder / "apache2.conf"
    conf.write_text(
        f"{loads}\nServerRoot {folder}\nPidFile {folder}/apache2.pid\nErrorLog /dev/stderr\n"
        f"DefaultRuntimeDir {folder}\nMutex file:{folder}\nUser nobody\nGroup nogroup\n"
        f"ServerName localhost\n{body}\n"
    )
    return conf


def apache_args(conf: Path) -> list[str]:
    return [binary("apache2"), "-f", str(conf), "-DFOREGROUND"]


def caddy_args(caddyfile: Path) -> list[str]:
    return [binary("caddy"), "run", "--adapter", "caddyfile", "--config", str(caddyfile)]


def caddy_env(folder: Path) -> dict[str, str]:
    """Caddy keeps state in XDG folders: give it the test's own."""
    return {
        "XDG_DATA_HOME": str(folder / "data"),
        "XDG_CONFIG_HOME": str(folder / "config"),
        "HOME": str(folder),
    }


# -- fedicom behind a front server


@dataclass
class Behind:
    """A fedicom instance whose handle domain is served by another (front) server."""

    instance: Instance
    port: int

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"


async def start_behind(
    data_dir: Path, *, domain: str, base_url: str | None = None, **overrides: object
) -> Behind:
    """fedicom listening on 127.0.0.1, reached at `base_url` (default: directly), handles on `domain`."""
    sock = free_socket()
    port = sock.getsockname()[1]
    settings = make_settings(
        data_dir, domain=domain, base_url=base_url or f"http://127.0.0.1:{port}", **overrides
    )
    return Behind(await serve(settings, sock), port)


async def serve(settings: Settings, sock: socket.socket) -> Instance:
    """A fedicom server with these settings (its database ready) on an already bound socket."""
    app = create_app(settings)
    server = uvicorn.Server(uvicorn.Config(app, lifespan="on", log_level="warning", access_log=False))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    for _ in range(200):
        if server.started:
            break
        if task.done():
            task.result()
        await asyncio.sleep(0.02)
    return Instance(settings, app, server, task)


def self_signed(folder: Path, ip: str) -> tuple[Path, Path]:
    """A certificate for `ip` and its key, as files; the certificate is its own CA for the client."""
    import datetime
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, ip)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(ip))]), critical=False
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
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
