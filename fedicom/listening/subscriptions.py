"""What a community listens for: adding and removing relays, keywords and hashtags.

The relay is followed by the **instance actor**, not by the community: activityrelay refuses a Follow
from any actor that is not an `Application` (its `is_application`), a relay's stream is the same
whoever follows, and one Follow serves every community that subscribes. The Follow goes through the
durable delivery queue; the relay is left (Undo{Follow}) when its last subscriber removes it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from fedicom.activitypub.vocab import ACTOR_TYPES, id_of, new_activity_uri
from fedicom.errors import BadRequest, FetchError, NotFound
from fedicom.groups.context import Groups
from fedicom.groups.models import Group
from fedicom.listening.matching import normal_term
from fedicom.listening.models import ListenKind, Relay, RelayState, Subscription
from fedicom.listening.wire import build_follow, build_undo_follow

MAX_TERM = 100  # characters of a keyword or hashtag


@dataclass(frozen=True)
class Listed:
    """One subscription as `fedicom listen list` and the API show it."""

    id: int
    community: str
    kind: ListenKind
    term: str
    relay_state: RelayState | None
    relay_inbox: str | None
    relay_answered_at: datetime | None
    relay_heard: int | None
    created_at: datetime

    def as_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "community": self.community,
            "kind": str(self.kind),
            "term": self.term,
            "relay_state": str(self.relay_state) if self.relay_state else None,
            "relay_inbox": self.relay_inbox,
            "relay_answered_at": self.relay_answered_at,
            "relay_heard": self.relay_heard,
            "created_at": self.created_at,
        }


def listed(sub: Subscription) -> Listed:
    relay = sub.relay
    return Listed(
        id=sub.id,
        community=sub.group.name,
        kind=ListenKind(sub.kind),
        term=sub.term,
        relay_state=RelayState(relay.state) if relay else None,
        relay_inbox=relay.inbox if relay else None,
        relay_answered_at=relay.answered_at if relay else None,
        relay_heard=relay.heard if relay else None,
        created_at=sub.created_at,
    )


async def list_subscriptions(groups: list[Group] | None = None) -> list[Listed]:
    """Every subscription (of `groups` only, when given), by community and kind."""
    rows = Subscription.all().prefetch_related("group", "relay").order_by("group_id", "kind", "id")
    if groups is not None:
        rows = rows.filter(group_id__in=[g.id for g in groups])
    return [listed(s) for s in await rows]


async def add_term(group: Group, kind: ListenKind, term: str) -> Listed:
    """Listen for a keyword or a hashtag (adding one already there returns it)."""
    if kind == ListenKind.RELAY:
        raise BadRequest("a relay is added with add_relay")
    shown = term.strip().removeprefix("#").strip() if kind == ListenKind.HASHTAG else term.strip()
    if not normal_term(shown):
        raise BadRequest(f"the {kind} is empty")
    if len(shown) > MAX_TERM:
        raise BadRequest(f"a {kind} is at most {MAX_TERM} characters")
    if kind == ListenKind.HASHTAG and not shown.replace("_", "a").isalnum():
        raise BadRequest("a hashtag is letters, digits and underscores")
    sub, _ = await Subscription.get_or_create(group=group, kind=kind, term=shown)
    return listed(await Subscription.get(id=sub.id).prefetch_related("group", "relay"))


async def resolve_relay(ctx: Groups, url: str) -> tuple[str, str]:
    """The relay's actor URI and inbox from its actor URL or its inbox URL (what Mastodon's admin
    asks for): activityrelay serves its actor at both, others at `/actor` beside `/inbox`."""
    tried = [url] + ([url.removesuffix("/inbox") + "/actor"] if url.rstrip("/").endswith("/inbox") else [])
    reason = ""
    for candidate in tried:
        try:
            doc = await ctx.fed.fetcher.get_json(candidate)
        except FetchError as exc:
            reason = exc.reason
            continue
        uri = id_of(doc)
        if doc.get("type") in ACTOR_TYPES and uri:
            actor = await ctx.fed.actors.get(uri)
            return actor.uri, actor.shared_inbox or actor.inbox
        reason = f"{candidate} is not a relay's actor"
    raise BadRequest(f"no relay answers at {url}: {reason}")


async def add_relay(ctx: Groups, group: Group, url: str) -> Listed:
    """Subscribe `group` to a relay; the instance actor follows it unless it already does."""
    actor_uri, inbox = await resolve_relay(ctx, url)
    fed = ctx.fed
    async with fed.transaction() as conn:
        relay = await Relay.filter(actor_uri=actor_uri).using_db(conn).first()
        if relay is None or relay.state == RelayState.REJECTED:
            follow_id = new_activity_uri(fed.base_url)
            if relay is None:
                relay = await Relay.create(
                    actor_uri=actor_uri, inbox=inbox, follow_id=follow_id, using_db=conn
                )
            else:  # asked again after a refusal: a new Follow
                relay.follow_id, relay.inbox, relay.state, relay.answered_at = (
                    follow_id, inbox, RelayState.PENDING, None
                )  # fmt: skip
                await relay.save(using_db=conn)
            follow = build_follow(follow_id, fed.instance_actor_uri)
            await fed.send(follow, actor=fed.instance_actor_uri, inboxes=[inbox], public=False, conn=conn)
        sub, _ = await Subscription.get_or_create(
            group=group, kind=ListenKind.RELAY, term=actor_uri, defaults={"relay": relay}, using_db=conn
        )
    return listed(await Subscription.get(id=sub.id).prefetch_related("group", "relay"))


async def remove(ctx: Groups, sub_id: int, groups: list[Group] | None = None) -> Listed:
    """Stop listening for one thing; a relay nobody subscribes to any more is left (Undo{Follow})."""
    rows = Subscription.filter(id=sub_id)
    if groups is not None:
        rows = rows.filter(group_id__in=[g.id for g in groups])
    sub = await rows.prefetch_related("group", "relay").first()
    if sub is None:
        raise NotFound(f"there is no listening subscription {sub_id}")
    gone = listed(sub)
    fed = ctx.fed
    async with fed.transaction() as conn:
        await Subscription.filter(id=sub.id).using_db(conn).delete()
        relay = sub.relay
        if relay is not None and not await Subscription.filter(relay_id=relay.id).using_db(conn).exists():
            if relay.state != RelayState.REJECTED:
                undo = build_undo_follow(
                    new_activity_uri(fed.base_url), relay.follow_id, fed.instance_actor_uri
                )
                await fed.send(
                    undo, actor=fed.instance_actor_uri, inboxes=[relay.inbox], public=False, conn=conn
                )
            await Relay.filter(id=relay.id).using_db(conn).delete()
    return gone
