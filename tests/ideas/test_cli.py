"""`fedicom ideas status|merge|list` as an operator types them: a status with a note, a merge, the list
filtered and sorted; an unknown status or a merge into one's own duplicate is refused with a reason."""

from __future__ import annotations

import json

from fedicom.staff.accounts import create_staff
from tests.moderation.helpers import PASSWORD
from tests.support.cli import Run, in_db


def test_status_merge_and_list(migrated: Run, env: dict[str, str]) -> None:
    in_db(env, lambda: create_staff("mia", PASSWORD, is_admin=True))
    assert migrated("community", "create", "board", "--title", "Board", "--kind", "ideas").exit_code == 0
    for title in ("Dark mode", "Night theme"):
        made = migrated("post", "create", "board", "--author", "mia", "--title", title, "--body", "Please.")
        assert made.exit_code == 0, made.output
    one, two = (made.output.strip().splitlines()[-1].rsplit("/", 1)[0] + f"/{n}" for n in (1, 2))

    planned = migrated("ideas", "status", one, "planned", "--note", "For March.", "--json")
    assert planned.exit_code == 0, planned.output
    assert json.loads(planned.output)["label"] == "Planned"
    shipped = migrated("ideas", "status", one, "shipped")
    assert shipped.exit_code == 1 and "one of open, under_review" in shipped.output

    merged = migrated("ideas", "merge", two, "--into", one)
    assert merged.exit_code == 0 and "votes moved" in merged.output, merged.output
    back = migrated("ideas", "merge", one, "--into", two)
    assert back.exit_code == 1 and "idea 2 was merged into idea 1" in back.output

    listed = json.loads(migrated("ideas", "list", "board", "--json").output)
    assert [(i["title"], i["status"], i["merged_into"], i["merged_here"]) for i in listed] == [
        ("Night theme", "duplicate", 1, 0),
        ("Dark mode", "planned", None, 1),
    ]
    only = json.loads(
        migrated("ideas", "list", "board", "--status", "Planned", "--sort", "new", "--json").output
    )
    assert [i["title"] for i in only] == ["Dark mode"]
    table = migrated("ideas", "list", "board")
    assert "Planned" in table.output and "into 1" in table.output
    assert migrated("ideas", "list", "board", "--status", "nope").exit_code == 1
