"""`fedicom ban` and `fedicom reports` as a moderator uses them (the real command, a real peer)."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime

from fedicom.activitypub.keys import KeyStore
from fedicom.activitypub.models import Delivery
from fedicom.groups.communities import Site, create_community
from fedicom.groups.models import Group, Moderator, Post
from fedicom.staff.accounts import create_staff, name_reserved
from tests.moderation.helpers import PASSWORD
from tests.support.cli import DOMAIN, Run, in_db, in_thread, one_line
from tests.support.peer import Peer


def given_staff(env: dict[str, str]) -> None:
    """news and pets; `mod` moderates news, `admin` is an instance admin."""

    async def work() -> None:
        site = Site(f"http://{DOMAIN}", DOMAIN)
        news = await create_community(KeyStore(), site, "news", reserved=name_reserved)
        await create_community(KeyStore(), site, "pets", reserved=name_reserved)
        await create_staff("admin", PASSWORD, is_admin=True)
        await create_staff("mod", PASSWORD)
        await Moderator.create(group=news, actor=site.staff_uri("mod"))

    in_db(env, work)


async def test_ban_add_list_remove(migrated: Run, env: dict[str, str], peer: Peer) -> None:
    given_staff(env)
    troll = peer.person("troll")
    handle = f"@troll@{peer.base.removeprefix('http://')}"

    added = await in_thread(
        migrated,
        "ban",
        "add",
        handle,
        "--community",
        "news",
        "--reason",
        "spam",
        "--expires",
        "7d",
        "--as",
        "mod",
    )
    assert added.exit_code == 0, added.output
    assert f"Banned {troll.uri} from news until" in added.output

    listed = await in_thread(migrated, "ban", "list", "--community", "news")
    assert troll.uri in listed.output and "spam" in listed.output and "/u/mod" in listed.output
    assert troll.uri not in (await in_thread(migrated, "ban", "list")).output  # instance-wide ones only
    assert troll.uri in (await in_thread(migrated, "ban", "list", "--all")).output
    queued = in_db(env, lambda: Delivery.filter(activity__type="Block").values_list("inbox", flat=True))
    assert queued == [f"{peer.base}/inbox"]  # the Block waits for the server's delivery loop

    removed = await in_thread(migrated, "ban", "remove", troll.uri, "--community", "news", "--as", "mod")
    assert removed.exit_code == 0 and f"Lifted the ban of {troll.uri} from news" in removed.output
    assert troll.uri not in (await in_thread(migrated, "ban", "list", "--all")).output
    log = await in_thread(migrated, "modlog", "--community", "news")
    assert "ban" in log.output and "unban" in log.output


async def test_ban_errors_are_one_clear_line(migrated: Run, env: dict[str, str], peer: Peer) -> None:
    given_staff(env)
    troll = peer.person("troll").uri
    not_mod = await in_thread(
        migrated, "ban", "add", troll, "--community", "pets", "--reason", "x", "--as", "mod"
    )
    assert not_mod.exit_code == 1 and "does not moderate pets" in one_line(not_mod)
    not_admin = await in_thread(migrated, "ban", "add", troll, "--reason", "x", "--as", "mod")
    assert not_admin.exit_code == 1 and "not an instance admin" in one_line(not_admin)
    past = await in_thread(
        migrated, "ban", "add", troll, "--reason", "x", "--expires", "2020-01-01", "--as", "admin"
    )
    assert past.exit_code == 1 and "in the past" in one_line(past)
    garbled = await in_thread(
        migrated, "ban", "add", troll, "--reason", "x", "--expires", "soon", "--as", "admin"
    )
    assert garbled.exit_code == 1 and "not an expiry" in one_line(garbled)
    missing = await in_thread(migrated, "ban", "remove", troll, "--as", "admin")
    assert missing.exit_code == 1 and "is not banned from this instance" in one_line(missing)
    no_reason = await in_thread(migrated, "ban", "add", troll)
    assert no_reason.exit_code == 2 and "--reason" in no_reason.output
    assert (
        "(instance)" not in (await in_thread(migrated, "ban", "list", "--all")).output
        and troll not in (await in_thread(migrated, "ban", "list")).output
    )


def test_reports_file_list_show_resolve_dismiss(migrated: Run, env: dict[str, str]) -> None:
    given_staff(env)
    filed = migrated(
        "reports",
        "file",
        "https://remote.example/post/1",
        "--reason",
        "spam",
        "--community",
        "news",
        "--as",
        "mod",
    )
    assert filed.exit_code == 0 and "Filed report #1" in filed.output, filed.output
    other = migrated("reports", "file", "https://remote.example/u/x", "--reason", "evasion", "--as", "admin")
    assert "Filed report #2" in other.output

    mine = migrated("reports", "list", "--as", "mod")
    assert "post/1" in mine.output and "news" in mine.output and "u/x" not in mine.output
    everything = migrated("reports", "list", "--as", "admin")
    assert "post/1" in everything.output and "(instance)" in everything.output

    shown = migrated("reports", "show", "1", "--as", "mod")
    assert (
        "Report #1" in shown.output
        and "spam" in shown.output
        and "https://remote.example/post/1" in shown.output
    )

    resolved = migrated("reports", "resolve", "1", "--reason", "removed the post", "--as", "mod")
    assert resolved.exit_code == 0 and "Report #1 resolved." in resolved.output
    dismissed = migrated("reports", "dismiss", "2", "--reason", "not evasion", "--as", "admin")
    assert "Report #2 dismissed." in dismissed.output
    assert migrated("reports", "list", "--as", "admin").output.strip() == "No reports."
    closed = migrated("reports", "list", "--state", "all", "--as", "admin")
    assert "resolved" in closed.output and "dismissed" in closed.output
    shown = migrated("reports", "show", "1", "--as", "mod")
    assert "removed the post" in shown.output
    log = migrated("modlog", "--community", "news")
    assert "resolve_report" in log.output and "removed the post" in log.output


def test_report_errors_are_one_clear_line(migrated: Run, env: dict[str, str]) -> None:
    given_staff(env)
    migrated("reports", "file", "https://remote.example/u/x", "--reason", "evasion", "--as", "admin")
    hidden = migrated("reports", "show", "1", "--as", "mod")
    assert hidden.exit_code == 1 and "not an instance admin" in one_line(hidden)
    missing = migrated("reports", "resolve", "9", "--reason", "x", "--as", "admin")
    assert missing.exit_code == 1 and "no report #9" in one_line(missing)
    nowhere = migrated("reports", "forward", "1", "--as", "admin")
    assert nowhere.exit_code == 1 and "nowhere to go" in one_line(nowhere)
    no_reason = migrated("reports", "dismiss", "1", "--as", "admin")
    assert no_reason.exit_code == 2
    assert migrated("reports", "list", "--as", "admin").output.count("evasion") == 1


def given_posts(env: dict[str, str], author: str, count: int) -> None:
    """`count` threads by `author` in news, stored as the inbox stores them (never announced here)."""

    async def work() -> None:
        news = await Group.get(name="news")
        for n in range(count):
            object_id = f"{author}/posts/{n}"
            doc = {"id": object_id, "type": "Page", "attributedTo": author}
            await Post.create(
                group=news,
                object_id=object_id,
                type="Page",
                author=author,
                document=doc,
                published=datetime.now(UTC),
            )

    in_db(env, work)


async def test_ban_with_remove_data_shows_its_clean_up_or_returns_at_once(
    migrated: Run, env: dict[str, str], peer: Peer
) -> None:
    # Given the troll's five threads in news, and a spammer's two
    given_staff(env)
    troll, spammer = peer.person("troll"), peer.person("spammer")
    given_posts(env, troll.uri, 5)
    given_posts(env, spammer.uri, 2)

    # When the moderator bans the troll removing their posts, with nothing else running
    added = await asyncio.to_thread(
        migrated,
        *("ban", "add", troll.uri, "--community", "news", "--reason", "spam", "--remove-data", "--as", "mod"),
        FEDICOM_CLEANUP_BATCH="2",
    )

    # Then the command runs the clean-up itself, a progress bar then what it removed
    assert added.exit_code == 0, added.output
    assert "removing posts" in added.output and "5/5" in added.output
    assert added.output.strip().splitlines()[-1] == "Removed 5 posts and comments."
    states = in_db(env, lambda: Post.filter(author=troll.uri).values_list("state", flat=True))
    assert set(states) == {"removed"}

    # When the spammer is banned with --no-wait, the command returns with the job queued
    queued = await in_thread(
        migrated,
        "ban",
        "add",
        spammer.uri,
        "--community",
        "news",
        "--reason",
        "spam",
        "--remove-data",
        "--no-wait",
        "--as",
        "mod",
    )
    assert queued.exit_code == 0, queued.output
    assert "Clean-up queued as job" in queued.output and "(removing posts 0/2)" in queued.output
    assert set(in_db(env, lambda: Post.filter(author=spammer.uri).values_list("state", flat=True))) == {
        "visible"
    }

    # And `fedicom jobs list` shows both, the pending one with its progress
    listed = await in_thread(migrated, "jobs", "list", "--kind", "moderation.cleanup", "--json")
    jobs = json.loads(listed.output)
    assert [(j["state"], j["progress"]) for j in jobs] == [
        ("pending", {"stage": "removing posts", "done": 0, "total": 2}),
        ("done", {"stage": "removing posts", "done": 5, "total": 5}),
    ]
    table = await in_thread(migrated, "jobs", "list", "--kind", "moderation.cleanup")
    assert "removing posts 0/2" in table.output
