"""`fedicom community create|edit` with --kind, --parent, --no-parent and --feature-children: each bad
choice is one clear error line, exit 1 (or click's usage error, exit 2), and changes nothing."""

from __future__ import annotations

import json

from fedicom.groups.models import Group
from fedicom.staff.accounts import create_staff
from tests.moderation.helpers import PASSWORD
from tests.support.cli import Run, in_db


def stored(env: dict[str, str]) -> dict[str, tuple[str, str | None, bool]]:
    """Each community's kind, parent's name and featured-children flag."""

    async def read() -> dict[str, tuple[str, str | None, bool]]:
        rows = {g.id: g for g in await Group.all()}
        return {
            g.name: (g.kind.value, rows[g.parent_id].name if g.parent_id else None, g.feature_children)  # type: ignore[attr-defined]
            for g in rows.values()
        }

    return in_db(env, read)


def given_cars_muscle_mustang(run: Run, env: dict[str, str]) -> None:
    in_db(env, lambda: create_staff("mia", PASSWORD, is_admin=True))
    for args in (
        ("cars", "--feature-children"),
        ("muscle", "--parent", "cars", "--kind", "ideas"),
        ("mustang", "--parent", "muscle", "--kind", "questions"),
        ("boats",),
    ):
        done = run("community", "create", *args)
        assert done.exit_code == 0, done.output


def test_create_places_communities_in_a_family_with_their_kinds(migrated: Run, env: dict[str, str]) -> None:
    given_cars_muscle_mustang(migrated, env)
    assert stored(env) == {
        "cars": ("discussion", None, True),
        "muscle": ("ideas", "cars", False),
        "mustang": ("questions", "muscle", False),
        "boats": ("discussion", None, False),
    }
    listed = {c["name"]: c for c in json.loads(migrated("community", "list", "--json").output)}
    assert (listed["muscle"]["kind"], listed["muscle"]["parent"], listed["cars"]["parent"]) == (
        "ideas",
        "cars",
        None,
    )
    shown = json.loads(migrated("community", "show", "cars", "--json").output)
    assert (shown["kind"], shown["children"], shown["feature_children"]) == ("discussion", ["muscle"], True)


def test_bad_choices_on_create_are_refused_and_nothing_is_created(migrated: Run, env: dict[str, str]) -> None:
    given_cars_muscle_mustang(migrated, env)
    for args, code, message in (
        (("gt", "--parent", "planes"), 1, "Error: there is no community named planes to be the parent"),
        (("gt", "--parent", "gt"), 1, "Error: there is no community named gt to be the parent"),
        (
            ("gt", "--parent", "mustang"),
            1,
            "Error: gt under mustang would make 4 levels of communities; at most 3",
        ),
        (("gt", "--kind", "polls"), 2, "Invalid value for '--kind': 'polls' is not one of"),
    ):
        result = migrated("community", "create", *args)
        assert result.exit_code == code and message in result.output, (args, result.output)
    assert "gt" not in stored(env)


def test_bad_choices_on_edit_are_refused_and_change_nothing(migrated: Run, env: dict[str, str]) -> None:
    given_cars_muscle_mustang(migrated, env)
    in_db(env, lambda: create_staff("sam", PASSWORD))  # moderates muscle only
    assert migrated("community", "mod", "add", "muscle", "sam", FEDICOM_STAFF="mia").exit_code == 0
    before = stored(env)
    for staff, args, code, message in (
        ("mia", ("cars", "--parent", "cars"), 1, "Error: cars cannot be its own parent"),
        ("mia", ("cars", "--parent", "mustang"), 1, "Error: mustang is already below cars: cars cannot"),
        ("mia", ("cars", "--parent", "planes"), 1, "Error: there is no community named planes"),
        ("mia", ("boats", "--parent", "mustang"), 1, "Error: boats under mustang would make 4 levels"),
        ("mia", ("cars", "--kind", "polls"), 2, "Invalid value for '--kind'"),
        (
            "mia",
            ("cars", "--parent", "boats", "--no-parent"),
            2,
            "give --parent NAME or --no-parent, not both",
        ),
        (
            "sam",
            ("muscle", "--parent", "boats"),
            1,
            "Error: to place muscle under boats you must moderate boats",
        ),
    ):
        result = migrated("community", "edit", *args, FEDICOM_STAFF=staff)
        assert result.exit_code == code and message in result.output, (args, result.output)
    assert stored(env) == before


def test_edit_changes_kind_parent_and_featuring(migrated: Run, env: dict[str, str]) -> None:
    given_cars_muscle_mustang(migrated, env)
    moved = migrated("community", "edit", "boats", "--parent", "cars", "--kind", "ideas", FEDICOM_STAFF="mia")
    assert moved.exit_code == 0 and "Changed kind, parent of boats." in moved.output, moved.output
    detached = migrated(
        "community", "edit", "muscle", "--no-parent", "--no-feature-children", FEDICOM_STAFF="mia"
    )
    assert detached.exit_code == 0 and "Changed parent of muscle." in detached.output, detached.output
    assert stored(env)["boats"] == ("ideas", "cars", False)
    assert stored(env)["muscle"] == ("ideas", None, False)
