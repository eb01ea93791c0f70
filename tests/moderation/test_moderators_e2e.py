"""Moderators end to end on loopback: adding and removing them federates in Lemmy's shape (Add/Remove on
the group's /moderators, by the acting staff Person, announced by the group), remote owners' changes are
applied and announced onwards, and those without the right get clear errors that change nothing."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from fedicom.activitypub.models import OutgoingActivity
from fedicom.errors import BadRequest, Forbidden
from fedicom.groups.models import Group, Moderator
from fedicom.moderation.models import ModlogEntry
from fedicom.moderation.moderators import add_moderator, remove_moderator, resolve_moderator
from fedicom.staff.accounts import create_staff
from fedicom.staff.models import ApiToken
from fedicom.staff.tokens import create_token
from tests.moderation.helpers import PASSWORD
from tests.support.peer import PUBLIC, Peer
from tests.support.servers import Instance
from tests.support.steps import join, send


async def community_with_members(inst: Instance, peer: Peer, *names: str) -> tuple[Group, str]:
    group = await inst.community("news")
    uri = inst.site.uri("news")
    for name in names:
        await join(peer, peer.person(name), uri)
    return group, uri


def announced(peer: Peer, kind: str) -> list[dict[str, Any]]:
    return [a["object"] for a in peer.received_of("Announce", inner=kind)]


async def test_adding_and_removing_a_remote_moderator_federates_in_lemmys_shape(
    instance: Callable[..., Awaitable[Instance]], peer: Peer
) -> None:
    # Given a community owned by root, with a member on the peer
    inst = await instance()
    await create_staff("root", PASSWORD, is_admin=True)
    root = inst.site.staff_uri("root")
    group, uri = await community_with_members(inst, peer, "alice")
    await add_moderator(inst.groups, group, root, by=root, role="owner")
    alice = peer.people["alice"]

    # When root adds alice, named by her handle (looked up by WebFinger)
    handle = f"@alice@{peer.base.removeprefix('http://')}"
    actor = await resolve_moderator(inst.groups, handle)
    assert actor == alice.uri
    change = await add_moderator(inst.groups, group, actor, by=root)

    # Then her server gets the Add itself and the group's Announce of it, as Lemmy sends them
    [wrapped] = await peer.wait_for(lambda: [a for a in announced(peer, "Add") if a["object"] == alice.uri])
    [direct] = await peer.wait_for(lambda: peer.received_of("Add"))  # root, local, got no direct Add
    assert wrapped == direct == change.activity
    assert {k: wrapped[k] for k in ("type", "actor", "object", "target", "to", "cc", "audience")} == {
        "type": "Add",
        "actor": root,
        "object": alice.uri,
        "target": f"{uri}/moderators",
        "to": [PUBLIC],
        "cc": [uri],
        "audience": uri,
    }
    signers = {r.signer for r in peer.received if r.activity.get("type") in ("Add", "Announce")}
    assert signers == {root, uri}  # verified by the peer with the keys our actors publish
    assert alice.uri in (await peer.get(f"{uri}/moderators"))["orderedItems"]
    assert (await peer.get(uri))["attributedTo"] == f"{uri}/moderators"

    # When root removes her, a Remove goes the same ways
    await remove_moderator(inst.groups, group, alice.uri, by=root)
    [removed] = await peer.wait_for(lambda: announced(peer, "Remove"))
    assert (removed["type"], removed["actor"], removed["object"], removed["target"]) == (
        "Remove",
        root,
        alice.uri,
        f"{uri}/moderators",
    )
    assert alice.uri not in (await peer.get(f"{uri}/moderators"))["orderedItems"]
    actions = await ModlogEntry.filter(community="news").values_list("action", flat=True)
    assert list(actions) == ["add_moderator", "add_moderator", "remove_moderator"]


async def test_only_owners_and_admins_change_the_list_and_the_last_owner_stays(
    instance: Callable[..., Awaitable[Instance]], peer: Peer
) -> None:
    inst = await instance()
    await create_staff("root", PASSWORD, is_admin=True)
    await create_staff("mia", PASSWORD)
    await create_staff("olly", PASSWORD)
    root, mia, olly = (inst.site.staff_uri(n) for n in ("root", "mia", "olly"))
    group, _ = await community_with_members(inst, peer, "alice")
    await add_moderator(inst.groups, group, olly, by=root, role="owner")
    await add_moderator(inst.groups, group, mia, by=olly)
    sent = await OutgoingActivity.all().count()

    with pytest.raises(Forbidden, match="only an owner of news or an admin"):
        await add_moderator(inst.groups, group, peer.people["alice"].uri, by=mia)
    with pytest.raises(Forbidden):
        await remove_moderator(inst.groups, group, olly, by=mia)
    with pytest.raises(BadRequest, match="last owner of news"):
        await remove_moderator(inst.groups, group, olly, by=root)
    with pytest.raises(BadRequest, match="already a moderator"):
        await add_moderator(inst.groups, group, mia, by=olly)
    assert await OutgoingActivity.all().count() == sent
    assert await Moderator.filter(group=group).count() == 2

    await remove_moderator(inst.groups, group, mia, by=mia)  # stepping down is anyone's right
    assert not await Moderator.exists(group=group, actor=mia)


async def test_a_remote_owners_add_is_applied_and_announced_and_a_strangers_is_refused(
    instance: Callable[..., Awaitable[Instance]], peer: Peer
) -> None:
    # Given alice (on the peer) owns the community, and bob and carol are members
    inst = await instance()
    await create_staff("root", PASSWORD, is_admin=True)
    root = inst.site.staff_uri("root")
    group, uri = await community_with_members(inst, peer, "alice", "bob", "carol")
    alice, bob, carol = (peer.people[n] for n in ("alice", "bob", "carol"))
    await add_moderator(inst.groups, group, alice.uri, by=root, role="owner")

    def lemmy_add(kind: str, actor: Any, moderator: str) -> dict[str, Any]:
        return peer.activity(
            kind, actor, moderator, target=f"{uri}/moderators", to=[PUBLIC], cc=[uri], audience=uri
        )

    # When alice adds bob as Lemmy would, the change is applied and announced as received
    add = lemmy_add("Add", alice, bob.uri)
    assert (await send(peer, alice, f"{uri}/inbox", add)).error is None
    assert await Moderator.exists(group=group, actor=bob.uri)
    await peer.wait_for(lambda: add in announced(peer, "Add"))

    # When carol, who moderates nothing, tries the same, she is refused and nothing changes
    sent = await OutgoingActivity.all().count()
    intrusion = lemmy_add("Add", carol, carol.uri)
    item = await send(peer, carol, f"{uri}/inbox", intrusion)
    assert item.error == f"{carol.uri} is not an owner of news"
    removal = lemmy_add("Remove", carol, alice.uri)
    item = await send(peer, carol, f"{uri}/inbox", removal)
    assert item.error == f"{carol.uri} is not an owner of news"
    assert not await Moderator.exists(group=group, actor=carol.uri)
    assert await Moderator.exists(group=group, actor=alice.uri)
    assert await OutgoingActivity.all().count() == sent

    # And bob may step down himself: applied and announced
    leave = lemmy_add("Remove", bob, bob.uri)
    assert (await send(peer, bob, f"{uri}/inbox", leave)).error is None
    assert not await Moderator.exists(group=group, actor=bob.uri)
    await peer.wait_for(lambda: leave in announced(peer, "Remove"))
    by = await ModlogEntry.filter(community="news").order_by("id").values_list("moderator", "action")
    assert by[-2:] == [(alice.uri, "add_moderator"), (bob.uri, "remove_moderator")]


async def test_api_errors_for_an_expired_token_and_a_foreign_community_change_nothing(
    instance: Callable[..., Awaitable[Instance]], peer: Peer
) -> None:
    inst = await instance()
    root_staff = await create_staff("root", PASSWORD, is_admin=True)
    mia_staff = await create_staff("mia", PASSWORD)
    root = inst.site.staff_uri("root")
    group, _ = await community_with_members(inst, peer, "alice")
    other = await inst.community("other")
    await add_moderator(inst.groups, group, root, by=root, role="owner")
    await add_moderator(inst.groups, other, inst.site.staff_uri("mia"), by=root, role="owner")
    old, old_secret = await create_token(root_staff, "old", ["admin"], lifetime=timedelta(days=1))
    await ApiToken.filter(id=old.id).update(expires_at=datetime.now(UTC) - timedelta(hours=1))
    _, mia_secret = await create_token(mia_staff, "mia", ["moderate"])
    last = await OutgoingActivity.all().order_by("-id").first()
    body = {"moderator": f"@alice@{peer.base.removeprefix('http://')}"}

    async with httpx.AsyncClient(base_url=f"{inst.base}/api/v1/admin") as client:
        expired = await client.post(
            "/communities/news/moderators", json=body, headers={"Authorization": f"Bearer {old_secret}"}
        )
        foreign = await client.post(
            "/communities/news/moderators", json=body, headers={"Authorization": f"Bearer {mia_secret}"}
        )
        # and mia, owner of `other`, may add alice there: the Add federates from the API as from the CLI
        ok = await client.post(
            "/communities/other/moderators", json=body, headers={"Authorization": f"Bearer {mia_secret}"}
        )

    assert (expired.status_code, expired.json()) == (401, {"error": "the token has expired"})
    assert (foreign.status_code, foreign.json()) == (403, {"error": "mia does not moderate news"})
    assert await Moderator.filter(group=group).values_list("actor", flat=True) == [root]
    assert ok.status_code == 201 and ok.json()["actor"] == peer.people["alice"].uri
    add = await peer.wait_for(lambda: peer.received_of("Add"))
    assert (
        add[0]["actor"] == inst.site.staff_uri("mia")
        and add[0]["target"] == f"{inst.site.uri('other')}/moderators"
    )
    kinds = (
        await OutgoingActivity.filter(id__gt=last.id if last else 0)
        .order_by("id")
        .values_list("type", flat=True)
    )
    assert list(kinds) == ["Add", "Announce"]  # only mia's change went out


async def test_webfinger_finds_staff_as_people_and_names_are_shared_with_communities(
    instance: Callable[..., Awaitable[Instance]], peer: Peer
) -> None:
    inst = await instance()
    await create_staff("root", PASSWORD, is_admin=True)
    await inst.community("news")
    jrd = await peer.get(f"{inst.base}/.well-known/webfinger?resource=acct:root@{inst.site.domain}")
    [link] = [link for link in jrd["links"] if link["rel"] == "self"]
    assert link["href"] == inst.site.staff_uri("root")
    assert link["properties"]["https://www.w3.org/ns/activitystreams#type"] == "Person"
    group = await peer.get(f"{inst.base}/.well-known/webfinger?resource=acct:news@{inst.site.domain}")
    assert group["links"][-1]["properties"]["https://www.w3.org/ns/activitystreams#type"] == "Group"
    with pytest.raises(BadRequest, match="staff member's name"):
        await inst.community("root")
    with pytest.raises(BadRequest, match="already a community"):
        await create_staff("news", PASSWORD)
