"""Staff publish end to end on loopback with real signed HTTP: a staff thread reaches a Lemmy-like member
as `Announce{Create{Page}}` and a Mastodon-like member as the group's boost of the object, which
dereferences; a member's reply to it is announced; a staff reply mentions and reaches the parent's
author; edits and deletions reach both; bad requests store and send nothing."""

from __future__ import annotations

from pathlib import Path

import aiohttp
import pytest

from fedicom.activitypub.models import OutgoingActivity
from fedicom.errors import BadRequest, Forbidden, PayloadTooLarge
from fedicom.groups.models import Post
from fedicom.publishing.compose import Author, delete, draft_of, edit, find_post, publish
from fedicom.publishing.drafts import Draft, Upload
from fedicom.staff.accounts import create_staff
from tests.moderation.helpers import PASSWORD, community_with_moderator
from tests.support.peer import PUBLIC, Peer
from tests.support.pictures import picture
from tests.support.steps import announced, boosts, join, post_of, reply, thread


def by_group(p: Peer, activity_id: str, group: str) -> bool:
    return any(r.activity.get("id") == activity_id and r.signer == group for r in p.received)


async def test_a_staff_thread_reaches_lemmy_and_mastodon_members_as_the_communitys_post(
    instance, peer: Peer, far_peer: Peer, tmp_path: Path
) -> None:
    # Given a community with a Lemmy-like member (peer) and a Mastodon-like one (far_peer)
    inst = await instance(hostname="localhost")
    group, mia = await community_with_moderator(inst)
    alice, carol = peer.person("alice"), far_peer.person("carol")
    await join(peer, alice, group)
    await join(far_peer, carol, group)
    news = await inst.groups.group("news")

    # When mia publishes a thread with an image and a link
    draft = Draft(
        title="Autumn offer",
        body="Our **autumn** collection is here.",
        link="https://brand.example/autumn",
        uploads=(Upload(picture(), "A red scarf on a wooden table"),),
        language="en",
    )
    post = await publish(inst.groups, Author(mia, inst.files), news, draft)

    # Then the Lemmy-like member gets Announce{Create{Page}} signed by the group, authored by mia
    [wrapped] = await peer.wait_for(lambda: announced(peer, "Create", post.object_id))
    assert by_group(peer, wrapped["id"], group) and wrapped["actor"] == group
    create = wrapped["object"]
    page = create["object"]
    assert (create["actor"], page["attributedTo"], page["type"], page["name"]) == (
        mia,
        mia,
        "Page",
        "Autumn offer",
    )
    assert page["id"] == f"{group}/p/{post.id}" and page["audience"] == group
    assert page["to"] == [group, PUBLIC]
    [image, link] = page["attachment"]
    assert image["name"] == "A red scarf on a wooden table" and image["url"].startswith(f"{inst.base}/media/")
    assert link["href"] == "https://brand.example/autumn"
    # the image is served by us, the Create and mia's Person dereference, and her outbox lists the Create
    async with aiohttp.ClientSession() as session, session.get(image["url"]) as response:
        assert (response.status, response.content_type) == (200, "image/png")
        assert (await response.read()).startswith(b"\x89PNG")
    assert (await peer.get(create["id"]))["object"]["id"] == page["id"]
    assert (await peer.get(mia))["type"] == "Person"
    outbox = await peer.get(f"{mia}/outbox")
    assert outbox["totalItems"] == 1 and outbox["orderedItems"][0]["id"] == create["id"]

    # And the Mastodon-like member gets the group's boost of the object, which dereferences to the Page
    [boost] = await far_peer.wait_for(lambda: boosts(far_peer, page["id"]))
    assert by_group(far_peer, boost["id"], group) and PUBLIC in boost["to"]
    served = await far_peer.get(page["id"])
    assert served.pop("@context") and served == page

    # And the thread is listed like any other, in the group's outbox and on its page
    assert (await Post.get(id=post.id)).state == "visible"
    group_outbox = await peer.get(f"{group}/outbox")
    assert any(a["id"] == wrapped["id"] for a in group_outbox["orderedItems"])
    status, _, html = await peer.get_status(f"{group}/p/{post.id}", accept="text/html")
    assert status == 200 and "Autumn offer" in html and "A red scarf on a wooden table" in html


async def test_replies_in_both_directions_and_edits_and_deletions_reach_members(
    instance, peer: Peer, far_peer: Peer, tmp_path: Path
) -> None:
    inst = await instance(hostname="localhost")
    group, mia = await community_with_moderator(inst)
    alice, carol = peer.person("alice"), far_peer.person("carol")
    await join(peer, alice, group)
    await join(far_peer, carol, group)
    author = Author(mia, inst.files)
    news = await inst.groups.group("news")
    staff_thread = await publish(inst.groups, author, news, Draft(title="Ask us anything", body="Go!"))

    # A member's reply to the staff thread is announced like any reply
    note, _ = await reply(peer, alice, group, staff_thread.object_id, "<p>When is the sale?</p>")
    await far_peer.wait_for(lambda: announced(far_peer, "Create", note["id"]))
    member_reply = await post_of(note["id"])
    assert member_reply.parent_id == staff_thread.id  # type: ignore[attr-defined]

    # mia answers it: the reply threads under it, mentions alice and reaches her server directly
    answer = await publish(inst.groups, author, news, Draft(body="Friday at 10:00!"), reply_to=member_reply)
    direct = await peer.wait_for(
        lambda: [a for a in peer.received_of("Create", inner="Note") if a["object"]["id"] == answer.object_id]
    )
    obj = direct[0]["object"]
    assert obj["inReplyTo"] == note["id"] and obj["context"] == f"{staff_thread.object_id}/context"
    assert obj["tag"] == [
        {"type": "Mention", "href": alice.uri, "name": f"@alice@{peer.base.split('//')[1]}"}
    ]
    assert alice.uri in obj["cc"]
    await far_peer.wait_for(lambda: announced(far_peer, "Create", answer.object_id))
    assert (await Post.get(id=staff_thread.id)).reply_count == 2

    # mia edits her thread: Announce{Update} for Lemmy, her own Update for Mastodon
    found = await find_post(inst.groups, staff_thread.object_id)
    changed = await edit(inst.groups, author, found, Draft(**{**draft_of(found).__dict__, "body": "Go on!"}))
    assert changed.content == "<p>Go on!</p>\n"
    [wrapped] = await peer.wait_for(lambda: announced(peer, "Update", staff_thread.object_id))
    assert (
        wrapped["object"]["object"]["content"] == "<p>Go on!</p>\n"
        and "updated" in wrapped["object"]["object"]
    )
    await far_peer.wait_for(
        lambda: [
            a
            for a in far_peer.received_of("Update")
            if a["actor"] == mia and a["object"]["id"] == found.object_id
        ]
    )

    # and deletes her reply: it is gone here and from both members' servers
    await delete(inst.groups, author, await find_post(inst.groups, answer.object_id))
    await peer.wait_for(lambda: announced(peer, "Delete", answer.object_id))
    await far_peer.wait_for(lambda: [a for a in far_peer.received_of("Delete") if a["actor"] == mia])
    assert (await Post.get(id=answer.id)).deleted
    assert (await Post.get(id=staff_thread.id)).reply_count == 1
    status, _, _ = await peer.get_status(answer.object_id)
    assert status == 410


async def test_bad_requests_store_and_send_nothing(instance, peer: Peer, tmp_path: Path) -> None:
    inst = await instance(hostname="localhost")
    group, mia = await community_with_moderator(inst)
    await inst.community("other")
    alice = peer.person("alice")
    await join(peer, alice, group)
    await join(peer, alice, f"{inst.base}/c/other")
    note, _ = await thread(peer, alice, f"{inst.base}/c/other", "<p>elsewhere</p>")
    elsewhere = await post_of(note["id"])
    await create_staff("sam", PASSWORD)  # staff, but no moderator of news
    author = Author(mia, inst.files)
    news = await inst.groups.group("news")
    posts, activities = await Post.all().count(), await OutgoingActivity.all().count()

    cases = [
        (
            Author(inst.site.staff_uri("sam"), inst.files),
            Draft(title="t", body="b"),
            None,
            Forbidden,
            "does not moderate",
        ),
        (
            author,
            Draft(title="t", body="b", uploads=(Upload(b"GIF89a not really", "alt"),)),
            None,
            BadRequest,
            "is not a PNG, JPEG, GIF or WebP image",
        ),
        (
            author,
            Draft(title="t", body="b", uploads=(Upload(b"x" * (9 * 1024 * 1024), "alt"),)),
            None,
            PayloadTooLarge,
            "larger than 8 MiB",
        ),
        (
            author,
            Draft(title="t", body="b", uploads=(Upload(picture(), ""),)),
            None,
            BadRequest,
            "needs an alt text",
        ),
        (author, Draft(body="hi"), elsewhere, BadRequest, "is in another community"),
        (author, Draft(title="", body="b"), None, BadRequest, "needs a title"),
    ]
    for who, draft, parent, error, reason in cases:
        with pytest.raises(error, match=reason):
            await publish(inst.groups, who, news, draft, reply_to=parent)
    assert (await Post.all().count(), await OutgoingActivity.all().count()) == (posts, activities)
    folder = inst.settings.data_dir / "media"
    assert not folder.exists() or not any(folder.iterdir())

    # and nobody edits or deletes a post that is not theirs
    with pytest.raises(Forbidden, match="only its author"):
        await delete(inst.groups, author, elsewhere)
