"""Replays of the recorded ban and report fixtures (Lemmy, Mastodon, Mbin) through a community's inbox,
with the outcomes named in tests/interop/test_fixture_replay.py's OUTCOMES."""

from __future__ import annotations

import json
from pathlib import Path

from fedicom.activitypub.vocab import id_of
from fedicom.groups.models import Membership, Moderator, Post
from fedicom.moderation.models import Ban, ModlogEntry, Report
from fedicom.staff.accounts import create_staff
from tests.interop.stage import Sent, Stage, hold, snapshot, stage
from tests.interop.test_fixture_replay import ALPHA, BETA, LEMMY, LEMMY_POST_1, LEMMY_SEEDS, OUTCOMES, plant
from tests.moderation.helpers import PASSWORD
from tests.support.replay import fixtures_dir, load

BLOCK = "lemmy/activities/block/block_user.json"
UNDO_BLOCK = "lemmy/activities/block/undo_block_user.json"
REPORT = "lemmy/activities/community/report_page.json"
RESOLVE = "lemmy/activities/community/resolve_report_page.json"
REMOTE_MOD = "https://lemmy.example/u/mod"


def processed(sent: Sent) -> None:
    assert sent.status == 202, sent.body
    assert sent.item is not None and (sent.item.state, sent.item.error) == ("done", None), sent.item


def announced_as_received(s: Stage, sent: Sent, *, also: frozenset[str] = frozenset()) -> None:
    """Announce{the activity as received} to every member (and `also` to those it just removed)."""
    wrapped = [a for a in sent.outgoing if a["type"] == "Announce" and isinstance(a["object"], dict)]
    assert [a["object"] for a in wrapped] == [sent.activity]
    assert wrapped[0]["actor"] == s.uri
    assert sent.deliveries[wrapped[0]["id"]] == sent.member_inboxes | also


async def lemmy_moderator(s: Stage) -> None:
    """Given: lemmy_beta moderates the community from its own domain (here, this server's)."""
    await create_staff("lemmy_beta", PASSWORD)
    await Moderator.create(group=s.group, actor=BETA)


async def test_lemmy_ban_is_applied_announced_with_its_removals_and_undone(tmp_path: Path) -> None:
    fixtures_dir()
    assert (OUTCOMES[BLOCK], OUTCOMES[UNDO_BLOCK]) == ("banned", "unbanned")
    async with stage(tmp_path, LEMMY) as s:
        await plant(s, LEMMY_SEEDS)  # lemmy_alpha's thread (boosted) and comment
        await lemmy_moderator(s)

        sent = await s.send(load(BLOCK)[0])
        processed(sent)
        ban = await Ban.get(community=s.group, actor=ALPHA)
        assert (ban.reason, ban.remove_data, ban.expires_at.year) == ("spam post", True, 2021)  # type: ignore[union-attr]
        assert ban.activity_id == sent.activity["id"]
        assert not await Membership.exists(group=s.group, actor=ALPHA)
        # removeData: the thread and the comment are removed; Mastodon followers lose the boost
        assert set(await Post.filter(author=ALPHA).values_list("state", flat=True)) == {"removed"}
        announced_as_received(s, sent, also=frozenset({"http://ds9.lemmy.ml/inbox"}))  # the banned one's
        undos = [a for a in sent.outgoing if a["type"] == "Undo"]
        assert [(u["object"]["type"], u["object"]["object"]) for u in undos] == [("Announce", LEMMY_POST_1)]
        assert len(sent.outgoing) == 2
        assert await ModlogEntry.filter(action="ban", moderator=BETA, community="main").exists()

        undo = await s.send(load(UNDO_BLOCK)[0])
        processed(undo)
        assert not await Ban.exists()
        announced_as_received(s, undo)
        assert len(undo.outgoing) == 1


async def test_lemmy_ban_from_a_member_who_is_no_moderator_changes_nothing(tmp_path: Path) -> None:
    fixtures_dir()
    async with stage(tmp_path, LEMMY) as s:
        await plant(s, LEMMY_SEEDS)
        before = await snapshot()
        sent = await s.send(load(BLOCK)[0])
        assert sent.item is not None and "does not moderate main" in (sent.item.error or "")
        assert sent.outgoing == [] and await snapshot() == before and not await Ban.exists()


async def test_lemmy_report_is_queued_forwarded_without_the_reporter_and_resolved(tmp_path: Path) -> None:
    fixtures_dir()
    assert (OUTCOMES[REPORT], OUTCOMES[RESOLVE]) == ("reported", "report resolved")
    async with stage(tmp_path, LEMMY) as s:
        await plant(s, LEMMY_SEEDS)  # post/7 by lemmy_beta
        await s.key(REMOTE_MOD)
        await Moderator.create(group=s.group, actor=REMOTE_MOD)

        sent = await s.send(load(REPORT)[0])
        processed(sent)
        report = await Report.get()
        assert (report.reporter, report.targets, report.author) == (
            ALPHA,
            ["http://enterprise.lemmy.ml/post/7"],
            BETA,
        )
        assert (report.reason, report.state, report.community_id) == ("report this post", "open", s.group.id)  # type: ignore[attr-defined]
        [flag] = sent.outgoing
        assert (flag["type"], flag["actor"], flag["to"]) == ("Flag", f"{s.r.base}/actor", [s.uri])
        assert flag["object"] == "http://enterprise.lemmy.ml/post/7" and flag["summary"] == "report this post"
        assert sent.deliveries[flag["id"]] == {"https://lemmy.example/inbox"}
        assert ALPHA not in json.dumps(flag)

        # a moderator on the reporter's server closes it with Lemmy's Resolve{Flag}
        resolver = id_of(load(RESOLVE)[1]["actor"]) or ""
        await Moderator.create(group=s.group, actor=resolver)
        closed = await s.send(load(RESOLVE)[0])
        processed(closed)
        report = await Report.get()
        assert (report.state, report.resolved_by) == ("resolved", resolver)
        assert closed.outgoing == []


async def test_mastodon_report_about_an_account_and_its_posts(tmp_path: Path) -> None:
    fixtures_dir()
    path = "mastodon/activities/flag.json"
    assert OUTCOMES[path] == "reported"
    _, doc = load(path)
    async with stage(tmp_path, "https://fedicom.example/c/main") as s:
        await hold(s, "https://example.com/posts/380590", "https://example.com/users/1")
        await s.key(doc["actor"], kind="Application")
        sent = await s.send(load(path)[0], inbox="/inbox")  # Mastodon sends to the shared inbox
        processed(sent)
        [report] = await Report.all()
        assert (report.community_id, report.author, report.targets) == (
            s.group.id,
            doc["object"][0],
            doc["object"],
        )  # type: ignore[attr-defined]
        assert report.reason == "Please take a look at this user and their posts"
        assert sent.outgoing == []  # no moderator elsewhere to forward it to


async def test_mbin_report_with_both_reason_fields(tmp_path: Path) -> None:
    fixtures_dir()
    path = "mbin/activities/flag.json"
    assert OUTCOMES[path] == "reported"
    _, doc = load(path)
    async with stage(tmp_path, "https://lemmy-test/c/test_mag") as s:
        await hold(s, "https://lemmy-test/post/4", "https://lemmy-test/u/BentiGorlich")
        processed(await s.send(load(path)[0]))
        [report] = await Report.all()
        assert (report.community_id, report.reporter, report.reason) == (
            s.group.id,
            doc["actor"],
            doc["summary"],
        )  # type: ignore[attr-defined]
        assert report.author == "https://lemmy-test/u/BentiGorlich"
