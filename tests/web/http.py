"""Reading pages as a browser would ask for them, without a browser: for the fast page tests."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

import httpx

from tests.web.scene import BROWSER_ACCEPT

_TITLE_RE = re.compile(r'<h3 id="post-\d+"><a href="[^"]+">(.*?)</a></h3>')
_TOKEN_RE = re.compile(r'name="csrf_token" value="([0-9a-f]+)"')


@dataclass
class Page:
    status: int
    headers: httpx.Headers
    text: str

    def titles(self) -> list[str]:
        """Titles of the threads listed, in order."""
        return [html.unescape(t) for t in _TITLE_RE.findall(self.text)]

    def csrf_token(self) -> str:
        match = _TOKEN_RE.search(self.text)
        assert match, "the page has no form with a CSRF token"
        return match.group(1)


def client(base: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        base_url=base, headers={"Accept": BROWSER_ACCEPT}, follow_redirects=False, timeout=10
    )


async def get(http: httpx.AsyncClient, path: str) -> Page:
    resp = await http.get(path)
    return Page(resp.status_code, resp.headers, resp.text)
