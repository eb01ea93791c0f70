"""The staff held-posts page: posts kept back for review, approved (announced to the members exactly as
they arrived) or rejected (never sent) through the same services as `fedicom held`."""

from __future__ import annotations

import html
import re
from pathlib import Path

from playwright.async_api import Browser

from fedicom.activitypub.models import OutgoingActivity
from fedicom.groups.models import Group, Moderator, Post
from fedicom.moderation.models import ModlogEntry
from fedicom.staff.accounts import create_staff
from tests.support.peer import PUBLIC, Peer
from tests.support.steps import announced, boosts
from tests.web.browser import assert_valid_html, check_axe, screenshot
from tests.web.http import client, get
from tests.web.scene import PASSWORD, XSS_CONTENT, Scene, community, send, thread
from tests.web.signin import admin, browser_sign_in, form_token, staff_client
from tests.web.test_staff_members import asks_to_join, notice, private_news

HELD = "/staff/c/news/held"


async def premoderated_news(inst, peer: Peer) -> Scene:
    """`news` (members alice, bob, carol, dave) holding every post for a moderator."""
    scene = await community(inst, peer)
    await Group.filter(name="news").update(premoderation="all")
    inst.groups.forget_group("news")
    return scene


async def held_thread(scene: Scene, who: str, html_text: str, **extra) -> Post:
    note, _ = await thread(scene.peer, scene.people[who], scene.group, html_text, **extra)
    scene.posts[extra.get("name", html_text)] = note
    post = await Post.get(object_id=note["id"])
    assert post.state == "held"
    return post


async def nothing_announced(scene: Scene, post: Post) -> bool:
    return not await OutgoingActivity.filter(actor=scene.group, object_id=post.object_id).exists()


async def test_held_posts_are_listed_oldest_first_with_why_they_were_held(instance, peer: Peer) -> None:
    inst = await instance()
    scene = await premoderated_news(inst, peer)
    first = await held_thread(scene, "alice", "<p>First <strong>words</strong></p>", name="Hello all")
    second = await held_thread(scene, "bob", XSS_CONTENT, name="Second")
    async with staff_client(inst.base, "mia") as http:
        page = await get(http, HELD)
    assert page.status == 200 and page.headers["cache-control"] == "private, no-store"
    text = page.text
    assert text.index(">Hello all</h2>") < text.index(">Second</h2>")
    assert f"<strong>Held because:</strong> {html.escape(first.state_reason)}" in text
    assert first.state_reason and "<p>First <strong>words</strong></p>" in text
    main = text[text.index("<main") : text.index("</main>")]
    assert "<script" not in main and "onerror" not in main and 'href="javascript' not in main.lower()
    assert f'aria-label="Approve post {first.id} by @alice@127.0.0.1' in text
    assert f'aria-label="Reject post {second.id} by @bob@127.0.0.1' in text
    assert f'<label for="reason-{second.id}">' in text and 'aria-current="page">Held posts</a>' in text


async def test_approving_announces_the_post_unchanged_to_the_members(instance, peer: Peer) -> None:
    inst = await instance()
    scene = await premoderated_news(inst, peer)
    post = await held_thread(scene, "alice", "<p>Worth reading</p>", name="A link")
    create = post.activity
    async with staff_client(inst.base, "mia") as http:
        token = await form_token(http, HELD)
        resp = await http.post(f"{HELD}/{post.id}/approve", data={"csrf_token": token})
        assert resp.status_code == 303 and resp.headers["location"] == HELD
        page = await get(http, HELD)
    assert notice(page.text) == f"Post {post.id} is approved: it is shown and announced to the members."
    assert "No posts are waiting for review." in page.text
    [wrapped] = await peer.wait_for(lambda: announced(peer, "Create", post.object_id))
    assert wrapped["actor"] == scene.group and wrapped["object"] == create
    await peer.wait_for(lambda: boosts(peer, post.object_id))
    approved = await Post.get(id=post.id)
    assert (approved.state, approved.announce_id) == ("visible", wrapped["id"])
    assert await ModlogEntry.filter(action="approve_post", moderator=scene.moderator).exists()


async def test_rejecting_keeps_the_post_hidden_with_the_reason_given_or_a_default(
    instance, peer: Peer
) -> None:
    inst = await instance()
    scene = await premoderated_news(inst, peer)
    spam = await held_thread(scene, "alice", "<p>Buy now</p>", name="Offer")
    dull = await held_thread(scene, "bob", "<p>Meh</p>", name="Meh")
    async with staff_client(inst.base, "mia") as http:
        token = await form_token(http, HELD)
        resp = await http.post(f"{HELD}/{spam.id}/reject", data={"csrf_token": token, "reason": " Spam "})
        assert resp.status_code == 303
        page = await get(http, HELD)
        assert (
            notice(page.text) == f"Post {spam.id} is rejected: it stays hidden and was never sent to anyone."
        )
        assert ">Offer</h2>" not in page.text and ">Meh</h2>" in page.text
        await http.post(f"{HELD}/{dull.id}/reject", data={"csrf_token": token, "reason": ""})
        resp = await http.post(f"{HELD}/{dull.id}/reject", data={"csrf_token": token, "reason": "x" * 2001})
        page = await get(http, HELD)
        assert notice(page.text) == "The reason must be at most 2000 characters of text."
    assert [
        (p.state, p.state_reason) for p in await Post.filter(id__in=[spam.id, dull.id]).order_by("id")
    ] == [
        ("removed", "Spam"),
        ("removed", "not approved on review"),
    ]
    reasons = await ModlogEntry.filter(action="reject_post").order_by("id").values_list("reason", flat=True)
    assert reasons == ["Spam", "not approved on review"]
    assert await nothing_announced(scene, spam) and await nothing_announced(scene, dull)


async def test_acting_on_a_post_no_longer_held_says_so(instance, peer: Peer) -> None:
    inst = await instance()
    scene = await premoderated_news(inst, peer)
    post = await held_thread(scene, "alice", "<p>Hi</p>", name="Hi")
    gone = await held_thread(scene, "bob", "<p>Oops</p>", name="Oops")
    await inst.community("other")
    bob = scene.people["bob"]
    await send(peer, bob, scene.group, peer.activity("Delete", bob, gone.object_id, to=[PUBLIC]))
    async with staff_client(inst.base, "mia") as http:
        token = await form_token(http, HELD)
        await http.post(f"{HELD}/{post.id}/approve", data={"csrf_token": token})
        expected = {
            f"{post.id}/approve": f"Post {post.id} is not held (it is visible).",
            f"{post.id}/reject": f"Post {post.id} is not held (it is visible).",
            f"{gone.id}/approve": f"Post {gone.id} was deleted by its author.",
            "999999/approve": "There is no post 999999 in news.",
            f"{2**63}/reject": f"There is no post {2**63} in news.",
        }
        for action, sentence in expected.items():
            resp = await http.post(f"{HELD}/{action}", data={"csrf_token": token})
            assert resp.status_code == 303 and resp.headers["location"] == HELD
            assert notice((await get(http, HELD)).text) == sentence
    # the post was announced once, by the first approval only
    await peer.wait_for(lambda: announced(peer, "Create", post.object_id))
    assert await OutgoingActivity.filter(actor=scene.group, type="Announce", inner_type="Create").count() == 1


async def test_only_the_communitys_moderators_and_admins_see_or_act(instance, peer: Peer) -> None:
    inst = await instance()
    scene = await premoderated_news(inst, peer)
    post = await held_thread(scene, "alice", "<p>Hi</p>", name="Hi")
    other = await inst.community("other")
    await create_staff("otto", PASSWORD)
    await Moderator.create(group=other, actor=inst.site.staff_uri("otto"))
    await admin("ada")
    async with client(inst.base) as http:
        resp = await http.get(HELD)
        assert resp.status_code == 303 and resp.headers["location"] == f"/staff/sign-in?next={HELD}"
        resp = await http.post(f"{HELD}/{post.id}/approve", data={})
        assert resp.status_code == 303 and resp.headers["location"] == "/staff/sign-in?next=/staff"
    async with staff_client(inst.base, "otto") as http:
        page = await get(http, HELD)
        assert page.status == 403 and "Otto does not moderate news." in page.text
        token = await form_token(http, "/staff/c/other/held")
        for action in ("approve", "reject"):
            resp = await http.post(f"{HELD}/{post.id}/{action}", data={"csrf_token": token, "reason": "no"})
            assert resp.status_code == 403
            # nor through the community otto moderates
            resp = await http.post(
                f"/staff/c/other/held/{post.id}/{action}", data={"csrf_token": token, "reason": "no"}
            )
            assert (
                notice((await get(http, "/staff/c/other/held")).text)
                == f"There is no post {post.id} in other."
            )
    async with staff_client(inst.base, "ada") as http:
        assert (await get(http, HELD)).status == 200
    assert (await Post.get(id=post.id)).state == "held"


async def test_actions_need_the_forms_csrf_token(instance, peer: Peer) -> None:
    inst = await instance()
    scene = await premoderated_news(inst, peer)
    post = await held_thread(scene, "alice", "<p>Hi</p>", name="Hi")
    async with staff_client(inst.base, "mia") as http:
        for action in ("approve", "reject"):
            resp = await http.post(f"{HELD}/{post.id}/{action}", data={"reason": "no"})
            assert resp.status_code == 403
    assert (await Post.get(id=post.id)).state == "held"
    assert await nothing_announced(scene, post)


async def test_approve_a_held_post_in_the_browser(instance, peer: Peer, browser: Browser) -> None:
    inst = await instance()
    scene = await premoderated_news(inst, peer)
    post = await held_thread(
        scene, "alice", "<p>Our <em>first</em> meetup is on Friday. Who is in?</p>", name="Meetup"
    )
    await held_thread(scene, "bob", "<p>Cheap watches at the casino</p>", name="Great offer")
    page = await browser_sign_in(browser, inst.base, "mia")
    await page.get_by_role("link", name="2 held posts in Daily News").click()
    await page.wait_for_url(inst.base + HELD)
    await screenshot(page, "staff-held-posts")
    await page.get_by_role("button", name=re.compile(rf"^Approve post {post.id} by @alice@")).click()
    await page.wait_for_load_state()
    assert await page.get_by_role("status").inner_text() == (
        f"Post {post.id} is approved: it is shown and announced to the members."
    )
    assert await page.get_by_role("heading", name="Meetup").count() == 0
    assert await page.get_by_role("heading", name="Great offer").count() == 1
    await peer.wait_for(lambda: announced(peer, "Create", post.object_id))


async def test_the_members_and_held_pages_are_valid_html_and_accessible(
    instance, peer: Peer, browser: Browser, tmp_path: Path
) -> None:
    inst = await instance()
    scene = await private_news(inst, peer)
    await asks_to_join(scene, "erin")
    await Group.filter(name="news").update(premoderation="all")
    inst.groups.forget_group("news")
    await held_thread(scene, "alice", XSS_CONTENT, name="A thread with everything")
    await held_thread(scene, "bob", "<p>Plain</p>", name="Plain", url="https://example.org/a")
    root = await Post.get(object_id=scene.posts["Plain"]["id"])
    await Post.filter(id=root.id).update(state="visible")
    note, _ = await thread(
        peer, scene.people["alice"], scene.group, "<p>A reply</p>", inReplyTo=root.object_id
    )
    assert (await Post.get(object_id=note["id"])).state == "held"
    pages = [HELD, "/staff/c/news/members"]
    documents: dict[str, str] = {}
    async with staff_client(inst.base, "mia") as http:
        for path in pages:
            documents[path] = (await get(http, path)).text
    assert_valid_html(documents, tmp_path)
    page = await browser_sign_in(browser, inst.base, "mia")
    problems = {}
    for path in pages:
        await page.goto(inst.base + path)
        await check_axe(page, problems, path)
    assert problems == {}, problems
