"""The stage for replaying payloads: one fedicom instance, an offline network, and what each POST led to.

Built on tests/support/replay.py. `Stage.send` POSTs a payload signed by its actor and processes it;
the `assert_*` helpers state what each outcome means on the wire (OutgoingActivity, Delivery) and in
the store (Post, Vote, Membership).
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fedicom.activitypub.models import Delivery, InboxItem, OutgoingActivity, RemoteActor
from fedicom.activitypub.signatures import load_private_key, sign_request
from fedicom.activitypub.vocab import PUBLIC, id_of, origin_of
from fedicom.errors import Gone
from fedicom.groups.models import Group, Membership, Moderator, Post, Vote
from fedicom.web.appstate import app_state
from tests.support.replay import Replay, load, replay_instance

OWN = Path(__file__).resolve().parents[1] / "fixtures"


# --- one instance, a fake network, and what a replay queued --------------------------------


class OfflineNetwork:
    """Stands in for the fetcher: serves the documents it is given and nothing else (replays stay offline)."""

    def __init__(self) -> None:
        self.docs: dict[str, dict[str, Any]] = {}
        self.asked: list[str] = []

    async def get_json(self, url: str, **_: Any) -> dict[str, Any]:
        self.asked.append(url)
        if url in self.docs:
            return copy.deepcopy(self.docs[url])
        raise Gone(f"{url} is gone (HTTP 404).")


@dataclass
class Sent:
    """What one replayed POST led to: the answer, the stored item, and what the group queued."""

    status: int
    body: str
    activity: dict[str, Any]
    item: InboxItem | None
    outgoing: list[dict[str, Any]]
    deliveries: dict[str, set[str]]
    member_inboxes: set[str]


@dataclass
class Stage:
    """A fedicom instance holding the community a fixture addresses."""

    r: Replay
    group: Group
    uri: str
    net: OfflineNetwork
    keys: dict[str, str] = field(default_factory=dict)

    @property
    def inbox(self) -> str:
        return f"/c/{self.group.name}/inbox"

    async def key(self, actor: str, kind: str = "Person") -> str:
        """The actor's private key; the actor is seeded once (a key already cached must not change)."""
        if actor not in self.keys:
            self.keys[actor] = await self.r.seed_actor(actor, kind=kind)
        return self.keys[actor]

    async def join(self, actor: str, kind: str = "Person") -> None:
        """Given: the actor is an accepted member (announces reach its server's shared inbox)."""
        await self.key(actor, kind)
        await Membership.get_or_create(
            group=self.group,
            actor=actor,
            defaults={
                "inbox": f"{origin_of(actor)}/inbox",
                "state": "accepted",
                "follow_id": f"{actor}/follow",
                "follow_activity": "{}",
            },
        )
        # Written behind the services' backs: drop their cached roster of the group (groups/roster.py).
        running = app_state(self.r.app).running
        if running is not None:
            running.groups.rosters.forget(self.group.id)

    async def send(
        self,
        body: bytes | dict[str, Any],
        *,
        actor: str | None = None,
        inbox: str | None = None,
        key_id: str | None = None,
    ) -> Sent:
        """POST a payload signed by its actor, process what was stored, and collect what was queued."""
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        doc = json.loads(raw)
        signer = actor or id_of(doc.get("actor")) or id_of(doc.get("attributedTo")) or ""
        pem = await self.key(signer)
        last = await OutgoingActivity.all().order_by("-id").first()
        path = inbox or self.inbox
        if key_id is None:
            resp = await self.r.post(path, raw, actor=signer, private_pem=pem)
        else:
            url = f"{self.r.base}{path}"
            headers = sign_request(
                method="POST", url=url, body=raw, key_id=key_id, private_key=load_private_key(pem)
            )
            resp = await self.r.client.post(url, content=raw, headers=headers)
        await self.r.drain()
        rows = await OutgoingActivity.filter(id__gt=last.id if last else 0).order_by("id")
        deliveries = {
            row.activity_id: set(await Delivery.filter(activity_id=row.id).values_list("inbox", flat=True))
            for row in rows
        }
        ident = doc.get("id")
        item = await InboxItem.get_or_none(activity_id=ident) if isinstance(ident, str) else None
        members = await Membership.filter(group=self.group, state="accepted").values_list("inbox", flat=True)
        outgoing = [json.loads(r.payload) for r in rows]
        return Sent(resp.status_code, resp.text, doc, item, outgoing, deliveries, set(members))  # type: ignore[arg-type]

    async def replay(
        self, rel: str, outcome: str, *, actor: str | None = None, inbox: str | None = None
    ) -> Sent:
        """POST a recorded fixture exactly as recorded, and assert the outcome it should have."""
        raw, _ = load(rel)
        sent = await self.send(raw, actor=actor, inbox=inbox)
        await expect(self, sent, outcome)
        return sent


@contextlib.asynccontextmanager
async def stage(tmp_path: Path, group_uri: str, **community: Any) -> AsyncIterator[Stage]:
    base, _, name = group_uri.partition("/c/")
    async with replay_instance(tmp_path, base) as r:
        net = OfflineNetwork()
        r.fed.fetcher.get_json = net.get_json  # type: ignore[method-assign]
        yield Stage(r, await r.community(name, **community), group_uri, net)


def own(name: str) -> dict[str, Any]:
    """One of our own payloads (tests/fixtures), always present."""
    return json.loads((OWN / name).read_bytes())  # type: ignore[no-any-return]


def thread_payload(
    object_id: str,
    author: str,
    group_uri: str,
    *,
    in_reply_to: str | None = None,
    cc: list[str] | None = None,
) -> dict[str, Any]:
    """Our Lemmy-shaped Create re-pointed so the group comes to hold `object_id` (a thread or a reply)."""
    doc = own("create_note_reply.json" if in_reply_to else "create_page.json")
    digest = hashlib.sha256(f"{object_id} {group_uri} {cc}".encode()).hexdigest()[:16]
    doc.pop("tag", None)
    doc.update(
        id=f"{origin_of(author)}/activities/create/{digest}",
        actor=author,
        audience=group_uri,
        cc=[group_uri, *(cc or [])],
    )
    obj = doc["object"]
    obj.update(id=object_id, attributedTo=author, audience=group_uri)
    if in_reply_to:
        obj.update(inReplyTo=in_reply_to, cc=[group_uri])
    else:
        obj["to"] = [group_uri, PUBLIC]
    return doc


async def hold(s: Stage, object_id: str, author: str, *, in_reply_to: str | None = None) -> Post:
    """Given: the group holds `object_id` by `author` (a member), received through the inbox."""
    await s.join(author)
    sent = await s.send(thread_payload(object_id, author, s.uri, in_reply_to=in_reply_to))
    assert sent.item is not None and (sent.item.state, sent.item.error) == ("done", None), sent.item
    return await Post.get(group=s.group, object_id=object_id)


def parent_of(post: Post) -> int | None:
    """The id of the post a reply answers (None for a thread)."""
    return post.parent_id  # type: ignore[attr-defined,no-any-return]


async def votes_of(object_id: str) -> tuple[int, int]:
    post = await Post.get(object_id=object_id)
    return post.upvotes, post.downvotes


async def snapshot() -> dict[str, Any]:
    """Everything a group activity could change, to compare before and after."""
    return {
        "groups": await Group.all()
        .order_by("id")
        .values("name", "title", "summary", "private", "posting_policy", "sensitive", "discoverable"),
        "posts": await Post.all()
        .order_by("id")
        .values("object_id", "deleted", "content", "title", "upvotes", "downvotes", "reply_count"),
        "votes": await Vote.all().order_by("id").values("actor", "value"),
        "members": await Membership.all().order_by("id").values("actor", "state", "inbox"),
        "moderators": await Moderator.all().order_by("id").values("actor"),
        "actors": await RemoteActor.all().order_by("uri").values("uri", "type", "name", "inbox"),
        "outgoing": await OutgoingActivity.all().count(),
    }


# --- what each outcome means on the wire and in the store ---------------------------------------------


def assert_announced(s: Stage, sent: Sent, *, boost: bool) -> None:
    """Announce{the activity exactly as received} to every member; a new thread also gets the URI boost."""
    assert sent.status == 202, sent.body
    assert sent.item is not None and (sent.item.state, sent.item.error) == ("done", None), sent.item
    wrapped = [a for a in sent.outgoing if a["type"] == "Announce" and isinstance(a["object"], dict)]
    boosts = [a for a in sent.outgoing if a["type"] == "Announce" and isinstance(a["object"], str)]
    assert [a["object"] for a in wrapped] == [sent.activity]
    announce = wrapped[0]
    followers = f"{s.uri}/followers"
    assert announce["actor"] == s.uri
    assert announce["to"] == ([s.uri, followers] if s.group.private else [s.uri, PUBLIC])
    assert announce["cc"] == [followers]
    assert sent.deliveries[announce["id"]] == sent.member_inboxes
    if boost:
        assert [b["object"] for b in boosts] == [id_of(sent.activity["object"])]
        assert sent.member_inboxes <= sent.deliveries[boosts[0]["id"]]
    else:
        assert boosts == []
    assert len(sent.outgoing) == len(wrapped) + len(boosts), sent.outgoing


def assert_quiet(sent: Sent) -> None:
    """Stored, processed once without crashing, and nothing queued for anyone."""
    assert sent.status == 202, sent.body
    assert sent.item is not None, "nothing was stored"
    assert sent.item.state == "done", (sent.item.state, sent.item.error)
    assert not sent.outgoing, [(a["type"], id_of(a.get("object"))) for a in sent.outgoing]


async def assert_accepted(s: Stage, sent: Sent) -> None:
    """Accept{the Follow as received} to the follower's inbox, and an accepted membership."""
    follower = id_of(sent.activity["actor"])
    assert sent.status == 202, sent.body
    assert sent.item is not None and (sent.item.state, sent.item.error) == ("done", None), sent.item
    [accept] = sent.outgoing
    assert (accept["type"], accept["actor"], accept["to"]) == ("Accept", s.uri, [follower])
    assert accept["object"] == sent.activity
    actor = await RemoteActor.get(uri=follower)
    [inbox] = sent.deliveries[accept["id"]]
    assert inbox in (actor.inbox, actor.delivery_inbox)
    membership = await Membership.get(group=s.group, actor=follower)
    assert (membership.state, membership.follow_id) == ("accepted", sent.activity["id"])
    assert membership.inbox == actor.delivery_inbox


async def expect(s: Stage, sent: Sent, outcome: str) -> None:
    actor = id_of(sent.activity.get("actor"))
    if outcome == "announced+boosted":
        assert_announced(s, sent, boost=True)
    elif outcome in ("announced", "counted"):
        assert_announced(s, sent, boost=False)
    elif outcome == "accepted":
        await assert_accepted(s, sent)
    elif outcome == "left":
        assert_quiet(sent)
        assert not await Membership.exists(group=s.group, actor=actor)
    elif outcome == "account removed":
        assert_quiet(sent)
        assert not await Membership.exists(actor=actor)
        assert not await Post.exists(author=actor, deleted=False)
    elif outcome == "ignored":
        assert_quiet(sent)
    elif outcome == "rejected 400":
        assert sent.status == 400, sent.body
        assert sent.item is None and sent.outgoing == []
    else:
        raise AssertionError(f"no replay check for the outcome {outcome!r}")
