"""Editing a community: the change reaches members as `Update{Group}` sent by the staff member (Lemmy
refuses one from the Group itself) and announced by the group; local-only settings send nothing."""

from __future__ import annotations

import pytest

from fedicom.activitypub.models import OutgoingActivity
from fedicom.errors import BadRequest, Forbidden
from fedicom.groups.models import Group
from fedicom.moderation.community_updates import edit_community
from fedicom.moderation.models import ModlogEntry
from fedicom.staff.accounts import create_staff, get_staff
from tests.moderation.helpers import PASSWORD, community_with_moderator
from tests.support.peer import PUBLIC, Peer
from tests.support.steps import announced, join


async def test_an_edit_is_federated_as_the_moderators_update_of_the_group(instance, peer: Peer) -> None:
    inst = await instance(hostname="localhost")
    group, mod = await community_with_moderator(inst)
    alice = peer.person("alice")
    await join(peer, alice, group)
    staff = await get_staff("mia")

    changed = await edit_community(
        inst.groups,
        await Group.get(name="news"),
        staff,
        {"title": "World news", "rules": "1. Cite sources.", "posting_policy": "moderators"},
    )
    assert changed == ["title", "rules", "posting_policy"]
    [wrapped] = await peer.wait_for(lambda: announced(peer, "Update", group))
    update = wrapped["object"]
    assert (update["actor"], update["to"], update["cc"], update["audience"]) == (
        mod,
        [PUBLIC],
        [group],
        group,
    )
    doc = update["object"]
    assert (doc["type"], doc["id"], doc["name"], doc["postingRestrictedToMods"]) == (
        "Group",
        group,
        "World news",
        True,
    )
    assert "Cite sources" in doc["source"]["content"]
    assert (await peer.get(group))["name"] == "World news"  # and the served actor says the same
    entry = await ModlogEntry.get(action="edit_community")
    assert entry.details == {
        "title": "World news",
        "rules": "1. Cite sources.",
        "posting_policy": "moderators",
    }

    # A change only fedicom reads (pre-moderation, link cap) sends nothing
    before = await OutgoingActivity.all().count()
    changed = await edit_community(
        inst.groups, await Group.get(name="news"), staff, {"premoderation": "all", "max_links": 3}
    )
    assert changed == ["premoderation", "max_links"]
    assert await OutgoingActivity.all().count() == before
    # and an edit that changes nothing is no edit
    assert (
        await edit_community(inst.groups, await Group.get(name="news"), staff, {"title": "World news"}) == []
    )


async def test_bad_or_unauthorised_edits_change_nothing(instance) -> None:
    inst = await instance(hostname="localhost")
    await community_with_moderator(inst)
    olga = await create_staff("olga", PASSWORD)
    news = await Group.get(name="news")
    with pytest.raises(Forbidden, match="does not moderate news"):
        await edit_community(inst.groups, news, olga, {"title": "Mine now"})
    with pytest.raises(BadRequest, match="pre-moderation is one of"):
        await edit_community(
            inst.groups, news, await get_staff("mia"), {"title": "X", "premoderation": "maybe"}
        )
    assert (await Group.get(name="news")).title == "news"
    assert not await ModlogEntry.exists()
    assert not await OutgoingActivity.filter(type="Update").exists()
