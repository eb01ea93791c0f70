"""What a page shows of each post's media and poll: pictures through the proxy, other files as named
links, a content warning to click through, or a note where a block withholds the media.

Pages call `PostMedia.for_posts` through the page add-ons of groups/showing.py; it reads each post's
stored document (one query for the replies, whose documents a thread page does not load otherwise).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from fedicom.activitypub.vocab import host_of
from fedicom.errors import MalformedUrl
from fedicom.groups.hooks import ServerPolicy
from fedicom.groups.models import Group, Post
from fedicom.media.attachments import Attachment, Kind, attachments_of, content_warning
from fedicom.media.links import MediaLinks, Variant
from fedicom.media.polls import Poll, poll_of
from fedicom.media.proxy import FULL_BOX


@dataclass(frozen=True)
class Picture:
    """A picture as the page links it: same-origin addresses only."""

    src: str
    thumb: str
    alt: str
    width: int | None  # as the proxy will serve it (scaled into FULL_BOX), when the author said
    height: int | None


@dataclass
class Shown:
    pictures: list[Picture] = field(default_factory=list)
    files: list[Attachment] = field(default_factory=list)  # video, audio, other files and links
    warning: str | None = None  # pictures are behind a click that names it
    withheld: str | None = None  # why the media is not shown (a reject_media block)
    withheld_names: list[str] = field(default_factory=list)  # the descriptions, shown instead
    poll: Poll | None = None

    @property
    def empty(self) -> bool:
        return not (self.pictures or self.files or self.withheld or self.poll)


class PostMedia:
    """The page add-on: media and poll of the posts on a page, by post id."""

    def __init__(self, links: MediaLinks, defed: ServerPolicy) -> None:
        self.links = links
        self.defed = defed

    async def for_posts(self, group: Group, posts: Sequence[Post]) -> dict[int, Shown]:
        documents = await _documents(posts)
        now = datetime.now(UTC)
        rejected: dict[str, bool] = {}  # by host, for this page: most replies come from a few servers
        shown: dict[int, Shown] = {}
        for post in posts:
            document = documents.get(post.id)
            if document:
                found = await self.shown(group, post, document, now, rejected)
                if not found.empty:
                    shown[post.id] = found
        return shown

    async def shown(
        self, group: Group, post: Post, document: dict[str, Any], now: datetime, rejected: dict[str, bool]
    ) -> Shown:
        attachments = attachments_of(document)
        result = Shown(poll=poll_of(document, now))
        media = [a for a in attachments if a.kind is not Kind.LINK]
        result.files = [a for a in attachments if a.kind is Kind.LINK]
        if media:
            blocked = await self._rejecting(group, post.author, media, rejected)
            if blocked:
                result.withheld = f"Media from {blocked} is not shown on this server."
                result.withheld_names = [a.name for a in media if a.name]
                return result
        warning = content_warning(document)
        for attachment in media:
            if attachment.kind is Kind.IMAGE:
                result.pictures.append(self._picture(post.id, attachment))
                if attachment.sensitive and warning is None:
                    warning = "Sensitive"
            else:
                result.files.append(attachment)
        result.warning = warning if result.pictures else None
        return result

    def _picture(self, post_id: int, attachment: Attachment) -> Picture:
        width, height = _fitted(attachment.width, attachment.height)
        src, thumb = self.links.paths(post_id, attachment.url, (Variant.FULL, Variant.THUMB))
        return Picture(
            src=src,
            thumb=thumb,
            alt=attachment.name,
            width=width,
            height=height,
        )

    async def _rejecting(
        self, group: Group, author: str, media: list[Attachment], rejected: dict[str, bool]
    ) -> str | None:
        """The host whose reject_media block (or suspension) withholds this post's media, if any."""
        for host in dict.fromkeys([_host(author), *(_host(a.url) for a in media)]):
            if host and host not in rejected:
                rejected[host] = await self.defed.rejects_media(
                    host, group.id
                ) or not await self.defed.allows(host)
            if host and rejected[host]:
                return host
        return None


async def _documents(posts: Sequence[Post]) -> dict[int, dict[str, Any]]:
    """Each post's document: those loaded with the post, and the others in one query."""
    found: dict[int, dict[str, Any]] = {}
    missing = []
    for post in posts:
        document = post.__dict__.get("document")  # absent when the page loaded the post without it
        if isinstance(document, dict):
            found[post.id] = document
        else:
            missing.append(post.id)
    if missing:
        for post_id, document in await Post.filter(id__in=missing).values_list("id", "document"):
            if isinstance(document, dict):
                found[int(post_id)] = document
    return found


def _fitted(width: int | None, height: int | None) -> tuple[int | None, int | None]:
    if not width or not height:
        return None, None
    scale = min(1.0, FULL_BOX[0] / width, FULL_BOX[1] / height)
    return max(1, round(width * scale)), max(1, round(height * scale))


def _host(url: str) -> str:
    try:
        return host_of(url)
    except MalformedUrl:
        return ""
