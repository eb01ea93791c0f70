"""The staff pages of a community's posts over real HTTP: listed by state, and removed (citing a rule),
restored, locked, unlocked, pinned and unpinned from a post's page, each federating as the services do
(Announce{Delete} and Undo of the boost, Undo{Delete}, Lock and Undo{Lock}, Add and Remove on the
featured collection); impossible actions are refused with the service's reason; only the community's
moderators and admins see or act; plus the browser flow of removing a post."""

from __future__ import annotations

import html
import re
from typing import Any

import httpx
from playwright.async_api import Browser

from fedicom.groups.models import Moderator, Post
from fedicom.moderation.models import ModlogEntry
from fedicom.moderation.removals import remove_post
from fedicom.staff.accounts import create_staff
from tests.support.peer import Peer
from tests.support.steps import announced, boosts
from tests.web.browser import screenshot
from tests.web.http import client, get
from tests.web.scene import PASSWORD, Scene, community, reply, thread
from tests.web.signin import admin, browser_sign_in, form_token, staff_client

NOTICE = re.compile(r'<p class="(done-box|error-box)" role="(?:status|alert)">(.*?)</p>', re.S)


async def news(inst: Any, peer: Peer) -> Scene:
    """news (mia moderates it) with a thread by alice, a rude reply by bob and carol's answer to it."""
    scene = await community(inst, peer)
    alice, bob, carol = (scene.people[n] for n in ("alice", "bob", "carol"))
    scene.posts["plans"], _ = await thread(
        peer, alice, scene.group, "<p>Who comes on Saturday?</p>", name="Weekend plans"
    )
    scene.posts["rude"], _ = await reply(
        peer, bob, scene.group, scene.posts["plans"]["id"], "<p>Nobody, you fool</p>"
    )
    scene.posts["calm"], _ = await reply(peer, carol, scene.group, scene.posts["rude"]["id"], "<p>I do!</p>")
    return scene


async def act(http: httpx.AsyncClient, post: Post, action: str, **fields: str) -> tuple[str, str]:
    """Send a form of the post's staff page; returns the notice shown after the redirect (kind, text)."""
    path = f"/staff/c/{post.group.name}/p/{post.id}"
    token = await form_token(http, path)
    resp = await http.post(f"{path}/{action}", data={"csrf_token": token, **fields})
    assert resp.status_code == 303 and resp.headers["location"] == path, resp.text
    found = NOTICE.search((await get(http, path)).text)
    assert found, "no notice shown"
    kind, text = found.groups()
    return kind, html.unescape(text)


def announced_undo(peer: Peer, inner: str, object_id: str) -> list[dict[str, Any]]:
    """The group's Announces of an Undo of a `inner` activity about `object_id`."""
    return [
        a
        for a in peer.received_of("Announce", inner="Undo")
        if a["object"]["object"].get("type") == inner and a["object"]["object"].get("object") == object_id
    ]


async def test_moderators_list_the_communitys_posts_by_state(instance, peer: Peer) -> None:
    inst = await instance()
    scene = await news(inst, peer)
    rude = await scene.post("rude")
    await remove_post(inst.groups, rude, scene.moderator, reason="rude")
    plans = await scene.post("plans")
    async with staff_client(inst.base, "mia") as http:
        shown = await get(http, "/staff/c/news/posts")
        removed = await get(http, "/staff/c/news/posts?state=removed")
        everything = await get(http, "/staff/c/news/posts?state=all")
        held = await get(http, "/staff/c/news/posts?state=held")
        bad = await get(http, "/staff/c/news/posts?state=gone")
        past = await get(http, "/staff/c/news/posts?page=2")
    assert shown.status == 200 and "<h1>Posts in Daily News</h1>" in shown.text
    assert 'aria-current="page">Posts</a>' in shown.text  # the community's tab
    assert f'<a href="/staff/c/news/p/{plans.id}">Weekend plans</a>' in shown.text
    assert "I do!" in shown.text and "Nobody, you fool" not in shown.text
    assert f'<a href="/staff/c/news/p/{rude.id}">Nobody, you fool</a>' in removed.text
    assert "Removed: rude" in removed.text and "Weekend plans" not in removed.text
    assert all(t in everything.text for t in ("Weekend plans", "Nobody, you fool", "I do!"))
    assert "No held posts in Daily News." in held.text
    assert bad.status == 400 and "Unknown state" in bad.text
    assert past.status == 200 and "No more posts." in past.text


async def test_removing_a_thread_citing_a_rule_federates_and_restoring_undoes_it(
    instance, peer: Peer
) -> None:
    inst = await instance()
    scene = await news(inst, peer)
    plans = await scene.post("plans")
    note = scene.posts["plans"]["id"]
    await peer.wait_for(lambda: boosts(peer, note))
    async with staff_client(inst.base, "mia") as http:
        page = await get(http, f"/staff/c/news/p/{plans.id}")
        assert page.status == 200 and "<h1>Weekend plans</h1>" in page.text
        assert "<p>Who comes on Saturday?</p>" in page.text
        assert '<option value="1">Rule 1: Be kind.</option>' in page.text

        # When mia removes it citing rule 2 with a reason
        kind, text = await act(http, plans, "remove", rule="2", reason="Off topic  here")

        # Then the notice says so, the post is removed with the rule cited, and members' servers hear it
        why = "Rule 2: Stay on topic. Off topic here"
        assert (kind, text) == ("done-box", f"Removed post {plans.id} ({why}); members' servers are told.")
        assert ((await Post.get(id=plans.id)).state, (await Post.get(id=plans.id)).state_reason) == (
            "removed",
            why,
        )
        [wrapped] = await peer.wait_for(lambda: announced(peer, "Delete", note))
        assert wrapped["object"]["summary"] == why and wrapped["object"]["actor"] == scene.moderator
        [undo] = await peer.wait_for(lambda: peer.received_of("Undo", inner="Announce"))
        assert undo["object"]["object"] == note and undo["actor"] == scene.group
        entry = await ModlogEntry.get(action="remove_post")
        assert (entry.moderator, entry.details["rule"]) == (scene.moderator, 2)

        # When mia restores it
        kind, text = await act(http, plans, "restore", reason="appeal accepted")

        # Then it is shown again and members' servers get Undo{Delete} and a new boost
        assert (kind, text) == ("done-box", f"Restored post {plans.id}; members' servers are told.")
        assert (await Post.get(id=plans.id)).state == "visible"
        [restored] = await peer.wait_for(lambda: announced_undo(peer, "Delete", note))
        assert restored["object"]["object"]["id"] == wrapped["object"]["id"]
        await peer.wait_for(lambda: len(boosts(peer, note)) == 2)


async def test_locking_and_pinning_federate_and_show_on_the_post(instance, peer: Peer) -> None:
    inst = await instance()
    scene = await news(inst, peer)
    plans = await scene.post("plans")
    note = scene.posts["plans"]["id"]
    async with staff_client(inst.base, "mia") as http:
        assert await act(http, plans, "lock", reason="too heated") == (
            "done-box",
            f"Locked post {plans.id}: no new replies under it are accepted.",
        )
        [lock] = await peer.wait_for(lambda: announced(peer, "Lock", note))
        assert lock["object"]["summary"] == "too heated"
        page = await get(http, f"/staff/c/news/p/{plans.id}")
        assert '<span class="badge">Locked</span>' in page.text and f"/p/{plans.id}/unlock" in page.text

        assert (await act(http, plans, "unlock"))[1] == f"Unlocked post {plans.id}."
        await peer.wait_for(lambda: announced_undo(peer, "Lock", note))

        assert (await act(http, plans, "pin"))[1] == f"Pinned post {plans.id} to the top of Daily News."
        [add] = await peer.wait_for(lambda: announced(peer, "Add", note))
        assert add["object"]["target"] == f"{scene.group}/featured"
        assert (await Post.get(id=plans.id)).pinned_at is not None
        assert f"/p/{plans.id}/unpin" in (await get(http, f"/staff/c/news/p/{plans.id}")).text

        assert (await act(http, plans, "unpin"))[1] == f"Unpinned post {plans.id}."
        [gone] = await peer.wait_for(lambda: announced(peer, "Remove", note))
        assert gone["object"]["target"] == f"{scene.group}/featured"
        assert (await Post.get(id=plans.id)).pinned_at is None
    actions = await ModlogEntry.all().order_by("id").values_list("action", flat=True)
    assert actions == ["lock_post", "unlock_post", "pin_post", "unpin_post"]


async def test_impossible_actions_are_refused_with_the_services_reason(instance, peer: Peer) -> None:
    inst = await instance()
    scene = await news(inst, peer)
    plans, rude = await scene.post("plans"), await scene.post("rude")
    await remove_post(inst.groups, rude, scene.moderator, reason="rude")
    refusals = [
        (plans, "restore", {}, f"Post {plans.id} is not removed (it is visible)."),
        (rude, "pin", {}, f"Post {rude.id} is removed; only shown posts are locked or pinned."),
        (rude, "remove", {"reason": "again"}, f"Post {rude.id} is already removed."),
        (plans, "remove", {}, "Say why: give a reason, or the number of the rule broken."),
        (plans, "remove", {"rule": "9"}, "News has 2 rules; there is no rule 9."),
        (plans, "remove", {"rule": "first"}, "'first' is not the number of a rule."),
        (plans, "remove", {"reason": "x" * 2001}, "The reason is longer than 2000 characters."),
        (plans, "unlock", {}, f"Post {plans.id} is already unlocked."),
        (plans, "unpin", {}, f"Post {plans.id} is already not pinned."),
    ]
    async with staff_client(inst.base, "mia") as http:
        for post, action, fields, reason in refusals:
            assert await act(http, post, action, **fields) == ("error-box", reason), action
        calm = await scene.post("calm")
        assert await act(http, calm, "pin") == (
            "error-box",
            f"Post {calm.id} is a comment; only threads are pinned.",
        )
    assert (await Post.get(id=plans.id)).state == "visible"
    assert not await ModlogEntry.exclude(action="remove_post").exists()


async def test_only_the_communitys_moderators_and_admins_see_or_act(instance, peer: Peer) -> None:
    inst = await instance()
    scene = await news(inst, peer)
    pets = await inst.community("pets", title="Pets")
    await create_staff("otto", PASSWORD)
    await Moderator.create(group=pets, actor=inst.site.staff_uri("otto"))
    await admin("ada")
    plans = await scene.post("plans")
    path = f"/staff/c/news/p/{plans.id}"
    async with staff_client(inst.base, "mia") as http:
        token = await form_token(http, path)
    async with staff_client(inst.base, "otto") as http:
        listing = await get(http, "/staff/c/news/posts")
        assert listing.status == 403 and "Otto does not moderate news." in listing.text
        assert (await get(http, path)).status == 403
        other = await form_token(http, "/staff/c/pets/posts")
        resp = await http.post(f"{path}/remove", data={"csrf_token": other, "reason": "mine now"})
        assert resp.status_code == 403
        # nor through a community of their own
        resp = await http.post(
            f"/staff/c/pets/p/{plans.id}/remove", data={"csrf_token": other, "reason": "x"}
        )
        assert resp.status_code == 404 and f"there is no post {plans.id} in pets" in resp.text.lower()
    async with staff_client(inst.base, "ada") as http:
        assert (await get(http, path)).status == 200
        assert (await act(http, plans, "lock"))[0] == "done-box"
    async with staff_client(inst.base, "mia") as http:
        assert (await get(http, f"/staff/c/news/p/{2**62 + 1}")).status == 404
        assert (await get(http, "/staff/c/nothing/posts")).status == 404
        resp = await http.post(f"{path}/explode", data={"csrf_token": token})
        assert resp.status_code == 404
    async with client(inst.base) as http:
        resp = await http.get(path)
        assert resp.status_code == 303 and resp.headers["location"] == f"/staff/sign-in?next={path}"
        resp = await http.post(f"{path}/remove", data={"csrf_token": token, "reason": "x"})
        assert resp.status_code == 303 and resp.headers["location"].startswith("/staff/sign-in")
    assert (await Post.get(id=plans.id)).state == "visible"
    assert [e.action for e in await ModlogEntry.all()] == ["lock_post"]


async def test_actions_need_the_forms_csrf_token(instance, peer: Peer) -> None:
    inst = await instance()
    scene = await news(inst, peer)
    plans = await scene.post("plans")
    path = f"/staff/c/news/p/{plans.id}"
    async with staff_client(inst.base, "mia") as http:
        await form_token(http, path)
        resp = await http.post(f"{path}/remove", data={"reason": "no token"})
        assert resp.status_code == 403 and "reload the page" in resp.text
        resp = await http.post(f"{path}/pin", data={"csrf_token": "0" * 64})
        assert resp.status_code == 403
    fresh = await Post.get(id=plans.id)
    assert (fresh.state, fresh.pinned_at) == ("visible", None)
    assert not await ModlogEntry.exists()


async def test_remove_a_post_in_the_browser(instance, peer: Peer, browser: Browser) -> None:
    # Given news with a rude reply that someone answered
    inst = await instance()
    scene = await news(inst, peer)
    plans, rude = await scene.post("plans"), await scene.post("rude")

    # When mia signs in, opens the reply from the community's posts and removes it citing rule 1
    page = await browser_sign_in(browser, inst.base, "mia")
    await page.goto(inst.base + "/staff/c/news/posts")
    await page.get_by_role("link", name="Nobody, you fool").click()
    await page.wait_for_url(f"{inst.base}/staff/c/news/p/{rude.id}")
    await page.get_by_label("Rule broken").select_option(label="Rule 1: Be kind.")
    await page.get_by_label("Reason", exact=True).fill("Name-calling.")
    await screenshot(page, "staff-post-moderation")
    await page.get_by_role("button", name="Remove the post").click()

    # Then she sees the notice, and the post shows as removed with its reason
    await page.wait_for_url(f"{inst.base}/staff/c/news/p/{rude.id}")
    why = "Rule 1: Be kind. Name-calling."
    assert await page.get_by_role("status").inner_text() == (
        f"Removed post {rude.id} ({why}); members' servers are told."
    )
    assert await page.get_by_text(f"Removed: {why}").is_visible()
    assert await page.get_by_role("button", name="Restore the post").is_visible()

    # And the public thread shows it as removed, the answer under it kept
    await page.goto(f"{inst.base}/c/news/p/{plans.id}")
    assert await page.get_by_text("Removed by a moderator.").is_visible()
    assert await page.get_by_text("I do!").is_visible()
    assert await page.get_by_text("Nobody, you fool").count() == 0

    # And the members' server got the Delete, with the rule cited
    [wrapped] = await peer.wait_for(lambda: announced(peer, "Delete", scene.posts["rude"]["id"]))
    assert wrapped["object"]["summary"] == why and wrapped["actor"] == scene.group
