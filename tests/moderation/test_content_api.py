"""The admin API's content endpoints as a moderator's tool uses them: the held queue, removal with a
rule cited, restore, lock, pin and filters, each federated like the CLI's, each refused outside the
communities the token's owner moderates."""

from __future__ import annotations

import httpx

from fedicom.groups.models import Post
from fedicom.moderation.models import Filter, ModlogEntry
from fedicom.staff.accounts import create_staff, get_staff
from fedicom.staff.tokens import create_token
from tests.moderation.helpers import PASSWORD, community_with_moderator
from tests.support.peer import Peer
from tests.support.steps import announced, join, post_of, thread


async def test_moderating_posts_and_filters_through_the_api(instance, peer: Peer) -> None:
    inst = await instance(hostname="localhost")
    group, mod = await community_with_moderator(inst, premoderation="new_members")
    await inst.community("other")
    _, secret = await create_token(await get_staff("mia"), "tool", ["moderate"])
    alice = peer.person("alice")
    await join(peer, alice, group)
    note, _ = await thread(peer, alice, group, "<p>First post</p>")
    held = await post_of(note["id"])
    api = f"{inst.base}/api/v1/admin/communities/news"

    async with httpx.AsyncClient(headers={"Authorization": f"Bearer {secret}"}) as client:
        queue = (await client.get(f"{api}/posts", params={"state": "held"})).json()
        assert [(p["id"], p["state"], p["kind"]) for p in queue] == [(held.id, "held", "thread")]
        assert "new member" in queue[0]["state_reason"]

        approved = await client.post(f"{api}/posts/{held.id}/approve")
        assert approved.status_code == 200 and approved.json()["state"] == "visible"
        await peer.wait_for(lambda: announced(peer, "Create", note["id"]))

        removed = await client.post(f"{api}/posts/{held.id}/remove", json={"rule": 1, "reason": "rude"})
        assert removed.status_code == 200, removed.text
        assert (removed.json()["state"], removed.json()["state_reason"]) == (
            "removed",
            "Rule 1: Be kind. rude",
        )
        [wrapped] = await peer.wait_for(lambda: announced(peer, "Delete", note["id"]))
        assert wrapped["object"]["actor"] == mod
        no_rule = await client.post(f"{api}/posts/{held.id}/remove", json={"rule": 3})
        assert no_rule.status_code == 400 and no_rule.json() == {
            "error": f"post {held.id} is already removed"
        }

        restored = await client.post(f"{api}/posts/{held.id}/restore", json={"reason": "appeal"})
        assert restored.json()["state"] == "visible"
        locked = await client.post(f"{api}/posts/{held.id}/lock", json={"reason": "heated"})
        assert locked.json()["locked"] is True
        pinned = await client.post(f"{api}/posts/{held.id}/pin")
        assert pinned.json()["pinned"] is True
        assert [p["id"] for p in (await peer.get(f"{group}/featured"))["orderedItems"]] == [note["id"]]

        bad = await client.post(f"{api}/filters", json={"pattern": "(casino", "regex": True})
        assert bad.status_code == 400 and "not a usable regular expression" in bad.json()["error"]
        added = await client.post(f"{api}/filters", json={"pattern": "casino", "action": "reject"})
        assert added.status_code == 201 and added.json()["community"] == "news"
        assert [f["pattern"] for f in (await client.get(f"{api}/filters")).json()] == ["casino"]
        assert (await client.delete(f"{api}/filters/{added.json()['id']}")).status_code == 204
        assert not await Filter.exists()

        # Outside the communities the caller moderates, and instance-wide, nothing is allowed
        elsewhere = await client.get(f"{inst.base}/api/v1/admin/communities/other/posts")
        assert elsewhere.status_code == 403 and "does not moderate other" in elsewhere.json()["error"]
        wide = await client.post(f"{inst.base}/api/v1/admin/filters", json={"pattern": "x"})
        assert wide.status_code == 403
        missing = await client.post(f"{api}/posts/999999/pin")
        assert missing.status_code == 404 and missing.json() == {"error": "there is no post 999999 in news"}

    actions = list(await ModlogEntry.filter(moderator=mod).order_by("id").values_list("action", flat=True))
    assert actions == [
        "approve_post",
        "remove_post",
        "restore_post",
        "lock_post",
        "pin_post",
        "add_filter",
        "remove_filter",
    ]
    post = await Post.get(id=held.id)
    assert (post.state, post.locked, post.pinned_at is not None) == ("visible", True, True)


async def test_an_admin_manages_instance_wide_filters(instance) -> None:
    inst = await instance(hostname="localhost")
    admin = await create_staff("root", PASSWORD, is_admin=True)
    _, secret = await create_token(admin, "ops", ["admin"])
    api = f"{inst.base}/api/v1/admin/filters"
    async with httpx.AsyncClient(headers={"Authorization": f"Bearer {secret}"}) as client:
        added = await client.post(api, json={"pattern": r"free\s+money", "regex": True, "action": "reject"})
        assert added.status_code == 201 and added.json()["community"] is None
        assert [f["id"] for f in (await client.get(api)).json()] == [added.json()["id"]]
        assert (await client.delete(f"{api}/{added.json()['id']}")).status_code == 204
        gone = await client.delete(f"{api}/{added.json()['id']}")
        assert gone.status_code == 404
