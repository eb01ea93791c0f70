"""Whole conversations reach members' servers: a post's address answers ActivityPub readers, each
thread exposes its replies and its context (FEP-7888), and a new member's backfill carries replies.

A real fedicom instance and real peers on loopback; posts, replies and follows go through the signed
inbox. Staff posts are stored as the lead's publishing stores them: a Post row whose object id is its
page address, authored by a local staff Person.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from fedicom.groups.models import Group, Post
from fedicom.groups.routes import CONVERSATION_PAGE_SIZE
from fedicom.moderation.blocks import block_domain
from fedicom.moderation.removals import remove_post
from tests.moderation.helpers import admin, moderator
from tests.support.peer import PUBLIC, Peer, Person, serving
from tests.support.servers import Instance
from tests.support.steps import join, post_of, reply, send, thread
from tests.web.scene import BROWSER_ACCEPT

AP = "application/activity+json"
LD = 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"'


async def fetch(url: str, accept: str = AP, *, follow: bool = False) -> httpx.Response:
    async with httpx.AsyncClient(follow_redirects=follow, timeout=10) as http:
        return await http.get(url, headers={"Accept": accept})


async def fetch_json(url: str) -> dict[str, Any]:
    response = await fetch(url)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == AP and response.headers["vary"] == "Accept"
    return response.json()  # type: ignore[no-any-return]


async def staff_thread(inst: Instance, name: str, title: str, author: str = "mia") -> Post:
    """A thread written here by staff: its object id is its page address (N is the row's id)."""
    group = await Group.get(name=name)
    staff = inst.site.staff_uri(author)
    post = await Post.create(
        group=group,
        object_id=f"{inst.base}/pending",
        type="Page",
        author=staff,
        title=title,
        content="<p>Welcome</p>",
        document={},
        published=datetime.now(UTC),
    )
    uri = f"{inst.base}/c/{name}/p/{post.id}"
    post.object_id = uri
    post.document = {
        "id": uri,
        "type": "Page",
        "attributedTo": staff,
        "name": title,
        "content": "<p>Welcome</p>",
        "to": [PUBLIC],
        "cc": [f"{inst.base}/c/{name}"],
        "audience": f"{inst.base}/c/{name}",
        "replies": f"{uri}/replies",
        "context": f"{uri}/context",
    }
    await post.save()
    return post


async def stored_replies(parent: Post, author: Person, count: int, *, base: str) -> list[Post]:
    """Replies stored directly (as if received): enough of them to fill more than one page."""
    root_id = parent.root_id or parent.id  # type: ignore[attr-defined]
    return [
        await Post.create(
            group_id=parent.group_id,  # type: ignore[attr-defined]
            object_id=f"{base}/objects/bulk-{parent.id}-{i}",
            type="Note",
            author=author.uri,
            parent_id=parent.id,
            root_id=root_id,
            content=f"<p>reply {i}</p>",
            document={},
            published=datetime.now(UTC),
        )
        for i in range(count)
    ]


@dataclass
class Conversation:
    group: str
    alice: Person
    bob: Person
    note: dict[str, Any]  # alice's thread
    r1: dict[str, Any]  # bob's reply to it
    r1a: dict[str, Any]  # alice's answer to r1
    r2: dict[str, Any]  # bob's second reply to the thread

    def page(self, post: Post) -> str:
        return f"{self.group}/p/{post.id}"


async def conversation(inst: Instance, peer: Peer) -> Conversation:
    """A thread with two replies and an answer to the first, all through the signed inbox."""
    if not await Group.exists(name="news"):
        await inst.community("news")
    group = f"{inst.base}/c/news"
    alice, bob = peer.person("alice"), peer.person("bob")
    await join(peer, alice, group)
    await join(peer, bob, group)
    note, _ = await thread(peer, alice, group, "<p>What do you grow?</p>")
    r1, _ = await reply(peer, bob, group, note["id"], "<p>Tomatoes</p>")
    r1a, _ = await reply(peer, alice, group, r1["id"], "<p>Which kind?</p>")
    r2, _ = await reply(peer, bob, group, note["id"], "<p>And beans</p>")
    return Conversation(group, alice, bob, note, r1, r1a, r2)


# --- a post's address


async def test_a_staff_posts_address_answers_its_object_to_activitypub_readers(instance, peer: Peer) -> None:
    # Given a thread written here by staff, answered by a member through the inbox
    inst = await instance()
    await inst.community("news")
    post = await staff_thread(inst, "news", "Welcome to News")
    bob = peer.person("bob")
    await join(peer, bob, f"{inst.base}/c/news")
    answer, _ = await reply(peer, bob, f"{inst.base}/c/news", post.object_id, "<p>Thanks!</p>")

    # When ActivityPub readers ask for its address (both media types servers send)
    as2, ld = await fetch(post.object_id), await fetch(post.object_id, LD)
    page = await fetch(post.object_id, BROWSER_ACCEPT)

    # Then they get the object as stored, with the @context it was stored without; browsers get the page
    for response in (as2, ld):
        assert response.status_code == 200 and response.headers["content-type"] == AP
        assert response.headers["vary"] == "Accept"
        assert response.json() == {"@context": "https://www.w3.org/ns/activitystreams", **post.document}
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert page.headers["vary"] == "Accept"
    assert f'<link rel="alternate" type="application/activity+json" href="{post.object_id}">' in page.text
    # and the member's reply is in the collections the object names
    replies = await fetch_json(f"{as2.json()['replies']}?page=1")
    context = await fetch_json(f"{as2.json()['context']}?page=1")
    assert replies["orderedItems"] == [answer["id"]]
    assert context["orderedItems"] == [post.object_id, answer["id"]]


async def test_a_members_post_address_redirects_to_the_original(instance, peer: Peer) -> None:
    """Pasted into Mastodon's or Lemmy's search, the page address resolves to the author's object."""
    inst = await instance()
    talk = await conversation(inst, peer)
    post = await post_of(talk.note["id"])

    moved = await fetch(talk.page(post))
    resolved = await fetch(talk.page(post), LD, follow=True)
    page = await fetch(talk.page(post), BROWSER_ACCEPT)

    assert moved.status_code == 302 and moved.headers["location"] == talk.note["id"]
    assert moved.headers["vary"] == "Accept"
    assert resolved.status_code == 200 and resolved.json()["id"] == talk.note["id"]
    assert f'<link rel="alternate" type="application/activity+json" href="{talk.note["id"]}">' in page.text


async def test_a_deleted_post_is_gone_and_held_or_removed_posts_are_not_found(instance, peer: Peer) -> None:
    # Given a conversation, a moderator, and a community that now holds every new post
    inst = await instance()
    talk = await conversation(inst, peer)
    mod = inst.site.staff_uri((await moderator(inst, "news", "mia")).username)

    # When Bob deletes his second reply, a moderator removes the first, and a new post is held
    await send(peer, talk.bob, f"{inst.base}/inbox", peer.activity("Delete", talk.bob, talk.r2["id"]))
    await remove_post(inst.groups, await post_of(talk.r1["id"]), mod, reason="off topic")
    await Group.filter(name="news").update(premoderation="all")
    inst.groups.forget_group("news")
    held, _ = await thread(peer, talk.alice, talk.group, "<p>Waiting</p>")

    # Then the deleted reply's address answers 410 with a Tombstone at that address, and its
    # collections are gone too
    deleted = await post_of(talk.r2["id"])
    gone = await fetch(talk.page(deleted))
    assert gone.status_code == 410 and gone.headers["content-type"] == AP
    assert gone.json() == {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": talk.page(deleted),
        "type": "Tombstone",
        "formerType": "Note",
    }
    assert (await fetch(f"{talk.page(deleted)}/replies")).status_code == 410
    assert (await fetch(f"{talk.page(deleted)}/context")).status_code == 410
    # the removed reply and the held thread are not found, and say why
    removed = await fetch(talk.page(await post_of(talk.r1["id"])))
    assert removed.status_code == 404 and "removed by a moderator" in removed.json()["error"]
    assert (await fetch(talk.page(await post_of(held["id"])))).status_code == 404
    assert (await fetch(f"{talk.page(await post_of(held['id']))}/context")).status_code == 404
    # the answer under the removed reply is still part of the shown thread
    assert (await fetch(talk.page(await post_of(talk.r1a["id"])))).status_code == 302


async def test_replies_of_a_removed_thread_are_not_found_either(instance, peer: Peer) -> None:
    inst = await instance()
    talk = await conversation(inst, peer)
    mod = inst.site.staff_uri((await moderator(inst, "news", "mia")).username)

    await remove_post(inst.groups, await post_of(talk.note["id"]), mod, reason="spam")

    answer = await fetch(talk.page(await post_of(talk.r1a["id"])))
    assert answer.status_code == 404 and "no longer shown" in answer.json()["error"]


async def test_a_private_communitys_posts_and_conversations_are_not_found(instance) -> None:
    """Its members get its posts from the group itself; its addresses tell outsiders nothing."""
    inst = await instance()
    await inst.community("secret", private=True)
    post = await staff_thread(inst, "secret", "Members only")

    answers = [await fetch(post.object_id + tail) for tail in ("", "/replies", "/context")]
    page = await fetch(post.object_id, BROWSER_ACCEPT)

    assert [a.status_code for a in answers] == [404, 404, 404]
    assert "private community" in answers[0].json()["error"]
    assert "Members only" not in page.text and page.status_code == 403


async def test_a_blocked_server_cannot_read_a_post_signed(instance, peer: Peer) -> None:
    inst = await instance(hostname="localhost")
    await inst.community("news")
    post = await staff_thread(inst, "news", "Welcome")
    alice = peer.person("alice")
    await block_domain(inst.groups, inst.defed, "127.0.0.1", moderator=await admin(inst))

    for tail in ("", "/replies", "/context"):
        with pytest.raises(Exception, match="403"):
            await peer.get(post.object_id + tail, signer=alice)
    assert (await fetch(post.object_id)).status_code == 200  # unsigned reads stay public


async def test_bad_post_numbers_and_pages_are_refused_with_a_reason(instance, peer: Peer) -> None:
    inst = await instance()
    talk = await conversation(inst, peer)
    post = await post_of(talk.note["id"])

    word = await fetch(f"{talk.group}/p/abc")
    huge = await fetch(f"{talk.group}/p/{'9' * 19}/context")
    unknown = await fetch(f"{talk.group}/p/999999")
    page_zero = await fetch(f"{talk.page(post)}/context?page=0")
    elsewhere = await fetch(f"{inst.base}/c/nowhere/p/{post.id}/replies")

    assert word.status_code == 400 and word.json() == {"error": "abc is not a post number"}
    assert huge.status_code == 400
    assert unknown.status_code == 404 and unknown.json() == {"error": "there is no post 999999 in news"}
    assert page_zero.status_code == 400 and "page must be a whole number" in page_zero.json()["error"]
    assert elsewhere.status_code == 404


# --- replies and context


async def test_replies_list_a_posts_direct_replies_oldest_first_in_pages(instance, peer: Peer) -> None:
    # Given a thread with more direct replies than one page holds, an answer to one of them, and
    # replies that are held, removed or deleted
    inst = await instance()
    talk = await conversation(inst, peer)
    root = await post_of(talk.note["id"])
    bulk = await stored_replies(root, talk.bob, CONVERSATION_PAGE_SIZE, base=peer.base)
    hidden = await stored_replies(root, talk.bob, 3, base=peer.base + "/hidden")
    await Post.filter(id=hidden[0].id).update(state="held")
    await Post.filter(id=hidden[1].id).update(state="removed")
    await Post.filter(id=hidden[2].id).update(deleted=True)

    # When a server walks the thread's replies collection
    head = await fetch_json(f"{talk.page(root)}/replies")
    first = await fetch_json(head["first"])
    second = await fetch_json(first["next"])

    # Then it gets every shown direct reply once, oldest first, and only those
    shown = [talk.r1["id"], talk.r2["id"], *[p.object_id for p in bulk]]
    assert head["id"] == f"{talk.page(root)}/replies" and head["type"] == "OrderedCollection"
    assert head["totalItems"] == len(shown) == CONVERSATION_PAGE_SIZE + 2
    assert head["last"] == f"{talk.page(root)}/replies?page=2" and "orderedItems" not in head
    assert first["orderedItems"] + second["orderedItems"] == shown
    assert second["prev"] == head["first"] and "next" not in second
    # and a reply's own collection holds the answers to it
    r1 = await fetch_json(f"{talk.page(await post_of(talk.r1['id']))}/replies?page=1")
    assert r1["orderedItems"] == [talk.r1a["id"]]


async def test_the_context_is_the_whole_conversation_thread_first_in_pages(instance, peer: Peer) -> None:
    # Given a conversation three replies deep, then enough replies to need a second page
    inst = await instance()
    talk = await conversation(inst, peer)
    root = await post_of(talk.note["id"])
    address = f"{talk.page(root)}/context"

    # When a server reads the context collection (FEP-7888, FEP-f228's "collection of posts")
    head = await fetch_json(address)
    small = await fetch_json(head["first"])

    # Then the group is its authority, and it lists the thread then every reply at any depth in order
    assert head["type"] == "OrderedCollection" and head["id"] == address
    assert head["attributedTo"] == talk.group and head["audience"] == talk.group
    assert head["totalItems"] == 4 and "orderedItems" not in head
    assert small["orderedItems"] == [talk.note["id"], talk.r1["id"], talk.r1a["id"], talk.r2["id"]]
    assert small["partOf"] == address and "next" not in small

    # When the conversation grows past a page (one of the new replies removed)
    r1 = await post_of(talk.r1["id"])
    bulk = await stored_replies(r1, talk.alice, CONVERSATION_PAGE_SIZE, base=peer.base)
    await Post.filter(id=bulk[0].id).update(state="removed")
    head = await fetch_json(address)
    first = await fetch_json(head["first"])
    second = await fetch_json(first["next"])

    # Then its pages hold it all once, the thread first, in arrival order
    everything = [talk.note["id"], talk.r1["id"], talk.r1a["id"], talk.r2["id"]]
    everything += [p.object_id for p in bulk[1:]]
    assert head["totalItems"] == len(everything) == CONVERSATION_PAGE_SIZE + 3
    assert len(first["orderedItems"]) == CONVERSATION_PAGE_SIZE
    assert first["orderedItems"] + second["orderedItems"] == everything
    assert head["last"] == second["id"] == f"{address}?page=2" and "next" not in second


async def test_a_replys_context_address_leads_to_its_threads(instance, peer: Peer) -> None:
    inst = await instance()
    talk = await conversation(inst, peer)
    root, answer = await post_of(talk.note["id"]), await post_of(talk.r1a["id"])

    moved = await fetch(f"{talk.page(answer)}/context")
    followed = await fetch(f"{talk.page(answer)}/context", follow=True)

    assert moved.status_code == 302 and moved.headers["location"] == f"{talk.page(root)}/context"
    assert followed.status_code == 200 and followed.json()["id"] == f"{talk.page(root)}/context"


async def test_browsers_reading_a_collection_are_sent_to_the_post(instance, peer: Peer) -> None:
    inst = await instance()
    talk = await conversation(inst, peer)
    answer = await post_of(talk.r1["id"])

    for tail in ("/replies", "/context"):
        response = await fetch(talk.page(answer) + tail, BROWSER_ACCEPT)
        assert response.status_code == 303 and response.headers["location"] == talk.page(answer)
        assert response.headers["vary"] == "Accept"
    assert (await fetch(f"{talk.page(answer)}/replies", "*/*")).headers["content-type"] == AP


# --- backfill


def _announced_ids(peer: Peer) -> list[tuple[str, str]]:
    """What a peer received from the group, in order: ("Create", object id) or ("boost", object id)."""
    out = []
    for r in peer.received:
        a = r.activity
        if a["type"] != "Announce":
            continue
        inner = a["object"]
        out.append(("boost", inner) if isinstance(inner, str) else (inner["type"], inner["object"]["id"]))
    return out


async def test_a_new_member_gets_the_latest_threads_each_followed_by_its_replies(
    instance, peer: Peer
) -> None:
    # Given three threads, the second answered after the third was posted (one reply removed, one
    # deleted)
    inst = await instance(backfill_posts=2)
    talk = await conversation(inst, peer)
    old_root = await post_of(talk.note["id"])
    mod = inst.site.staff_uri((await moderator(inst, "news", "mia")).username)
    second, _ = await thread(peer, talk.bob, talk.group, "<p>Second</p>")
    third, _ = await thread(peer, talk.alice, talk.group, "<p>Third, no replies yet</p>")
    s1, _ = await reply(peer, talk.alice, talk.group, second["id"], "<p>s1</p>")
    gone, _ = await reply(peer, talk.alice, talk.group, second["id"], "<p>gone</p>")
    rude, _ = await reply(peer, talk.alice, talk.group, s1["id"], "<p>rude</p>")
    s1a, _ = await reply(peer, talk.bob, talk.group, s1["id"], "<p>s1a</p>")
    await send(peer, talk.alice, f"{inst.base}/inbox", peer.activity("Delete", talk.alice, gone["id"]))
    await remove_post(inst.groups, await post_of(rude["id"]), mod, reason="rude")

    # When someone on another server joins
    async with serving("127.0.0.2") as far:
        carol = far.person("carol")
        await join(far, carol, talk.group)
        expected = [
            ("Create", second["id"]),
            ("boost", second["id"]),
            ("Create", s1["id"]),
            ("Create", s1a["id"]),
            ("Create", third["id"]),
            ("boost", third["id"]),
        ]
        await far.wait_for(lambda: len(_announced_ids(far)) >= len(expected))

    # Then after the Accept come the two latest threads, each followed by its shown replies in order
    # (not in the order they were announced)
    assert far.received[0].activity["type"] == "Accept"
    assert _announced_ids(far) == expected
    assert talk.note["id"] not in {oid for _, oid in _announced_ids(far)}  # older than the latest two
    assert old_root.reply_count == 3
    assert not far.rejected, far.rejected


async def test_the_replies_a_new_member_gets_are_capped_per_thread(instance, peer: Peer) -> None:
    inst = await instance(backfill_posts=5, backfill_replies=2)
    talk = await conversation(inst, peer)

    async with serving("127.0.0.2") as far:
        carol = far.person("carol")
        await join(far, carol, talk.group)
        await far.wait_for(lambda: len(_announced_ids(far)) >= 4)

    # the thread (both shapes) and its two oldest replies: r1, then r1a that answers it
    assert _announced_ids(far) == [
        ("Create", talk.note["id"]),
        ("boost", talk.note["id"]),
        ("Create", talk.r1["id"]),
        ("Create", talk.r1a["id"]),
    ]
