"""The Jinja2 environment of the pages: autoescaping, the filters templates may use, asset URLs.

Everything is escaped unless it passes through `post_html` (stored post HTML, sanitized again with
nh3 on the way out) or `markdown` (our own texts, rendered then sanitized). No template uses `|safe`.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import Response
from starlette.templating import Jinja2Templates

from fedicom.groups.authors import web_url
from fedicom.groups.directory import language_name
from fedicom.groups.kinds import wording
from fedicom.groups.text import plain_text, render_markdown
from fedicom.media.links import MediaLinks
from fedicom.web.appstate import app_state
from fedicom.web.richtext import post_html

PACKAGE = Path(__file__).resolve().parent.parent
TEMPLATES = PACKAGE / "templates"
STATIC = PACKAGE / "static"


def ago(when: datetime | None, now: datetime | None = None) -> str:
    """`3 hours ago`: a coarse age that reads well beside a precise <time datetime>."""
    if when is None:
        return ""
    seconds = ((now or datetime.now(UTC)) - when).total_seconds()
    if seconds < 60:
        return "just now"
    for unit, size in (("year", 31_536_000), ("month", 2_592_000), ("day", 86_400), ("hour", 3_600)):
        if seconds >= size:
            n = int(seconds // size)
            return f"{n} {unit}{'' if n == 1 else 's'} ago"
    n = int(seconds // 60)
    return f"{n} minute{'' if n == 1 else 's'} ago"


def sentence(reason: str) -> str:
    """An error reason as a sentence on a page: capital first letter, final full stop; a reason that
    starts with a name written in lower case (a domain, a handle, a staff name) keeps it as written."""
    reason = reason.strip()
    first = reason.split(" ", 1)[0]
    if reason[:1].islower() and not any(c in first for c in ".@_/:"):
        reason = reason[0].upper() + reason[1:]
    return reason if reason.endswith((".", "!", "?")) else reason + "."


def host(url: str | None) -> str:
    """The host a link leads to, shown beside it so a reader knows where they are going."""
    return (urlsplit(url).hostname or "") if url else ""


def iso(when: datetime | None) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if when else ""


def utc(when: datetime | None) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC") if when else ""


def asset_versions(folder: Path = STATIC) -> dict[str, str]:
    """A short content hash per static file: URLs change when files do, so they can be cached for good."""
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()[:12]
        for p in sorted(folder.iterdir())
        if p.is_file()
    }


def brand(request: Request) -> dict[str, Any]:
    """The look every page is drawn with (web/brand.py keeps it fresh): the brand's name, logo, links…"""
    look = app_state(request).look.current
    return {"look": look, "instance_name": look.name}


def make_templates(links: MediaLinks) -> Jinja2Templates:
    """The page templates; `links` signs the same-origin addresses of members' pictures and avatars."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]), trim_blocks=True
    )
    versions = asset_versions()

    def asset(name: str) -> str:
        return f"/static/{name}?v={versions[name]}"

    env.filters["markdown"] = lambda text: Markup(render_markdown(text or ""))
    env.filters["excerpt"] = lambda text: plain_text(render_markdown(text or ""), 200)
    env.filters["post_html"] = lambda post: post_html(post.content, lambda src: links.path(post.id, src))
    env.globals["avatar_src"] = lambda author: links.avatar_path(author.uri, author.avatar)
    env.filters["host"] = host
    env.filters["sentence"] = sentence
    env.filters["web_url"] = web_url
    env.filters["ago"] = ago
    env.filters["iso"] = iso
    env.filters["utc"] = utc
    env.filters["language_name"] = language_name
    env.filters["kind_words"] = wording
    env.globals["asset"] = asset
    return Jinja2Templates(env=env, context_processors=[brand])


def render(request: Request, template: str, context: dict[str, Any], status: int = 200) -> Response:
    """A page; forms on it get their CSRF token, and the cookie behind it is set when new."""
    state = app_state(request)
    context = {"csrf_token": state.csrf.token(request), **context}
    response = state.templates.TemplateResponse(request, template, context, status_code=status)
    return state.csrf.persist(request, response)
