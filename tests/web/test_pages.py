"""The public pages over real HTTP: a community with its threads sorted and paged, a thread with its
replies nested, the directory with search and filters, the about page, errors as pages."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import httpx

from fedicom.groups.browse import PAGE_SIZE
from fedicom.groups.models import Group, Post
from fedicom.moderation.blocks import block_domain
from fedicom.moderation.threads import pin_post
from fedicom.staff.accounts import create_staff
from fedicom.web.appstate import app_state
from tests.support.peer import Peer
from tests.web.http import client, get
from tests.web.scene import PASSWORD, PRIVACY, community, discussion, join, thread


async def test_the_community_page_shows_what_a_visitor_needs_to_decide(instance, peer: Peer) -> None:
    inst = await instance()
    scene = await community(inst, peer)
    async with client(inst.base) as http:
        page = await get(http, "/c/news")
    assert page.status == 200 and page.headers["content-type"].startswith("text/html")
    text = page.text
    assert "<h1>Daily News</h1>" in text
    assert f"@news@{inst.settings.domain}" in text and "4 members" in text
    assert "News and links about the open web" in text
    assert "<li>Be kind.</li>" in text and "<li>Stay on topic.</li>" in text  # RULES, as markdown
    assert PRIVACY in text
    assert f'href="{scene.moderator}"' in text and f"@mia@{inst.settings.domain}" in text
    assert 'href="/c/news/modlog"' in text
    assert 'action="/c/news/follow"' in text and 'name="csrf_token"' in text
    assert "No posts yet" in text


async def test_threads_are_sorted_hot_new_and_top_with_their_scores(instance, peer: Peer) -> None:
    inst = await instance()
    await discussion(inst, peer)
    async with client(inst.base) as http:
        hot, new, top = [await get(http, f"/c/news?sort={s}") for s in ("hot", "new", "top")]
        default = await get(http, "/c/news")
    # Hot: the fresh thread first; the ten-day-old favourite is past Lemmy's one-week horizon
    assert hot.titles() == ["Fresh news", "Disputed", "Old but loved"] == default.titles()
    # New: arrival order, newest first
    assert new.titles() == ["Disputed", "Fresh news", "Old but loved"]
    # Top: score (3, 1, -2)
    assert top.titles() == ["Old but loved", "Fresh news", "Disputed"]
    assert ">3 points<" in top.text and ">1 point<" in top.text and ">-2 points<" in top.text
    assert '<a href="/c/news?sort=top" aria-current="page">Top</a>' in top.text
    assert ">8 replies<" in top.text  # the chain under "Fresh news"


async def test_pages_of_threads_and_pinned_threads_first(instance, peer: Peer) -> None:
    inst = await instance()
    scene = await community(inst, peer, members=("alice",))
    group = await inst.groups.group("news")
    now = datetime.now(UTC)
    for i in range(PAGE_SIZE + 5):
        await Post.create(
            group=group,
            object_id=f"{peer.base}/objects/t{i}",
            type="Page",
            author=scene.people["alice"].uri,
            title=f"Thread {i:02}",
            content="<p>x</p>",
            document={},
            published=now - timedelta(minutes=100 - i),
        )
    await pin_post(
        inst.groups, await Post.get(title="Thread 03").prefetch_related("group"), scene.moderator, pinned=True
    )
    async with client(inst.base) as http:
        first = await get(http, "/c/news?sort=new")
        second = await get(http, "/c/news?sort=new&page=2")
        third = await get(http, "/c/news?sort=new&page=3")
    assert first.titles()[0] == "Thread 03" and '<strong class="badge">Pinned</strong>' in first.text
    assert first.titles()[1:] == [f"Thread {i:02}" for i in range(24, 4, -1)]
    assert 'rel="next" href="/c/news?sort=new&amp;page=2"' in first.text and 'rel="prev"' not in first.text
    assert second.titles() == ["Thread 04", "Thread 02", "Thread 01", "Thread 00"]  # pinned: not repeated
    assert 'rel="prev" href="/c/news?sort=new&amp;page=1"' in second.text and 'rel="next"' not in second.text
    assert third.titles() == [] and "No more posts." in third.text


async def test_bad_sort_or_page_get_a_clear_error_page(instance) -> None:
    inst = await instance()
    await inst.community("news")
    async with client(inst.base) as http:
        bad_sort = await get(http, "/c/news?sort=best")
        bad_page = await get(http, "/c/news?page=0")
        actor = await http.get("/c/news?sort=best", headers={"Accept": "application/activity+json"})
    assert bad_sort.status == 400 and "Sort must be one of hot, new, top." in bad_sort.text
    assert (
        bad_sort.headers["content-type"].startswith("text/html")
        and "<h1>That did not work</h1>" in bad_sort.text
    )
    assert bad_page.status == 400 and "Page must be a whole number from 1 to 10000." in bad_page.text
    assert actor.status_code == 200 and actor.json()["type"] == "Group"  # page parameters mean nothing there


async def test_a_thread_page_nests_replies_to_a_bounded_depth(instance, peer: Peer) -> None:
    inst = await instance()
    scene = await discussion(inst, peer)
    fresh, level6, level7 = [await scene.post(n) for n in ("fresh", "level6", "level7")]
    async with client(inst.base) as http:
        page = await get(http, f"/c/news/p/{fresh.id}")
        deeper = await get(http, f"/c/news/p/{level6.id}")
    text = page.text
    assert '<h1 id="thread-title">Fresh news</h1>' in text and "<strong>fresh</strong> news" in text
    assert '<span class="score">1 point</span> (1 up, 0 down)' in text
    for level in range(1, 7):
        assert f"Reply at level {level}</p>" in text
    assert "Reply at level 7" not in text  # below the shown depth
    assert f'<a href="/c/news/p/{level6.id}">Continue this thread (2 more replies)</a>' in text
    assert text.count('<ol class="comments">') == 6
    assert scene.posts["fresh"]["id"] in text  # the address to paste in one's own app
    # Continuing shows the reply with the rest of the chain, and the way back
    assert "You are reading one reply and the answers to it." in deeper.text
    assert f'<a href="/c/news/p/{fresh.id}">Read the whole thread</a>' in deeper.text
    assert "Reply at level 6</p>" in deeper.text and "Reply at level 8</p>" in deeper.text
    assert f'id="c{level7.id}"' in deeper.text


async def test_a_removed_reply_stays_as_a_placeholder_when_answered(instance, peer: Peer) -> None:
    inst = await instance()
    scene = await discussion(inst, peer)
    disputed, rude = await scene.post("disputed"), await scene.post("rude")
    async with client(inst.base) as http:
        page = await get(http, f"/c/news/p/{disputed.id}")
        removed = await get(http, f"/c/news/p/{rude.id}")
    assert "Removed by a moderator." in page.text and "Rude words" not in page.text
    assert "Calm answer" in page.text
    assert removed.status == 404 and f"There is no post {rude.id} in news." in removed.text


async def test_a_private_community_shows_no_posts_to_visitors(instance, peer: Peer) -> None:
    inst = await instance()
    scene = await community(inst, peer, members=("alice",))
    await Group.filter(name="news").update(private=True)
    inst.groups.forget_group("news")
    note, _ = await thread(
        peer, scene.people["alice"], scene.group, "<p>members only</p>", name="Secret plans", to=[scene.group]
    )
    post = await Post.get(object_id=note["id"])
    async with client(inst.base) as http:
        page = await get(http, "/c/news")
        thread_page = await get(http, f"/c/news/p/{post.id}")
    assert "private community" in page.text and "Secret plans" not in page.text
    assert (
        thread_page.status == 403
        and "The posts of news, a private community, are shown to its members only." in thread_page.text
    )
    assert "Secret plans" not in thread_page.text


async def test_the_home_page_finds_communities_by_words_topic_and_language(instance, peer: Peer) -> None:
    inst = await instance(instance_description="Communities about *the open web*.")
    scene = await community(inst, peer, members=("alice", "bob"))
    await inst.community("garden", title="Urban Garden", summary="Vegetables on balconies. #gardening")
    await inst.community("club", title="Book Club", summary="Private reading group. #books", private=True)
    await inst.community("hidden", title="Not listed")
    await Group.filter(name="hidden").update(discoverable=False)
    alice = scene.people["alice"]
    await thread(peer, alice, scene.group, "<p>hello</p>", contentMap={"en": "<p>hello</p>"})
    await join(peer, alice, f"{inst.base}/c/garden")
    await thread(peer, alice, f"{inst.base}/c/garden", "<p>Tomaten</p>", contentMap={"de": "<p>Tomaten</p>"})
    app_state(inst.app).directory.forget()
    async with client(inst.base) as http:
        home = await get(http, "/")
        words = await get(http, "/?q=Vegetables+balcon")
        topic = await get(http, "/?topic=openweb")
        german = await get(http, "/?language=de")
        none = await get(http, "/?q=knitting")
    assert "Communities about <em>the open web</em>." in home.text and "How to join" in home.text
    for title in ("Daily News", "Urban Garden", "Book Club"):
        assert title in home.text
    assert "Not listed" not in home.text
    assert home.text.index("Daily News") < home.text.index("Urban Garden")  # most members first
    assert '<option value="gardening">#gardening</option>' in home.text
    assert '<option value="de" lang="de">Deutsch</option>' in home.text
    assert "private: moderators approve members" in home.text
    assert "Urban Garden" in words.text and "Daily News" not in words.text
    assert "1 of 3 communities match." in words.text
    assert "Daily News" in topic.text and "Urban Garden" not in topic.text
    assert "Urban Garden" in german.text and "Daily News" not in german.text
    assert "No community matches." in none.text


async def test_the_about_page_has_rules_contact_blocked_servers_and_the_modlog(instance) -> None:
    inst = await instance(
        instance_description="A server for *local* groups.",
        instance_rules="1. No harassment.\n2. No spam.",
        contact="admin@community.example",
    )
    await create_staff("root", PASSWORD, is_admin=True)
    await block_domain(
        inst.groups,
        inst.defed,
        "spam.example",
        public_comment="Sends spam <b>daily</b>",
        moderator=inst.site.staff_uri("root"),
    )
    async with client(inst.base) as http:
        page = await get(http, "/about")
    text = page.text
    assert page.status == 200 and "A server for <em>local</em> groups." in text
    assert "<li>No harassment.</li>" in text
    assert '<a href="mailto:admin@community.example">admin@community.example</a>' in text
    assert "spam.example" in text and "Sends spam &lt;b&gt;daily&lt;/b&gt;" in text
    assert 'href="/about/blocked"' in text and 'href="/modlog"' in text


async def test_unknown_pages_are_pages_for_browsers_and_json_for_programs(instance) -> None:
    inst = await instance()
    async with client(inst.base) as http:
        page = await get(http, "/c/nothing")
        api = await http.get("/c/nothing", headers={"Accept": "application/activity+json"})
        plain = await http.get("/c/nothing", headers={"Accept": "*/*"})
    assert page.status == 404 and "<h1>Not found</h1>" in page.text
    assert "There is no community named nothing." in page.text
    assert api.status_code == 404 and api.json() == {"error": "there is no community named nothing"}
    assert plain.json() == {"error": "there is no community named nothing"}


async def test_every_page_carries_a_strict_content_security_policy(instance, peer: Peer) -> None:
    inst = await instance(dev=False, base_url="https://community.example", domain="community.example")
    await inst.community("news")
    expected = (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
        "object-src 'none'; form-action 'self' https:; base-uri 'none'; frame-ancestors 'none'"
    )
    port = inst.server.servers[0].sockets[0].getsockname()[1]
    async with httpx.AsyncClient(
        base_url=f"http://127.0.0.1:{port}", headers={"Accept": "text/html"}
    ) as http:
        for path in ("/", "/c/news", "/c/news/follow", "/about", "/about/blocked", "/modlog", "/c/nope"):
            resp = await http.get(path)
            assert resp.headers["content-type"].startswith("text/html"), path
            assert resp.headers["content-security-policy"] == expected, path
            assert resp.headers["x-content-type-options"] == "nosniff", path
            assert resp.headers["referrer-policy"] == "same-origin", path
            assert resp.headers["x-frame-options"] == "DENY", path
            assert not re.search(r"<script(?![^>]*\ssrc=)", resp.text), f"{path} has an inline script"
            assert " style=" not in resp.text and "<style" not in resp.text, f"{path} has inline styles"
        actor = await http.get("/c/news", headers={"Accept": "application/activity+json"})
        assert actor.headers["x-content-type-options"] == "nosniff"
        assert "content-security-policy" not in actor.headers
        css = await http.get("/static/fedicom.css?v=1")
        assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
        assert css.headers["cache-control"] == "public, max-age=31536000, immutable"
