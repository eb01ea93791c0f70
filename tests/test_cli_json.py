"""Every list and show command speaks `--json` for scripts: one JSON array (or object), ISO dates, no
markup; and its table shows long cells in full, wrapped, whatever the terminal's width."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import click

from fedicom.cli import base, main
from fedicom.groups.models import Group, Post
from fedicom.moderation.models import Ban
from fedicom.staff.accounts import create_staff
from tests.moderation.helpers import PASSWORD
from tests.support.cli import Run, in_db

# commands that list things without being named `list` or `show`
LISTING = {"modlog", "similar", "unanswered"}
LONG = "https://a-server-with-a-rather-long-name.example/users/someone-with-a-long-name/statuses/1234567890"


def commands(group: click.Group, path: tuple[str, ...] = ()) -> list[tuple[str, click.Command]]:
    found = []
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            found += commands(command, (*path, name))
        else:
            found.append((" ".join((*path, name)), command))
    return found


def test_every_list_and_show_command_has_a_json_option() -> None:
    listing = [(n, c) for n, c in commands(main) if n.split()[-1] in {"list", "show"} | LISTING]
    assert len(listing) >= 19  # the walk found the commands (a renamed group would hide them)
    missing = [n for n, c in listing if not any("--json" in p.opts for p in c.params)]
    assert missing == []


def parsed(run: Run, *args: str) -> Any:
    result = run(*args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def iso(value: str) -> datetime:
    moment = datetime.fromisoformat(value)
    assert moment.tzinfo is not None, value
    return moment


def given_a_community_with_everything(run: Run, env: dict[str, str]) -> None:
    in_db(env, lambda: create_staff("mia", PASSWORD, is_admin=True))
    assert (
        run("community", "create", "news", "--title", "News — «Nouvelles»", "--kind", "ideas").exit_code == 0
    )
    made = run("post", "create", "news", "--author", "mia", "--title", "Hello", "--body", "Hi there.")
    assert made.exit_code == 0, made.output
    assert run("community", "create", "qa", "--title", "Q&A", "--kind", "questions").exit_code == 0
    asked = run("post", "create", "qa", "--author", "mia", "--title", "How?", "--body", "Tell me.")
    assert asked.exit_code == 0, asked.output

    async def scene() -> None:
        group = await Group.get(name="news")
        await Post.create(
            group=group,
            object_id=LONG,
            type="Note",
            author="https://remote.example/u/bob",
            content="<p>buy now</p>",
            document={},
            published=datetime.now(UTC),
            state="held",
            state_reason="filter: buy",
        )
        await Ban.create(actor="https://spam.example/u/x", reason="spam", moderator="cli")

    in_db(env, scene)
    for args in (
        ("block", "add", "bad.example", "--severity", "limit", "--reason", "spam", "--reject-media"),
        ("allow", "add", "good.example", "--comment", "friends"),
        ("community", "mod", "add", "news", "mia", "--owner"),
        ("filter", "add", "buy", "--community", "news"),
        ("reports", "file", LONG, "--reason", "spam", "--community", "news"),
        ("token", "create", "--name", "backup script", "--scope", "read"),
    ):
        done = run(*args, FEDICOM_STAFF="mia")
        assert done.exit_code == 0, (args, done.output)


def test_list_and_show_print_json_with_their_fields(migrated: Run, env: dict[str, str]) -> None:
    given_a_community_with_everything(migrated, env)

    news, _qa = parsed(migrated, "community", "list")
    assert news["name"] == "news" and news["title"] == "News — «Nouvelles»" and news["members"] == 0
    assert news["handle"] == "@news@groups.example" and news["private"] is False
    assert news["kind"] == "ideas" and news["parent"] is None
    [owner] = parsed(migrated, "community", "mod", "list", "news")
    assert owner["actor"].endswith("/u/mia") and owner["role"] == "owner" and iso(owner["since"])
    shown = parsed(migrated, "community", "show", "news")
    assert shown["moderators"] == [owner["actor"]] and shown["pending_requests"] == []
    assert shown["posting_policy"] == "members" and shown["url"].endswith("/c/news")
    assert (shown["kind"], shown["parent"], shown["children"], shown["feature_children"]) == (
        "ideas",
        None,
        [],
        False,
    )

    [blocked] = parsed(migrated, "block", "list")
    assert (blocked["domain"], blocked["severity"], blocked["reject_media"]) == ("bad.example", "limit", True)
    assert blocked["public_comment"] == "spam" and iso(blocked["since"])
    [allowed] = parsed(migrated, "allow", "list")
    assert allowed["domain"] == "good.example" and allowed["comment"] == "friends" and iso(allowed["since"])
    [ban] = parsed(migrated, "ban", "list")
    assert ban["actor"] == "https://spam.example/u/x" and ban["community"] is None
    assert ban["expires_at"] is None and ban["active"] is True and iso(ban["since"])

    [report] = parsed(migrated, "reports", "list", "--as", "mia")
    assert report["targets"] == [LONG] and report["community"] == "news" and report["state"] == "open"
    assert parsed(migrated, "reports", "show", str(report["id"]), "--as", "mia") == report
    assert iso(report["received"]) and report["resolved_at"] is None

    [mia] = parsed(migrated, "staff", "list")
    assert mia["name"] == "mia" and mia["admin"] is True and mia["disabled"] is False and iso(mia["since"])
    [token] = parsed(migrated, "token", "list")
    assert token["name"] == "backup script" and token["scopes"] == ["read"] and token["state"] == "active"
    assert token["last_used_at"] is None and "secret" not in json.dumps(token)

    [held] = parsed(migrated, "held", "list")
    assert held["object_id"] == LONG and held["state"] == "held" and held["state_reason"] == "filter: buy"
    assert held["excerpt"] == "buy now" and iso(held["received"])
    [hello] = parsed(migrated, "post", "list", "news")
    assert hello["title"] == "Hello" and hello["kind"] == "thread" and hello["locked"] is False
    assert hello["object_id"].endswith("/c/news/p/1") and hello["pinned_at"] is None
    [keyword] = parsed(migrated, "filter", "list", "--all")
    assert (keyword["community"], keyword["kind"], keyword["pattern"], keyword["action"]) == (
        "news",
        "keyword",
        "buy",
        "hold",
    )
    actions = [e["action"] for e in parsed(migrated, "modlog")]
    assert {"block_domain", "allow_domain", "add_filter"} <= set(actions)
    assert all(iso(e["when"]) for e in parsed(migrated, "modlog", "--community", "news"))
    assert parsed(migrated, "jobs", "list") == [] and parsed(migrated, "scheduled", "list") == []
    assert parsed(migrated, "notifications", "list", "--as", "mia") == []
    assert parsed(migrated, "refused", "list") == []
    assert parsed(migrated, "site", "show")["name"] == "fedicom"
    [waiting] = parsed(migrated, "answer", "unanswered", "qa")
    assert (
        waiting["title"] == "How?" and waiting["question"].endswith("/c/qa/p/2") and waiting["replies"] == 0
    )
    assert waiting["answer"] is None and waiting["age_hours"] >= 0 and iso(waiting["asked_at"])
    [poster] = parsed(migrated, "reputation", "news")  # `reputation show news` too
    assert poster["actor"].endswith("/u/mia") and poster["points"] == 0 and poster["left_out"] is False
    assert poster["badges"] == ["first_contribution"]
    [idea] = parsed(migrated, "ideas", "similar", "news", "--text", "Hello")
    assert set(idea) == {"id", "title", "score"} and idea["id"].endswith("/c/news/p/1")
    assert idea["title"] == "Hello" and 0 < idea["score"] <= 1

    assert migrated("community", "create", "board", "--title", "Board", "--kind", "ideas").exit_code == 0
    assert migrated("post", "create", "board", "--author", "mia", "--title", "Dark mode").exit_code == 0
    [idea] = parsed(migrated, "ideas", "list", "board")
    assert idea["title"] == "Dark mode" and "/c/board/p/" in idea["object_id"] and idea["score"] == 0
    assert (idea["status"], idea["note"], idea["merged_into"], idea["merged_here"]) == ("open", "", None, 0)
    assert idea["author"].endswith("/u/mia") and iso(idea["published"]) and idea["changed_at"] is None


def column(output: str, header: str) -> str:
    """The text of one column of a rich table, its wrapped lines joined again."""
    lines = [line for line in output.splitlines() if "│" in line or "┃" in line]
    headers = [cell.strip() for cell in lines[0].split("┃")]
    at = headers.index(header)
    return "".join(line.split("│")[at].strip() for line in lines[1:])


def test_tables_wrap_long_cells_instead_of_cutting_them(
    migrated: Run, env: dict[str, str], monkeypatch: Any
) -> None:
    given_a_community_with_everything(migrated, env)
    monkeypatch.setattr(base.console, "_width", 80)  # a small terminal
    for args, header in (
        (("post", "list", "news", "--state", "held"), "object id"),
        (("reports", "list", "--as", "mia"), "reported"),
    ):
        shown = migrated(*args)
        assert shown.exit_code == 0, shown.output
        assert max(len(line) for line in shown.output.splitlines()) <= 80
        assert "…" not in shown.output and column(shown.output, header) == LONG
