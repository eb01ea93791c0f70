"""Locking and pinning end to end: `Lock`/`Undo{Lock}` and `Add`/`Remove` on the featured collection,
sent as the moderator and announced by the group; locked threads refuse replies; the featured
collection lists pinned threads as Lemmy does."""

from __future__ import annotations

import pytest

from fedicom.errors import BadRequest, Forbidden
from fedicom.moderation.models import ModlogEntry
from fedicom.moderation.removals import remove_post
from fedicom.moderation.threads import lock_post, pin_post
from fedicom.staff.accounts import create_staff
from tests.moderation.helpers import PASSWORD, community_with_moderator
from tests.support.peer import PUBLIC, Peer
from tests.support.steps import announced, join, post_of, reply, thread


async def test_a_locked_thread_refuses_replies_until_unlocked(instance, peer: Peer) -> None:
    inst = await instance(hostname="localhost")
    group, mod = await community_with_moderator(inst)
    alice, bob = peer.person("alice"), peer.person("bob")
    await join(peer, alice, group)
    await join(peer, bob, group)
    note, _ = await thread(peer, alice, group, "<p>Heated topic</p>")
    first, _ = await reply(peer, bob, group, note["id"], "<p>first!</p>")

    # When the moderator locks the thread, members get the Lock as Lemmy reads it
    lock = await lock_post(inst.groups, await post_of(note["id"]), mod, locked=True, reason="too heated")
    [wrapped] = await peer.wait_for(lambda: announced(peer, "Lock", note["id"]))
    assert wrapped["object"] == lock and wrapped["actor"] == group
    assert (lock["actor"], lock["to"], lock["cc"], lock["summary"]) == (
        mod,
        [group, PUBLIC],
        [group],
        "too heated",
    )

    # Then replies anywhere under it are refused with the reason
    for parent in (note["id"], first["id"]):
        _, item = await reply(peer, bob, group, parent, "<p>but…</p>")
        assert item.error is not None and "the thread is locked: no new replies" in item.error
    with pytest.raises(BadRequest, match="already locked"):
        await lock_post(inst.groups, await post_of(note["id"]), mod, locked=True)

    # When it is unlocked (Undo{Lock}), replies are taken again
    undo = await lock_post(inst.groups, await post_of(note["id"]), mod, locked=False)
    [wrapped_undo] = await peer.wait_for(lambda: announced(peer, "Undo", None))
    assert wrapped_undo["object"] == undo and undo["object"]["type"] == "Lock"
    _, item = await reply(peer, bob, group, note["id"], "<p>calmly now</p>")
    assert item.error is None
    actions = list(await ModlogEntry.all().order_by("id").values_list("action", flat=True))
    assert actions == ["lock_post", "unlock_post"]


async def test_a_locked_comment_refuses_replies_under_it_only(instance, peer: Peer) -> None:
    inst = await instance(hostname="localhost")
    group, mod = await community_with_moderator(inst)
    alice = peer.person("alice")
    await join(peer, alice, group)
    note, _ = await thread(peer, alice, group, "<p>Topic</p>")
    comment, _ = await reply(peer, alice, group, note["id"], "<p>a comment</p>")
    await lock_post(inst.groups, await post_of(comment["id"]), mod, locked=True)
    _, item = await reply(peer, alice, group, comment["id"], "<p>under it</p>")
    assert item.error is not None and "the comment is locked" in item.error
    _, item = await reply(peer, alice, group, note["id"], "<p>beside it</p>")
    assert item.error is None


async def test_pinned_threads_are_featured_as_lemmy_lists_them(instance, peer: Peer) -> None:
    inst = await instance(hostname="localhost")
    group, mod = await community_with_moderator(inst)
    alice = peer.person("alice")
    await join(peer, alice, group)
    one, _ = await thread(peer, alice, group, "<p>Welcome</p>", name="Read me first")
    two, _ = await thread(peer, alice, group, "<p>FAQ</p>", name="FAQ")
    comment, _ = await reply(peer, alice, group, one["id"], "<p>thanks</p>")

    # When both threads are pinned, members get Add{target featured} and the collection lists them
    add = await pin_post(inst.groups, await post_of(one["id"]), mod, pinned=True)
    await pin_post(inst.groups, await post_of(two["id"]), mod, pinned=True)
    [wrapped] = await peer.wait_for(lambda: announced(peer, "Add", one["id"]))
    assert wrapped["object"] == add
    assert (add["actor"], add["target"], add["to"], add["cc"]) == (
        mod,
        f"{group}/featured",
        [PUBLIC],
        [group],
    )
    featured = await peer.get(f"{group}/featured")
    assert featured["type"] == "OrderedCollection" and featured["totalItems"] == 2
    assert [p["id"] for p in featured["orderedItems"]] == [two["id"], one["id"]]  # latest pin first
    assert (
        featured["orderedItems"][1]["type"] == "Note"
        and featured["orderedItems"][1]["name"] == "Read me first"
    )

    # Only shown threads are pinned
    with pytest.raises(BadRequest, match="is a comment; only threads are pinned"):
        await pin_post(inst.groups, await post_of(comment["id"]), mod, pinned=True)
    with pytest.raises(BadRequest, match="already pinned"):
        await pin_post(inst.groups, await post_of(one["id"]), mod, pinned=True)

    # When one is unpinned (Remove) and the other removed, the collection is empty
    remove = await pin_post(inst.groups, await post_of(one["id"]), mod, pinned=False)
    [wrapped_remove] = await peer.wait_for(lambda: announced(peer, "Remove", one["id"]))
    assert wrapped_remove["object"] == remove and remove["target"] == f"{group}/featured"
    await remove_post(inst.groups, await post_of(two["id"]), mod, reason="outdated")
    assert (await peer.get(f"{group}/featured"))["orderedItems"] == []
    with pytest.raises(BadRequest, match="is removed; only shown posts"):
        await pin_post(inst.groups, await post_of(two["id"]), mod, pinned=True)


async def test_only_moderators_lock_and_pin(instance, peer: Peer) -> None:
    inst = await instance(hostname="localhost")
    group, _ = await community_with_moderator(inst)
    await create_staff("olga", PASSWORD)
    alice = peer.person("alice")
    await join(peer, alice, group)
    note, _ = await thread(peer, alice, group, "<p>Topic</p>")
    stranger = inst.site.staff_uri("olga")
    with pytest.raises(Forbidden, match="does not moderate news"):
        await lock_post(inst.groups, await post_of(note["id"]), stranger, locked=True)
    with pytest.raises(Forbidden, match="does not moderate news"):
        await pin_post(inst.groups, await post_of(note["id"]), stranger, pinned=True)
    post = await post_of(note["id"])
    assert (post.locked, post.pinned_at) == (False, None)
    assert not await ModlogEntry.exists()
