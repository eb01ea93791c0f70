"""Replays of the recorded removal, lock, featured and community-update fixtures (Lemmy) through a
community's inbox, with the outcomes named in tests/interop/test_fixture_replay.py's OUTCOMES: from a
moderator each is applied and announced as received; from anyone else it changes nothing."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from fedicom.activitypub.vocab import id_of
from fedicom.groups.models import Group, Moderator, Post
from fedicom.moderation.models import ModlogEntry
from fedicom.staff.accounts import create_staff
from tests.interop.stage import Stage, assert_announced, assert_quiet, snapshot, stage
from tests.interop.test_fixture_replay import LEMMY, LEMMY_SEEDS, OUTCOMES, Seed, plant
from tests.moderation.helpers import PASSWORD
from tests.support.replay import fixtures_dir, load

REMOVE = "lemmy/activities/deletion/remove_note.json"
UNDO_REMOVE = "lemmy/activities/deletion/undo_remove_note.json"
LOCK_NOTE = "lemmy/activities/community/lock_note.json"
UNDO_LOCK_NOTE = "lemmy/activities/community/undo_lock_note.json"
LOCK_PAGE = "lemmy/activities/community/lock_page.json"
UNDO_LOCK_PAGE = "lemmy/activities/community/undo_lock_page.json"
ADD_FEATURED = "lemmy/activities/community/add_featured_post.json"
REMOVE_FEATURED = "lemmy/activities/community/remove_featured_post.json"
UPDATE = "lemmy/activities/community/update_community.json"

LOCKED_COMMENT: list[Seed] = [
    ("https://lemmy-alpha/post/1", "https://lemmy-alpha/u/op"),
    ("https://lemmy-alpha/comment/1", "reply"),
]
LOCKED_PAGE: list[Seed] = [("http://lemmy-alpha:8541/post/2", "http://lemmy-alpha:8541/u/op")]
FEATURED: list[Seed] = [("https://ds9.lemmy.ml/post/2", "https://ds9.lemmy.ml/u/lemmy_alpha")]
# (fixture, community, what the group holds first): every fixture of this module
CASES: list[tuple[str, str, list[Seed]]] = [
    (REMOVE, LEMMY, LEMMY_SEEDS),
    (UNDO_REMOVE, LEMMY, LEMMY_SEEDS),
    (LOCK_NOTE, "https://lemmy-alpha/c/test", LOCKED_COMMENT),
    (UNDO_LOCK_NOTE, "https://lemmy-alpha/c/test", LOCKED_COMMENT),
    (LOCK_PAGE, "http://lemmy-alpha:8541/c/main", LOCKED_PAGE),
    (UNDO_LOCK_PAGE, "http://lemmy-alpha:8541/c/main", LOCKED_PAGE),
    (ADD_FEATURED, "https://ds9.lemmy.ml/c/main", FEATURED),
    (REMOVE_FEATURED, "https://ds9.lemmy.ml/c/main", FEATURED),
    (UPDATE, LEMMY, LEMMY_SEEDS),
]


async def moderator(s: Stage, rel: str) -> str:
    """Given: the fixture's actor moderates the community. Most of them live on the community's own
    domain, which here is this server's: they are staff accounts as well (Lemmy trusts that origin)."""
    actor = id_of(load(rel)[1]["actor"]) or ""
    name = s.r.site.staff_from_uri(actor)
    if name:
        await create_staff(name, PASSWORD)
    await Moderator.create(group=s.group, actor=actor)
    return actor


async def replay_as_moderator(s: Stage, rel: str) -> None:
    sent = await s.send(load(rel)[0])
    assert_announced(s, sent, boost=False)


@pytest.mark.parametrize(("path", "group_uri", "seeds"), CASES, ids=[c[0] for c in CASES])
async def test_from_anyone_but_a_moderator_they_change_nothing(
    tmp_path: Path, path: str, group_uri: str, seeds: list[Seed]
) -> None:
    fixtures_dir()
    actor = id_of(load(path)[1]["actor"]) or ""
    async with stage(tmp_path, group_uri) as s:
        await plant(s, seeds)
        await s.join(actor)
        await Post.all().update(locked=True, pinned_at=datetime.now(UTC))  # so undoing would change
        before = await snapshot()
        posts = await Post.all().order_by("id").values("state", "locked", "pinned_at")
        sent = await s.send(load(path)[0])
        assert_quiet(sent)
        assert sent.item is not None and "does not moderate" in (sent.item.error or ""), sent.item.error
        assert await snapshot() == before
        assert await Post.all().order_by("id").values("state", "locked", "pinned_at") == posts


async def test_lemmy_removal_of_a_comment_and_its_undo(tmp_path: Path) -> None:
    fixtures_dir()
    assert (OUTCOMES[REMOVE], OUTCOMES[UNDO_REMOVE]) == ("removed", "restored")
    async with stage(tmp_path, LEMMY) as s:
        await plant(s, LEMMY_SEEDS)
        mod = await moderator(s, REMOVE)
        comment = load(REMOVE)[1]["object"]
        await replay_as_moderator(s, REMOVE)
        removed = await Post.get(object_id=comment)
        assert (removed.state, removed.state_reason) == ("removed", "bad comment")
        thread = await Post.get(id=removed.root_id)  # type: ignore[attr-defined]
        assert thread.reply_count == 0
        await replay_as_moderator(s, UNDO_REMOVE)
        assert (await Post.get(object_id=comment)).state == "visible"
        assert (await Post.get(id=thread.id)).reply_count == 1
        actions = await ModlogEntry.filter(moderator=mod).order_by("id").values_list("action", flat=True)
        assert list(actions) == ["remove_post", "restore_post"]


@pytest.mark.parametrize(
    ("lock", "undo", "group_uri", "seeds"),
    [
        (LOCK_PAGE, UNDO_LOCK_PAGE, "http://lemmy-alpha:8541/c/main", LOCKED_PAGE),
        (LOCK_NOTE, UNDO_LOCK_NOTE, "https://lemmy-alpha/c/test", LOCKED_COMMENT),
    ],
    ids=["page", "comment"],
)
async def test_lemmy_lock_and_its_undo(
    tmp_path: Path, lock: str, undo: str, group_uri: str, seeds: list[Seed]
) -> None:
    fixtures_dir()
    assert (OUTCOMES[lock], OUTCOMES[undo]) == ("locked", "unlocked")
    target = load(lock)[1]["object"]
    async with stage(tmp_path, group_uri) as s:
        await plant(s, seeds)
        await moderator(s, lock)
        await replay_as_moderator(s, lock)
        assert (await Post.get(object_id=target)).locked
        await replay_as_moderator(s, undo)
        assert not (await Post.get(object_id=target)).locked


async def test_lemmy_featured_add_and_remove(tmp_path: Path) -> None:
    """The two fixtures share one activity id, so each is replayed on a server of its own."""
    fixtures_dir()
    assert (OUTCOMES[ADD_FEATURED], OUTCOMES[REMOVE_FEATURED]) == ("pinned", "unpinned")
    target = load(ADD_FEATURED)[1]["object"]
    for rel, pinned in ((ADD_FEATURED, True), (REMOVE_FEATURED, False)):
        async with stage(tmp_path / rel.rsplit("/", 1)[-1], "https://ds9.lemmy.ml/c/main") as s:
            await plant(s, FEATURED)
            await Post.filter(object_id=target).update(pinned_at=None if pinned else datetime.now(UTC))
            await moderator(s, rel)
            await replay_as_moderator(s, rel)
            assert ((await Post.get(object_id=target)).pinned_at is not None) == pinned
            featured = (await s.r.client.get(f"{s.uri}/featured")).json()
            assert [p["id"] for p in featured["orderedItems"]] == ([target] if pinned else [])


async def test_lemmy_community_update_from_a_remote_moderator(tmp_path: Path) -> None:
    fixtures_dir()
    assert OUTCOMES[UPDATE] == "community updated"
    async with stage(tmp_path, LEMMY) as s:
        await plant(s, LEMMY_SEEDS)
        mod = await moderator(s, UPDATE)  # lemmy_alpha, on ds9: another server than the community's
        await replay_as_moderator(s, UPDATE)
        group = await Group.get(id=s.group.id)
        assert (group.title, group.summary, group.sensitive) == ("The Updated Community", "updated 2", False)
        entry = await ModlogEntry.get(action="edit_community")
        assert entry.moderator == mod and entry.details["title"] == "The Updated Community"
