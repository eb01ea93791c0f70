"""The well-known/ snippets, run by the real nginx, Caddy and Apache, delegate brand handles to fedicom.

Given fedicom on its own host (127.0.0.1:F) with the brand's handle domain (127.0.0.2:B), and the
brand's main site served on 127.0.0.2:B with the snippet pasted in, a fediverse server resolving
`news@127.0.0.2:B` reaches the community's Group actor, and the brand's other pages stay its own.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import aiohttp
import pytest
from aiohttp import web

from fedicom.activitypub.fetch import actor_link
from tests.deploy.webservers import (
    REPO,
    Behind,
    apache_args,
    apache_conf,
    caddy_args,
    caddy_env,
    nginx_args,
    nginx_conf,
    running,
    start_behind,
)
from tests.support.servers import free_port

WELL_KNOWN = REPO / "well-known"
BRAND_HOST = "127.0.0.2"
BRAND_HOME = "the brand's own home page"
PLACEHOLDER = "community.brand.example"


def localize(snippet: str, fedicom_port: int) -> str:
    """The snippet as an operator would edit it, pointing at the test's fedicom (plain http on loopback)."""
    assert PLACEHOLDER in snippet
    return snippet.replace(f"https://{PLACEHOLDER}", f"http://127.0.0.1:{fedicom_port}").replace(
        PLACEHOLDER, f"127.0.0.1:{fedicom_port}"
    )


@dataclass
class Brand:
    behind: Behind
    port: int

    @property
    def domain(self) -> str:
        return f"{BRAND_HOST}:{self.port}"

    @property
    def origin(self) -> str:
        return f"http://{self.domain}"


@pytest.fixture
async def brand(tmp_path: Path) -> AsyncIterator[Brand]:
    port = free_port(BRAND_HOST)
    behind = await start_behind(tmp_path / "fedicom", domain=f"{BRAND_HOST}:{port}")
    await behind.instance.community("news", title="News")
    yield Brand(behind, port)
    await behind.instance.stop()


def nginx_site(folder: Path, brand: Brand) -> AbstractContextManager[None]:
    snippet = localize((WELL_KNOWN / "nginx.conf").read_text(), brand.behind.port)
    server = (
        f"server {{\n  listen {BRAND_HOST}:{brand.port};\n  server_name {BRAND_HOST};\n{snippet}\n"
        f'  location / {{ return 200 "{BRAND_HOME}"; }}\n}}'
    )
    return running(
        nginx_args(nginx_conf(folder, server)), host=BRAND_HOST, port=brand.port, log=folder / "log"
    )


def caddy_site(folder: Path, brand: Brand) -> AbstractContextManager[None]:
    snippet = localize((WELL_KNOWN / "Caddyfile").read_text(), brand.behind.port)
    caddyfile = folder / "Caddyfile"
    caddyfile.write_text(
        f"{{\n\tadmin off\n\tauto_https off\n}}\n\nhttp://{BRAND_HOST}:{brand.port} {{\n"
        f'\tbind {BRAND_HOST}\n{snippet}\n\trespond "{BRAND_HOME}"\n}}\n'
    )
    return running(
        caddy_args(caddyfile), host=BRAND_HOST, port=brand.port, log=folder / "log", env=caddy_env(folder)
    )


@contextmanager
def apache_site(folder: Path, brand: Brand) -> Iterator[None]:
    snippet = localize((WELL_KNOWN / "apache.conf").read_text(), brand.behind.port)
    home = Path(tempfile.mkdtemp(prefix="fedicom-brand-www-"))  # Apache's user cannot enter tmp_path
    home.chmod(0o755)
    (home / "index.html").write_text(BRAND_HOME)
    body = (
        f"LoadModule dir_module /usr/lib/apache2/modules/mod_dir.so\n"
        f"Listen {BRAND_HOST}:{brand.port}\n<VirtualHost {BRAND_HOST}:{brand.port}>\n"
        f"  DocumentRoot {home}\n  <Directory {home}>\n    Require all granted\n  </Directory>\n"
        f"  DirectoryIndex index.html\n{snippet}\n</VirtualHost>"
    )
    try:
        with running(
            apache_args(apache_conf(folder, body)), host=BRAND_HOST, port=brand.port, log=folder / "log"
        ):
            yield
    finally:
        shutil.rmtree(home)


SERVERS: dict[str, Callable[[Path, Brand], AbstractContextManager[None]]] = {
    "nginx": nginx_site,
    "caddy": caddy_site,
    "apache": apache_site,
}


@pytest.mark.parametrize("server", SERVERS)
async def test_a_brand_site_delegates_handles_to_fedicom(server: str, brand: Brand, tmp_path: Path) -> None:
    """`news@brand` resolves through the brand's web server to the Group actor on the fedicom host."""
    folder = tmp_path / server
    folder.mkdir()
    fedicom = brand.behind.instance
    with SERVERS[server](folder, brand):
        # When a fediverse server (here fedicom's own fetcher, as a remote peer uses it) looks up the handle
        jrd = await fedicom.fed.fetcher.webfinger(f"news@{brand.domain}")
        # Then it reaches the community's actor on the fedicom host
        assert jrd["subject"] == f"acct:news@{brand.domain}"
        actor_uri = actor_link(jrd)
        assert actor_uri == fedicom.site.uri("news")
        assert urlsplit(actor_uri).netloc == f"127.0.0.1:{brand.behind.port}"
        actor = await fedicom.fed.fetcher.get_json(actor_uri)
        assert (actor["type"], actor["preferredUsername"]) == ("Group", "news")

        async with aiohttp.ClientSession() as http:
            for path in ("/.well-known/host-meta", "/.well-known/host-meta.json"):
                async with http.get(brand.origin + path) as resp:
                    assert resp.status == 200, path
                    assert f"{brand.behind.origin}/.well-known/webfinger?resource=" in await resp.text()
            async with http.get(brand.origin + "/.well-known/nodeinfo") as resp:
                links = (await resp.json())["links"]
            assert {link["href"] for link in links} == {
                f"{brand.behind.origin}/nodeinfo/2.0",
                f"{brand.behind.origin}/nodeinfo/2.1",
            }
            # And the brand's other pages are still its own
            async with http.get(brand.origin + "/") as resp:
                assert (resp.status, (await resp.text()).strip()) == (200, BRAND_HOME)


# -- static hosting: the `_redirects` file (Netlify, Cloudflare Pages)


@dataclass(frozen=True)
class Redirect:
    source: str
    target: str
    status: int


def parse_redirects(text: str) -> list[Redirect]:
    """The documented `_redirects` format: `from to [status]` per line, `#` comments, 301 by default.

    Strict on purpose: a line the hosts would ignore (wrong field count, relative target, bad status)
    fails here instead of silently breaking the delegation.
    """
    rules = []
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        fields = line.split()
        assert len(fields) in (2, 3), f"line {number}: expected `from to [status]`: {raw!r}"
        status = 301 if len(fields) == 2 else int(fields[2].rstrip("!"))
        assert status in (301, 302, 303, 307, 308), f"line {number}: {status} is not a redirect"
        assert fields[0].startswith("/") and re.match(r"https://", fields[1]), f"line {number}: {raw!r}"
        rules.append(Redirect(fields[0], fields[1], status))
    return rules


def apply(rules: list[Redirect], url: str) -> str | None:
    """Where the host sends a request: the first exact-path rule; the query string is passed on."""
    parts = urlsplit(url)
    for rule in rules:
        if rule.source == parts.path:
            return rule.target + (f"?{parts.query}" if parts.query else "")
    return None


def test_the_redirects_file_sends_each_discovery_path_to_the_fedicom_host() -> None:
    rules = parse_redirects((WELL_KNOWN / "_redirects").read_text())
    expected = [
        "/.well-known/webfinger",
        "/.well-known/host-meta",
        "/.well-known/host-meta.json",
        "/.well-known/nodeinfo",
    ]
    assert sorted(r.source for r in rules) == sorted(expected)
    for rule in rules:
        assert rule.target == f"https://{PLACEHOLDER}{rule.source}"
        assert (
            rule.status == 301
        )  # permanent: fediverse servers follow it (Mastodon's WEB_DOMAIN setup does the same)


async def test_a_fediverse_server_follows_the_static_redirects_to_the_group(brand: Brand) -> None:
    """A static host answering with these rules (301 + the query string) sends a lookup to fedicom."""
    fedicom = brand.behind.instance
    rules = [
        Redirect(r.source, localize(r.target, brand.behind.port), r.status)
        for r in parse_redirects((WELL_KNOWN / "_redirects").read_text())
    ]
    assert apply(rules, f"{brand.origin}/about") is None

    async def static_host(request: web.Request) -> web.Response:
        target = apply(rules, str(request.url))
        if target is None:
            return web.Response(text=BRAND_HOME)
        status = next(r.status for r in rules if r.source == request.path)
        return web.Response(status=status, headers={"Location": target})

    app = web.Application()
    app.router.add_route("GET", "/{path:.*}", static_host)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, BRAND_HOST, brand.port).start()
    try:
        jrd = await fedicom.fed.fetcher.webfinger(f"news@{brand.domain}")
        assert actor_link(jrd) == fedicom.site.uri("news")
        assert jrd["subject"] == f"acct:news@{brand.domain}"
    finally:
        await runner.cleanup()
