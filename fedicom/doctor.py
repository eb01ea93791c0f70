"""The checks of `fedicom doctor`: is this configuration, as deployed, able to federate?

Each check gives ok, warn or fail, one line saying what was found and, when not ok, one line saying
how to fix it. Judging is pure (functions of what was measured, tested directly); probing the
database, DNS and HTTP is kept in the small async functions below them.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import socket
import ssl
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any, Literal
from urllib.parse import quote, urlsplit

import aiohttp
import aiosmtplib
from prometheus_client.parser import text_string_to_metric_families
from tortoise import connections
from tortoise.migrations.executor import MigrationExecutor

from fedicom import indexes, storage
from fedicom.activitypub.fetch import actor_link
from fedicom.groups.communities import Site
from fedicom.groups.models import Group
from fedicom.media.store import open_store
from fedicom.settings import Settings

Status = Literal["ok", "warn", "fail"]
TIMEOUT = 10.0
CHECKS = (
    "settings", "database", "migrations", "deliveries", "inbox",
    "dns", "web", "tls", "webfinger", "nodeinfo", "clock", "smtp", "metrics", "media",
)  # fmt: skip
DATABASE_CHECKS = {"database", "migrations", "deliveries", "inbox"}
SKEW_WARN, SKEW_FAIL = 30.0, 300.0  # some servers refuse signatures dated 5 minutes off
BACKLOG_WARN, BACKLOG_FAIL = 120.0, 900.0  # seconds the oldest due job has waited
CERT_WARN_DAYS = 14  # Let's Encrypt renews at 30 days left: under 14, renewal is failing


@dataclass(frozen=True)
class Result:
    check: str
    status: Status
    summary: str
    fix: str = ""


def ok(check: str, summary: str) -> Result:
    return Result(check, "ok", summary)


# -- pure judgements


def judge_skew(skew: float, source: str) -> Result:
    """`skew`: our clock minus the clock of `source`, in seconds (HTTP dates have 1 s resolution)."""
    direction = "ahead of" if skew > 0 else "behind"
    found = f"this machine's clock is {abs(skew):.0f} s {direction} {source}"
    fix = "turn on time synchronisation: `timedatectl set-ntp true` (systemd-timesyncd) or install chrony"
    if abs(skew) > SKEW_FAIL:
        return Result("clock", "fail", f"{found}: other servers refuse signatures dated this far off", fix)
    if abs(skew) > SKEW_WARN:
        return Result("clock", "warn", f"{found}: signatures may soon be refused", fix)
    return ok("clock", f"within {max(abs(skew), 1):.0f} s of {source}")


def judge_certificate(host: str, not_after: float, now: float) -> Result:
    days = (not_after - now) / 86400
    fix = "renew it: Caddy does by itself (check its log); with nginx, `certbot renew` and reload nginx"
    if days < 0:
        return Result("tls", "fail", f"the certificate of {host} expired {-days:.0f} days ago", fix)
    if days < CERT_WARN_DAYS:
        return Result("tls", "warn", f"the certificate of {host} expires in {days:.0f} days", fix)
    return ok("tls", f"the certificate of {host} is trusted and valid for {days:.0f} more days")


def judge_migrations(pending: list[str], unknown: list[str], missing: list[str] | None = None) -> Result:
    if unknown:
        return Result(
            "migrations",
            "fail",
            f"the database has migrations this fedicom does not know ({', '.join(unknown)})",
            "it was upgraded by a newer fedicom: run that version (docs/upgrading.md)",
        )
    if pending:
        return Result(
            "migrations",
            "fail",
            f"{len(pending)} schema migration(s) not applied: {', '.join(pending)}",
            "run `fedicom migrate` (`fedicom serve` applies them when it starts)",
        )
    if missing:
        return Result(
            "migrations",
            "warn",
            f"{len(missing)} index(es) missing, so lookups scan whole tables: {'; '.join(missing)}",
            "run `fedicom migrate`, which puts them back (docs/upgrading.md, 'Missing indexes')",
        )
    return ok("migrations", "the schema is up to date")


@dataclass(frozen=True)
class Queue:
    """What one job table holds: jobs waiting, failed for good, and the oldest due time."""

    waiting: int
    failed: int
    oldest_due: float | None  # epoch seconds of the earliest due waiting job


def _backlog(queue: Queue, now: float) -> float:
    return max(0.0, now - queue.oldest_due) if queue.oldest_due is not None else 0.0


def judge_deliveries(queue: Queue, unreachable: list[str], now: float, *, external: bool) -> Result:
    late = _backlog(queue, now)
    found = f"{queue.waiting} waiting" + (f" (the oldest due {late:.0f} s ago)" if queue.waiting else "")
    found += f", {queue.failed} failed for good"
    if unreachable:
        shown = ", ".join(unreachable[:3]) + (", …" if len(unreachable) > 3 else "")
        found += f"; {len(unreachable)} server(s) unreachable and skipped: {shown}"
    if late > BACKLOG_WARN:
        who = "a `fedicom worker` process (FEDICOM_DELIVERY=external)" if external else "`fedicom serve`"
        fix = (
            f"deliveries are made by {who}: check that it runs "
            "(`systemctl status fedicom-worker`, `docker compose ps`) and read its log"
        )
        status: Status = "fail" if late > BACKLOG_FAIL else "warn"
        return Result("deliveries", status, f"{found}: nothing is delivering them", fix)
    return ok("deliveries", found)


def judge_inbox(queue: Queue, now: float) -> Result:
    late = _backlog(queue, now)
    found = f"{queue.waiting} received activities waiting"
    found += (f" (the oldest due {late:.0f} s ago)" if queue.waiting else "") + f", {queue.failed} failed"
    if late > BACKLOG_WARN:
        fix = "`fedicom serve` and `fedicom worker` process them: check that they run, and read their logs"
        status: Status = "fail" if late > BACKLOG_FAIL else "warn"
        return Result("inbox", status, f"{found}: processing is behind", fix)
    return ok("inbox", found)


def judge_webfinger(url: str, status: int, jrd: Any, expected: str, final_url: str) -> Result:
    """The WebFinger answer that other servers get when they look up a handle on the handle domain."""
    delegation = (
        "if FEDICOM_DOMAIN is your brand's main site, delegate /.well-known/ to fedicom with a snippet "
        "from well-known/ (docs/brand-domains.md); otherwise check the proxy forwards to fedicom"
    )
    if status != 200:
        return Result("webfinger", "fail", f"{url} answered {status}", delegation)
    found = actor_link(jrd) if isinstance(jrd, dict) else None
    if found != expected:
        return Result(
            "webfinger", "fail", f"{url} points to {found or 'no actor'}, not {expected}", delegation
        )
    via = f" (redirected to {final_url})" if final_url.split("?")[0] != url.split("?")[0] else ""
    return ok("webfinger", f"{url.split('?')[0]} resolves {jrd.get('subject')} to {expected}{via}")


def judge_settings(settings: Settings) -> Result:
    kind = "SQLite" if settings.is_sqlite else "PostgreSQL"
    found = (
        f"handles @NAME@{settings.domain}, served at {settings.base_url}, {kind}, "
        f"delivery {settings.delivery}"
    )
    if settings.dev:
        return Result(
            "settings",
            "warn",
            f"{found}; development mode is on: plain http and private addresses are accepted",
            "unset FEDICOM_DEV in production",
        )
    return ok("settings", found)


Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def read_samples(text: str) -> Samples:
    """A Prometheus text exposition as {(name, sorted labels): value}."""
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def _sample(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def judge_metrics(url: str, samples: Samples) -> Result:
    """What a scrape of fedicom's own metrics says about its queues and the servers it delivers to."""
    if _sample(samples, "fedicom_database_up") != 1:
        return Result(
            "metrics",
            "fail",
            f"{url} answers but reports the database down",
            "see the database check, and the log of the process serving the metrics",
        )
    queues = ", ".join(
        f"{int(_sample(samples, 'fedicom_queue_items', queue=q, state='pending'))} {q} pending"
        for q in ("deliveries", "inbox", "jobs")
    )
    hosts = sorted(
        dict(labels)["host"] for (name, labels) in samples if name == "fedicom_remote_server_failing_seconds"
    )
    failing = int(_sample(samples, "fedicom_remote_servers", health="failing"))
    unreachable = int(_sample(samples, "fedicom_remote_servers", health="unreachable"))
    found = f"{url}: {queues}; {failing} server(s) failing, {unreachable} unreachable"
    if hosts:
        found += f" ({', '.join(hosts[:3])}{', …' if len(hosts) > 3 else ''})"
    return ok("metrics", found)


# -- probes


def _where(url: str) -> str:
    """A database URL without its password, for messages."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    return f"{parts.scheme}://{host}{f':{parts.port}' if parts.port else ''}{parts.path}"


def _sqlite_path(settings: Settings) -> Path | None:
    if not settings.is_sqlite:
        return None
    return Path(settings.database_url.removeprefix("sqlite://").split("?")[0])


async def check_database(settings: Settings) -> Result:
    """Connects (once, for the database checks after it); SQLite files are never created here."""
    where = _where(settings.database_url)
    path = _sqlite_path(settings)
    if path is not None and not path.is_file():
        return Result(
            "database",
            "fail",
            f"there is no SQLite database at {path}",
            "check FEDICOM_DATA_DIR / FEDICOM_DATABASE_URL, or create it with `fedicom migrate`",
        )
    try:
        await storage.open_db(settings)
        async with asyncio.timeout(TIMEOUT):
            await connections.get("default").execute_query("SELECT 1")
    except Exception as exc:  # every driver error means the same here: not reachable
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        fix = (
            "check FEDICOM_DATABASE_URL, and that PostgreSQL runs and accepts this user "
            "(`pg_isready -h HOST -p PORT`)"
            if path is None
            else "check that the file is readable and writable by the user fedicom runs as"
        )
        return Result("database", "fail", f"cannot use the database at {where}: {reason}", fix)
    kind = "SQLite" if path is not None else "PostgreSQL"
    return ok("database", f"{kind} at {where} answers")


async def check_migrations(settings: Settings) -> Result:
    executor = MigrationExecutor(connections.get("default"), storage.tortoise_config(settings)["apps"])
    steps = await executor.plan()
    known = set(executor.loader.graph.nodes)
    unknown = [key.name for key in await executor.recorder.applied_migrations() if key not in known]
    absent = [str(i) for i in await indexes.missing(connections.get("default"))]
    return judge_migrations([s.migration.name for s in steps if not s.backward], unknown, absent)


async def queue_of(table: str, *, skip_unreachable: bool = False) -> Queue:
    conn = connections.get("default")
    skip = " AND host NOT IN (SELECT host FROM remote_server WHERE unreachable)" if skip_unreachable else ""
    _, rows = await conn.execute_query(
        f"SELECT COUNT(*) AS n, MIN(next_try_at) AS due FROM {table} WHERE state = 'pending'{skip}"
    )
    _, failed = await conn.execute_query(f"SELECT COUNT(*) AS n FROM {table} WHERE state = 'failed'")
    due = rows[0]["due"]
    return Queue(int(rows[0]["n"]), int(failed[0]["n"]), float(due) if due is not None else None)


async def check_deliveries(settings: Settings) -> Result:
    _, rows = await connections.get("default").execute_query(
        "SELECT host FROM remote_server WHERE unreachable ORDER BY host"
    )
    queue = await queue_of("delivery", skip_unreachable=True)
    return judge_deliveries(
        queue, [r["host"] for r in rows], time.time(), external=settings.delivery == "external"
    )


async def check_inbox() -> Result:
    return judge_inbox(await queue_of("inbox_item"), time.time())


def _host_port(authority: str) -> tuple[str, int | None]:
    parts = urlsplit(f"//{authority}")
    return parts.hostname or authority, parts.port


async def check_dns(settings: Settings) -> Result:
    found: dict[str, str] = {}
    for setting, authority in (("FEDICOM_DOMAIN", settings.domain), ("FEDICOM_BASE_URL", settings.web_host)):
        host, _ = _host_port(authority)
        if host in found:
            continue
        try:
            async with asyncio.timeout(TIMEOUT):
                infos = await asyncio.get_running_loop().getaddrinfo(host, None, type=socket.SOCK_STREAM)
        except (OSError, TimeoutError) as exc:
            return Result(
                "dns",
                "fail",
                f"{host} ({setting}) does not resolve: {getattr(exc, 'strerror', None) or 'no answer'}",
                f"add an A and/or AAAA record for {host} pointing to "
                + ("the site that serves it" if setting == "FEDICOM_DOMAIN" else "your server")
                + ", or correct the setting",
            )
        found[host] = ", ".join(sorted({str(i[4][0]) for i in infos}))
    return ok("dns", "; ".join(f"{host} → {addresses}" for host, addresses in found.items()))


@dataclass(frozen=True)
class Answer:
    url: str  # after redirects
    status: int
    headers: Mapping[str, str]
    body: bytes


async def fetch(session: aiohttp.ClientSession, url: str, accept: str = "application/json") -> Answer:
    async with asyncio.timeout(TIMEOUT):
        async with session.get(url, headers={"Accept": accept}) as resp:
            return Answer(str(resp.url), resp.status, dict(resp.headers), await resp.read())


def describe(exc: BaseException) -> str:
    """Why a request failed, in words an operator acts on."""
    if isinstance(exc, aiohttp.ClientConnectorCertificateError):
        return f"its TLS certificate is not valid ({exc.certificate_error})"
    if isinstance(exc, aiohttp.ClientConnectorDNSError):
        return "the name does not resolve"
    if isinstance(exc, aiohttp.ClientConnectorError):
        error = exc.os_error
        reason = os.strerror(error.errno).lower() if error.errno else str(error)
        return f"cannot connect to {exc.host}:{exc.port} ({reason})"
    if isinstance(exc, TimeoutError):
        return f"no answer within {TIMEOUT:.0f} s"
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


async def check_web(settings: Settings, session: aiohttp.ClientSession) -> tuple[Result, Answer | None]:
    url = f"{settings.base_url}/healthz"
    fix = "check that `fedicom serve` runs and that the proxy forwards this host to it"
    try:
        answer = await fetch(session, url)
    except (aiohttp.ClientError, TimeoutError, ssl.SSLError) as exc:
        return Result("web", "fail", f"{url}: {describe(exc)}", fix), None
    if answer.status == 404:
        return Result("web", "fail", f"{url} answered 404: what answers there is not fedicom", fix), answer
    if answer.status != 200:
        text = answer.body.decode(errors="replace")[:200]
        return Result("web", "fail", f"{url} answered {answer.status}: {text}", fix), answer
    return ok("web", f"{settings.base_url} answers and reports its database fine"), answer


async def check_tls(settings: Settings) -> Result:
    parts = urlsplit(settings.base_url)
    if parts.scheme != "https":
        return ok("tls", "not used: the base URL is plain http (development mode)")
    host = parts.hostname or ""
    try:
        async with asyncio.timeout(TIMEOUT):
            _, writer = await asyncio.open_connection(
                host, parts.port or 443, ssl=ssl.create_default_context(), server_hostname=host
            )
    except ssl.SSLCertVerificationError as exc:
        return Result(
            "tls",
            "fail",
            f"the certificate of {host} is not trusted: {exc.verify_message}",
            "serve a certificate from a public authority for this exact name (Caddy gets one by itself)",
        )
    except (OSError, TimeoutError) as exc:
        return Result("tls", "fail", f"no TLS connection to {host}: {describe(exc)}", "see the web check")
    try:
        cert = writer.get_extra_info("ssl_object").getpeercert()
    finally:
        writer.close()
    return judge_certificate(host, ssl.cert_time_to_seconds(cert["notAfter"]), time.time())


async def check_webfinger(
    settings: Settings, session: aiohttp.ClientSession, community: str | None
) -> Result:
    """Looks a handle up as other servers do: on the handle domain, which may be a brand's site."""
    scheme = "http" if settings.dev else "https"  # as fedicom's own fetcher does
    name, expected = settings.domain.split(":")[0], f"{settings.base_url}/actor"
    if community:
        name, expected = community, Site(settings.base_url, settings.domain).uri(community)
    resource = quote(f"acct:{name}@{settings.domain}", safe=":@")
    url = f"{scheme}://{settings.domain}/.well-known/webfinger?resource={resource}"
    try:
        answer = await fetch(session, url, "application/jrd+json, application/json")
    except (aiohttp.ClientError, TimeoutError, ssl.SSLError) as exc:
        return Result(
            "webfinger",
            "fail",
            f"{url}: {describe(exc)}",
            "the handle domain must answer WebFinger: serve it with fedicom, or delegate "
            "/.well-known/ from the brand's site (docs/brand-domains.md)",
        )
    try:
        jrd = json.loads(answer.body)
    except ValueError:
        jrd = None
    return judge_webfinger(url, answer.status, jrd, expected, answer.url)


async def check_nodeinfo(settings: Settings, session: aiohttp.ClientSession) -> Result:
    scheme = "http" if settings.dev else "https"
    url = f"{scheme}://{settings.domain}/.well-known/nodeinfo"
    fix = (
        "some software reads NodeInfo on the handle domain: delegate /.well-known/nodeinfo too (well-known/)"
    )
    try:
        answer = await fetch(session, url)
        links = json.loads(answer.body)["links"]
        hrefs = {link["href"] for link in links}
    except (aiohttp.ClientError, TimeoutError, ssl.SSLError) as exc:
        return Result("nodeinfo", "warn", f"{url}: {describe(exc)}", fix)
    except (ValueError, KeyError, TypeError):
        return Result("nodeinfo", "warn", f"{url} is not a NodeInfo document", fix)
    if f"{settings.base_url}/nodeinfo/2.1" not in hrefs:
        return Result("nodeinfo", "warn", f"{url} lists {sorted(hrefs)}, not this instance's", fix)
    return ok("nodeinfo", f"{url} leads to this instance's NodeInfo")


def metrics_url(settings: Settings) -> str:
    """Where this machine's first fedicom process serves its metrics (any one has the database's figures)."""
    listening = settings.metrics_host
    host = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(listening, listening)
    return f"http://{f'[{host}]' if ':' in host else host}:{settings.metrics_port}/metrics"


async def check_metrics(settings: Settings, session: aiohttp.ClientSession) -> Result:
    if not settings.metrics_port:
        return ok("metrics", "off (set FEDICOM_METRICS_PORT to serve Prometheus metrics, docs/metrics.md)")
    url = metrics_url(settings)
    fix = "run `fedicom serve` or `fedicom worker` on this machine with the same FEDICOM_METRICS_PORT"
    try:
        answer = await fetch(session, url, "text/plain")
    except (aiohttp.ClientError, TimeoutError) as exc:
        return Result("metrics", "fail", f"{url}: {describe(exc)}", fix)
    if answer.status != 200:
        return Result("metrics", "fail", f"{url} answered {answer.status}: it is not fedicom's metrics", fix)
    try:
        samples = read_samples(answer.body.decode())
    except ValueError:
        return Result("metrics", "fail", f"{url} is not a Prometheus exposition", fix)
    return judge_metrics(url, samples)


async def check_smtp(settings: Settings) -> Result:
    """Connect, EHLO, STARTTLS and log in as notification emails do; no email is sent."""
    if not settings.smtp_host:
        return ok("smtp", "no SMTP server set (FEDICOM_SMTP_HOST): staff get no notification emails")
    where = f"{settings.smtp_host}:{settings.smtp_port}"
    security = settings.smtp_security
    fix = "check FEDICOM_SMTP_HOST, FEDICOM_SMTP_PORT and FEDICOM_SMTP_SECURITY (587 starttls, 465 tls)"
    client = aiosmtplib.SMTP(
        hostname=settings.smtp_host,
        port=settings.smtp_port,
        use_tls=security == "tls",
        start_tls=False,
        timeout=TIMEOUT,
    )
    done = ["EHLO answered"]
    try:
        await client.connect()
        await client.ehlo()
        if security == "starttls":
            if not client.supports_extension("starttls"):
                return Result(
                    "smtp", "fail", f"{where} does not offer STARTTLS", f"{fix}; port 465 wants tls"
                )
            await client.starttls()
            done.append("STARTTLS")
        if settings.smtp_username:
            await client.login(settings.smtp_username, settings.smtp_password)
            done.append(f"logged in as {settings.smtp_username}")
    except aiosmtplib.SMTPAuthenticationError as exc:
        return Result(
            "smtp",
            "fail",
            f"{where} refused the login of {settings.smtp_username}: {exc.code} {exc.message}",
            "check FEDICOM_SMTP_USERNAME and FEDICOM_SMTP_PASSWORD",
        )
    except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
        reason = describe(exc.__cause__ or exc) if isinstance(exc, aiosmtplib.SMTPConnectError) else str(exc)
        return Result("smtp", "fail", f"cannot use the SMTP server {where}: {reason}", fix)
    finally:
        if client.is_connected:
            with contextlib.suppress(aiosmtplib.SMTPException, OSError, TimeoutError):
                await client.quit()
    return ok("smtp", f"{where} ({security}): {', '.join(done)}; no email was sent")


def skew_from(answer: Answer, received_at: float) -> float | None:
    date = answer.headers.get("Date")
    if not date:
        return None
    try:
        return received_at - parsedate_to_datetime(date).timestamp()
    except (TypeError, ValueError):
        return None


async def check_clock(
    session: aiohttp.ClientSession, web: Answer | None, web_at: float, time_server: str | None
) -> Result:
    """The base URL's Date shows a proxy or server on another clock; a public server shows ours."""
    sources: list[tuple[str, float]] = []
    if web is not None and (skew := skew_from(web, web_at)) is not None:
        sources.append(("the base URL", skew))
    if time_server:
        try:
            answer = await fetch(session, time_server, "*/*")
            skew = skew_from(answer, time.time())
        except (aiohttp.ClientError, TimeoutError, ssl.SSLError) as exc:
            return Result("clock", "warn", f"{time_server}: {describe(exc)}", "choose another --time-server")
        if skew is not None:
            sources.append((time_server, skew))
    if not sources:
        return Result(
            "clock", "warn", "nothing to compare the clock with", "pass --time-server https://a-public-server"
        )
    worst = max(sources, key=lambda s: abs(s[1]))
    return judge_skew(worst[1], worst[0])


async def check_media(settings: Settings) -> Result:
    """A probe object written, read back and deleted, where uploads go (the disk or the object store)."""
    files = open_store(settings)
    name = f"doctor/probe-{os.getpid()}-{time.time_ns()}"
    fix = (
        "check FEDICOM_S3_ENDPOINT and FEDICOM_S3_BUCKET (the bucket must exist), and that the access key "
        "may read, write and delete objects in it"
        if settings.media_store == "s3"
        else "check that FEDICOM_DATA_DIR is writable by the user fedicom runs as"
    )
    try:
        async with asyncio.timeout(TIMEOUT * 3):
            await files.put(name, b"fedicom doctor", "text/plain")
            read = await files.get(name)
            await files.delete(name)
            gone = await files.get(name) is None
    except Exception as exc:  # every client error means the same here: media cannot be kept
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return Result("media", "fail", f"cannot use {files.description}: {reason}", fix)
    if read != b"fedicom doctor" or not gone:
        return Result("media", "fail", f"{files.description} did not give back what was written", fix)
    return ok("media", f"{files.description} keeps, returns and deletes objects")


async def first_community() -> str | None:
    group = await Group.all().order_by("id").first()
    return group.name if group else None


async def run_checks(
    settings: Settings,
    *,
    only: set[str],
    community: str | None = None,
    time_server: str | None = None,
    report: Callable[[Result], None] = lambda _r: None,
) -> list[Result]:
    """Run the selected checks in order, reporting each as it completes; the database is closed after."""
    results: list[Result] = []

    async def add(result: Result) -> None:
        results.append(result)
        report(result)

    wanted = [c for c in CHECKS if c in only and c != "settings"]
    database_up = opened = False
    try:
        if DATABASE_CHECKS & set(wanted) or ("webfinger" in wanted and community is None):
            opened = True
            db = await check_database(settings)
            database_up = db.status == "ok"
            if "database" in wanted or not database_up:
                await add(db)
        if database_up:
            if "migrations" in wanted:
                await add(await check_migrations(settings))
            if "deliveries" in wanted:
                await add(await check_deliveries(settings))
            if "inbox" in wanted:
                await add(await check_inbox())
            if "webfinger" in wanted and community is None:
                community = await first_community()
        async with aiohttp.ClientSession() as session:
            if "dns" in wanted:
                await add(await check_dns(settings))
            web, web_at = None, time.time()
            if "web" in wanted or "clock" in wanted:
                web_result, web = await check_web(settings, session)
                web_at = time.time()
                if "web" in wanted:
                    await add(web_result)
            if "tls" in wanted:
                await add(await check_tls(settings))
            if "webfinger" in wanted:
                await add(await check_webfinger(settings, session, community))
            if "nodeinfo" in wanted:
                await add(await check_nodeinfo(settings, session))
            if "clock" in wanted:
                await add(await check_clock(session, web, web_at, time_server))
            if "smtp" in wanted:
                await add(await check_smtp(settings))
            if "metrics" in wanted:
                await add(await check_metrics(settings, session))
        if "media" in wanted:
            await add(await check_media(settings))
    finally:
        if opened:
            await storage.close_db()
    return results
