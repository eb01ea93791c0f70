"""`fedicom held`, `fedicom post`, `fedicom filter` and `fedicom community edit` as a moderator uses them:
the real command against its database (the author lives on a real loopback peer)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fedicom.activitypub.keys import KeyStore
from fedicom.activitypub.models import OutgoingActivity
from fedicom.groups.communities import Site, create_community
from fedicom.groups.models import Group, Membership, Moderator, Post
from fedicom.moderation.models import Filter
from fedicom.staff.accounts import create_staff, name_reserved
from tests.moderation.helpers import PASSWORD, RULES
from tests.support.cli import DOMAIN, Run, in_db, in_thread, one_line
from tests.support.peer import PUBLIC, Peer

GROUP = f"http://{DOMAIN}/c/news"


def given(env: dict[str, str], peer: Peer) -> str:
    """news (two rules), moderated by mia; root is an admin, olga moderates nothing. A member's held
    thread (post 1) and shown thread (post 2). Returns the author's URI."""
    alice = peer.person("alice")

    async def work() -> None:
        site = Site(f"http://{DOMAIN}", DOMAIN)
        news = await create_community(KeyStore(), site, "news", rules=RULES, reserved=name_reserved)
        for name, admin in (("root", True), ("mia", False), ("olga", False)):
            await create_staff(name, PASSWORD, is_admin=admin)
        await Moderator.create(group=news, actor=site.staff_uri("mia"))
        await Membership.create(
            group=news,
            actor=alice.uri,
            inbox=f"{peer.base}/inbox",
            state="accepted",
            follow_id=f"{alice.uri}#follow",
            follow_activity="{}",
        )
        for i, state in ((1, "held"), (2, "visible")):
            note = peer.note(alice, f"<p>post {i}</p>", to=[PUBLIC], cc=[GROUP])
            create = peer.activity("Create", alice, note, to=[PUBLIC])
            await Post.create(
                group=news,
                object_id=note["id"],
                type="Note",
                author=alice.uri,
                title=f"post {i}",
                content=note["content"],
                document=note,
                published=datetime.now(UTC),
                state=state,
                state_reason="a new member's first post is reviewed by a moderator" if i == 1 else "",
                activity=create if state == "held" else None,
                announce_id=None if state == "held" else f"http://{DOMAIN}/activities/{i}",
            )

    in_db(env, work)
    return alice.uri


def outgoing(env: dict[str, str], **filters: Any) -> list[OutgoingActivity]:
    return in_db(env, lambda: OutgoingActivity.filter(**filters).order_by("id"))  # type: ignore[no-any-return]


def post(env: dict[str, str], pid: int) -> Post:
    return in_db(env, lambda: Post.get(id=pid))  # type: ignore[no-any-return]


async def test_held_list_approve_and_reject(migrated: Run, env: dict[str, str], peer: Peer) -> None:
    given(env, peer)
    listed = await in_thread(migrated, "held", "list")
    assert listed.exit_code == 0, listed.output
    assert "post 1" in listed.output and "new member's first post" in listed.output
    assert "post 2" not in listed.output

    approved = await in_thread(migrated, "held", "approve", "1", "--as", "mia")
    assert approved.exit_code == 0, approved.output
    assert one_line(approved) == "Approved post 1 in news; its announce is queued."
    assert post(env, 1).state == "visible"
    kinds = [(a.inner_type, a.object_id) for a in outgoing(env, actor=GROUP, type="Announce")]
    assert kinds == [("Create", post(env, 1).object_id), (None, post(env, 1).object_id)]
    assert "No held posts." in (await in_thread(migrated, "held", "list", "--community", "news")).output

    again = await in_thread(migrated, "held", "reject", "1", "--reason", "spam", "--as", "mia")
    assert again.exit_code == 1 and one_line(again) == "Error: post 1 is not held (it is visible)"
    stranger = await in_thread(migrated, "held", "approve", "2", "--as", "olga")
    assert stranger.exit_code == 1 and "does not moderate news" in one_line(stranger)
    missing = await in_thread(migrated, "held", "approve", "99", "--as", "mia")
    assert missing.exit_code == 1 and one_line(missing) == "Error: there is no post 99"


async def test_remove_restore_lock_and_pin_a_post(migrated: Run, env: dict[str, str], peer: Peer) -> None:
    given(env, peer)
    ref = post(env, 2).object_id
    removed = await in_thread(migrated, "post", "remove", ref, "--rule", "2", "--as", "mia")
    assert removed.exit_code == 0, removed.output
    assert one_line(removed) == "Removed post 2 from news: Rule 2: Stay on topic."
    [delete] = outgoing(env, type="Delete")
    assert delete.actor == f"http://{DOMAIN}/u/mia" and delete.object_id == ref
    listed = await in_thread(migrated, "post", "list", "news", "--state", "removed")
    assert "post 2" in listed.output and "post 1" not in listed.output

    restored = await in_thread(migrated, "post", "restore", "2", "--as", "mia")
    assert (restored.exit_code, one_line(restored)) == (0, "Restored post 2 in news."), restored.output
    for args, line in (
        (("lock", "2", "--reason", "heated"), "Locked post 2 in news."),
        (("unlock", "2"), "Unlocked post 2 in news."),
        (("pin", "2"), "Pinned post 2 in news."),
        (("unpin", "2"), "Unpinned post 2 in news."),
    ):
        result = await in_thread(migrated, "post", *args, "--as", "mia")
        assert (result.exit_code, one_line(result)) == (0, line), result.output
    no_rule = await in_thread(migrated, "post", "remove", "2", "--rule", "9", "--as", "mia")
    assert no_rule.exit_code == 1 and one_line(no_rule) == "Error: news has 2 rules; there is no rule 9"
    log = await in_thread(migrated, "modlog", "--community", "news")
    for action in ("remove_post", "restore_post", "lock_post", "unlock_post", "pin_post", "unpin_post"):
        assert action in log.output


async def test_filters_add_list_remove(migrated: Run, env: dict[str, str], peer: Peer) -> None:
    given(env, peer)
    added = await in_thread(migrated, "filter", "add", "casino", "--community", "news", "--as", "mia")
    assert (added.exit_code, one_line(added)) == (0, "Added filter #1 (hold) in news."), added.output
    wide = await in_thread(
        migrated, "filter", "add", r"free\s+money", "--regex", "--action", "reject", "--as", "root"
    )
    assert wide.exit_code == 0, wide.output
    bad = await in_thread(migrated, "filter", "add", "(free", "--regex", "--as", "root")
    assert bad.exit_code == 1 and "is not a usable regular expression: missing )" in one_line(bad)
    not_admin = await in_thread(migrated, "filter", "add", "x", "--as", "mia")
    assert not_admin.exit_code == 1 and "is not an instance admin" in one_line(not_admin)

    listed = await in_thread(migrated, "filter", "list", "--all")
    assert "casino" in listed.output and r"free\s+money" in listed.output and "reject" in listed.output
    assert "casino" not in (await in_thread(migrated, "filter", "list")).output  # instance-wide only

    removed = await in_thread(migrated, "filter", "remove", "1", "--community", "news", "--as", "mia")
    assert (removed.exit_code, one_line(removed)) == (0, "Removed filter #1.")
    assert in_db(env, lambda: Filter.all().values_list("pattern", flat=True)) == [r"free\s+money"]


async def test_community_edit(migrated: Run, env: dict[str, str], peer: Peer) -> None:
    given(env, peer)
    rules = Path(env["FEDICOM_DATA_DIR"]).parent / "rules.md"
    rules.write_text("1. Cite sources.\n")
    edited = await in_thread(
        migrated,
        "community",
        "edit",
        "news",
        "--title",
        "World news",
        "--rules-file",
        str(rules),
        "--premoderation",
        "new_members",
        "--max-links",
        "3",
        "--as",
        "mia",
    )
    assert edited.exit_code == 0, edited.output
    assert one_line(edited) == (
        "Changed title, rules, premoderation, max_links of news; the update is queued for the members."
    )
    news = in_db(env, lambda: Group.get(name="news"))
    assert (news.title, news.rules, news.premoderation, news.max_links) == (
        "World news",
        "1. Cite sources.",
        "new_members",
        3,
    )
    [update] = outgoing(env, type="Update")
    assert update.actor == f"http://{DOMAIN}/u/mia"
    [wrapped] = outgoing(env, actor=GROUP, inner_type="Update")
    assert wrapped.type == "Announce"

    reset = await in_thread(migrated, "community", "edit", "news", "--max-links", "default", "--as", "mia")
    assert reset.exit_code == 0 and in_db(env, lambda: Group.get(name="news")).max_links is None
    bad = await in_thread(migrated, "community", "edit", "news", "--max-links", "many", "--as", "mia")
    assert bad.exit_code == 2 and "a whole number of links" in bad.output
    nothing = await in_thread(migrated, "community", "edit", "news", "--as", "mia")
    assert nothing.exit_code == 2 and "nothing to change" in nothing.output
    stranger = await in_thread(migrated, "community", "edit", "news", "--title", "Mine", "--as", "olga")
    assert stranger.exit_code == 1 and "does not moderate news" in one_line(stranger)
