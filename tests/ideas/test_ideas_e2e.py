"""Similar ideas end to end, over real signed HTTP on loopback: a new idea from a Lemmy-shaped or a
Mastodon-shaped member server gets its likely duplicates stored (staff read them on the post's page
and through the admin API); where the community says so, the Group replies to its author with links
to them, publicly, delivered as the community's own posts are; edits match again, deletions and
removals drop an idea; bad queries are refused with their reason."""

from __future__ import annotations

import re
from typing import Any

import httpx

from fedicom.activitypub.models import Delivery, DeliveryState
from fedicom.groups.models import Group, Post
from fedicom.ideas.models import IdeaChange, IdeaMatch
from fedicom.moderation.removals import remove_post
from fedicom.staff.accounts import get_staff
from fedicom.staff.tokens import create_token
from tests.moderation.helpers import community_with_moderator
from tests.support.peer import PUBLIC, Peer, Person
from tests.support.steps import join, post_of, send, thread, until
from tests.web.http import get
from tests.web.signin import staff_client


async def matched(post: Post) -> list[tuple[int, float]]:
    """The likely duplicates stored for `post`, once its change has been handled."""

    async def handled() -> bool:
        return not await IdeaChange.filter(post_id=post.id, pending=True).exists()

    await until(handled)
    return [(m.other_id, m.score) for m in await IdeaMatch.filter(post_id=post.id).order_by("-score")]  # type: ignore[attr-defined]


def replies_to(p: Peer, group: str, object_id: str) -> list[dict[str, Any]]:
    """The Group's Notes answering `object_id` the peer received: sent as its own, or announced."""
    found = []
    for r in p.received:
        a = r.activity
        inner = a.get("object") if a.get("type") == "Announce" else a
        note = inner.get("object") if isinstance(inner, dict) and inner.get("type") == "Create" else None
        if isinstance(note, dict) and (note.get("inReplyTo"), note.get("attributedTo")) == (object_id, group):
            found.append(a)
    return found


async def idea(p: Peer, person: Person, group: str, title: str, body: str = "") -> Post:
    note, item = await thread(p, person, group, f"<p>{body or title}</p>", name=title)
    assert item.error is None, item.error
    return await post_of(note["id"])


async def test_a_new_idea_gets_its_duplicates_and_the_group_replies_with_links(
    instance, peer: Peer, far_peer: Peer
) -> None:
    # Given a community that replies to similar ideas, a Lemmy member (alice), a Mastodon one (carol)
    peer.software, far_peer.software = "lemmy", "mastodon"
    inst = await instance(hostname="localhost")
    group, _ = await community_with_moderator(inst, "ideas", kind="ideas", reply_similar=True)
    alice, carol = peer.person("alice"), far_peer.person("carol")
    await join(peer, alice, group)
    await join(far_peer, carol, group)
    dark = await idea(peer, alice, group, "Add a dark mode to the app")
    trees = await idea(peer, alice, group, "Plant more trees along Main Street")
    assert await matched(dark) == [] and await matched(trees) == []
    assert replies_to(far_peer, group, dark.object_id) == []

    # When carol proposes the same idea in other words
    again = await idea(far_peer, carol, group, "Please add dark mode to the app", "Dark theme for the app")

    # Then the earlier idea is stored as its likely duplicate, with its score
    [(other, score)] = await matched(again)
    assert other == dark.id and 0.5 <= score <= 1
    # and the Group answers her, publicly, naming her and linking to the idea already there
    [create] = await far_peer.wait_for(lambda: replies_to(far_peer, group, again.object_id))
    note = create["object"]
    assert create["actor"] == group and note["type"] == "Note"
    assert PUBLIC in note["to"] and carol.uri in note["cc"]
    assert f'href="{inst.base}/c/ideas/p/{dark.id}"' in note["content"]
    assert "Add a dark mode" in note["content"]
    assert any(t.get("href") == carol.uri for t in note["tag"])
    # the Lemmy member's server gets it announced by the group, as the community's own posts are
    [announce] = await peer.wait_for(lambda: replies_to(peer, group, again.object_id))
    assert announce["type"] == "Announce" and announce["actor"] == group
    # the reply is a post of the thread, once: its own idea is not an idea
    [reply] = await Post.filter(parent_id=again.id)
    assert reply.author == group and not await IdeaChange.filter(post_id=reply.id).exists()

    # Staff see the duplicate on the post's page and through the admin API
    async with staff_client(inst.base, "mia") as http:
        page = await get(http, f"/staff/c/ideas/p/{again.id}")
        assert page.status == 200 and "Similar ideas" in page.text
        assert re.search(rf'href="/staff/c/ideas/p/{dark.id}">Add a dark mode to the app</a>', page.text)
    _, secret = await create_token(await get_staff("mia"), "tool", ["read"])
    async with httpx.AsyncClient(base_url=inst.base, headers={"Authorization": f"Bearer {secret}"}) as api:
        stored = (await api.get(f"/api/v1/admin/communities/ideas/posts/{again.id}/similar")).json()
        assert stored == [{"id": dark.object_id, "title": dark.title, "score": score, "post": dark.id}]
        found = await api.get("/api/v1/admin/communities/ideas/ideas/similar", params={"text": "dark theme"})
        assert found.status_code == 200
        assert [f["post"] for f in found.json()][:2] == [again.id, dark.id]
        assert all(0 < f["score"] <= 1 for f in found.json())
        for params, status, reason in (
            ({"text": ""}, 422, "text"),
            ({"text": "the and of"}, 400, "no words to compare"),
            ({"text": "dark", "limit": 0}, 422, "limit"),
            ({"text": "dark", "colour": "x"}, 422, "colour"),
        ):
            refused = await api.get("/api/v1/admin/communities/ideas/ideas/similar", params=params)
            assert refused.status_code == status and reason in refused.json()["error"], refused.text
        missing = await api.get("/api/v1/admin/communities/ideas/posts/999999/similar")
        assert missing.status_code == 404 and "there is no post 999999" in missing.json()["error"]
        document = (await api.get("/api/v1/admin/openapi.json")).json()
        assert "/communities/{name}/ideas/similar" in document["paths"]
        assert "/communities/{name}/posts/{id}/similar" in document["paths"]

    # When carol edits her idea into another one, it is matched again: no duplicate, no second reply
    edited = {**note_of(far_peer, again.object_id), "name": "Plant more trees along Main Street please"}
    await send(far_peer, carol, f"{group}/inbox", far_peer.activity("Update", carol, edited, to=[PUBLIC]))
    assert [o for o, _ in await matched(again)] == [trees.id]
    assert len(replies_to(far_peer, group, again.object_id)) == 1
    # When alice deletes the dark mode idea and a moderator removes the trees one, neither is found
    await send(peer, alice, f"{group}/inbox", peer.activity("Delete", alice, dark.object_id, to=[PUBLIC]))
    await remove_post(inst.groups, await post_of(trees.object_id), inst.site.staff_uri("mia"), reason="dup")
    async with httpx.AsyncClient(base_url=inst.base, headers={"Authorization": f"Bearer {secret}"}) as api:
        found = await api.get("/api/v1/admin/communities/ideas/ideas/similar", params={"text": "dark trees"})
        assert {f["post"] for f in found.json()} == {again.id}
        stored = await api.get(f"/api/v1/admin/communities/ideas/posts/{again.id}/similar")
        assert stored.json() == []


def note_of(p: Peer, object_id: str) -> dict[str, Any]:
    return dict(p.objects[object_id])


async def test_a_community_that_does_not_reply_only_stores_the_duplicates(instance, peer: Peer) -> None:
    inst = await instance(hostname="localhost")
    group, _ = await community_with_moderator(inst, "ideas", kind="ideas")
    assert (await Group.get(name="ideas")).reply_similar is False  # the default
    alice = peer.person("alice")
    await join(peer, alice, group)
    first = await idea(peer, alice, group, "Open the library on Sundays")
    second = await idea(peer, alice, group, "The library should open on Sundays")
    assert [o for o, _ in await matched(second)] == [first.id]

    async def delivered() -> bool:
        return not await Delivery.filter(state=DeliveryState.PENDING).exists()

    await until(delivered)
    assert replies_to(peer, group, second.object_id) == []
    assert not await Post.filter(parent_id=second.id).exists()
