"""Each member server gets a new thread once, in the shape its software reads, end to end on loopback.

Twelve peers claim a software in their NodeInfo (one claims none, one a name fedicom has no table
entry for); the community learns each from the member's Follow. What each receives is compared with
the recorded payloads of the software that reads that shape: Lemmy's `Announce{Create{Page}}`, the
object-URI Announce that Mastodon boosts (PeerTube's, which Mastodon shows), Mastodon's own `Create`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest

from fedicom.activitypub.models import RemoteServer
from fedicom.activitypub.software import Shape, shape_for
from fedicom.activitypub.vocab import host_of
from fedicom.publishing.compose import Author, draft_of, edit, publish
from fedicom.publishing.drafts import Draft
from tests.moderation.helpers import community_with_moderator
from tests.support.peer import Peer, serving
from tests.support.replay import fixtures_dir
from tests.support.steps import join, thread, until

SOFTWARE: list[str | None] = [
    "lemmy",
    "mbin",
    "piefed",
    "friendica",
    "nodebb",
    "mastodon",
    "misskey",
    "pleroma",
    "akkoma",
    "gotosocial",
    None,  # serves no NodeInfo
    "peertube",  # says, but reads neither shape for sure
]


def fixture(rel: str) -> dict[str, Any]:
    return json.loads((fixtures_dir() / rel).read_text())


def form(activity: dict[str, Any]) -> tuple[str, str]:
    """What a receiver dispatches on: the activity type and its object's type ("uri" for a bare id)."""
    inner = activity.get("object")
    return str(activity["type"]), str(inner.get("type")) if isinstance(inner, dict) else "uri"


def about(peer: Peer, object_id: str) -> list[dict[str, Any]]:
    """What the peer received about one object: its Create/Update, or an Announce of it (either form)."""
    found = []
    for r in peer.received:
        a = r.activity
        inner = a.get("object")
        if a["type"] == "Announce" and isinstance(inner, dict):
            inner = inner.get("object")
        target = inner.get("id") if isinstance(inner, dict) else inner
        if target == object_id:
            found.append(a)
    return found


@contextlib.asynccontextmanager
async def members(group: str) -> AsyncIterator[list[tuple[str | None, Peer]]]:
    """One peer per software, on its own loopback address, each with a member who joined `group`."""
    async with contextlib.AsyncExitStack() as stack:
        peers = []
        for n, software in enumerate(SOFTWARE):
            peer = await stack.enter_async_context(serving(f"127.0.0.{20 + n}"))
            peer.software = software
            await join(peer, peer.person(f"m{n}"), group)
            peers.append((software, peer))
        hosts = [host_of(p.base) for _, p in peers]

        async def learned() -> bool:
            asked = RemoteServer.filter(host__in=hosts, software_checked_at__isnull=False)
            return await asked.count() == len(hosts)

        await until(learned)
        yield peers


async def settled(peers: list[tuple[str | None, Peer]], object_id: str, wanted: dict[Shape, int]) -> None:
    """Wait until each peer has what its shape should get about `object_id`, then a little more."""
    for software, peer in peers:
        await peer.wait_for(lambda p=peer, s=software: len(about(p, object_id)) >= wanted[shape_for(s)])
    await asyncio.sleep(0.3)  # anything extra would arrive by now


async def test_each_member_server_gets_a_new_thread_once_in_the_shape_its_software_reads(
    instance,
) -> None:
    # Given a community whose members are on twelve servers, each naming its software in NodeInfo
    inst = await instance()
    group, _ = await community_with_moderator(inst)
    async with members(group) as peers:
        stored = dict(await RemoteServer.all().values_list("host", "software"))
        assert {stored[host_of(p.base)] for _, p in peers} == set(SOFTWARE)

        # When a member of the Lemmy server starts a thread
        lemmy = peers[0][1]
        note, item = await thread(lemmy, lemmy.people["m0"], group, "<p>Hello, everyone</p>")

        # Then each server gets it once, in its shape; servers whose software is not known get both
        await settled(peers, note["id"], {Shape.ACTIVITY: 1, Shape.SHOWN: 1, Shape.BOTH: 2})
        lemmy_reads = form(fixture("lemmy/activities/community/announce_create_page.json"))
        boost = form(fixture("peertube/activities/announce_video.json"))
        assert lemmy_reads == ("Announce", "Create") and boost == ("Announce", "uri")
        for software, peer in peers:
            got = sorted(form(a) for a in about(peer, note["id"]))
            expected = {
                Shape.ACTIVITY: [lemmy_reads],
                Shape.SHOWN: [boost],
                Shape.BOTH: sorted([lemmy_reads, boost]),
            }[shape_for(software)]
            assert got == expected, f"{software}: {got}"
        [wrapped] = [a for a in about(lemmy, note["id"]) if form(a) == lemmy_reads]
        # every field of Lemmy's own recorded announce is there, around the Create as received
        assert set(fixture("lemmy/activities/community/announce_create_page.json")) <= set(wrapped)
        assert wrapped["object"]["id"] == item.activity_id and wrapped["actor"] == group


async def test_the_communitys_own_thread_and_its_edit_reach_each_server_once(instance) -> None:
    # Given the same twelve member servers
    inst = await instance()
    group, mia = await community_with_moderator(inst)
    async with members(group) as peers:
        news = await inst.groups.group("news")
        author = Author(mia, inst.settings.data_dir)

        # When a moderator posts a thread as the community, then edits it
        draft = Draft(title="Open on Sunday", body="From 10:00.", as_community=True)
        post = await publish(inst.groups, author, news, draft)
        await settled(peers, post.object_id, {Shape.ACTIVITY: 1, Shape.SHOWN: 1, Shape.BOTH: 2})
        await edit(inst.groups, author, post, Draft(**{**draft_of(post).__dict__, "body": "From 9:00."}))
        await settled(peers, post.object_id, {Shape.ACTIVITY: 2, Shape.SHOWN: 2, Shape.BOTH: 4})

        # Then Mastodon and its kin get the Group's own Create and Update (the form Mastodon sends and
        # shows), FEP-1b12 readers get them announced, and unknown software gets both
        mastodon_sends = form(fixture("mastodon/activities/create_note.json"))
        assert mastodon_sends == ("Create", "Note")
        for software, peer in peers:
            got = sorted(form(a) for a in about(peer, post.object_id))
            announced = [("Announce", "Create"), ("Announce", "Update")]
            own = [("Create", "Page"), ("Update", "Page")]
            expected = {
                Shape.ACTIVITY: announced,
                Shape.SHOWN: own,
                Shape.BOTH: sorted(announced + own),
            }[shape_for(software)]
            assert got == expected, f"{software}: {got}"
            own_create = [a for a in about(peer, post.object_id) if a["type"] == "Create"]
            assert all(a["actor"] == group == a["object"]["attributedTo"] for a in own_create)


@pytest.mark.parametrize("software", ["lemmy", "mastodon"])
async def test_a_server_that_changes_software_is_sent_its_new_shape_after_a_refresh(
    instance, software: str
) -> None:
    """Stale knowledge is asked again: the stored time is what decides, not the process's memory."""
    inst = await instance()
    group, _ = await community_with_moderator(inst)
    async with serving("127.0.0.40") as peer:
        peer.software = "peertube"
        await join(peer, peer.person("m"), group)
        host = host_of(peer.base)
        await until(lambda: RemoteServer.exists(host=host, software="peertube"))
        peer.software = software
        await RemoteServer.filter(host=host).update(software_checked_at=1.0)  # checked long ago
        assert await inst.fed.software.learn(peer.base) == software
        assert (await inst.fed.software.split([f"{peer.base}/inbox"])).activity == (
            [f"{peer.base}/inbox"] if software == "lemmy" else []
        )
