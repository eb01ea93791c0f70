"""Aliases: a community lists the accounts it is also known as, and accepts a `Move` of followers only
from one of them. A real fedicom instance and a real peer on loopback; Moves go through the signed inbox."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from fedicom.activitypub.jsonld import ACTOR_CONTEXT
from fedicom.errors import BadRequest, Forbidden
from fedicom.groups.actor import build_group_actor
from fedicom.groups.aliases import add_alias, aliases, moving, remove_alias
from fedicom.groups.models import Alias, Group
from fedicom.staff.accounts import create_staff
from tests.moderation.helpers import PASSWORD
from tests.support.cli import Run, in_db, in_thread
from tests.support.peer import Peer, Person
from tests.support.servers import Instance
from tests.support.steps import send


def move(peer: Peer, account: Person, target: str) -> dict[str, object]:
    """A Move as Mastodon sends it when an account moves its followers (`#moves/N` id, to its followers)."""
    return {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": f"{account.uri}#moves/1",
        "type": "Move",
        "actor": account.uri,
        "object": account.uri,
        "target": target,
        "to": [f"{account.uri}/followers"],
    }


def test_the_group_actor_lists_its_aliases_as_also_known_as() -> None:
    common = dict(
        base_url="https://c.example",
        domain="c.example",
        name="brand",
        title="Brand",
        summary="",
        rules="",
        privacy_policy="",
        private=False,
        posting_policy="members",
        sensitive=False,
        discoverable=True,
        public_key_pem="PEM",
        published=datetime(2026, 1, 1),
        updated=datetime(2026, 1, 1),
    )
    assert "alsoKnownAs" not in build_group_actor(**common)  # type: ignore[arg-type]
    doc = build_group_actor(**common, also_known_as=["https://m.example/users/brand"])  # type: ignore[arg-type]
    assert doc["alsoKnownAs"] == ["https://m.example/users/brand"]
    terms = ACTOR_CONTEXT[-1]
    assert terms["alsoKnownAs"] == {"@id": "as:alsoKnownAs", "@type": "@id"}  # an id, as Mastodon reads it


def test_a_move_must_move_its_own_actor() -> None:
    assert moving({"actor": "https://a/u", "object": "https://a/u", "target": "https://c/c/x"}) == (
        "https://a/u",
        "https://c/c/x",
    )
    with pytest.raises(Forbidden, match="only move itself"):
        moving({"actor": "https://a/u", "object": "https://a/other", "target": "https://c/c/x"})
    with pytest.raises(BadRequest, match="no target"):
        moving({"actor": "https://a/u", "object": "https://a/u"})


async def test_a_move_from_an_alias_is_accepted_and_one_from_anyone_else_refused(
    instance, peer: Peer
) -> None:
    inst: Instance = await instance()
    group = await inst.community("brand")
    uri = f"{inst.base}/c/brand"
    brand, stranger = peer.person("brand"), peer.person("stranger")

    alias = await add_alias(inst.groups, group, f"@brand@{peer.base.removeprefix('http://')}")  # by WebFinger
    assert alias.actor == brand.uri
    assert (await peer.get(uri))["alsoKnownAs"] == [brand.uri]

    accepted = await send(peer, brand, f"{uri}/inbox", move(peer, brand, uri))
    assert accepted.error is None
    assert (await Alias.get(actor=brand.uri)).moved_at is not None

    refused = await send(peer, stranger, f"{inst.base}/inbox", move(peer, stranger, uri))
    assert refused.error is not None and f"{stranger.uri} is not an alias of brand" in refused.error

    await remove_alias(inst.groups, group, brand.uri)
    again = move(peer, brand, uri) | {"id": f"{brand.uri}#moves/2"}
    assert "is not an alias" in ((await send(peer, brand, f"{uri}/inbox", again)).error or "")
    assert "alsoKnownAs" not in await peer.get(uri)


async def test_a_move_to_a_community_elsewhere_is_none_of_ours(instance, peer: Peer) -> None:
    inst: Instance = await instance()
    await inst.community("brand")
    brand = peer.person("brand")
    item = await send(peer, brand, f"{inst.base}/inbox", move(peer, brand, f"{peer.base}/c/other"))
    assert item.error is None and not await Alias.exists()


async def test_an_alias_must_be_a_reachable_actor_and_not_the_community_itself(instance, peer: Peer) -> None:
    inst: Instance = await instance()
    group = await inst.community("brand")
    with pytest.raises(BadRequest, match=r"could not be looked up|names no ActivityPub actor"):
        await add_alias(inst.groups, group, f"@nobody@{peer.base.removeprefix('http://')}")
    with pytest.raises(BadRequest, match="neither a handle"):
        await add_alias(inst.groups, group, "brand")
    with pytest.raises(BadRequest, match="alias of itself"):
        await add_alias(inst.groups, group, f"{inst.base}/c/brand")
    assert await aliases(group) == []


async def test_the_cli_adds_lists_and_removes_aliases(migrated: Run, env: dict[str, str], peer: Peer) -> None:
    in_db(env, lambda: create_staff("mia", PASSWORD, is_admin=True))
    assert (await in_thread(migrated, "community", "create", "brand", "--title", "Brand")).exit_code == 0
    brand = peer.person("brand")
    handle = f"@brand@{peer.base.removeprefix('http://')}"

    added = await in_thread(migrated, "community", "alias", "add", "brand", handle)
    assert added.exit_code == 0, added.output
    assert "is now an alias of brand" in added.output
    listed = await in_thread(migrated, "community", "alias", "list", "brand", "--json")
    [row] = json.loads(listed.output)
    assert row["account"] == brand.uri and row["moved_at"] is None
    assert datetime.fromisoformat(row["added_at"]).tzinfo is not None

    gone = await in_thread(migrated, "community", "alias", "remove", "brand", brand.uri)
    assert gone.exit_code == 0, gone.output
    assert (
        json.loads((await in_thread(migrated, "community", "alias", "list", "brand", "--json")).output) == []
    )
    missing = await in_thread(migrated, "community", "alias", "remove", "brand", brand.uri)
    assert missing.exit_code != 0 and "is not an alias of brand" in missing.output
    assert in_db(env, lambda: Group.filter(name="brand").count()) == 1
