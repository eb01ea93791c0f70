"""`fedicom ban` and `fedicom reports` as a moderator uses them (the real command, a real peer)."""

from __future__ import annotations

from fedicom.activitypub.keys import KeyStore
from fedicom.activitypub.models import Delivery
from fedicom.groups.communities import Site, create_community
from fedicom.groups.models import Moderator
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
