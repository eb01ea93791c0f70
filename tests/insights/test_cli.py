"""`fedicom insights` and `fedicom alerts` as scripts and people use them: the JSON keys other tools
rely on, the tables, and clear errors for bad input."""

from __future__ import annotations

import json

from fedicom.staff.accounts import create_staff
from tests.moderation.helpers import PASSWORD
from tests.support.cli import Run, in_db

KEYS = {
    "members", "joins", "leaves", "posts", "comments", "votes", "active_members",
    "first_reply_minutes_median", "unanswered_24h", "stages", "top_contributors", "influencers",
    "sentiment", "alerts",
}  # fmt: skip


def test_insights_speak_json_with_the_documented_keys_and_a_table(migrated: Run, env: dict[str, str]) -> None:
    assert migrated("community", "create", "brand", "--title", "Brand").exit_code == 0

    in_db(env, lambda: create_staff("mia", PASSWORD, is_admin=True))
    made = migrated(
        "post", "create", "brand", "--author", "mia", "--title", "Hello?", "--body", "I love this place!"
    )
    assert made.exit_code == 0, made.output
    result = migrated("insights", "brand", "--days", "7", "--json")
    assert result.exit_code == 0, result.output
    found = json.loads(result.output)
    assert KEYS <= set(found)
    assert (found["members"], found["joins"], found["posts"]) == (0, 0, 1)  # a staff post counts
    assert set(found["active_members"]) == {"1d", "7d", "30d"} and found["active_members"]["1d"] == 1
    assert set(found["sentiment"][-1]) == {"day", "positive", "neutral", "negative", "not_scored"}
    assert found["sentiment"][-1]["positive"] == 1 and found["top_contributors"][0]["posts"] == 1
    table = migrated("insights", "brand")
    assert table.exit_code == 0 and "health" in table.output and "first contribution" in table.output
    missing = migrated("insights", "nobody")
    assert missing.exit_code == 1 and "nobody" in missing.output
    assert migrated("insights", "brand", "--days", "0").exit_code == 2

    # every community together, for admins
    assert migrated("community", "create", "quiet", "--title", "Quiet").exit_code == 0
    every = migrated("insights", "--instance", "--days", "7", "--json")
    assert every.exit_code == 0, every.output
    together = json.loads(every.output)
    assert (together["scope"], together["community"], together["posts"]) == ("instance", "", 1)
    assert [c["community"] for c in together["by_community"]] == ["brand", "quiet"]
    shown = migrated("insights", "--instance")
    assert shown.exit_code == 0 and "Every community" in shown.output and "quiet" in shown.output
    both = migrated("insights", "brand", "--instance")
    assert both.exit_code == 2 and "name a community, or give --instance" in both.output


def test_alert_rules_are_listed_added_switched_off_and_removed(migrated: Run) -> None:
    assert migrated("community", "create", "brand", "--title", "Brand").exit_code == 0
    rules = json.loads(migrated("alerts", "rule", "list", "--json").output)
    assert [(r["id"], r["metric"], r["k"], r["enabled"]) for r in rules] == [
        (None, "negative_share", 4.0, True),
        (None, "reports", 4.0, True),
        (None, "leaves", 4.0, True),
    ]
    added = migrated(
        "alerts", "rule", "add", "--metric", "reports", "--community", "brand", "--k", "3", "--json"
    )
    assert added.exit_code == 0, added.output
    rule = json.loads(added.output)
    assert (rule["community"], rule["metric"], rule["k"], rule["enabled"]) == ("brand", "reports", 3.0, True)
    off = migrated("alerts", "rule", "add", "--metric", "leaves", "--off")
    assert off.exit_code == 0 and "no leaves alerts for every community" in off.output
    listed = json.loads(migrated("alerts", "rule", "list", "--json").output)
    # brand's reports rule, leaves switched off everywhere, and the defaults still applying elsewhere
    assert [(r["community"], r["metric"], r["enabled"]) for r in listed] == [
        ("brand", "reports", True),
        (None, "leaves", False),
        (None, "negative_share", True),
        (None, "reports", True),
    ]
    assert migrated("alerts", "rule", "remove", str(rule["id"])).exit_code == 0
    gone = migrated("alerts", "rule", "remove", str(rule["id"]))
    assert gone.exit_code == 1 and f"there is no alert rule {rule['id']}" in gone.output
    assert migrated("alerts", "rule", "add", "--metric", "mood").exit_code == 2
    assert json.loads(migrated("alerts", "list", "--json").output) == []
    assert "No alert was raised." in migrated("alerts", "list").output


def test_experts_are_recognised_listed_and_removed(migrated: Run, env: dict[str, str]) -> None:
    assert migrated("community", "create", "brand", "--title", "Brand").exit_code == 0
    in_db(env, lambda: create_staff("mia", PASSWORD, is_admin=True))
    ann = "https://m.example/users/ann"
    assert migrated("expert", "add", "brand", ann).exit_code == 0
    assert migrated("expert", "add", "brand", ann).exit_code == 0  # twice changes nothing
    [row] = json.loads(migrated("expert", "list", "brand", "--json").output)
    assert row["actor"] == ann and row["granted_by"].endswith("/u/mia")
    bad = migrated("expert", "add", "brand", "ann")
    assert bad.exit_code == 1 and "is not an actor's address" in bad.output
    assert migrated("expert", "remove", "brand", ann).exit_code == 0
    again = migrated("expert", "remove", "brand", ann)
    assert again.exit_code == 1 and "is not an expert of brand" in again.output
    assert "brand has no expert yet." in migrated("expert", "list", "brand").output
