"""deploy/: the files an operator installs pass their own tools' checks and run what fedicom offers.

nginx, Caddy and Apache validate the configurations, systemd-analyze the units, docker compose (or
Debian's docker-compose) the compose file; the Dockerfile is checked for its structure (no docker
engine here to build it), and the commands they run are parsed by fedicom's own CLI. The proxy
configurations then serve a real fedicom, and a signed inbox POST goes through each.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shlex
import shutil
import ssl
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import click
import pytest
import yaml
from pydantic import TypeAdapter

from fedicom.activitypub.signatures import sign_request
from fedicom.cli import main
from fedicom.groups.models import Membership
from fedicom.settings import Settings
from tests.deploy.webservers import (
    REPO,
    Behind,
    apache_conf,
    binary,
    caddy_args,
    caddy_env,
    check,
    nginx_args,
    nginx_conf,
    running,
    self_signed,
    start_behind,
)
from tests.support.peer import Peer
from tests.support.servers import free_port

DEPLOY = REPO / "deploy"
MULTI = "compose.multi.yml"
FRONT = "127.0.0.2"
DEFAULT_BODY = Settings.model_fields["max_body_bytes"].default


def parses_as_fedicom_command(args: list[str]) -> None:
    """`args` (as a unit, image or compose file runs them) name a fedicom subcommand and valid options."""
    assert Path(args[0]).name == "fedicom", args
    root = click.Context(main)
    command = main.get_command(root, args[1])
    assert command is not None, f"fedicom has no command {args[1]!r}"
    command.make_context(args[1], list(args[2:]), parent=root)  # raises UsageError on a bad option


# -- deploy/env.example


def env_example_lines() -> dict[str, tuple[str, bool]]:
    """NAME → (value, commented) for every `NAME=value` line, commented or not."""
    found = {}
    for line in (DEPLOY / "env.example").read_text().splitlines():
        match = re.match(r"^(#\s*)?([A-Z][A-Z0-9_]*)=(.*)$", line)
        if match:
            found[match.group(2)] = (match.group(3), bool(match.group(1)))
    return found


def test_env_example_documents_every_setting_with_its_real_default(tmp_path: Path) -> None:
    lines = env_example_lines()
    for name in Settings.model_fields:
        assert f"FEDICOM_{name.upper()}" in lines, (
            f"FEDICOM_{name.upper()} is missing from deploy/env.example"
        )
    for variable, (value, commented) in lines.items():
        name = variable.removeprefix("FEDICOM_").lower()
        if commented and name in Settings.model_fields:
            field = Settings.model_fields[name]
            shown = TypeAdapter(field.annotation).validate_python(value)
            assert shown == field.default, (
                f"{variable}: env.example shows {value!r}, the default is {field.default!r}"
            )
    # the values left to edit make a valid production configuration as they are
    values = {
        v.removeprefix("FEDICOM_").lower(): value
        for v, (value, commented) in lines.items()
        if not commented and v.startswith("FEDICOM_")
    }
    settings = Settings(_env_file=None, data_dir=tmp_path, **values)  # type: ignore[call-arg]
    assert (settings.domain, settings.web_host) == ("brand.example", "community.brand.example")


# -- systemd units


UNITS = ["fedicom-web.service", "fedicom-worker.service"]


def unit_settings(unit: str) -> dict[str, list[str]]:
    values: dict[str, list[str]] = {}
    for line in (DEPLOY / "systemd" / unit).read_text().splitlines():
        if "=" in line and not line.startswith(("#", "[")):
            key, _, value = line.partition("=")
            values.setdefault(key, []).append(value)
    return values


def test_systemd_units_pass_systemd_analyze_verify(tmp_path: Path) -> None:
    """Checked with this checkout's `fedicom` in place of /opt/fedicom/venv (verify needs it to exist)."""
    fedicom = Path(sys.executable).parent / "fedicom"
    for unit in UNITS:
        text = (DEPLOY / "systemd" / unit).read_text().replace("/opt/fedicom/venv/bin/fedicom", str(fedicom))
        (tmp_path / unit).write_text(text)
    result = subprocess.run(
        [binary("systemd-analyze"), "verify", *(str(tmp_path / u) for u in UNITS)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    # verify exits 0 on unknown keys and bad values: any output at all is a mistake in the units
    assert (result.returncode, result.stdout + result.stderr) == (0, "")


@pytest.mark.parametrize("unit", UNITS)
def test_systemd_units_are_hardened_and_run_real_commands(unit: str) -> None:
    values = unit_settings(unit)
    for key, value in {
        "User": "fedicom",
        "NoNewPrivileges": "yes",
        "ProtectSystem": "strict",
        "ProtectHome": "yes",
        "PrivateTmp": "yes",
        "ReadWritePaths": "/var/lib/fedicom",
        "StateDirectory": "fedicom",
        "CapabilityBoundingSet": "",
        "Restart": "on-failure",
        "EnvironmentFile": "/etc/fedicom/fedicom.env",
    }.items():
        assert values.get(key) == [value], key
    args = shlex.split(values["ExecStart"][0])
    parses_as_fedicom_command(args)
    assert args[1] == ("serve" if "web" in unit else "worker")


# -- reverse proxies


def nginx_site(folder: Path, *, listen: str | None = None) -> str:
    """deploy/nginx/fedicom.conf with a test certificate (and, to serve it, the test's addresses)."""
    cert, key = self_signed(folder, FRONT)
    site = (DEPLOY / "nginx" / "fedicom.conf").read_text()
    site = site.replace("/etc/letsencrypt/live/community.brand.example/fullchain.pem", str(cert))
    site = site.replace("/etc/letsencrypt/live/community.brand.example/privkey.pem", str(key))
    if listen:
        site = re.sub(r"listen \[::\]:\d+[^;]*;", "", site)
        site = site.replace("listen 80;", f"listen {FRONT}:{free_port(FRONT)};")
        site = site.replace("listen 443 ssl http2;", f"listen {listen} ssl;")
    return site


def test_nginx_site_passes_nginx_t(tmp_path: Path) -> None:
    conf = nginx_conf(tmp_path, nginx_site(tmp_path))
    output = check([*nginx_args(conf)[:-2], "-t", "-c", str(conf)])
    assert "test is successful" in output
    assert "[warn]" not in output, output


def test_nginx_body_limit_matches_fedicom() -> None:
    """nginx refuses bodies past its own limit (1m unless set): it must equal FEDICOM_MAX_BODY_BYTES.

    Caddy sets no limit of its own, so fedicom's 413 applies there (see the Caddyfile's comment).
    """
    nginx = (DEPLOY / "nginx" / "fedicom.conf").read_text()
    limits = re.findall(r"client_(?:max_body|body_buffer)_size (\d+)m;", nginx)
    assert limits == [str(DEFAULT_BODY // 2**20)] * 2 and DEFAULT_BODY % 2**20 == 0
    caddy = (DEPLOY / "Caddyfile").read_text().splitlines()
    assert not [line for line in caddy if line.strip().startswith("request_body")]


def test_caddyfile_passes_caddy_validate(tmp_path: Path) -> None:
    env = {**caddy_env(tmp_path), "SITE_ADDRESS": "community.brand.example", "UPSTREAM": "web:8000"}
    output = check(
        [binary("caddy"), "validate", "--adapter", "caddyfile", "--config", str(DEPLOY / "Caddyfile")],
        env=env,
    )
    assert "Valid configuration" in output
    assert "not formatted" not in output, output


def test_apache_snippet_passes_apachectl_t(tmp_path: Path) -> None:
    snippet = (REPO / "well-known" / "apache.conf").read_text()
    conf = apache_conf(
        tmp_path, f"Listen {FRONT}:8443\n<VirtualHost {FRONT}:8443>\n{snippet}\n</VirtualHost>"
    )
    apachectl = binary("apachectl")
    assert "Syntax OK" in check([apachectl, "-t", "-f", str(conf)])


# -- the proxies in front of a real fedicom: a signed inbox POST arrives, oversized bodies do not


@pytest.fixture
async def behind_front(tmp_path: Path, request: pytest.FixtureRequest) -> AsyncIterator[tuple[Behind, str]]:
    scheme = request.param
    port = free_port(FRONT)
    origin = f"{scheme}://{FRONT}:{port}"
    behind = await start_behind(tmp_path / "fedicom", domain=f"{FRONT}:{port}", base_url=origin)
    await behind.instance.community("news", title="News")
    yield behind, origin
    await behind.instance.stop()


async def member_accepted(actor: str) -> None:
    for _ in range(500):
        membership = await Membership.get_or_none(actor=actor)
        if membership is not None and membership.state == "accepted":
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"{actor} was not accepted as a member")


async def federate_through(
    origin: str, behind: Behind, peer: Peer, ssl_context: ssl.SSLContext | bool
) -> None:
    """A signed Follow POSTed to the public origin is verified and accepted; 2 MiB bodies get 413."""
    person = peer.person("alice")
    inbox = f"{behind.instance.site.uri('news')}/inbox"
    assert inbox.startswith(origin)
    follow = peer.activity("Follow", person, behind.instance.site.uri("news"))
    body = json.dumps(follow).encode()
    headers = sign_request(
        method="POST", url=inbox, body=body, key_id=person.key_id, private_key=person.private_key
    )
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=ssl_context)) as http:
        async with http.post(inbox, data=body, headers=headers) as resp:
            assert resp.status == 202, await resp.text()
        await member_accepted(person.uri)
        async with http.post(
            inbox, data=b"x" * (2 * DEFAULT_BODY), headers={"Content-Type": "application/json"}
        ) as resp:
            assert resp.status == 413
        async with http.get(f"{origin}/healthz") as resp:
            assert resp.status == 200
            assert resp.headers["Strict-Transport-Security"].startswith("max-age=")
            assert await resp.json() == {"status": "ok", "database": "ok"}


@pytest.mark.parametrize("behind_front", ["https"], indirect=True)
async def test_nginx_site_serves_federation(
    behind_front: tuple[Behind, str], peer: Peer, tmp_path: Path
) -> None:
    behind, origin = behind_front
    port = origin.rsplit(":", 1)[1]
    site = nginx_site(tmp_path, listen=f"{FRONT}:{port}").replace(
        "127.0.0.1:8000", f"127.0.0.1:{behind.port}"
    )
    context = ssl.create_default_context(cafile=str(tmp_path / "cert.pem"))
    with running(nginx_args(nginx_conf(tmp_path, site)), host=FRONT, port=int(port), log=tmp_path / "log"):
        await federate_through(origin, behind, peer, context)


@pytest.mark.parametrize("behind_front", ["http"], indirect=True)
async def test_caddyfile_serves_federation(
    behind_front: tuple[Behind, str], peer: Peer, tmp_path: Path
) -> None:
    """Served on plain http (automatic TLS needs a public name); everything else as deployed."""
    behind, origin = behind_front
    caddyfile = tmp_path / "Caddyfile"
    caddyfile.write_text(f"{{\n\tadmin off\n}}\n\nimport {DEPLOY / 'Caddyfile'}\n")
    env = {**caddy_env(tmp_path), "SITE_ADDRESS": origin, "UPSTREAM": f"127.0.0.1:{behind.port}"}
    port = int(origin.rsplit(":", 1)[1])
    with running(caddy_args(caddyfile), host=FRONT, port=port, log=tmp_path / "log", env=env):
        await federate_through(origin, behind, peer, False)


# -- docker compose


def compose() -> dict[str, Any]:
    return yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())  # type: ignore[no-any-return]


def expand(arg: str) -> str:
    """Compose's `${NAME:-default}` as compose would expand it with NAME unset."""
    return re.sub(r"\$\{[A-Z_]+:-([^}]*)\}", r"\1", arg)


def test_compose_runs_postgres_web_and_worker() -> None:
    doc = compose()
    services = doc["services"]
    assert set(services) == {"db", "web", "worker", "caddy"}
    for name, service in services.items():
        assert service["restart"] == "unless-stopped", name
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            assert source.startswith("./") or source in doc["volumes"], volume
    db = services["db"]
    assert db["image"].startswith("postgres:")
    assert db["healthcheck"]["test"][:2] == ["CMD", "pg_isready"]
    user, database = db["environment"]["POSTGRES_USER"], db["environment"]["POSTGRES_DB"]

    for name in ("web", "worker"):
        service = services[name]
        assert (service["image"], service["build"]["dockerfile"]) == ("fedicom:latest", "deploy/Dockerfile")
        assert (REPO / service["build"]["dockerfile"]).is_file()
        assert service["env_file"] == ".env"
        env = service["environment"]
        assert env["FEDICOM_DELIVERY"] == "external"
        assert env["FEDICOM_DATABASE_URL"].startswith(f"postgres://{user}:")
        assert env["FEDICOM_DATABASE_URL"].endswith(f"@db:5432/{database}")
        assert "fedicom-data:/data" in service["volumes"] and env["FEDICOM_DATA_DIR"] == "/data"
        assert service["depends_on"]["db"]["condition"] == "service_healthy"
        command = [expand(a) for a in service["command"]]
        parses_as_fedicom_command(command)
        health = service["healthcheck"]["test"]
        assert health[0] == "CMD"
        if health[1] == "fedicom":
            parses_as_fedicom_command(health[1:])
        else:
            assert "/healthz" in health[-1]

    assert services["web"]["command"][1:3] == ["serve", "--host"]
    assert "--workers" in services["web"]["command"]
    assert services["worker"]["command"] == ["fedicom", "worker"]
    assert services["worker"]["depends_on"]["web"]["condition"] == "service_healthy"  # web migrates first
    caddy = services["caddy"]
    assert caddy["environment"]["UPSTREAM"] == "web:8000" and "8000" in services["web"]["expose"]
    assert "./Caddyfile:/etc/caddy/Caddyfile:ro" in caddy["volumes"]
    assert (DEPLOY / "Caddyfile").is_file()


def compose_command() -> list[str]:
    """The compose plugin (`docker compose`) where installed, else Debian's docker-compose: both validate
    a compose file and interpolate its variables without a docker engine."""
    docker = shutil.which("docker")
    if docker and subprocess.run([docker, "compose", "version"], capture_output=True).returncode == 0:
        return [docker, "compose"]
    return [binary("docker-compose")]


def operator_copy(tmp_path: Path, env_text: str) -> Path:
    """deploy/ as an operator has it after `cp env.example .env` and editing .env."""
    folder = tmp_path / "deploy"
    shutil.copytree(DEPLOY, folder)
    (folder / ".env").write_text(env_text)
    return folder


def compose_config(folder: Path, file: str = "docker-compose.yml") -> subprocess.CompletedProcess[str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("FEDICOM_", "POSTGRES_", "SITE_", "OBJECTS_"))
    }
    return subprocess.run(
        [*compose_command(), "-f", file, "config"],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )


def test_compose_file_validates_with_the_operators_env(tmp_path: Path) -> None:
    example = (DEPLOY / "env.example").read_text()
    done = compose_config(operator_copy(tmp_path / "ok", example.replace("CHANGE-ME", "s3cret-pw")))
    assert done.returncode == 0, done.stderr
    config = yaml.safe_load(done.stdout)
    assert set(config["services"]) == {"db", "web", "worker", "caddy"}
    url = config["services"]["web"]["environment"]["FEDICOM_DATABASE_URL"]
    assert url == "postgres://fedicom:s3cret-pw@db:5432/fedicom"
    assert config["services"]["caddy"]["environment"]["SITE_ADDRESS"] == "community.brand.example"

    # An .env without the database password is refused with the file's own instruction.
    missing = "\n".join(line for line in example.splitlines() if not line.startswith("POSTGRES_PASSWORD="))
    refused = compose_config(operator_copy(tmp_path / "missing", missing))
    assert refused.returncode != 0 and "set POSTGRES_PASSWORD in deploy/.env" in refused.stderr

    # And the validator is real: a misspelt option fails it.
    broken = operator_copy(tmp_path / "broken", example)
    text = (broken / "docker-compose.yml").read_text()
    (broken / "docker-compose.yml").write_text(
        text.replace("    restart: unless-stopped", "    restrat: x", 1)
    )
    assert compose_config(broken).returncode != 0


@pytest.mark.parametrize("file", ["docker-compose.yml", "compose.multi.yml"])
def test_compose_variables_are_documented_in_env_example(file: str) -> None:
    used = set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)", (DEPLOY / file).read_text()))
    assert used and used <= set(env_example_lines())


# -- deploy/compose.multi.yml: several machines

SHARED = (
    "FEDICOM_DATABASE_URL",
    "FEDICOM_SECRET_KEY",
    "FEDICOM_MEDIA_STORE",
    "FEDICOM_S3_ENDPOINT",
    "FEDICOM_S3_BUCKET",
    "FEDICOM_S3_ACCESS_KEY",
    "FEDICOM_S3_SECRET_KEY",
)


def multi_env(example: str) -> str:
    """The operator's .env for compose.multi.yml: passwords set, the secret key and S3 key given."""
    text = example.replace("CHANGE-ME", "s3cret-pw")
    for name in ("FEDICOM_SECRET_KEY=", "OBJECTS_ACCESS_KEY=", "OBJECTS_SECRET_KEY="):
        text = re.sub(rf"^# ({name})", r"\1", text, flags=re.M)
    return text.replace("FEDICOM_SECRET_KEY=\n", "FEDICOM_SECRET_KEY=one-key-for-all\n")


def test_compose_multi_shares_the_database_the_object_store_and_the_secret_key(tmp_path: Path) -> None:
    done = compose_config(operator_copy(tmp_path, multi_env((DEPLOY / "env.example").read_text())), MULTI)
    assert done.returncode == 0, done.stderr
    services = yaml.safe_load(done.stdout)["services"]
    assert set(services) == {"db", "objects", "caddy", "web1", "web2", "worker1", "worker2"}
    fedicom = {name: s for name, s in services.items() if name.startswith(("web", "worker"))}
    shared = {name: tuple(s["environment"][k] for k in SHARED) for name, s in fedicom.items()}
    assert len(set(shared.values())) == 1, shared  # every process: one database, store and key
    url, secret, store, endpoint, bucket, access, secret_key = shared["web1"]
    assert (url, secret, store) == ("postgres://fedicom:s3cret-pw@db:5432/fedicom", "one-key-for-all", "s3")
    assert endpoint == "http://objects:8333" and (access, secret_key) == ("fedicom", "s3cret-pw")
    objects = services["objects"]["environment"]
    assert (objects["AWS_ACCESS_KEY_ID"], objects["AWS_SECRET_ACCESS_KEY"], objects["S3_BUCKET"]) == (
        access,
        secret_key,
        bucket,
    )
    for name, service in fedicom.items():
        assert not service.get("volumes"), f"{name} keeps nothing on its machine's disk"
        assert service["environment"]["FEDICOM_DELIVERY"] == "external"
        parses_as_fedicom_command(service["command"])
    assert "--no-migrate" not in services["web1"]["command"]  # one migrates, the others wait for it
    assert "--no-migrate" in services["web2"]["command"]
    assert services["web2"]["depends_on"]["web1"]["condition"] == "service_healthy"
    assert [s["command"] for n, s in fedicom.items() if n.startswith("worker")] == [["fedicom", "worker"]] * 2
    assert services["caddy"]["environment"]["UPSTREAM"].split() == ["web1:8000", "web2:8000"]


def test_compose_multi_refuses_to_start_without_one_secret_key(tmp_path: Path) -> None:
    without = multi_env((DEPLOY / "env.example").read_text()).replace(
        "FEDICOM_SECRET_KEY=one-key-for-all\n", ""
    )
    refused = compose_config(operator_copy(tmp_path, without), MULTI)
    assert refused.returncode != 0 and "set FEDICOM_SECRET_KEY in deploy/.env" in refused.stderr


def test_caddy_spreads_requests_over_every_web_service(tmp_path: Path) -> None:
    env = {
        **caddy_env(tmp_path),
        "SITE_ADDRESS": "community.brand.example",
        "UPSTREAM": "web1:8000 web2:8000",
    }
    adapted = check(
        [binary("caddy"), "adapt", "--adapter", "caddyfile", "--config", str(DEPLOY / "Caddyfile")], env=env
    )
    config, _ = json.JSONDecoder().raw_decode(adapted)  # the adapted JSON, then the log lines
    [route] = config["apps"]["http"]["servers"]["srv0"]["routes"]
    [proxy] = [
        h for r in route["handle"][0]["routes"] for h in r["handle"] if h["handler"] == "reverse_proxy"
    ]
    assert [u["dial"] for u in proxy["upstreams"]] == ["web1:8000", "web2:8000"]
    assert proxy["load_balancing"]["try_duration"] > 0  # a web service that is down is skipped


# -- Dockerfile


def dockerfile() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) in order, continuation lines joined."""
    text = (DEPLOY / "Dockerfile").read_text().replace("\\\n", " ")
    steps = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            instruction, _, args = line.partition(" ")
            steps.append((instruction.upper(), args.strip()))
    return steps


def test_dockerfile_is_multi_stage_slim_and_runs_as_a_user() -> None:
    steps = dockerfile()
    stages = [args for instruction, args in steps if instruction == "FROM"]
    assert len(stages) >= 2 and all("slim" in s for s in stages)
    final = steps[max(i for i, (instruction, _) in enumerate(steps) if instruction == "FROM") :]
    users = [args for instruction, args in final if instruction == "USER"]
    assert users and users[-1].split(":")[0] not in ("0", "root")
    cmd = json.loads(next(args for instruction, args in final if instruction == "CMD"))
    parses_as_fedicom_command(cmd)
    assert cmd[1] == "serve" and "0.0.0.0" in cmd
    for instruction, args in steps:
        if instruction == "COPY" and not args.startswith("--from"):
            for source in args.split()[:-1]:
                assert (REPO / source).exists(), source
    ignored = (DEPLOY / "Dockerfile.dockerignore").read_text().split()
    assert {"!pyproject.toml", "!README.md", "!fedicom/"} <= set(ignored)


def healthcheck_command() -> list[str]:
    args = next(args for instruction, args in dockerfile() if instruction == "HEALTHCHECK")
    return json.loads(args[args.index("CMD") + 3 :].strip())  # type: ignore[no-any-return]


async def test_dockerfile_healthcheck_passes_on_a_running_instance(instance: Any) -> None:
    inst = await instance()
    command = healthcheck_command()
    assert command[:2] == ["python", "-c"] and "http://127.0.0.1:8000/healthz" in command[2]
    probe = [sys.executable, "-c", command[2].replace("http://127.0.0.1:8000", inst.base)]
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    ok = await _run(probe, env)
    assert ok == 0
    await inst.stop()
    assert await _run(probe, env) != 0


async def _run(args: list[str], env: dict[str, str]) -> int:
    proc = await asyncio.create_subprocess_exec(*args, env=env, stderr=subprocess.DEVNULL)
    return await proc.wait()


def test_the_package_data_ships_every_template_static_file_and_migration() -> None:
    """A wheel (and so the image) holds what pyproject's package-data globs name: every page template,
    static file and migration must match one, or the installed server misses it."""
    import tomllib

    globs = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    package = REPO / "fedicom"
    shipped = {p for pattern in globs["fedicom"] for p in package.glob(pattern) if p.is_file()}
    needed = {
        p
        for folder in ("templates", "static", "migrations")
        for p in (package / folder).rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }
    assert needed - shipped == set()
