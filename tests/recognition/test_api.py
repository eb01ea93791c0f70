"""The admin API of recognition as a script uses it: a community's reputation, a member left out and
included again, bad input refused with a reason and nothing changed, the leaderboard switched off."""

from __future__ import annotations

import httpx

from fedicom.groups.models import Post
from fedicom.recognition.models import LeftOut
from fedicom.staff.models import Staff
from fedicom.staff.tokens import create_token
from tests.moderation.helpers import community_with_moderator
from tests.support.servers import Instance

KIM = "https://example.social/users/kim"


async def test_reputation_leave_out_include_and_the_leaderboard_option(instance) -> None:
    inst: Instance = await instance()
    await community_with_moderator(inst, "news")
    group = await inst.groups.group("news")
    await Post.create(group=group, object_id=f"{KIM}/1", type="Page", author=KIM, title="Hi", document={},
                      published=group.created_at)  # fmt: skip
    _, secret = await create_token(await Staff.get(username="mia"), "script", ["moderate"])
    base = f"{inst.base}/api/v1/admin/communities/news"
    async with httpx.AsyncClient(headers={"Authorization": f"Bearer {secret}"}) as http:
        shown = (await http.get(f"{base}/reputation")).json()
        left = await http.post(f"{base}/reputation/left-out", json={"actor": KIM})
        marked = (await http.get(f"{base}/reputation")).json()
        bad = await http.post(f"{base}/reputation/left-out", json={"actor": "kim"})
        extra = await http.post(f"{base}/reputation/left-out", json={"actor": KIM, "why": "x"})
        assert await LeftOut.all().count() == 1
        back = await http.post(f"{base}/reputation/include", json={"actor": KIM})
        again = await http.post(f"{base}/reputation/include", json={"actor": KIM})
        off = await http.patch(base, json={"leaderboard": False})
    assert shown["leaderboard"] is True and shown["left_out"] == []
    assert shown["members"] == [
        {"actor": KIM, "points": 0, "badges": ["first_contribution"], "left_out": False}
    ]
    assert (
        left.status_code == 200
        and left.json()["actor"] == KIM
        and left.json()["recorded_by"].endswith("/u/mia")
    )
    assert marked["members"][0]["left_out"] is True and [x["actor"] for x in marked["left_out"]] == [KIM]
    assert bad.status_code == 400 and "not an actor's address" in bad.json()["error"]
    assert extra.status_code == 422
    assert back.status_code == 204 and again.status_code == 404 and not await LeftOut.exists()
    assert off.status_code == 200 and off.json()["leaderboard"] is False
    async with httpx.AsyncClient() as http:
        assert (await http.get(f"{inst.base}/c/news/leaderboard")).status_code == 404
