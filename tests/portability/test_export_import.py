"""Export and import on one instance: a community copied under another name has every row, each
post linked to its original; a damaged, tampered, too new or half-importable archive leaves nothing;
the Group's key travels only when asked, sealed with the passphrase."""

from __future__ import annotations

import asyncio
import hashlib
import json
import zipfile
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from fedicom.activitypub.models import SigningKey
from fedicom.errors import BadRequest
from fedicom.groups.models import Alias, Group, Post
from fedicom.groups.moving import move_community
from fedicom.jobs.models import Job
from fedicom.moderation.models import ModlogEntry
from fedicom.portability.archive import ArchiveError
from fedicom.portability.export import export_community
from fedicom.portability.importing import ImportFailed, import_community
from fedicom.portability.sealing import WrongPassphrase
from fedicom.publishing.compose import Author
from fedicom.publishing.drafts import Draft
from fedicom.publishing.models import ScheduledPost, ScheduleState
from fedicom.publishing.scheduling import KIND, schedule
from fedicom.staff.accounts import create_staff, name_reserved
from fedicom.staff.models import Staff
from tests.portability.scene import PASSWORD, counts, populate, posts_of
from tests.support.peer import Peer
from tests.support.servers import Instance
from tests.support.steps import until

Start = Callable[..., Awaitable[Instance]]


async def exported(inst: Instance, group: Group, path: Path, passphrase: str | None = None) -> Path:
    await export_community(inst.fed.keys, inst.site, inst.files, group, path, passphrase=passphrase)
    return path


async def imported(inst: Instance, path: Path, name: str, passphrase: str | None = None) -> Group:
    done = await import_community(
        inst.fed.keys, inst.site, inst.files, path, name=name, passphrase=passphrase, reserved=name_reserved
    )
    return done.group


def rewrite(path: Path, change: Callable[[str, bytes], bytes | None], *, resum: bool = True) -> None:
    """The archive with members changed (None drops one), its checksums recomputed unless told not."""
    with zipfile.ZipFile(path) as old:
        members = {name: old.read(name) for name in old.namelist()}
    manifest = json.loads(members.pop("manifest.json"))
    kept: dict[str, bytes] = {}
    for name, data in members.items():
        new = change(name, data)
        if new is not None:
            kept[name] = new
    if resum:
        manifest["files"] = {name: hashlib.sha256(data).hexdigest() for name, data in kept.items()}
    changed_manifest = change("manifest.json", json.dumps(manifest).encode())
    with zipfile.ZipFile(path, "w") as out:
        for name, data in kept.items():
            out.writestr(name, data)
        out.writestr("manifest.json", changed_manifest or json.dumps(manifest).encode())


async def nothing_left(name: str, before: dict[str, int]) -> None:
    assert not await Group.exists(name=name)
    assert not await ModlogEntry.filter(community=name).exists()
    assert await Post.all().count() == before["posts"]
    assert not await SigningKey.filter(owner__endswith=f"/c/{name}").exists()


async def test_a_community_copied_under_another_name_has_every_row_linked_to_its_original(
    instance: Start, peer: Peer, tmp_path: Path
) -> None:
    inst = await instance()
    scene = await populate(inst, peer)
    path = await exported(inst, scene.group, tmp_path / "brand.zip")

    copy = await imported(inst, path, "brand2")

    source_counts = await counts(scene.group)
    assert source_counts["posts"] == 7 and source_counts["votes"] == 2 and source_counts["poll_votes"] == 1
    assert all(
        source_counts[s] for s in ("moderators", "members", "bans", "filters", "aliases", "idea_states")
    )
    assert source_counts["scheduled_posts"] == 1
    copied_counts = await counts(copy)
    # and the import itself in the modlog; the community it came from among its aliases
    plus = {"modlog": 1, "aliases": 1}
    assert copied_counts == {k: v + plus.get(k, 0) for k, v in source_counts.items()}
    assert await Alias.filter(group=copy, actor=scene.uri).exists()
    assert await posts_of(copy) == await posts_of(scene.group)
    source = await Group.get(name="brand")
    assert (copy.title, copy.rules, copy.kind, copy.origin_uri) == (
        source.title,
        source.rules,
        source.kind,
        scene.uri,
    )
    assert copy.icon_url == source.icon_url  # the same picture, stored again under its content hash
    # the staff post's page is a page of the copy; a member's post keeps its own id
    staff_post = await Post.get(group=copy, origin_uri=scene.threads[2])
    assert staff_post.object_id == f"{inst.site.uri('brand2')}/p/{staff_post.id}"
    assert staff_post.document["id"] == staff_post.object_id
    assert await Post.filter(group=copy, object_id=scene.threads[0]).exists()
    # without --with-keys the copy has a key of its own and the archive none
    with zipfile.ZipFile(path) as archive:
        assert "key.json" not in archive.namelist()
        assert b"PRIVATE KEY" not in b"".join(archive.read(n) for n in archive.namelist())
    keys = {k.owner: k.private_pem for k in await SigningKey.all()}
    assert keys[inst.site.uri("brand2")] != keys[scene.uri]


async def test_a_scheduled_post_is_pending_in_the_copy_at_its_time_and_comes_out_there(
    instance: Start, tmp_path: Path
) -> None:
    inst = await instance()
    await create_staff("root", PASSWORD, is_admin=True)
    await create_staff("mia", PASSWORD, is_admin=True)
    group = await inst.community("news")
    root = Author(inst.site.staff_uri("root"), inst.files)
    mia = Author(inst.site.staff_uri("mia"), inst.files)
    at = datetime.now(UTC) + timedelta(seconds=4)
    await schedule(inst.groups, root, group, Draft(title="Launch", body="We launch today."), at=at)
    call = Draft(title="Call", body="Weekly call")
    weekly = await schedule(inst.groups, root, group, call, every="fri 10:00")
    await schedule(inst.groups, mia, group, Draft(title="Mia", body="By mia"), at=at + timedelta(hours=1))
    gone = Draft(title="Gone", body="Gone")
    done = await schedule(inst.groups, root, group, gone, at=at + timedelta(hours=2))
    await ScheduledPost.filter(id=done.id).update(state=ScheduleState.CANCELLED)  # not exported
    path = await exported(inst, group, tmp_path / "news.zip")
    await Staff.filter(username="mia").update(disabled=True)  # mia has no account to publish as

    result = await import_community(
        inst.fed.keys, inst.site, inst.files, path, name="news2", reserved=name_reserved
    )

    copy = result.group
    assert result.counts["scheduled_posts"] == 3 and result.skipped == {"scheduled_posts": 1}
    assert result.notes == (f"a scheduled post was not imported: {mia.actor} has no staff account here",)
    pending = await ScheduledPost.filter(group=copy, state=ScheduleState.SCHEDULED).order_by("run_at")
    originals = {p.draft["body"]: p for p in await ScheduledPost.filter(group=group)}
    assert [(p.draft, p.run_at, p.every, p.timezone, p.author) for p in pending] == [
        (o.draft, o.run_at, o.every, o.timezone, root.actor)
        for o in (originals["We launch today."], originals["Weekly call"])
    ]
    assert abs(pending[0].run_at - at) < timedelta(milliseconds=1) and pending[1].run_at == weekly.run_at
    queued = {json.loads(j.payload)["id"] for j in await Job.filter(kind=KIND, state="pending")}
    assert {p.id for p in pending} <= queued
    entry = await ModlogEntry.get(community="news2", reason__startswith="imported from")
    assert entry.details["skipped"] == {"scheduled_posts": 1}

    # at its time the job publishes it in the copy, as root, once
    [post] = await until(lambda: Post.filter(group=copy, title="Launch"))
    assert post.author == root.actor and "We launch today." in post.content
    launched = await ScheduledPost.get(id=pending[0].id)
    assert (launched.state, launched.published, launched.last_post_id) == (ScheduleState.DONE, 1, post.id)
    await asyncio.sleep(1)
    assert await Post.filter(group=copy, title="Launch").count() == 1


async def test_a_time_passed_before_the_import_skips_a_one_off_and_moves_a_repeated_one_on(
    instance: Start, tmp_path: Path
) -> None:
    inst = await instance()
    await create_staff("root", PASSWORD, is_admin=True)
    group = await inst.community("news")
    root = Author(inst.site.staff_uri("root"), inst.files)
    soon = datetime.now(UTC) + timedelta(hours=1)
    await schedule(inst.groups, root, group, Draft(title="Once", body="Once"), at=soon)
    await schedule(inst.groups, root, group, Draft(title="Daily", body="Daily"), every="daily 09:00")
    path = await exported(inst, group, tmp_path / "news.zip")
    past = "2026-01-05T09:00:00+00:00"  # the archive waited before it was imported

    def passed(name: str, data: bytes) -> bytes:
        if name != "scheduled_posts.ndjson":
            return data
        rows = [json.loads(line) for line in data.splitlines()]
        return b"".join(json.dumps({**row, "run_at": past}).encode() + b"\n" for row in rows)

    rewrite(path, passed)
    result = await import_community(
        inst.fed.keys, inst.site, inst.files, path, name="news2", reserved=name_reserved
    )

    assert result.skipped == {"scheduled_posts": 1}
    assert result.notes == (
        "a scheduled post was not imported: its time, 2026-01-05 09:00 UTC, passed before the import",
    )
    [daily] = await ScheduledPost.filter(group=result.group)
    assert daily.draft["body"] == "Daily" and daily.every == "daily 09:00"
    assert datetime.now(UTC) < daily.run_at <= datetime.now(UTC) + timedelta(days=1)
    assert (daily.run_at.hour, daily.run_at.minute) == (9, 0)

    # a rule this fedicom cannot read refuses the whole import
    rewrite(path, lambda name, data: data.replace(b"daily 09:00", b"someday 09:00"))
    with pytest.raises(ImportFailed, match="scheduled_posts near row 1 cannot be recreated"):
        await imported(inst, path, "news3")
    assert not await Group.exists(name="news3")


async def test_the_imported_community_lists_its_source_so_the_old_one_moves_there_at_once(
    instance: Start, tmp_path: Path
) -> None:
    # export, import, move: no `alias add` in between
    inst = await instance()
    await create_staff("root", PASSWORD, is_admin=True)
    old = await inst.community("brand", title="Brand")
    copy = await imported(inst, await exported(inst, old, tmp_path / "brand.zip"), "brand_new")
    [alias] = await Alias.filter(group=copy)
    assert alias.actor == inst.site.uri("brand") and alias.moved_at is None

    await move_community(inst.groups, old, inst.site.uri("brand_new"))

    assert (await Group.get(name="brand")).moved_to == inst.site.uri("brand_new")
    await until(lambda: Alias.filter(group=copy, moved_at__not_isnull=True).exists())  # its Move arrived

    # imported again here under the name of a community that is gone: it is not an alias of itself
    solo = await inst.community("solo")
    path = await exported(inst, solo, tmp_path / "solo.zip")
    await Group.filter(name="solo").delete()
    again = await imported(inst, path, "solo")
    assert not await Alias.filter(group=again).exists()


async def test_the_key_travels_sealed_and_opens_only_with_its_passphrase(
    instance: Start, peer: Peer, tmp_path: Path
) -> None:
    inst = await instance()
    group = await inst.community("keyed")
    path = await exported(inst, group, tmp_path / "keyed.zip", passphrase="long secret words")
    with zipfile.ZipFile(path) as archive:
        sealed = archive.read("key.json")
        assert b"PRIVATE KEY" not in sealed and json.loads(archive.read("manifest.json"))["with_key"]

    with pytest.raises(WrongPassphrase, match="passphrase does not open"):
        await imported(inst, path, "wrong", passphrase="not it")
    with pytest.raises(BadRequest, match="give its passphrase"):
        await imported(inst, path, "none")
    assert not await Group.exists(name__in=["wrong", "none"])

    await imported(inst, path, "keyed2", passphrase="long secret words")
    original = await SigningKey.get(owner=inst.site.uri("keyed"))
    restored = await SigningKey.get(owner=inst.site.uri("keyed2"))
    assert restored.private_pem == original.private_pem and restored.public_pem == original.public_pem


async def test_a_tampered_archive_is_refused_by_its_checksums(
    instance: Start, peer: Peer, tmp_path: Path
) -> None:
    inst = await instance()
    scene = await populate(inst, peer)
    path = await exported(inst, scene.group, tmp_path / "brand.zip")
    before = await counts(scene.group)
    rewrite(
        path,
        lambda name, data: data.replace(b"Dark mode", b"Light mode") if name == "posts.ndjson" else data,
        resum=False,
    )

    with pytest.raises(ArchiveError, match=r"posts.ndjson does not match its checksum"):
        await imported(inst, path, "tampered")
    await nothing_left("tampered", before)


async def test_an_archive_from_a_newer_format_is_refused_saying_so(instance: Start, tmp_path: Path) -> None:
    inst = await instance()
    path = await exported(inst, await inst.community("plain"), tmp_path / "plain.zip")

    def newer(name: str, data: bytes) -> bytes:
        if name != "manifest.json":
            return data
        manifest: dict[str, Any] = json.loads(data)
        return json.dumps({**manifest, "format_version": 99, "fedicom_version": "9.0"}).encode()

    rewrite(path, newer)
    with pytest.raises(
        ArchiveError, match=r"format version 99, from a newer fedicom .9.0.; this one reads up to"
    ):
        await imported(inst, path, "future")
    assert not await Group.exists(name="future")


async def test_an_import_failing_at_its_last_section_leaves_nothing_behind(
    instance: Start, peer: Peer, tmp_path: Path
) -> None:
    """The modlog is recreated last: a bad entry there rolls back the community, its posts and key."""
    inst = await instance()
    scene = await populate(inst, peer)
    path = await exported(inst, scene.group, tmp_path / "brand.zip")
    before = await counts(scene.group)

    def bad_modlog(name: str, data: bytes) -> bytes:
        if name != "modlog.ndjson":
            return data
        lines = data.splitlines()
        last = json.loads(lines[-1])
        return b"\n".join([*lines[:-1], json.dumps({**last, "action": "no_such_action"}).encode()]) + b"\n"

    rewrite(path, bad_modlog)
    with pytest.raises(ImportFailed, match=r"modlog near row 1 cannot be recreated.*nothing was imported"):
        await imported(inst, path, "half")
    await nothing_left("half", before)
    assert await Post.all().count() == before["posts"]


async def test_counts_that_do_not_match_the_manifest_stop_the_import(
    instance: Start, peer: Peer, tmp_path: Path
) -> None:
    inst = await instance()
    scene = await populate(inst, peer)
    path = await exported(inst, scene.group, tmp_path / "brand.zip")
    before = await counts(scene.group)

    def miscounted(name: str, data: bytes) -> bytes:
        if name != "manifest.json":
            return data
        manifest = json.loads(data)
        manifest["counts"]["votes"] += 1
        return json.dumps(manifest).encode()

    rewrite(path, miscounted)
    with pytest.raises(ImportFailed, match="votes has 2 rows where its manifest counts 3"):
        await imported(inst, path, "miscounted")
    await nothing_left("miscounted", before)


async def test_a_name_an_earlier_community_left_in_the_modlog_can_be_imported_to(
    instance: Start, tmp_path: Path
) -> None:
    """The modlog outlives communities (rows never change): their entries are not the archive's."""
    inst = await instance()
    path = await exported(inst, await inst.community("plain"), tmp_path / "plain.zip")
    await ModlogEntry.create(community="reused", moderator="x", action="create_community", target="x")

    await imported(inst, path, "reused")
    assert await ModlogEntry.filter(community="reused").count() == 2
