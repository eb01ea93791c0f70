"""The admin API creates and edits a community's kind, parent and featured children; each bad choice
(unknown kind or parent, itself, a loop, over three levels, a parent the caller does not moderate) is
refused with its reason and changes nothing."""

from __future__ import annotations

from fedicom.groups.models import Group
from fedicom.moderation.models import ModlogAction, ModlogEntry
from tests.moderation import test_admin_api
from tests.moderation.test_admin_api import Admin

admin = test_admin_api.admin  # the same fixture: root (admin), mia moderating news, and other


async def family(*names: str) -> dict[str, tuple[str, str | None, bool]]:
    """Each community's kind, parent's name and featured-children flag, as stored."""
    rows = {g.id: g for g in await Group.all()}
    return {
        g.name: (g.kind.value, rows[g.parent_id].name if g.parent_id else None, g.feature_children)  # type: ignore[attr-defined]
        for g in rows.values()
        if g.name in names
    }


async def test_an_admin_creates_a_family_of_three_levels_with_kinds(admin: Admin) -> None:
    root = await admin.token("root", ["admin"])
    made = await admin.call(
        "POST", "/communities", root, json={"name": "muscle", "kind": "ideas", "parent": "news"}
    )
    assert made.status_code == 201, made.text
    assert (made.json()["kind"], made.json()["parent"], made.json()["children"]) == ("ideas", "news", [])
    r = await admin.call("POST", "/communities", root, json={"name": "mustang", "parent": "muscle"})
    assert r.status_code == 201 and r.json()["kind"] == "discussion"
    r = await admin.call(
        "PATCH", "/communities/news", root, json={"feature_children": True, "kind": "questions"}
    )
    assert r.status_code == 200, r.text
    news = r.json()
    assert (news["kind"], news["parent"], news["children"], news["feature_children"]) == (
        "questions",
        None,
        ["muscle"],
        True,
    )
    # kinds and families are ours alone: nothing is federated for them
    assert await ModlogEntry.filter(action=ModlogAction.EDIT_COMMUNITY, community="news").count() == 1


async def test_bad_choices_on_create_are_refused_and_nothing_is_created(admin: Admin) -> None:
    root = await admin.token("root", ["admin"])
    await admin.call("POST", "/communities", root, json={"name": "muscle", "parent": "news"})
    await admin.call("POST", "/communities", root, json={"name": "mustang", "parent": "muscle"})
    cases = {
        "kind": ({"name": "gt", "kind": "polls"}, 422, "body kind:"),
        "unknown": (
            {"name": "gt", "parent": "planes"},
            400,
            "there is no community named planes to be the parent",
        ),
        "itself": ({"name": "gt", "parent": "gt"}, 400, "there is no community named gt to be the parent"),
        "deep": ({"name": "gt", "parent": "mustang"}, 400, "gt under mustang would make 4 levels"),
    }
    for case, (body, status, reason) in cases.items():
        r = await admin.call("POST", "/communities", root, json=body)
        assert r.status_code == status and r.json()["error"].startswith(reason), (case, r.text)
    assert not await Group.exists(name="gt")


async def test_bad_parents_on_edit_are_refused_with_the_reason_and_change_nothing(admin: Admin) -> None:
    root = await admin.token("root", ["admin"])
    mia = await admin.token("mia", ["moderate"])  # moderates news only
    await admin.call("POST", "/communities", root, json={"name": "muscle", "parent": "news"})
    await admin.call("POST", "/communities", root, json={"name": "mustang", "parent": "muscle"})
    await admin.call("POST", "/communities", root, json={"name": "boats"})
    await admin.call("POST", "/communities", root, json={"name": "vans"})
    assert (
        await admin.call("POST", "/communities/vans/moderators", root, json={"moderator": "mia"})
    ).is_success
    before = await family("news", "muscle", "mustang", "other", "boats", "vans")
    edits = await ModlogEntry.filter(action=ModlogAction.EDIT_COMMUNITY).count()
    cases = [
        (root, "news", {"parent": "news"}, 400, "news cannot be its own parent"),
        (
            root,
            "news",
            {"parent": "mustang"},
            400,
            "mustang is already below news: news cannot also be below it",
        ),
        (root, "news", {"parent": "planes"}, 400, "there is no community named planes to be the parent"),
        (root, "other", {"parent": "mustang"}, 400, "other under mustang would make 4 levels"),
        (root, "news", {"parent": "boats"}, 400, "news under boats would make 4 levels"),
        (root, "news", {"kind": "polls"}, 422, "body kind:"),
        (root, "news", {"kind": None}, 422, "body: Value error, kind cannot be null"),
        (root, "news", {"parent": "Bad Name"}, 422, "body parent:"),
        (mia, "vans", {"parent": "other"}, 403, "to place vans under other you must moderate other too"),
        (mia, "other", {"kind": "ideas"}, 403, "mia does not moderate other"),
    ]
    for token, name, body, status, reason in cases:
        r = await admin.call("PATCH", f"/communities/{name}", token, json=body)
        assert r.status_code == status and r.json()["error"].startswith(reason), (name, body, r.text)
    assert await family("news", "muscle", "mustang", "other", "boats", "vans") == before
    assert await ModlogEntry.filter(action=ModlogAction.EDIT_COMMUNITY).count() == edits
    # a moderator of both places one under the other
    r = await admin.call("PATCH", "/communities/vans", mia, json={"parent": "news"})
    assert r.status_code == 200 and r.json()["parent"] == "news", r.text


async def test_moving_and_detaching_a_community_is_logged_by_name(admin: Admin) -> None:
    root = await admin.token("root", ["admin"])
    r = await admin.call("PATCH", "/communities/other", root, json={"parent": "news"})
    assert r.status_code == 200 and r.json()["parent"] == "news", r.text
    assert (await admin.call("GET", "/communities/news", root)).json()["children"] == ["other"]
    r = await admin.call("PATCH", "/communities/other", root, json={"parent": None})
    assert r.status_code == 200 and r.json()["parent"] is None
    logged = await ModlogEntry.filter(action=ModlogAction.EDIT_COMMUNITY, community="other").order_by("id")
    assert [e.details for e in logged] == [{"parent": "news"}, {"parent": None}]


async def test_the_openapi_document_shows_kind_parent_and_featured_children(admin: Admin) -> None:
    doc = (await admin.client.get("/api/v1/admin/openapi.json")).json()
    schemas = doc["components"]["schemas"]
    for name in ("CommunityCreate", "CommunityUpdate", "CommunityOut"):
        assert {"kind", "parent", "feature_children"} <= set(schemas[name]["properties"]), name
