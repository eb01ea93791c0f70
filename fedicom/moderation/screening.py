"""Automatic moderation of incoming posts: link caps, filters, rate limits and pre-moderation.

Pure decisions, then one entry point (`screen`) that a community calls before storing a post. The
verdict is accept, hold (stored but not announced until a moderator approves it) or reject (refused,
with the reason recorded on the inbox item). A community's moderators are never screened.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from fedicom.activitypub.vocab import as_list, host_of, origin_of
from fedicom.groups.context import Groups
from fedicom.groups.hooks import ACCEPT, Action, Verdict
from fedicom.groups.models import Group, Post
from fedicom.groups.reasons import Reason
from fedicom.moderation.filters import ActiveFilter, FilterCache
from fedicom.moderation.models import FilterAction

MAX_SCANNED = 50_000  # characters of a post that filters look at (RE2 is linear; this bounds the cost)
RATE_WINDOW = timedelta(hours=1)
PREMODERATION = ("off", "new_members", "all")

_LINK = re.compile(r"<a\s[^>]*>", re.IGNORECASE)
# block elements separate words; inline ones do not (so `<b>vi</b>agra` still reads "viagra")
_BLOCK_TAG = re.compile(r"</?(?:p|br|div|li|ul|ol|h[1-6]|blockquote|pre|tr|td|th|table|hr)\b[^>]*>", re.I)
_TAG = re.compile(r"<[^>]*>")
_HREF = re.compile(r'\shref="([^"]*)"', re.IGNORECASE)
_CLASS = re.compile(r'\sclass="([^"]*)"', re.IGNORECASE)


def links_of(obj: dict[str, Any], content_html: str) -> set[str]:
    """The distinct web links a post carries: in its content (not mentions or hashtags) and attached."""
    links = set()
    for tag in _LINK.findall(content_html):
        href = _HREF.search(tag)
        classes = m.group(1).split() if (m := _CLASS.search(tag)) else []
        if href and href.group(1).startswith(("http://", "https://")):
            if not {"mention", "hashtag"} & set(classes):
                links.add(html.unescape(href.group(1)))
    for attachment in as_list(obj.get("attachment")):
        if isinstance(attachment, dict) and attachment.get("type") == "Link":
            href = attachment.get("href")
            if isinstance(href, str) and href.startswith(("http://", "https://")):
                links.add(href)  # Lemmy's link posts
    return links


def scanned_text(obj: dict[str, Any], content_html: str) -> str:
    """What filters read: title, content warning, the content as text and its links, capped."""
    parts = [_text(v) for v in (obj.get("name"), obj.get("summary")) if isinstance(v, str)]
    parts.append(_text(content_html[: MAX_SCANNED * 4]))  # markup included; the text is cut below
    parts.extend(sorted(links_of(obj, content_html)))
    return "\n".join(parts)[:MAX_SCANNED]


def _text(markup: str) -> str:
    return " ".join(html.unescape(_TAG.sub("", _BLOCK_TAG.sub(" ", markup))).split())


def link_decision(count: int, limit: int) -> Verdict:
    """Over the cap, a moderator decides: link spam is caught, a long article is not lost."""
    if count > limit:
        reason = f"the post has {count} links; more than {limit} need a moderator's approval"
        return Verdict(Action.HOLD, reason, Reason.HELD_LINKS)
    return ACCEPT


def filter_decision(text: str, filters: Sequence[ActiveFilter]) -> Verdict:
    """The first matching filter decides, reject filters before hold filters."""
    for f in sorted(filters, key=lambda f: f.action != FilterAction.REJECT):
        found = f.match(text)
        if found is not None:
            code = Reason.FILTERED if f.action == FilterAction.REJECT else Reason.HELD_FILTER
            return Verdict(Action(f.action), f"matches {f.describe()}: {found[:80]!r}", code)
    return ACCEPT


def rate_decision(recent: int, limit: int, who: str) -> Verdict:
    """`recent` posts already made in the last hour; 0 as the limit means none."""
    if limit and recent >= limit:
        reason = f"{who} has made {recent} posts in the last hour; the limit is {limit}"
        return Verdict(Action.REJECT, reason, Reason.RATE_LIMITED)
    return ACCEPT


def premoderation_decision(mode: str, *, established: bool) -> Verdict:
    """`all`: every post waits; `new_members`: until the author has had a post approved here."""
    if mode == "all":
        return Verdict(
            Action.HOLD, "every post in this community is reviewed by a moderator", Reason.HELD_ALL
        )
    if mode == "new_members" and not established:
        return Verdict(
            Action.HOLD, "a new member's first post is reviewed by a moderator", Reason.HELD_NEW_MEMBER
        )
    return ACCEPT


def combine(verdicts: Iterable[Verdict]) -> Verdict:
    """Any rejection wins, then the first hold."""
    found = list(verdicts)
    return next((v for v in found if v.rejected), None) or next((v for v in found if v.held), ACCEPT)


async def screen(
    ctx: Groups,
    filters: FilterCache,
    group: Group,
    author: str,
    obj: dict[str, Any],
    content_html: str,
    *,
    exempt: bool,
) -> Verdict:
    """The verdict on a post by `author` in `group` (exempt: the author moderates the community)."""
    if exempt:
        return ACCEPT
    verdict = await _content_verdict(ctx, filters, group, obj, content_html)
    if verdict.rejected:
        return verdict
    since = datetime.now(UTC) - RATE_WINDOW
    if ctx.rate_limit_actor:
        recent = await _recent(Post.filter(author=author, created_at__gte=since), ctx.rate_limit_actor)
        verdict = combine([rate_decision(recent, ctx.rate_limit_actor, author), verdict])
    if ctx.rate_limit_server and not verdict.rejected:
        query = Post.filter(author__startswith=f"{origin_of(author)}/", created_at__gte=since)
        recent = await _recent(query, ctx.rate_limit_server)
        verdict = combine([rate_decision(recent, ctx.rate_limit_server, host_of(author)), verdict])
    if verdict.action != Action.ACCEPT:
        return verdict
    reason = await ctx.defed.hold_reason(host_of(author), group.id)
    if reason:
        return Verdict(Action.HOLD, reason, Reason.HELD_SERVER)
    established = group.premoderation == "new_members" and await Post.exists(
        group_id=group.id,
        author=author,
        announce_id__isnull=False,  # announced once: approved
    )
    return premoderation_decision(group.premoderation, established=established)


async def screen_edit(
    ctx: Groups, filters: FilterCache, group: Group, obj: dict[str, Any], content_html: str, *, exempt: bool
) -> Verdict:
    """An edit is checked against the link cap and the filters; one they would hold is refused too
    (the version already shown stays), so an edit can never slip past review."""
    if exempt:
        return ACCEPT
    verdict = await _content_verdict(ctx, filters, group, obj, content_html)
    if verdict.action == Action.ACCEPT:
        return verdict
    return Verdict(Action.REJECT, f"the edit is refused, the earlier version stays: {verdict.reason}")


async def _content_verdict(
    ctx: Groups, filters: FilterCache, group: Group, obj: dict[str, Any], content_html: str
) -> Verdict:
    """What the post itself says: too many links, or a filter matching."""
    limit = group.max_links if group.max_links is not None else ctx.max_links
    return combine(
        [
            link_decision(len(links_of(obj, content_html)), limit),
            filter_decision(scanned_text(obj, content_html), await filters.applying_to(group.id)),
        ]
    )


async def _recent(query: Any, limit: int) -> int:
    """Distinct posts (a post in two communities counts once), counted up to the limit."""
    return len(await query.distinct().limit(limit).values_list("object_id", flat=True))
