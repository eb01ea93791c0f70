"""Public posts heard from outside a community: from a relay's Announce, or any public Create that
reaches this server. Each is matched against every community's keywords and hashtags; a match is kept
(with its sentiment) and counted per day. Nothing heard is stored as a post or announced to members.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from fedicom.activitypub.urls import url_or_none
from fedicom.activitypub.vocab import POST_TYPES, as_list, audience_of, id_of, is_public
from fedicom.errors import FetchError
from fedicom.groups.context import Groups
from fedicom.groups.models import Group
from fedicom.insights import sentiment
from fedicom.insights.counting import local_day
from fedicom.insights.db import query
from fedicom.insights.models import Sentiment
from fedicom.listening.matching import Terms, hashtags_of, text_of
from fedicom.listening.models import Heard, ListenKind, Relay, RelayState, Subscription
from fedicom.storage.reloading import Reloaded

log = logging.getLogger("fedicom.listening")
EXCERPT = 500  # characters of a post kept: enough to read and judge it, never the whole of a long one


async def community_terms() -> list[tuple[Group, Terms]]:
    """Every community that listens for keywords or hashtags, with its terms."""
    words: dict[int, list[str]] = defaultdict(list)
    tags: dict[int, list[str]] = defaultdict(list)
    groups: dict[int, Group] = {}
    for sub in await Subscription.filter(kind__in=[ListenKind.KEYWORD, ListenKind.HASHTAG]).prefetch_related(
        "group"
    ):
        groups[sub.group.id] = sub.group
        (words if sub.kind == ListenKind.KEYWORD else tags)[sub.group.id].append(sub.term)
    return [(g, Terms.of(words[i], tags[i])) for i, g in groups.items()]


def _url_of(obj: dict[str, Any], object_id: str) -> str:
    """Where people read the post: its HTML `url` (Mastodon's status page), else its id."""
    for item in as_list(obj.get("url")):
        href = item if isinstance(item, str) else item.get("href") if isinstance(item, dict) else None
        media = item.get("mediaType", "text/html") if isinstance(item, dict) else "text/html"
        if isinstance(href, str) and media == "text/html" and url_or_none(href):
            return href[:1024]
    return object_id


def _published(obj: dict[str, Any]) -> datetime | None:
    value = obj.get("published")
    try:
        at = datetime.fromisoformat(value.replace("Z", "+00:00")) if isinstance(value, str) else None
    except ValueError:
        return None
    return at if at is None or at.tzinfo else at.replace(tzinfo=UTC)


async def _count(conn: BaseDBAsyncClient, group: Group, at: datetime, mood: Sentiment) -> None:
    """One more match on the community's day of `at`, under its sentiment."""
    inserted = ", ".join("1" if m == mood else "0" for m in Sentiment)
    column = mood.value  # one of the enum's values: never text from outside
    await query(
        "INSERT INTO listen_day (group_id, day, posts, positive, neutral, negative, not_scored) "
        f"VALUES (?, ?, 1, {inserted}) ON CONFLICT (group_id, day) "
        f"DO UPDATE SET posts = listen_day.posts + 1, {column} = listen_day.{column} + 1",
        [group.id, local_day(at, group)],
        conn,
    )


class Ears:
    """Every community's terms, read again at most every `ttl` seconds: each public Create asks, and
    a term added in another process (the CLI, the API) is heard within that time."""

    def __init__(self, ttl: float = 2.0) -> None:
        self._terms: Reloaded[list[tuple[Group, Terms]]] = Reloaded(community_terms, ttl)

    async def terms(self) -> list[tuple[Group, Terms]]:
        return await self._terms.get()

    def forget(self) -> None:
        self._terms.forget()


async def hear(
    ctx: Groups, ears: Ears, obj: dict[str, Any], *, via: str = "", now: datetime | None = None
) -> list[str]:
    """Match a public post against every community's terms and keep it where it matched; returns the
    names of those communities. A community's own posts (addressed to it) are not heard by it."""
    object_id, author = id_of(obj), id_of(obj.get("attributedTo"))
    if obj.get("type") not in POST_TYPES or not is_public(obj) or not object_id or not author:
        return []
    listening = await ears.terms()
    if not listening:
        return []
    text = text_of(obj)
    tags = hashtags_of(obj, text)
    addressed = audience_of(obj) | {author}
    found = [
        (group, terms)
        for group, own_terms in listening
        if ctx.uri(group) not in addressed and (terms := own_terms.matched(text, tags))
    ]
    if not found:
        return []
    title = obj.get("name") if isinstance(obj.get("name"), str) else None
    reading = sentiment.read(obj, title, str(obj.get("content") or ""))
    at = now or datetime.now(UTC)
    heard = []
    async with in_transaction() as conn:  # not fed.transaction: the inbox item may go on to a post
        for group, terms in found:
            if await Heard.filter(group_id=group.id, object_id=object_id).using_db(conn).exists():
                continue
            await Heard.create(
                group=group,
                object_id=object_id,
                author=author,
                url=_url_of(obj, object_id),
                excerpt=text[:EXCERPT],
                published=_published(obj),
                heard_at=at,
                sentiment=reading.sentiment,
                language=reading.language[:16],
                terms=terms,
                via=via,
                using_db=conn,
            )
            await _count(conn, group, at, reading.sentiment)
            heard.append(group.name)
    return heard


async def is_relay(activity: dict[str, Any]) -> bool:
    """Whether the activity's actor is a relay this server follows (or asked to)."""
    actor = id_of(activity.get("actor"))
    return bool(actor) and await Relay.exists(actor_uri=actor)


async def relayed(ctx: Groups, ears: Ears, activity: dict[str, Any]) -> None:
    """A relay's Announce: the post is fetched from its own server by id (an embedded copy is the
    relay's word, not the author's; activityrelay sends only the id), then heard."""
    relay_uri = id_of(activity.get("actor")) or ""
    await Relay.filter(actor_uri=relay_uri).update(last_heard_at=datetime.now(UTC))
    await query("UPDATE listen_relay SET heard = heard + 1 WHERE actor_uri = ?", [relay_uri])
    inner = activity.get("object")
    if isinstance(inner, dict) and inner.get("type") in ("Create", "Update"):
        inner = inner.get("object")  # some relays announce the activity, not the object
    object_id = id_of(inner)
    if not object_id:
        return
    try:
        obj = await ctx.fed.fetcher.get_json(object_id)
    except FetchError as exc:
        log.info("relayed %s could not be fetched: %s", object_id, exc.reason)
        return
    if obj.get("type") == "Create":  # an activity id was announced
        embedded = obj.get("object")
        obj = embedded if isinstance(embedded, dict) and id_of(embedded) else {}
    await hear(ctx, ears, obj, via=relay_uri)


async def answered(activity: dict[str, Any]) -> None:
    """A relay's Accept or Reject of our Follow (an answer to an older Follow is ignored)."""
    relay = await Relay.get_or_none(actor_uri=id_of(activity.get("actor")) or "")
    if relay is None or id_of(activity.get("object")) != relay.follow_id:
        return
    relay.state = RelayState.ACCEPTED if activity.get("type") == "Accept" else RelayState.REJECTED
    relay.answered_at = datetime.now(UTC)
    await relay.save(update_fields=["state", "answered_at"])


async def noticed(ctx: Groups, ears: Ears, activity: dict[str, Any]) -> bool:
    """Any public Create that reaches this server is heard too; never claimed, so a post to a
    community still takes its own path."""
    obj = activity.get("object")
    if isinstance(obj, dict) and id_of(obj.get("attributedTo")) == id_of(activity.get("actor")):
        await hear(ctx, ears, obj)
    return False
