"""Public posts that reach this server any other way are heard too; a community never hears its own
posts; only public posts count; nothing heard is stored as a post or announced; the posts go after
FEDICOM_LISTEN_KEEP_DAYS and their daily counts stay; the CLI adds, lists and removes."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from fedicom.groups.models import Group, Post
from fedicom.listening.models import Heard, HeardDay, ListenKind
from fedicom.listening.pruning import prune
from fedicom.listening.report import listening
from fedicom.listening.subscriptions import add_term
from tests.support.cli import Run
from tests.support.peer import PUBLIC, Peer
from tests.support.steps import join, send, thread


async def test_public_posts_from_anywhere_are_heard_but_never_announced(instance, peer: Peer) -> None:
    inst = await instance()
    # Given two communities: brand listens for #acme and "widget", news for "widget"
    brand = await inst.community("brand")
    news = await inst.community("news")
    await add_term(brand, ListenKind.HASHTAG, "#Acme")
    await add_term(brand, ListenKind.KEYWORD, "widget")
    await add_term(news, ListenKind.KEYWORD, "Widget")
    alice, bob = peer.person("alice"), peer.person("bob")
    await join(peer, alice, inst.site.uri("brand"))

    # When bob's public post with the hashtag reaches the shared inbox (as a Mastodon post does)
    tagged = peer.note(
        bob,
        '<p>Broken again <a href="https://x.example/tags/acme">#<span>ACME</span></a>, terrible service</p>',
        to=[PUBLIC],
        tag=[{"type": "Hashtag", "name": "#ACME", "href": "https://x.example/tags/acme"}],
    )
    await send(peer, bob, f"{inst.base}/inbox", peer.activity("Create", bob, tagged, to=[PUBLIC]))
    # and a followers-only post about the widget, and alice's thread in brand about the widget
    private = peer.note(bob, "<p>my widget</p>", to=[f"{bob.uri}/followers"])
    await send(peer, bob, f"{inst.base}/inbox", peer.activity("Create", bob, private, to=private["to"]))
    own, _ = await thread(peer, alice, inst.site.uri("brand"), "<p>Which widget do you use?</p>")

    # Then brand heard bob's post (negative), news heard alice's thread, nobody heard the private post
    brand_heard = [(h.object_id, h.terms, str(h.sentiment)) for h in await Heard.filter(group=brand)]
    assert brand_heard == [(tagged["id"], ["#acme"], "negative")]
    news_heard = [(h.object_id, h.terms) for h in await Heard.filter(group=news)]
    assert news_heard == [(own["id"], ["widget"])]
    # and only alice's thread became a post, announced as ever; bob's post was never announced
    assert await Post.exists(object_id=own["id"])
    assert not await Post.exists(object_id=tagged["id"])
    await peer.wait_for(lambda: peer.received_of("Announce"))
    assert all(tagged["id"] not in json.dumps(a) for a in peer.received_of("Announce"))
    view = await listening(brand, 7)
    assert view.days[-1] | {"day": ""} == {
        "day": "",
        "posts": 1,
        "positive": 0,
        "neutral": 0,
        "negative": 1,
        "not_scored": 0,
    }

    # When the keep period has passed, the posts go and the daily counts stay
    assert await prune(datetime.now(UTC) + timedelta(days=31)) == 2
    assert not await Heard.exists()
    assert (await HeardDay.get(group=brand)).posts == 1
    assert (await listening(await Group.get(name="brand"), 7)).heard == []


def test_listen_add_list_remove_from_the_command_line(migrated: Run) -> None:
    assert migrated("community", "create", "brand").exit_code == 0
    added = migrated("listen", "add", "brand", "--keyword", "Acme", "--json")
    assert added.exit_code == 0, added.output
    made = json.loads(added.output)
    assert (made["community"], made["kind"], made["term"]) == ("brand", "keyword", "Acme")
    tag = migrated("listen", "add", "brand", "--hashtag", "#acme")
    assert tag.exit_code == 0 and "#acme" in tag.output, tag.output
    both = migrated("listen", "add", "brand", "--keyword", "a", "--hashtag", "b")
    assert both.exit_code != 0 and "exactly one" in both.output
    listed = json.loads(migrated("listen", "list", "--json").output)
    assert [(s["kind"], s["term"], s["relay_state"]) for s in listed] == [
        ("hashtag", "acme", None),
        ("keyword", "Acme", None),
    ]
    assert "acme" in migrated("listen", "list").output
    removed = migrated("listen", "remove", str(made["id"]))
    assert removed.exit_code == 0, removed.output
    assert [s["term"] for s in json.loads(migrated("listen", "list", "--json").output)] == ["acme"]
    missing = migrated("listen", "remove", "999")
    assert missing.exit_code == 1 and "no listening subscription 999" in missing.output
