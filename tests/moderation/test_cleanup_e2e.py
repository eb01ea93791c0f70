"""Clean-up jobs end to end: a ban with removeData removes the banned actor's posts and comments in a
job, each member server told in the shape its software reads; a job killed mid-way (SIGKILL of the
worker process running it) or stopped between batches resumes where it stopped and finishes with
every post removed once, no removal announced twice, even when the ban was lifted meanwhile."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from pathlib import Path
from typing import Any

from fedicom import storage
from fedicom.activitypub.holders import LeaseHolder
from fedicom.activitypub.models import OutgoingActivity, RemoteServer
from fedicom.activitypub.vocab import host_of
from fedicom.app import build_federation
from fedicom.groups.models import Post
from fedicom.jobs.models import Job
from fedicom.jobs.runner import JobRunner
from fedicom.moderation import bans, cleanup
from fedicom.moderation.models import ModlogEntry
from fedicom.staff.models import Staff
from tests.moderation.helpers import moderator
from tests.support.peer import PUBLIC, Peer
from tests.support.replay import FIXTURES
from tests.support.servers import Instance
from tests.support.steps import announced, join, reply, thread, until

THREADS = 40  # the troll's threads in the crash test: enough batches of one to kill the worker mid-way


def remove_fixture() -> dict[str, Any]:
    """Lemmy's recorded moderator removal; our own copy of the shape when the shared fixtures are absent."""
    path = FIXTURES / "lemmy/activities/deletion/remove_note.json"
    if not path.exists():
        path = Path(__file__).parents[1] / "fixtures" / "remove_page.json"
    return json.loads(path.read_text())  # type: ignore[no-any-return]


async def learned(*peers: Peer) -> None:
    """The community knows each peer's software (read from NodeInfo after the member's Follow)."""
    hosts = [host_of(p.base) for p in peers]

    async def known() -> bool:
        asked = RemoteServer.filter(host__in=hosts, software_checked_at__isnull=False)
        return await asked.count() == len(hosts)

    await until(known)


def undos(p: Peer) -> list[dict[str, Any]]:
    """The Undos of the group's boosts the peer received."""
    return [u for u in p.received_of("Undo") if u["object"]["type"] == "Announce"]


async def finished(job: Job) -> Job:
    return await until(lambda: Job.get_or_none(id=job.id, state="done"))


async def test_a_bans_removal_reaches_lemmy_members_as_delete_and_mastodon_members_as_undo(
    instance, peer: Peer, far_peer: Peer, third_peer: Peer
) -> None:
    # Given a community with a troll (127.0.0.1), a member on Lemmy and one on Mastodon, and the
    # troll's two threads and a comment under the Lemmy member's thread, all announced
    inst: Instance = await instance(hostname="localhost", cleanup_batch=2)
    await inst.community("news")
    group = f"{inst.base}/c/news"
    staff = await moderator(inst, "news")
    far_peer.software, third_peer.software = "lemmy", "mastodon"
    troll, lem, mast = peer.person("troll"), far_peer.person("lem"), third_peer.person("mast")
    for p, person in ((peer, troll), (far_peer, lem), (third_peer, mast)):
        await join(p, person, group)
    await learned(far_peer, third_peer)
    first, _ = await thread(peer, troll, group, "<p>spam</p>")
    second, _ = await thread(peer, troll, group, "<p>more spam</p>")
    friends, _ = await thread(far_peer, lem, group, "<p>hello</p>")
    comment, _ = await reply(peer, troll, group, friends["id"], "<p>spam reply</p>")
    theirs = [first["id"], second["id"], comment["id"]]
    for object_id in theirs:
        await far_peer.wait_for(lambda o=object_id: announced(far_peer, "Create", o))

    # When the moderator bans the troll, removing their content
    item = await bans.ban(inst.groups, staff, troll.uri, community="news", reason="spam", remove_data=True)

    # Then the ban answers with its clean-up queued, and the job removes all three
    job = await cleanup.job_of_ban(item.activity_id)
    assert job is not None and cleanup.summary(job).what == "ban"
    done = cleanup.summary(await finished(job))
    assert (done.target, done.community, done.counts) == (troll.uri, "news", {"posts_removed": 3})
    states = await Post.filter(object_id__in=theirs).values_list("state", "state_reason")
    assert states == [("removed", "author banned: spam")] * 3
    assert (await Post.get(object_id=friends["id"])).state == "visible"
    [entry] = await ModlogEntry.filter(action="remove_data_applied")
    assert (entry.target, entry.community, entry.details) == (troll.uri, "news", {"posts_removed": 3})

    # And the Lemmy member's server gets, for each of them, the group's Announce of the moderator's
    # Delete in the shape of Lemmy's remove_note.json, once; no Undo of a boost
    for object_id in theirs:
        [wrapped] = await far_peer.wait_for(lambda o=object_id: announced(far_peer, "Delete", o))
        delete = wrapped["object"]
        assert set(remove_fixture()) <= set(delete)
        assert (delete["actor"], delete["object"], delete["summary"]) == (
            f"{inst.base}/u/mod",
            object_id,
            "author banned: spam",
        )
        assert (delete["to"], delete["cc"], delete["audience"]) == ([PUBLIC], [group], group)
        assert wrapped["actor"] == group
    # And the Mastodon member's server gets the Undo of each thread's boost (a comment was never
    # boosted), and no Delete it would ignore
    undone = await third_peer.wait_for(lambda: undos(third_peer) if len(undos(third_peer)) >= 2 else [])
    assert sorted(u["object"]["object"] for u in undone) == sorted([first["id"], second["id"]])
    await asyncio.sleep(0.3)  # anything extra would arrive by now
    assert not announced(third_peer, "Delete")
    assert not undos(far_peer) and len(undos(third_peer)) == 2
    assert len(announced(far_peer, "Delete")) == 3


def worker_env(inst: Instance, batch: int) -> dict[str, str]:
    """`fedicom worker` on the instance's database, its clean-ups one row a transaction."""
    s = inst.settings
    values = {
        "FEDICOM_DATA_DIR": str(s.data_dir),
        "FEDICOM_DATABASE_URL": s.database_url,
        "FEDICOM_DOMAIN": s.domain,
        "FEDICOM_BASE_URL": s.base_url,
        "FEDICOM_DEV": "1",
        "FEDICOM_DEMO_COMMUNITY": "0",
        "FEDICOM_CLEANUP_BATCH": str(batch),
    }
    return {k: v for k, v in os.environ.items() if not k.startswith("FEDICOM_")} | values


async def progress_past(job_id: int, rows: int) -> Job:
    """The job once it has saved progress past `rows` rows (failing if it finished first)."""

    async def past() -> Job | None:
        job = await Job.get(id=job_id)
        assert job.state == "pending", "the clean-up ended before it was stopped: the test proves nothing"
        return job if job.progress is not None and job.progress.done >= rows else None

    return await until(past, timeout=60)


async def test_a_clean_up_killed_or_stopped_mid_way_resumes_and_removes_each_post_once(
    instance, tmp_path: Path, peer: Peer, far_peer: Peer
) -> None:
    # Given a community whose Lemmy member saw the troll's threads, then a server stopped
    inst: Instance = await instance(hostname="localhost")
    await inst.community("news")
    group = f"{inst.base}/c/news"
    await moderator(inst, "news")
    far_peer.software = "lemmy"
    troll, lem = peer.person("troll"), far_peer.person("lem")
    await join(peer, troll, group)
    await join(far_peer, lem, group)
    await learned(far_peer)
    theirs = [(await thread(peer, troll, group, f"<p>spam {n}</p>"))[0]["id"] for n in range(THREADS)]
    await inst.stop()
    await storage.open_db(inst.settings)
    runtime = build_federation(inst.settings)
    holder = LeaseHolder()
    stop_beating = asyncio.Event()
    try:
        await runtime.fed.start()
        item = await bans.ban(
            runtime.groups,
            await Staff.get(username="mod"),
            troll.uri,
            community="news",
            reason="spam",
            remove_data=True,
        )
        job = await cleanup.job_of_ban(item.activity_id)
        assert job is not None

        # When a worker process running the clean-up is killed (SIGKILL) mid-way
        worker = await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            "from fedicom.cli import run; run()",
            "worker",
            env=worker_env(inst, batch=1),
            cwd=tmp_path,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )
        try:
            await progress_past(job.id, 3)
        finally:
            os.kill(worker.pid, signal.SIGKILL)
            await worker.wait()
        killed = await Job.get(id=job.id)
        assert killed.state == "pending" and killed.progress is not None
        assert 3 <= killed.progress.done < THREADS
        removed = await Post.filter(object_id__in=theirs, state="removed").count()
        assert removed == killed.progress.done  # the work of each batch committed with its progress

        # And this process takes it over at once (the killed one's pid is gone), runs a few more
        # batches and is stopped: it hands the job back between two batches, no try counted
        runner = JobRunner(cleanup.handlers(runtime.groups, batch=1), holder=holder, poll=0.05)
        await holder.start()  # its sweep releases the killed process's leases, the job's among them
        beating = asyncio.create_task(holder.run(stop_beating))
        stop = asyncio.Event()
        running = asyncio.create_task(runner.run(stop))
        await progress_past(job.id, killed.progress.done + 3)
        stop.set()
        await running
        paused = await Job.get(id=job.id)
        assert (paused.state, paused.tries, paused.leased_by) == ("pending", 0, None)
        assert paused.progress is not None and paused.progress.done < THREADS

        # And the ban is lifted before the clean-up is done
        await bans.unban(runtime.groups, await Staff.get(username="mod"), troll.uri, community="news")

        # Then a new runner finishes it: every thread removed, each removal announced once
        finisher = JobRunner(cleanup.handlers(runtime.groups, batch=5), holder=holder)
        assert await finisher.run_due() == 1
        ended = await Job.get(id=job.id)
        assert (ended.state, ended.tries) == ("done", 1)
        assert await Post.filter(object_id__in=theirs).exclude(state="removed").count() == 0
        announces = await OutgoingActivity.filter(
            actor=group, type="Announce", inner_type="Delete", object_id__in=theirs
        ).values_list("object_id", flat=True)
        assert sorted(announces) == sorted(theirs)
        [entry] = await ModlogEntry.filter(action="remove_data_applied")
        assert entry.details == {"posts_removed": THREADS}
        beating.cancel()
    finally:
        stop_beating.set()
        await holder.stop()
        await runtime.fed.session.close()
        await storage.close_db()
