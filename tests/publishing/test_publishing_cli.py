"""The publishing commands as a brand's script drives them: a post, a poll, a scheduled and a repeated
post, listed in JSON and cancelled; the last line printed names what was made."""

from __future__ import annotations

import json
from pathlib import Path

from fedicom.groups.models import Post
from fedicom.staff.accounts import create_staff
from tests.moderation.helpers import PASSWORD
from tests.support.cli import Run, in_db
from tests.support.pictures import picture


def test_publishing_and_scheduling_from_the_command_line(
    migrated: Run, env: dict[str, str], tmp_path: Path
) -> None:
    in_db(env, lambda: create_staff("mia", PASSWORD, is_admin=True))
    assert migrated("community", "create", "news", "--title", "News").exit_code == 0
    image = tmp_path / "shop.png"
    image.write_bytes(picture())

    made = migrated(
        "post",
        "create",
        "news",
        "--author",
        "mia",
        "--title",
        "Hello",
        "--body",
        "We are **here**.",
        "--image",
        str(image),
        "--alt",
        "Our shop",
    )
    assert made.exit_code == 0, made.output
    assert made.output.strip().splitlines()[-1].endswith("/c/news/p/1")

    poll = migrated(
        "poll",
        "create",
        "news",
        "--author",
        "mia",
        "--question",
        "Open on Sundays?",
        "--option",
        "Yes",
        "--option",
        "No",
        "--closes",
        "3d",
    )
    assert poll.exit_code == 0 and poll.output.strip().splitlines()[-1].endswith("/c/news/p/2")
    official = migrated(
        "post", "create", "news", "--author", "mia", "--title", "Closed", "--body", "b", "--as-community"
    )
    assert official.exit_code == 0, official.output
    assert in_db(env, lambda: Post.get(title="Closed")).author.endswith("/c/news")

    later = migrated(
        "post",
        "create",
        "news",
        "--author",
        "mia",
        "--title",
        "Soon",
        "--body",
        "b",
        "--at",
        "2099-01-01T10:00",
        "--timezone",
        "Europe/Paris",
    )
    assert later.exit_code != 0 and "at most a year ahead" in later.output
    bad_zone = migrated("community", "edit", "news", "--timezone", "Mars/Olympus", "--as", "mia")
    assert bad_zone.exit_code == 1 and "is not a time zone" in bad_zone.output
    assert migrated("community", "edit", "news", "--timezone", "Europe/Paris", "--as", "mia").exit_code == 0
    weekly = migrated(
        "post",
        "create",
        "news",
        "--author",
        "mia",
        "--title",
        "Friday offer",
        "--body",
        "b",
        "--every",
        "fri 10:00",
    )
    assert weekly.exit_code == 0, weekly.output
    assert "every Friday at 10:00 (Europe/Paris)" in weekly.output  # the community's clock
    assert weekly.output.strip().splitlines()[-1].endswith("/api/v1/admin/scheduled/1")

    listed = json.loads(migrated("scheduled", "list", "--json").output)
    assert [(i["id"], i["title"], i["every"], i["state"]) for i in listed] == [
        (1, "Friday offer", "fri 10:00", "scheduled")
    ]
    assert migrated("scheduled", "cancel", "1", "--as", "mia").exit_code == 0
    assert json.loads(migrated("scheduled", "list", "--json").output) == []
    assert json.loads(migrated("scheduled", "list", "--all", "--json").output)[0]["state"] == "cancelled"
    past = migrated(
        "post", "create", "news", "--author", "mia", "--title", "t", "--body", "b", "--at", "2020-01-01T10:00"
    )
    assert past.exit_code == 1 and "is in the past" in past.output
