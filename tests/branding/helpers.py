"""What the branding tests share: the look an admin sets, the pages a visitor reads, and what each
public page must show of the brand."""

from __future__ import annotations

import html
import io
import re
from pathlib import Path
from typing import Any

import httpx
from PIL import Image

from fedicom.groups.models import Post
from tests.support.pictures import picture
from tests.support.servers import Instance
from tests.web.scene import Scene
from tests.web.signin import form_token

SITE = "/staff/site"
NAME = "Acme Gardens"
ACCENT, ACCENT_DARK = "#8a2be2", "#c9a0ff"
LINKS = [("Legal notice", "https://acme.example/legal"), ("Acme", "https://acme.example/")]
STYLESHEET = "header.site { border-bottom-width: 3px; }\n"
NOTICE = re.compile(r'<p class="(done-box|error-box)"[^>]*role="(?:status|alert)">(.*?)</p>', re.S)


def notices(text: str) -> list[tuple[str, str]]:
    return [(kind, html.unescape(found)) for kind, found in NOTICE.findall(text)]


def ico(size: int = 32) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (size, size), (20, 120, 40, 255)).save(out, "ICO", sizes=[(16, 16), (size, size)])
    return out.getvalue()


def look_form(**changes: str) -> dict[str, str]:
    fields = {
        "name": NAME,
        "description": "Gardening, *together*.",
        "accent": ACCENT,
        "accent_dark": ACCENT_DARK,
    }
    for i, (label, url) in enumerate(LINKS, start=1):
        fields[f"link_label_{i}"], fields[f"link_url_{i}"] = label, url
    return {**fields, **changes}


async def post_look(http: httpx.AsyncClient, **changes: str) -> httpx.Response:
    token = await form_token(http, SITE)
    return await http.post(SITE, data={"csrf_token": token, **look_form(**changes)})


async def post_files(
    http: httpx.AsyncClient, files: dict[str, tuple[str, bytes, str]], **fields: str
) -> httpx.Response:
    token = await form_token(http, SITE)
    return await http.post(f"{SITE}/files", data={"csrf_token": token, **fields}, files=files)


async def brand_everything(http: httpx.AsyncClient) -> None:
    """As an admin: the name, colours and links, then the logo, favicon and stylesheet."""
    assert (await post_look(http)).status_code == 303
    resp = await post_files(
        http,
        {
            "logo": ("acme.png", picture("PNG", (400, 100), color=(138, 43, 226)), "image/png"),
            "favicon": ("favicon.ico", ico(), "image/vnd.microsoft.icon"),
            "stylesheet": ("acme.css", STYLESHEET.encode(), "text/css"),
        },
    )
    assert resp.status_code == 303, resp.text


async def public_pages(inst: Instance, scene: Scene) -> list[str]:
    """Every kind of public page: home, community, thread, privacy, follow, about, blocked, modlogs, error."""
    thread = await Post.filter(group__name="news", parent_id=None).first()
    assert thread is not None
    return [
        "/",
        "/c/news",
        f"/c/news/p/{thread.id}",
        "/c/news/privacy",
        "/c/news/follow",
        "/about",
        "/about/blocked",
        "/modlog",
        "/c/news/modlog",
        "/c/nothing",
    ]


def media_files(inst: Instance) -> list[Path]:
    folder = inst.settings.data_dir / "media"
    return sorted(folder.iterdir()) if folder.is_dir() else []


def visible_text(page: str) -> str:
    """The page's text as read: no tags, no attributes (asset paths hold "fedicom" too)."""
    body = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", body))


def shown_links(page: str) -> dict[str, Any]:
    """The brand's links in a page's head: theme, stylesheet, favicon."""
    found = dict(re.findall(r'<link rel="(stylesheet|icon)" href="(/site/[^"]+|/media/[^"]+)"', page))
    return found | {"all": re.findall(r'<link rel="stylesheet" href="([^"]+)"', page)}
