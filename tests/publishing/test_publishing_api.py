"""The admin API's publishing endpoints as a brand's tool uses them: a thread with an image, a reply,
an edit, a deletion and a poll, each federated like the CLI's; bad requests get a clear 4xx and leave
nothing behind."""

from __future__ import annotations

import base64

import httpx

from fedicom.activitypub.models import OutgoingActivity
from fedicom.groups.models import Moderator, Post
from fedicom.staff.accounts import create_staff, get_staff
from fedicom.staff.tokens import create_token
from tests.moderation.helpers import PASSWORD, community_with_moderator
from tests.support.peer import Peer
from tests.support.pictures import picture
from tests.support.steps import announced, join


async def test_publishing_through_the_api(instance, peer: Peer) -> None:
    inst = await instance(hostname="localhost")
    group, _ = await community_with_moderator(inst)
    _, secret = await create_token(await get_staff("mia"), "newsroom", ["moderate"])
    alice = peer.person("alice")
    await join(peer, alice, group)
    api = f"{inst.base}/api/v1/admin/communities/news"
    image = base64.b64encode(picture()).decode()

    async with httpx.AsyncClient(headers={"Authorization": f"Bearer {secret}"}) as client:
        made = await client.post(
            f"{api}/posts",
            json={
                "title": "Hello",
                "body": "We are **here**.",
                "images": [{"data": image, "alt": "Our shop"}],
            },
        )
        assert made.status_code == 201, made.text
        thread = made.json()
        assert (thread["kind"], thread["title"], thread["object_id"]) == (
            "thread",
            "Hello",
            f"{group}/p/{thread['id']}",
        )
        [wrapped] = await peer.wait_for(lambda: announced(peer, "Create", thread["object_id"]))
        assert wrapped["object"]["object"]["attachment"][0]["name"] == "Our shop"

        answer = await client.post(f"{api}/posts", json={"body": "First!", "reply_to": thread["id"]})
        assert answer.status_code == 201 and answer.json()["kind"] == "reply"

        edited = await client.patch(f"{api}/posts/{thread['id']}", json={"body": "We are open."})
        assert edited.status_code == 200 and edited.json()["updated"] is not None
        await peer.wait_for(lambda: announced(peer, "Update", thread["object_id"]))
        assert (await Post.get(id=thread["id"])).content == "<p>We are open.</p>\n"

        gone = await client.delete(f"{api}/posts/{answer.json()['id']}")
        assert gone.status_code == 204
        await peer.wait_for(lambda: announced(peer, "Delete", answer.json()["object_id"]))

        poll = await client.post(
            f"{api}/polls", json={"question": "Open on Sundays?", "options": ["Yes", "No"]}
        )
        assert poll.status_code == 201 and poll.json()["kind"] == "poll"
        await peer.wait_for(lambda: announced(peer, "Create", poll.json()["object_id"]))


async def test_bad_requests_get_a_clear_error_and_leave_nothing(instance) -> None:
    inst = await instance(hostname="localhost")
    await community_with_moderator(inst)
    await inst.community("other")
    _, secret = await create_token(await get_staff("mia"), "newsroom", ["moderate"])
    api = f"{inst.base}/api/v1/admin/communities"
    before = (await Post.all().count(), await OutgoingActivity.all().count())
    text_file = base64.b64encode(b"just text").decode()
    cases = [
        (
            "news/posts",
            {"title": "x", "images": [{"data": "%%%", "alt": "a"}]},
            400,
            "image 1 is not valid base64",
        ),
        ("news/posts", {"title": "x", "images": [{"data": text_file, "alt": "a"}]}, 415, "is not a PNG"),
        ("news/posts", {"body": "no title"}, 400, "a post needs a title"),
        ("news/posts", {"title": "x", "reply_to": 999}, 404, "there is no post 999"),
        ("other/posts", {"title": "x"}, 403, "mia does not moderate other"),
        ("news/polls", {"question": "Q?", "options": ["one"]}, 422, "body options"),
    ]
    async with httpx.AsyncClient(headers={"Authorization": f"Bearer {secret}"}) as client:
        for path, body, status, reason in cases:
            answer = await client.post(f"{api}/{path}", json=body)
            assert answer.status_code == status, (path, answer.text)
            assert reason in answer.json()["error"], answer.text
    assert (await Post.all().count(), await OutgoingActivity.all().count()) == before

    # and nobody edits another staff member's post
    await create_staff("sam", PASSWORD)
    _, other = await create_token(await get_staff("sam"), "t", ["moderate"])
    async with httpx.AsyncClient(headers={"Authorization": f"Bearer {secret}"}) as client:
        made = (await client.post(f"{api}/news/posts", json={"title": "Mine", "body": "b"})).json()
    await Moderator.create(group=await inst.groups.group("news"), actor=inst.site.staff_uri("sam"))
    async with httpx.AsyncClient(headers={"Authorization": f"Bearer {other}"}) as client:
        refused = await client.patch(f"{api}/news/posts/{made['id']}", json={"body": "hijacked"})
    assert refused.status_code == 403 and "only its author may edit" in refused.json()["error"]
