"""Remote moderators (Lemmy's model): their removals, restores, locks, pins and community updates are
applied and announced onwards as received; the same activities from anyone else are refused with the
reason and change nothing; a Delete with a summary from the author stays the author's own deletion."""

from __future__ import annotations

from typing import Any

from fedicom.activitypub.models import OutgoingActivity
from fedicom.groups.models import Group, Moderator, Post
from fedicom.moderation.models import ModlogEntry
from tests.moderation.helpers import community_with_moderator
from tests.support.peer import PUBLIC, Peer, Person
from tests.support.steps import announced, boosts, join, post_of, send, thread


def mod_activity(p: Peer, actor: Person, kind: str, obj: Any, group: str, **extra: Any) -> dict[str, Any]:
    return p.activity(kind, actor, obj, to=[PUBLIC], cc=[group], audience=group, **extra)


async def test_a_remote_moderators_actions_are_applied_and_announced(
    instance, peer: Peer, far_peer: Peer
) -> None:
    # Given a community moderated by a Lemmy user (remote), a thread by Alice, and a watcher elsewhere
    inst = await instance(hostname="localhost")
    group, _ = await community_with_moderator(inst)
    rm, alice, watcher = peer.person("rm"), peer.person("alice"), far_peer.person("watcher")
    for p, person in ((peer, rm), (peer, alice), (far_peer, watcher)):
        await join(p, person, group)
    await Moderator.create(group=await inst.groups.group("news"), actor=rm.uri)
    note, _ = await thread(peer, alice, group, "<p>Off topic</p>")
    await far_peer.wait_for(lambda: boosts(far_peer, note["id"]))

    # A removal: applied, announced onwards as received, the boost undone for Mastodon readers
    delete = mod_activity(peer, rm, "Delete", note["id"], group, summary="Rule 2")
    assert (await send(peer, rm, f"{group}/inbox", delete)).error is None
    assert (await post_of(note["id"])).state == "removed"
    [wrapped] = await far_peer.wait_for(lambda: announced(far_peer, "Delete", note["id"]))
    assert wrapped["object"] == delete
    await far_peer.wait_for(lambda: far_peer.received_of("Undo"))

    # A restore (Undo{Delete}): shown again, announced, boosted anew
    undo = mod_activity(peer, rm, "Undo", delete, group)
    assert (await send(peer, rm, f"{group}/inbox", undo)).error is None
    assert (await post_of(note["id"])).state == "visible"
    await far_peer.wait_for(lambda: [a for a in announced(far_peer, "Undo") if a["object"] == undo])
    await far_peer.wait_for(lambda: len(boosts(far_peer, note["id"])) == 2)

    # A lock and its undo
    lock = mod_activity(peer, rm, "Lock", note["id"], group, summary="calm down")
    await send(peer, rm, f"{group}/inbox", lock)
    assert (await post_of(note["id"])).locked
    unlock = mod_activity(peer, rm, "Undo", lock, group)
    await send(peer, rm, f"{group}/inbox", unlock)
    assert not (await post_of(note["id"])).locked

    # A pin and an unpin on our featured collection
    pin = mod_activity(peer, rm, "Add", note["id"], group, target=f"{group}/featured")
    await send(peer, rm, f"{group}/inbox", pin)
    assert (await post_of(note["id"])).pinned_at is not None
    assert [p["id"] for p in (await far_peer.get(f"{group}/featured"))["orderedItems"]] == [note["id"]]
    unpin = mod_activity(peer, rm, "Remove", note["id"], group, target=f"{group}/featured")
    await send(peer, rm, f"{group}/inbox", unpin)
    assert (await post_of(note["id"])).pinned_at is None

    # An update of the community (Lemmy sends the whole Group, markdown in `source`)
    doc = await far_peer.get(group)
    doc.update(name="News and views", source={"content": "All the news.", "mediaType": "text/markdown"})
    doc.update(postingRestrictedToMods=True)
    update = mod_activity(peer, rm, "Update", doc, group)
    assert (await send(peer, rm, f"{group}/inbox", update)).error is None
    news = await Group.get(name="news")
    assert (news.title, news.summary, news.posting_policy) == (
        "News and views",
        "All the news.",
        "moderators",
    )
    assert news.rules == "1. Be kind.\n2. Stay on topic."  # our summary's rules section was not in it

    for activity in (lock, unlock, pin, unpin, update):
        await far_peer.wait_for(
            lambda a=activity: [w for w in far_peer.received_of("Announce") if w["object"] == a]
        )
    actions = list(await ModlogEntry.filter(moderator=rm.uri).order_by("id").values_list("action", flat=True))
    assert actions == [
        "remove_post",
        "restore_post",
        "lock_post",
        "unlock_post",
        "pin_post",
        "unpin_post",
        "edit_community",
    ]


async def test_moderation_from_anyone_else_is_refused_and_changes_nothing(instance, peer: Peer) -> None:
    inst = await instance(hostname="localhost")
    group, _ = await community_with_moderator(inst)
    alice, bob = peer.person("alice"), peer.person("bob")
    await join(peer, alice, group)
    await join(peer, bob, group)
    note, _ = await thread(peer, alice, group, "<p>Mine</p>")
    before = await OutgoingActivity.all().count()
    doc = await peer.get(group)
    attempts = [
        mod_activity(peer, bob, "Delete", note["id"], group, summary="I dislike it"),
        mod_activity(peer, bob, "Lock", note["id"], group),
        mod_activity(peer, bob, "Add", note["id"], group, target=f"{group}/featured"),
        mod_activity(peer, bob, "Update", {**doc, "name": "Hijacked"}, group),
    ]
    for activity in attempts:
        item = await send(peer, bob, f"{group}/inbox", activity)
        assert item.error is not None and f"{bob.uri} does not moderate news" in item.error, activity["type"]
    post = await post_of(note["id"])
    assert (post.state, post.locked, post.pinned_at, post.deleted) == ("visible", False, None, False)
    assert (await Group.get(name="news")).title == "news"
    assert await OutgoingActivity.all().count() == before
    assert not await ModlogEntry.exists()


async def test_a_delete_with_a_summary_from_the_author_is_their_own_deletion(instance, peer: Peer) -> None:
    inst = await instance(hostname="localhost")
    group, _ = await community_with_moderator(inst)
    alice = peer.person("alice")
    await join(peer, alice, group)
    note, _ = await thread(peer, alice, group, "<p>Oops</p>")
    delete = mod_activity(peer, alice, "Delete", note["id"], group, summary="posted by mistake")
    assert (await send(peer, alice, f"{group}/inbox", delete)).error is None
    post = await Post.get(object_id=note["id"])
    assert (post.deleted, post.state) == (True, "visible")
    assert not await ModlogEntry.exists()


async def test_a_removal_applies_only_where_the_remote_moderator_moderates(instance, peer: Peer) -> None:
    """A thread posted to two communities: the moderator of one removes only that copy."""
    inst = await instance(hostname="localhost")
    group, _ = await community_with_moderator(inst)
    await inst.community("other")
    other = f"{inst.base}/c/other"
    rm, alice = peer.person("rm"), peer.person("alice")
    for g in (group, other):
        await join(peer, alice, g)
    await Moderator.create(group=await inst.groups.group("news"), actor=rm.uri)
    note = peer.note(alice, "<p>Cross-posted</p>", to=[PUBLIC], cc=[group, other])
    await send(peer, alice, f"{group}/inbox", peer.activity("Create", alice, note, to=[PUBLIC]))
    assert await Post.filter(object_id=note["id"]).count() == 2

    delete = mod_activity(peer, rm, "Delete", note["id"], group, summary="off topic here")
    assert (await send(peer, rm, f"{group}/inbox", delete)).error is None
    states = dict(await Post.filter(object_id=note["id"]).values_list("group__name", "state"))
    assert states == {"news": "removed", "other": "visible"}
