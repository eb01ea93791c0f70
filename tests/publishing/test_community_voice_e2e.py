"""A thread posted as the community itself, end to end on loopback: the Group is its author and sends
its Create to members (what Mastodon shows as the community account's own post), FEP-1b12 readers get
it announced, any moderator may edit or delete it, and members' replies to it reach the moderators."""

from __future__ import annotations

import asyncio

import pytest

from fedicom.errors import BadRequest, Forbidden
from fedicom.notifications.models import Notification
from fedicom.publishing.compose import Author, delete, draft_of, edit, publish
from fedicom.publishing.drafts import Draft
from fedicom.publishing.scheduling import draft_from, to_stored
from fedicom.staff.accounts import create_staff
from tests.moderation.helpers import PASSWORD, community_with_moderator, moderator
from tests.support.peer import PUBLIC, Peer
from tests.support.steps import announced, boosts, join, post_of, reply


async def test_the_community_posts_as_itself_and_its_moderators_answer_for_it(
    instance, peer: Peer, far_peer: Peer
) -> None:
    # Given news, moderated by mia and jo, with a Lemmy-like member and a Mastodon-like one
    inst = await instance(hostname="localhost")
    group, mia = await community_with_moderator(inst)
    await moderator(inst, "news", "jo")
    alice, carol = peer.person("alice"), far_peer.person("carol")
    await join(peer, alice, group)
    await join(far_peer, carol, group)
    news = await inst.groups.group("news")
    draft = Draft(title="We are open on Sunday", body="From **10:00**.", as_community=True)

    # When mia posts it as the community
    post = await publish(inst.groups, Author(mia, inst.files), news, draft)

    # Then the Mastodon-like member gets the Group's own Create of a Page the Group wrote, not a boost
    [create] = await far_peer.wait_for(
        lambda: [a for a in far_peer.received_of("Create") if a["object"]["id"] == post.object_id]
    )
    page = create["object"]
    assert create["actor"] == group and page["attributedTo"] == group and page["to"] == [group, PUBLIC]
    assert any(r.activity["id"] == create["id"] and r.signer == group for r in far_peer.received)
    served = await far_peer.get(page["id"])
    assert served["attributedTo"] == group and served["name"] == "We are open on Sunday"
    # And a FEP-1b12 reader gets it announced; nobody gets the group boosting its own post
    [wrapped] = await peer.wait_for(lambda: announced(peer, "Create", post.object_id))
    assert wrapped["object"]["actor"] == group
    await asyncio.sleep(0.3)
    assert boosts(far_peer, post.object_id) == [] and boosts(peer, post.object_id) == []
    # mia's Person outbox does not list it: she did not write it as herself
    assert (await peer.get(f"{mia}/outbox"))["totalItems"] == 0
    assert draft_of(post).as_community

    # When a member replies to it, the community's moderators are told
    note, _ = await reply(peer, alice, group, post.object_id, "<p>And on holidays?</p>")
    await post_of(note["id"])
    told = await Notification.filter(kind="reply").prefetch_related("staff")
    assert sorted(n.staff.username for n in told) == ["jo", "mia"]

    # jo, another moderator, edits it: the Update is the Group's, sent to members and announced
    jo = Author(inst.site.staff_uri("jo"), inst.files)
    await edit(inst.groups, jo, post, Draft(**{**draft_of(post).__dict__, "body": "From **9:00**."}))
    await far_peer.wait_for(
        lambda: [
            a
            for a in far_peer.received_of("Update")
            if a["actor"] == group and a["object"]["id"] == page["id"]
        ]
    )
    await peer.wait_for(lambda: announced(peer, "Update", post.object_id))

    # A staff member who does not moderate news may not touch it
    await create_staff("zed", PASSWORD)
    zed = Author(inst.site.staff_uri("zed"), inst.files)
    with pytest.raises(Forbidden):
        await delete(inst.groups, zed, post)

    # jo deletes it: the Group's Delete reaches both members
    await delete(inst.groups, jo, post)
    await far_peer.wait_for(lambda: [a for a in far_peer.received_of("Delete") if a["actor"] == group])
    await peer.wait_for(lambda: announced(peer, "Delete", post.object_id))


async def test_only_a_thread_is_posted_as_the_community_and_a_schedule_keeps_the_choice(
    instance, peer: Peer
) -> None:
    inst = await instance(hostname="localhost")
    _, mia = await community_with_moderator(inst)
    news = await inst.groups.group("news")
    author = Author(mia, inst.files)
    thread = await publish(inst.groups, author, news, Draft(title="Hello", body="Welcome"))
    with pytest.raises(BadRequest, match="only a thread is posted as the community"):
        await publish(inst.groups, author, news, Draft(body="Hi", as_community=True), reply_to=thread)
    draft = Draft(title="Every Friday", body="Offers", as_community=True)
    assert draft_from(to_stored(draft)) == draft
    assert not draft_from({"body": "stored before the choice existed"}).as_community
