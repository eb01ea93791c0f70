"""Listening through a real relay: fedicom's instance actor follows an activityrelay process on
loopback, a member's server publishes through the same relay, and the matching post shows up in the
community's listening view, fetched from its own server, and is never announced to members."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from fedicom.activitypub.vocab import PUBLIC
from fedicom.groups.models import Group, Post
from fedicom.listening.models import ListenKind, Relay, RelayState, Subscription
from fedicom.listening.report import listening
from fedicom.listening.subscriptions import add_relay, add_term, remove
from tests.support.peer import Peer, serving
from tests.support.relay import (
    RunningRelay,
    activityrelay,
    loopback_addresses,
    make_certificate,
    tls_front,
    trust,
)
from tests.support.steps import join, until


@pytest.fixture
async def world(tmp_path: Path, instance) -> AsyncIterator[tuple[object, Peer, RunningRelay]]:  # type: ignore[no-untyped-def]
    """fedicom, a member's server and the relay, each on its own address with HTTPS on port 443.

    Each is named without a port, as on the fediverse: activityrelay signs the `host` header as the
    URL's hostname (aputils), so its signatures verify only at the default port."""
    ours, theirs, relay_address = loopback_addresses(3)
    cert, key = make_certificate(tmp_path, [ours, theirs, relay_address])
    trust(cert)
    inst = await instance(hostname=ours, domain=ours, base_url=f"https://{ours}")
    async with serving(theirs) as peer:
        served_at, peer.base = peer.base, f"https://{theirs}"
        peer.software = "mastodon"  # what the relay reads from its NodeInfo
        async with (
            tls_front(ours, inst.bound, cert, key),
            tls_front(theirs, served_at, cert, key),
            activityrelay(tmp_path / "relay", relay_address, cert, key) as relay,
        ):
            yield inst, peer, relay


async def test_a_relayed_post_that_matches_is_heard_and_never_announced(world) -> None:  # type: ignore[no-untyped-def]
    inst, peer, relay = world
    # Given a community with a member on the other server, listening for "acme" through the relay
    brand = await inst.community("brand")
    alice = peer.person("alice")
    await join(peer, alice, inst.site.uri("brand"))
    await add_term(brand, ListenKind.KEYWORD, "Acme")
    subscribed = await add_relay(inst.groups, brand, relay.inbox)  # the inbox URL, as Mastodon asks
    assert subscribed.term == relay.actor
    followed = await until(lambda: Relay.get_or_none(actor_uri=relay.actor, state=RelayState.ACCEPTED), 30)
    assert followed.answered_at is not None

    # and the member's server subscribed to the same relay with its instance actor
    site_actor = peer.person("site", doc_extra={"type": "Application"})
    follow = peer.activity("Follow", site_actor, PUBLIC)
    status, body = await peer.post(site_actor, relay.inbox, follow)
    assert status == 202, body
    await peer.wait_for(lambda: peer.received_of("Accept"), timeout=30)

    # When the member's server publishes two public posts through the relay, one about the brand
    other = peer.note(
        alice, "<p>Lovely weather for a walk today.</p>", to=[PUBLIC], cc=[f"{alice.uri}/followers"]
    )
    about = peer.note(
        alice,
        "<p>My new ACME phone is wonderful, the best camera I have had!</p>",
        to=[PUBLIC],
        cc=[f"{alice.uri}/followers"],
        url=f"{peer.base}/@alice/1",
    )
    for note in (other, about):
        create = peer.activity("Create", alice, note, to=[PUBLIC], cc=[f"{alice.uri}/followers"])
        status, body = await peer.post(alice, relay.inbox, create)
        assert status == 202, body

    # Then the matching one shows up in the community's listening view, with its sentiment
    async def heard() -> list[dict[str, object]]:
        return (await listening(await Group.get(name="brand"), 30)).heard

    shown = await until(heard, 30)
    assert [h["object_id"] for h in shown] == [about["id"]]
    item = shown[0]
    assert item["terms"] == ["acme"] and item["sentiment"] == "positive"
    assert item["author"] == alice.uri and item["url"] == f"{peer.base}/@alice/1"
    assert item["via"] == relay.actor
    view = await listening(brand, 30)
    assert view.days[-1]["posts"] == 1 and view.days[-1]["positive"] == 1
    # both posts were announced to us (the relay may send them in either order); one matched
    assert await until(lambda: Relay.get_or_none(actor_uri=relay.actor, heard__gte=2), 30)

    # and nothing of it was stored as a post or announced to the member
    assert not await Post.exists(object_id=about["id"])
    assert not await Post.exists(object_id=other["id"])
    announced = [a for a in peer.received_of("Announce") if about["id"] in str(a.get("object"))]
    assert announced == []

    # When the community stops listening to the relay, the instance actor leaves it (Undo{Follow})
    await remove(inst.groups, subscribed.id)
    assert not await Relay.exists(actor_uri=relay.actor)
    assert await Subscription.filter(group_id=brand.id, kind=ListenKind.KEYWORD).exists()

    async def unsubscribed() -> bool:
        followers = await peer.get(f"https://{relay.domain}/followers")
        return inst.fed.instance_actor_uri not in followers["items"]

    await until(unsubscribed, 30)
