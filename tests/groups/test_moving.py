"""Moving a community to another server, and back (FEP-7628). The old home is this test's instance, the
new home a second fedicom in its own process; a Mastodon-shaped member server re-follows on `Move`, a
Lemmy-shaped one ignores it and keeps receiving the new home's posts through the old community."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from fedicom.activitypub.jsonld import ACTOR_CONTEXT
from fedicom.activitypub.vocab import PUBLIC, ids_of
from fedicom.errors import BadRequest
from fedicom.groups.aliases import add_alias, moving
from fedicom.groups.models import Group
from fedicom.groups.moving import (
    build_move,
    check_listed,
    move_community,
    passed_on,
    within_grace,
)
from fedicom.refusals.models import Refusal
from fedicom.staff.accounts import create_staff
from tests.moderation.helpers import PASSWORD
from tests.support.cli import DOMAIN, Run, in_db, in_thread
from tests.support.far_instance import FarInstance, far_instance
from tests.support.peer import Peer, Person
from tests.support.replay import load
from tests.support.servers import Instance
from tests.support.steps import announced, join, send, thread, until

OLD, NEW = "https://old.example/c/brand", "https://new.example/c/brand"


def test_the_move_a_community_sends_moves_itself_to_its_new_home() -> None:
    move = build_move(OLD, NEW, activity_uri="https://old.example/activities/1")
    assert (move["type"], move["actor"], move["object"], move["target"]) == ("Move", OLD, OLD, NEW)
    assert move["to"] == [f"{OLD}/followers"] and move["cc"] == [PUBLIC]


def test_a_new_home_must_be_a_group_that_lists_the_old_one_as_also_known_as() -> None:
    check_listed({"id": NEW, "type": "Group", "alsoKnownAs": [OLD]}, OLD)
    check_listed({"id": NEW, "type": "Group", "alsoKnownAs": OLD}, OLD)  # one value, not a list
    with pytest.raises(BadRequest, match="does not list"):
        check_listed({"id": NEW, "type": "Group", "alsoKnownAs": ["https://x.example/u/a"]}, OLD)
    with pytest.raises(BadRequest, match="does not list"):
        check_listed({"id": NEW, "type": "Group"}, OLD)
    with pytest.raises(BadRequest, match="not a community"):
        check_listed({"id": NEW, "type": "Person", "alsoKnownAs": [OLD]}, OLD)


def test_only_activities_are_passed_on_and_only_during_the_grace_period() -> None:
    create = {"type": "Create", "object": {"id": "https://x/n/1", "type": "Note"}}
    assert passed_on({"type": "Announce", "object": create}) == create
    assert passed_on({"type": "Announce", "object": "https://x/n/1"}) is None  # the boost shape
    assert passed_on({"type": "Announce", "object": {"type": "Follow"}}) is None
    moved = datetime(2026, 1, 1, tzinfo=UTC)
    grace = timedelta(days=90)
    assert within_grace(moved, moved + timedelta(days=89), grace)
    assert not within_grace(moved, moved + timedelta(days=90), grace)
    assert not within_grace(None, moved, grace)


def test_mastodons_move_and_ours_read_the_same() -> None:
    """Mastodon's Move shape (our own fixture: the shared ones hold no Move) and the one a community
    sends are both read as "this actor moves itself to target"."""
    recorded = json.loads((Path(__file__).parents[1] / "fixtures" / "move_mastodon.json").read_text())
    assert moving(recorded) == ("https://mastodon.example/users/carol", "https://fedicom.example/c/main")
    assert moving(build_move(OLD, NEW, activity_uri=f"{OLD}#moves/1")) == (OLD, NEW)


@pytest.mark.parametrize("rel", ["mastodon/objects/person.json", "wordpress/objects/group.json"])
def test_movedto_and_alsoknownas_mean_what_mastodon_and_wordpress_say(rel: str) -> None:
    """Read in place: their actors' contexts define the two terms as ids, as ours does."""
    _, doc = load(rel)
    [terms] = [c for c in doc["@context"] if isinstance(c, dict)]
    ours = ACTOR_CONTEXT[-1]
    assert terms["movedTo"] == ours["movedTo"] == {"@id": "as:movedTo", "@type": "@id"}
    assert terms["alsoKnownAs"] == ours["alsoKnownAs"]


def test_a_recorded_group_listing_an_alias_is_a_valid_new_home_for_it() -> None:
    """WordPress's Group (the ActivityPub plugin) lists its aliases: a community that is one of them
    may move there; any other may not."""
    _, group = load("wordpress/objects/group.json")
    aliases = ids_of(group["alsoKnownAs"])
    check_listed(group, aliases[0])
    with pytest.raises(BadRequest, match="does not list"):
        check_listed(group, OLD)


async def shown(far: FarInstance) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(await far.fedicom("community", "show", "brand", "--json"))
    return result


async def members_of_new_home(far: FarInstance, count: int) -> None:
    async def reached() -> bool:
        return await asyncio.to_thread(far.members, "brand") == count

    await until(reached, timeout=20)


def moves(p: Peer) -> list[Any]:
    return [r for r in p.received if r.activity.get("type") == "Move"]


async def post_far(p: Peer, person: Person, group: str, html: str) -> dict[str, Any]:
    """A new thread sent to a community on the far instance (processed there, not here)."""
    note = p.note(person, html, to=[PUBLIC], cc=[group])
    status, body = await p.post(
        person, f"{group}/inbox", p.activity("Create", person, note, to=[PUBLIC], cc=[group])
    )
    assert status == 202, body
    return note


async def act_as_mastodon(p: Peer, person: Person, move: dict[str, Any]) -> dict[str, Any]:
    """What Mastodon does on a Move (`ActivityPub::Activity::Move`, `MoveWorker`): fetch the target,
    check it lists the origin in alsoKnownAs, unfollow the origin and follow the target."""
    target = await p.get(move["target"])
    assert move["object"] in ids_of(target["alsoKnownAs"])
    origin = move["object"]
    follow = p.activity("Follow", person, origin)
    status, _ = await p.post(person, f"{origin}/inbox", p.activity("Undo", person, follow))
    assert status == 202
    return await join(p, person, move["target"])


async def test_a_community_moves_mastodon_refollows_and_lemmy_members_keep_receiving_posts(
    instance, far_peer: Peer, third_peer: Peer, tmp_path: Path
) -> None:
    # Given a community with a Mastodon-shaped and a Lemmy-shaped member, and its new home elsewhere
    inst: Instance = await instance()
    group = await inst.community("brand", title="Brand")
    old = f"{inst.base}/c/brand"
    mastodon, lemmy = far_peer, third_peer
    mastodon.software, lemmy.software = "mastodon", "lemmy"
    mo, lem = mastodon.person("mo"), lemmy.person("lem")
    await join(mastodon, mo, old)
    await join(lemmy, lem, old)
    async with far_instance(tmp_path / "new") as far:
        await far.fedicom("community", "create", "brand", "--title", "Brand")
        new = f"{far.base}/c/brand"

        # When the new home does not list the old community yet, the move is refused
        with pytest.raises(BadRequest, match=f"does not list {old} in alsoKnownAs"):
            await move_community(inst.groups, group, new)
        assert (await Group.get(name="brand")).moved_to is None

        # When it does, the community moves
        await far.fedicom("community", "alias", "add", "brand", old, "--as", "ada")
        await move_community(inst.groups, group, f"@brand@{far.base.removeprefix('http://')}")

        # Then the Mastodon-shaped server gets the Move, signed by the old Group, and re-follows
        [received] = await mastodon.wait_for(lambda: moves(mastodon))
        move = received.activity
        assert (move["actor"], move["object"], move["target"]) == (old, old, new)
        assert received.signer == old  # the signature verified with the old Group's key
        await act_as_mastodon(mastodon, mo, move)
        assert any(
            a["type"] == "Update" and a["object"].get("movedTo") == new
            for a in mastodon.received_of("Update")
        )
        # and the old community follows its new home: members there are it and the Mastodon user
        await members_of_new_home(far, 2)

        # When a member posts in the new home
        note = await post_far(mastodon, mo, new, "<p>Hello from the new home</p>")

        # Then the Lemmy-shaped member, which ignored the Move, receives it through the old community
        [passed] = await lemmy.wait_for(lambda: announced(lemmy, "Create", note["id"]), timeout=20)
        assert passed["actor"] == old and passed["object"]["object"]["id"] == note["id"]

        # The old handle points to the new home, the actor says movedTo, pages redirect there
        jrd = await lemmy.get(f"{inst.base}/.well-known/webfinger?resource=acct:brand@{inst.fed.domain}")
        assert new in jrd["aliases"]
        assert [link["rel"] for link in jrd["links"] if link.get("href") == new] == [
            "https://www.w3.org/ns/activitystreams#movedTo"
        ]
        assert (await lemmy.get(old))["movedTo"] == new
        async with aiohttp.ClientSession() as http:
            async with http.get(old, headers={"Accept": "text/html"}, allow_redirects=False) as page:
                assert (page.status, page.headers["Location"]) == (302, new)

        # New posts to the old community are refused with a reason staff see
        _, item = await thread(lemmy, lem, old, "<p>Still here?</p>")
        assert item.error and f"brand has moved to {new}" in item.error
        [refusal] = await Refusal.filter(code="moved")
        assert refusal.author == lem.uri

        # After the grace period, nothing more is passed on and the old community unfollows
        await Group.filter(name="brand").update(moved_at=datetime.now(UTC) - timedelta(days=91))
        later = await post_far(mastodon, mo, new, "<p>After the grace period</p>")
        await members_of_new_home(far, 1)  # the old community's Undo arrived after it saw the post
        await asyncio.sleep(0.5)
        assert not announced(lemmy, "Create", later["id"])


async def test_moving_back_clears_moved_to_on_the_old_home(instance, tmp_path: Path) -> None:
    # Given a community that moved to its new home
    inst: Instance = await instance()
    group = await inst.community("brand", title="Brand")
    old = f"{inst.base}/c/brand"
    async with far_instance(tmp_path / "new") as far:
        await far.fedicom("community", "create", "brand", "--title", "Brand")
        new = f"{far.base}/c/brand"
        await far.fedicom("community", "alias", "add", "brand", old, "--as", "ada")
        await move_community(inst.groups, group, new)
        await members_of_new_home(far, 1)  # the old community follows the new one

        # When the old home lists the new one as an alias, and the new one moves back
        await add_alias(inst.groups, await Group.get(name="brand"), new)
        out = await far.fedicom("community", "move", "brand", "--to", old, "--yes", "--as", "ada")
        assert f"brand has moved to {old}" in out

        # Then the old home is home again: no movedTo, its page is its own, it stopped following
        async def home_again() -> bool:
            return (await Group.get(name="brand")).moved_to is None

        await until(home_again, timeout=20)
        assert "movedTo" not in (await inst.fed.fetcher.get_json(old))
        back = await shown(far)
        assert back["moved_to"] == old and back["move_grace_ends"] is not None
        assert (await inst.fed.fetcher.get_json(new))["movedTo"] == old
        await members_of_new_home(far, 0)
        # and the new home follows the old one, to pass its posts on in turn
        from fedicom.groups.models import Membership

        async def followed() -> bool:
            return await Membership.exists(actor=new, state="accepted")

        await until(followed, timeout=20)


async def test_the_cli_moves_after_confirmation_and_show_says_where_it_went(
    migrated: Run, env: dict[str, str], peer: Peer
) -> None:
    in_db(env, lambda: create_staff("mia", PASSWORD, is_admin=True))
    assert (await in_thread(migrated, "community", "create", "brand", "--title", "Brand")).exit_code == 0
    old = f"http://{DOMAIN}/c/brand"
    home = peer.person("brand", doc_extra={"type": "Group"})
    handle = f"@brand@{peer.base.removeprefix('http://')}"

    unlisted = await in_thread(migrated, "community", "move", "brand", "--to", handle, "--yes")
    assert unlisted.exit_code != 0 and f"does not list {old} in alsoKnownAs" in unlisted.output
    home.doc_extra["alsoKnownAs"] = [old]
    asked = await in_thread(migrated, "community", "move", "brand", "--to", handle)
    assert asked.exit_code != 0 and f"Move brand to {handle}?" in asked.output  # no answer: aborted
    assert (
        json.loads((await in_thread(migrated, "community", "show", "brand", "--json")).output)["moved_to"]
        is None
    )

    moved = await in_thread(migrated, "community", "move", "brand", "--to", handle, "--yes")
    assert moved.exit_code == 0, moved.output
    assert f"brand has moved to {home.uri}" in moved.output
    shown = json.loads((await in_thread(migrated, "community", "show", "brand", "--json")).output)
    assert shown["moved_to"] == home.uri
    ends = datetime.fromisoformat(shown["move_grace_ends"]) - datetime.fromisoformat(shown["moved_at"])
    assert ends == timedelta(days=90)


async def test_the_new_homes_posts_are_passed_on_to_members_but_never_back_to_it(
    instance, peer: Peer, far_peer: Peer
) -> None:
    # Given a community moved to a new home that also follows it (as after a move back), and a member
    inst: Instance = await instance()
    group = await inst.community("brand")
    old = f"{inst.base}/c/brand"
    home = peer.person("home", doc_extra={"type": "Group", "alsoKnownAs": [old]})
    lem = far_peer.person("lem")
    await join(far_peer, lem, old)
    await join(peer, home, old)
    await move_community(inst.groups, group, home.uri)

    # When the new home announces a post
    author = peer.person("author")
    note = peer.note(author, "<p>From the new home</p>", to=[PUBLIC], cc=[home.uri])
    create = peer.activity("Create", author, note, to=[PUBLIC], cc=[home.uri])
    boost = peer.activity("Announce", home, note["id"], to=[PUBLIC])  # Mastodon's shape: not passed on
    assert (await send(peer, home, f"{inst.base}/inbox", boost)).error is None
    wrapped = peer.activity("Announce", home, create, to=[PUBLIC], cc=[f"{home.uri}/followers"])
    assert (await send(peer, home, f"{inst.base}/inbox", wrapped)).error is None

    # Then the member gets it from the old community, once, and the new home does not get it back
    [passed] = await far_peer.wait_for(lambda: announced(far_peer, "Create", note["id"]))
    assert passed["actor"] == old
    await asyncio.sleep(0.5)
    assert len(announced(far_peer, "Create", note["id"])) == 1
    assert not announced(peer, "Create", note["id"])
