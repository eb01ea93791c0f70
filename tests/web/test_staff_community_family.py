"""The staff form of a community chooses its kind, its parent (among the communities the staff member
moderates) and whether it features its children's threads; a refused choice keeps what was typed and
changes nothing, and none of it is sent to members' servers."""

from __future__ import annotations

import html
import re

from fedicom.activitypub.models import OutgoingActivity
from fedicom.groups.models import Group, Moderator
from fedicom.staff.accounts import create_staff
from tests.support.peer import Peer
from tests.web.http import get
from tests.web.scene import PASSWORD, community
from tests.web.signin import admin, staff_client
from tests.web.test_staff_communities import NEW, NEWS, as_sent, notices, post_form

OPTION = re.compile(r'<option value="([a-z0-9_]*)"')


async def given_mia_moderates_news_and_muscle(inst, peer: Peer) -> None:  # type: ignore[no-untyped-def]
    """news (mia's), muscle (mia's, an idea board), club (olga's)."""
    await community(inst, peer, members=("alice",))
    mia = inst.site.staff_uri("mia")
    await Moderator.create(group=await inst.community("muscle", title="Muscle cars", kind="ideas"), actor=mia)
    await create_staff("olga", PASSWORD)
    await Moderator.create(
        group=await inst.community("club", title="Book Club"), actor=inst.site.staff_uri("olga")
    )


async def family_of(name: str) -> tuple[str, str | None, bool]:
    group = await Group.get(name=name)
    parent = await Group.get_or_none(id=group.parent_id) if group.parent_id else None  # type: ignore[attr-defined]
    return group.kind.value, parent.name if parent else None, group.feature_children


async def test_an_admin_creates_a_niche_idea_board_from_the_form(instance, peer: Peer) -> None:
    inst = await instance()
    await community(inst, peer, members=())
    await admin("ada")
    async with staff_client(inst.base, "ada") as http:
        form = await get(http, NEW)
        assert OPTION.findall(form.text.split('id="parent"')[1].split("</select>")[0]) == ["", "news"]
        resp = await post_form(
            http,
            NEW,
            name="ideas",
            posting_policy="members",
            premoderation="off",
            kind="ideas",
            parent="news",
        )
        assert resp.status_code == 303, resp.text
    assert await family_of("ideas") == ("ideas", "news", False)


async def test_a_moderator_chooses_the_kind_parent_and_featuring_and_nothing_federates(
    instance, peer: Peer
) -> None:
    inst = await instance()
    await given_mia_moderates_news_and_muscle(inst, peer)
    before = await OutgoingActivity.all().count()
    async with staff_client(inst.base, "mia") as http:
        page = await get(http, "/staff/c/muscle")
        muscle_form = as_sent(
            title="Muscle cars", summary=None, rules=None, privacy_policy=None, kind="ideas", parent="news"
        )
        assert OPTION.findall(page.text.split('id="parent"')[1].split("</select>")[0]) == ["", "news"]
        assert 'id="kind-ideas" name="kind" value="ideas" aria-describedby="kind-hint" checked' in page.text
        resp = await post_form(http, "/staff/c/muscle", **muscle_form)
        assert resp.status_code == 303
        assert notices((await get(http, "/staff/c/muscle")).text) == [
            ("done-box", "Saved the parent community.")
        ]
        resp = await post_form(http, NEWS, **as_sent(kind="questions", feature_children="on"))
        assert notices((await get(http, NEWS)).text) == [
            ("done-box", "Saved the featured threads of its communities, kind.")
        ]
        page = await get(http, "/staff/c/muscle")
        assert '<option value="news" selected>' in page.text
    assert await family_of("muscle") == ("ideas", "news", False)
    assert await family_of("news") == ("questions", None, True)
    assert await OutgoingActivity.all().count() == before


async def test_refused_choices_keep_what_was_typed_and_change_nothing(instance, peer: Peer) -> None:
    inst = await instance()
    await given_mia_moderates_news_and_muscle(inst, peer)
    await Group.filter(name="muscle").update(parent_id=(await Group.get(name="news")).id)
    typed = "Kept while I fix the rest"
    async with staff_client(inst.base, "mia") as http:
        for changes, status, reason in (
            ({"parent": "club"}, 403, "To place news under club you must moderate club too."),
            ({"parent": "muscle"}, 400, "Muscle is already below news: news cannot also be below it."),
            ({"parent": "news"}, 400, "News cannot be its own parent."),
            ({"parent": "planes"}, 400, "There is no community named planes to be the parent."),
            (
                {"kind": "polls"},
                400,
                "The kind of a community is one of discussion, ideas, questions, not polls.",
            ),
        ):
            resp = await post_form(http, NEWS, **as_sent(summary=typed, **changes))
            assert resp.status_code == status, resp.text
            [(kind, text)] = notices(resp.text)
            assert kind == "error-box" and html.unescape(text) == reason, text
            assert f"{typed}</textarea>" in resp.text
    assert await family_of("news") == ("discussion", None, False)
    assert (await Group.get(name="news")).summary != typed
