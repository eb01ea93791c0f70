"""`fedicom doctor` finds what keeps a deployment from federating and says how to fix it.

The command runs as an operator runs it (a separate process with FEDICOM_* settings) against real
instances on loopback, healthy or broken; the judgements behind it are tested directly.
"""

from __future__ import annotations

import asyncio
import datetime
import os
import re
import ssl
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from fedicom import storage
from fedicom.activitypub.models import Delivery, InboxItem, OutgoingActivity, RemoteServer
from fedicom.doctor import (
    BACKLOG_FAIL,
    Queue,
    Result,
    judge_certificate,
    judge_deliveries,
    judge_metrics,
    judge_migrations,
    judge_skew,
    judge_webfinger,
    read_samples,
)
from fedicom.settings import Settings
from tests.deploy.test_well_known import Brand, nginx_site
from tests.deploy.webservers import self_signed, start_behind
from tests.support.db import make_settings
from tests.support.objectstore import ObjectStore
from tests.support.servers import Instance, free_port

FEDICOM = Path(sys.executable).parent / "fedicom"
LINE = re.compile(r"^(ok|warn|fail)\s+(\w+)\s+(.*)$")


class Report:
    def __init__(self, code: int, output: str) -> None:
        self.code, self.output = code, output
        self.checks: dict[str, tuple[str, str]] = {}
        self.fixes: dict[str, str] = {}
        last = ""
        for line in output.splitlines():
            if match := LINE.match(line):
                last = match.group(2)
                self.checks[last] = (match.group(1), match.group(3))
            elif line.strip().startswith("fix: "):
                self.fixes[last] = line.strip().removeprefix("fix: ")

    def status(self, check: str) -> str:
        return self.checks[check][0]

    def says(self, check: str) -> str:
        return self.checks[check][1]


def settings_env(settings: Settings, **changes: str) -> dict[str, str]:
    env = {
        "FEDICOM_DEV": "1",
        "FEDICOM_DATA_DIR": str(settings.data_dir),
        "FEDICOM_DATABASE_URL": settings.database_url,
        "FEDICOM_DOMAIN": settings.domain,
        "FEDICOM_BASE_URL": settings.base_url,
    }
    return {**env, **changes}


async def doctor(env: dict[str, str], *args: str, cwd: Path) -> Report:
    """`fedicom doctor` in its own process, as an operator runs it (the test's servers keep serving)."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("FEDICOM_") and "proxy" not in k.lower()}
    proc = await asyncio.create_subprocess_exec(
        str(FEDICOM),
        "doctor",
        *args,
        env={**clean, "COLUMNS": "250", **env},
        cwd=cwd,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
    )
    out, _ = await asyncio.wait_for(proc.communicate(), 120)
    assert proc.returncode is not None
    return Report(proc.returncode, out.decode())


# -- against real instances


async def test_a_healthy_instance_passes_every_check(instance: Any, tmp_path: Path) -> None:
    inst: Instance = await instance()
    await inst.community("news", title="News")
    report = await doctor(settings_env(inst.settings), cwd=tmp_path)
    assert report.code == 0, report.output
    assert report.status("settings") == "warn" and "development mode" in report.says("settings")
    for check in (
        "database",
        "migrations",
        "deliveries",
        "inbox",
        "dns",
        "web",
        "tls",
        "webfinger",
        "nodeinfo",
        "clock",
        "smtp",
        "metrics",
        "media",
    ):
        assert report.status(check) == "ok", report.output
    assert report.says("metrics").startswith("off (set FEDICOM_METRICS_PORT")
    assert report.says("webfinger") == (
        f"{inst.base}/.well-known/webfinger resolves acct:news@{inst.settings.domain} to {inst.base}/c/news"
    )
    assert report.says("migrations") == "the schema is up to date"


async def test_the_object_store_is_probed_and_a_refused_key_explained(
    object_store: ObjectStore, tmp_path: Path
) -> None:
    env = {
        "FEDICOM_DEV": "1",
        "FEDICOM_DATA_DIR": str(tmp_path / "data"),
        **{f"FEDICOM_{k.upper()}": v for k, v in object_store.settings().items()},
    }
    report = await doctor(env, "--only", "media", cwd=tmp_path)
    assert report.code == 0, report.output
    assert report.says("media") == (
        f"the bucket {object_store.bucket} at {object_store.endpoint} keeps, returns and deletes objects"
    )
    assert await object_store.names("doctor") == set()  # the probe is gone
    report = await doctor({**env, "FEDICOM_S3_SECRET_KEY": "wrong-secret"}, "--only", "media", cwd=tmp_path)
    assert report.code == 1 and report.status("media") == "fail"
    assert report.says("media").startswith(f"cannot use the bucket {object_store.bucket} at ")
    assert "wrong-secret" not in report.output and "may read, write and delete" in report.fixes["media"]


async def test_a_brand_domain_is_verified_through_its_delegation(tmp_path: Path) -> None:
    """Handles on a brand domain fail until its site delegates /.well-known/ to fedicom, then pass."""
    port = free_port("127.0.0.2")
    behind = await start_behind(tmp_path / "fedicom", domain=f"127.0.0.2:{port}")
    try:
        await behind.instance.community("news", title="News")
        env = settings_env(behind.instance.settings)
        before = await doctor(env, cwd=tmp_path)
        assert before.code == 1
        assert before.status("web") == "ok"  # fedicom itself is fine
        assert before.status("webfinger") == "fail"
        assert f"http://127.0.0.2:{port}/.well-known/webfinger" in before.says("webfinger")
        assert "connection refused" in before.says("webfinger")
        assert "docs/brand-domains.md" in before.fixes["webfinger"]
        assert before.status("nodeinfo") == "warn"

        folder = tmp_path / "nginx"
        folder.mkdir()
        with nginx_site(folder, Brand(behind, port)):
            after = await doctor(env, cwd=tmp_path)
        assert after.code == 0, after.output
        assert after.says("webfinger").endswith(
            f"resolves acct:news@127.0.0.2:{port} to {behind.origin}/c/news"
        )
        assert after.status("nodeinfo") == "ok"
    finally:
        await behind.instance.stop()


async def test_an_unreachable_database_is_explained(tmp_path: Path) -> None:
    env = {
        "FEDICOM_DEV": "1",
        "FEDICOM_DATA_DIR": str(tmp_path),
        "FEDICOM_DATABASE_URL": "postgres://fedicom:secret@127.0.0.1:1/fedicom",
    }
    report = await doctor(env, "--only", "database", "--only", "migrations", cwd=tmp_path)
    assert report.code == 1
    assert report.status("database") == "fail"
    assert report.says("database").startswith("cannot use the database at postgres://127.0.0.1:1/fedicom: ")
    assert "secret" not in report.output  # the password is never shown
    assert "FEDICOM_DATABASE_URL" in report.fixes["database"]
    assert "migrations" not in report.checks  # nothing more can be learned without the database


async def test_a_missing_sqlite_database_is_not_created(tmp_path: Path) -> None:
    env = {"FEDICOM_DEV": "1", "FEDICOM_DATA_DIR": str(tmp_path / "data")}
    report = await doctor(env, "--only", "database", cwd=tmp_path)
    assert report.code == 1
    assert (
        report.says("database") == f"there is no SQLite database at {tmp_path / 'data' / 'fedicom.sqlite3'}"
    )
    assert "fedicom migrate" in report.fixes["database"]
    assert not (tmp_path / "data" / "fedicom.sqlite3").exists()


async def test_a_wrong_domain_is_explained(instance: Any, tmp_path: Path) -> None:
    inst: Instance = await instance()
    await inst.community("news", title="News")
    env = settings_env(inst.settings, FEDICOM_DOMAIN="nowhere.invalid")
    report = await doctor(env, cwd=tmp_path)
    assert report.code == 1
    assert report.status("web") == "ok"
    assert report.status("dns") == "fail"
    assert report.says("dns").startswith("nowhere.invalid (FEDICOM_DOMAIN) does not resolve")
    assert "A and/or AAAA record for nowhere.invalid" in report.fixes["dns"]
    assert report.status("webfinger") == "fail"
    assert "nowhere.invalid/.well-known/webfinger" in report.says("webfinger")
    assert report.says("webfinger").endswith("the name does not resolve")


async def test_stuck_queues_point_at_the_worker(tmp_path: Path) -> None:
    """Deliveries nobody makes (external delivery, no worker) fail; those to unreachable servers do not."""
    settings = make_settings(tmp_path / "data")
    await storage.open_db(settings)
    try:
        now = time.time()
        activity = await OutgoingActivity.create(
            activity_id="https://x.example/a/1",
            actor="https://x.example/c/news",
            type="Announce",
            payload="{}",
            created_at=now,
        )
        for host, due in (("late.example", now - 3600), ("dead.example", now - 86400)):
            await Delivery.create(
                activity=activity,
                inbox=f"https://{host}/inbox",
                host=host,
                order_key="k",
                next_try_at=due,
                updated_at=due,
            )
        await RemoteServer.create(host="dead.example", unreachable=True, failing_since=now - 4 * 86400)
        await InboxItem.create(
            activity_id="https://late.example/a/1",
            actor="https://late.example/u/a",
            payload="{}",
            next_try_at=now - 1200,
            received_at=now - 1200,
        )
    finally:
        await storage.close_db()
    env = settings_env(settings, FEDICOM_DELIVERY="external")
    report = await doctor(env, "--only", "deliveries", "--only", "inbox", cwd=tmp_path)
    assert report.code == 1
    assert report.status("deliveries") == "fail"
    assert report.says("deliveries").startswith("1 waiting (the oldest due 36")
    assert "1 server(s) unreachable and skipped: dead.example" in report.says("deliveries")
    assert "`fedicom worker`" in report.fixes["deliveries"]
    assert report.status("inbox") == "fail"
    assert report.says("inbox").startswith("1 received activities waiting (the oldest due 1")


async def test_the_metrics_of_a_running_instance_are_read(instance: Any, tmp_path: Path) -> None:
    """With FEDICOM_METRICS_PORT set, doctor scrapes it: queue depths and the servers failing."""
    port = free_port()
    inst: Instance = await instance(metrics_port=port)
    await RemoteServer.create(host="down.example", failing_since=time.time() - 600)
    report = await doctor(
        settings_env(inst.settings, FEDICOM_METRICS_PORT=str(port)), "--only", "metrics", cwd=tmp_path
    )
    assert report.code == 0, report.output
    assert report.status("metrics") == "ok"
    assert report.says("metrics") == (
        f"http://127.0.0.1:{port}/metrics: 0 deliveries pending, 0 inbox pending, 2 jobs pending; "
        "1 server(s) failing, 0 unreachable (down.example)"
    )
    elsewhere = free_port()
    nobody = await doctor(
        settings_env(inst.settings, FEDICOM_METRICS_PORT=str(elsewhere)), "--only", "metrics", cwd=tmp_path
    )
    assert nobody.code == 1 and nobody.status("metrics") == "fail"
    assert nobody.says("metrics").startswith(f"http://127.0.0.1:{elsewhere}/metrics: cannot connect")
    assert "FEDICOM_METRICS_PORT" in nobody.fixes["metrics"]


@pytest.fixture
async def skewed_server() -> AsyncIterator[str]:
    """A server whose clock is 10 minutes behind ours."""

    async def answer(_request: web.Request) -> web.Response:
        then = datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=10)
        return web.Response(text="hello", headers={"Date": then.strftime("%a, %d %b %Y %H:%M:%S GMT")})

    app = web.Application()
    app.router.add_get("/", answer)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    yield f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}/"  # type: ignore[union-attr]
    await runner.cleanup()


async def test_clock_skew_against_a_time_server_fails(
    instance: Any, tmp_path: Path, skewed_server: str
) -> None:
    inst: Instance = await instance()
    report = await doctor(
        settings_env(inst.settings), "--only", "clock", "--time-server", skewed_server, cwd=tmp_path
    )
    assert report.code == 1
    assert report.status("clock") == "fail"
    assert re.match(rf"this machine's clock is 60\d s ahead of {skewed_server}: ", report.says("clock"))
    assert "timedatectl set-ntp true" in report.fixes["clock"]


@pytest.fixture
async def tls_server(tmp_path: Path) -> AsyncIterator[tuple[str, Path]]:
    """A TLS server on 127.0.0.2 whose certificate no public authority signed."""
    cert, key = self_signed(tmp_path, "127.0.0.2")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)

    async def hang_up(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.close()

    server = await asyncio.start_server(hang_up, "127.0.0.2", 0, ssl=context)
    yield f"https://127.0.0.2:{server.sockets[0].getsockname()[1]}", cert
    server.close()


async def test_an_untrusted_certificate_fails_and_a_short_lived_one_warns(
    tls_server: tuple[str, Path], tmp_path: Path
) -> None:
    origin, cert = tls_server
    env = {"FEDICOM_DEV": "1", "FEDICOM_DATA_DIR": str(tmp_path), "FEDICOM_BASE_URL": origin}
    untrusted = await doctor(env, "--only", "tls", cwd=tmp_path)
    assert untrusted.code == 1
    assert untrusted.says("tls").startswith(
        "the certificate of 127.0.0.2 is not trusted: self-signed certificate"
    )
    trusted = await doctor({**env, "SSL_CERT_FILE": str(cert)}, "--only", "tls", cwd=tmp_path)
    assert trusted.code == 0
    assert (trusted.status("tls"), trusted.says("tls")) == (
        "warn",
        "the certificate of 127.0.0.2 expires in 1 days",
    )
    assert "certbot renew" in trusted.fixes["tls"]


# -- the judgements


@pytest.mark.parametrize(
    ("skew", "status"),
    [(0.4, "ok"), (-29, "ok"), (45, "warn"), (-299, "warn"), (301, "fail"), (-3600, "fail")],
)
def test_clock_skew_thresholds(skew: float, status: str) -> None:
    assert judge_skew(skew, "x.example").status == status


def test_certificate_expiry() -> None:
    now = time.time()
    assert judge_certificate("c.example", now + 60 * 86400, now).status == "ok"
    assert judge_certificate("c.example", now + 5 * 86400, now).status == "warn"
    expired = judge_certificate("c.example", now - 2 * 86400, now)
    assert (expired.status, expired.summary) == ("fail", "the certificate of c.example expired 2 days ago")


def test_delivery_backlog_depends_on_how_late_the_oldest_due_job_is() -> None:
    now = time.time()
    assert judge_deliveries(Queue(500, 3, now - 30), [], now, external=False).status == "ok"
    assert judge_deliveries(Queue(5, 0, now - 200), [], now, external=False).status == "warn"
    late = judge_deliveries(Queue(5, 0, now - BACKLOG_FAIL - 1), [], now, external=False)
    assert late.status == "fail" and "`fedicom serve`" in late.fix
    assert judge_deliveries(Queue(0, 0, None), ["a.example"], now, external=True).status == "ok"


def test_migrations_pending_or_from_a_newer_version_fail() -> None:
    assert judge_migrations([], []).status == "ok"
    assert "fedicom migrate" in judge_migrations(["0005_x"], []).fix
    assert judge_migrations([], ["0099_future"]).status == "fail"


def test_webfinger_pointing_elsewhere_fails_and_a_redirect_is_named() -> None:
    jrd = {
        "subject": "acct:news@brand.example",
        "links": [
            {"rel": "self", "type": "application/activity+json", "href": "https://c.brand.example/c/news"}
        ],
    }
    url = "https://brand.example/.well-known/webfinger?resource=acct:news@brand.example"
    good = judge_webfinger(
        url, 200, jrd, "https://c.brand.example/c/news", url.replace("brand.", "c.brand.", 1)
    )
    assert good.status == "ok" and "(redirected to https://c.brand.example/" in good.summary
    wrong = judge_webfinger(url, 200, jrd, "https://other.example/c/news", url)
    assert wrong.status == "fail" and "points to https://c.brand.example/c/news" in wrong.summary
    assert judge_webfinger(url, 404, None, "https://c.brand.example/c/news", url).status == "fail"


def test_metrics_reporting_the_database_down_fail_and_failing_servers_are_named() -> None:
    url = "http://127.0.0.1:9464/metrics"
    down = read_samples("fedicom_database_up 0\n")
    assert judge_metrics(url, down).status == "fail"
    exposition = "\n".join(
        [
            "fedicom_database_up 1",
            'fedicom_queue_items{queue="deliveries",state="pending"} 12',
            'fedicom_queue_items{queue="jobs",state="pending"} 2',
            'fedicom_remote_servers{health="failing"} 4',
            'fedicom_remote_servers{health="unreachable"} 1',
            *(f'fedicom_remote_server_failing_seconds{{host="{h}.example"}} 60' for h in "dcba"),
            "",
        ]
    )
    found = judge_metrics(url, read_samples(exposition))
    assert found == Result(
        "metrics",
        "ok",
        f"{url}: 12 deliveries pending, 0 inbox pending, 2 jobs pending; 4 server(s) failing, 1 unreachable "
        "(a.example, b.example, c.example, …)",
    )
