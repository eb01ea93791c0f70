"""Setting statuses through the admin API as a script does: the list filtered and sorted, a status with
its note and history, the idea credit of recognition following completion in the same transaction,
and a merge answering with the moved votes."""

from __future__ import annotations

import httpx

from fedicom.groups.models import Post
from fedicom.ideas.board_models import IdeaStatusChange
from fedicom.ideas.lifecycle import IdeaStatus
from fedicom.recognition.models import Credit, CreditKind
from fedicom.staff.models import Staff
from fedicom.staff.tokens import create_token
from tests.ideas.test_bad_input import given_boards


async def test_the_api_lists_sets_statuses_and_merges(instance) -> None:
    inst = await instance()
    _author, p = await given_boards(inst)
    one, two = p["one"], p["two"]
    _, secret = await create_token(await Staff.get(username="mia"), "script", ["moderate"])
    base = f"{inst.base}/api/v1/admin/communities/ideas/ideas"
    async with httpx.AsyncClient(headers={"Authorization": f"Bearer {secret}"}) as http:
        listed = (await http.get(base, params={"sort": "new"})).json()
        completed = await http.post(f"{base}/{one.id}/status", json={"status": "completed", "note": "Done!"})
        credited = await Credit.filter(post_id=one.id, kind=CreditKind.IDEA).count()
        started = await http.post(f"{base}/{one.id}/status", json={"status": "started"})
        only = (await http.get(base, params={"status": "started"})).json()
        merged = await http.post(f"{base}/{two.id}/merge", json={"into": one.object_id})
        openapi = (await http.get(f"{inst.base}/api/v1/admin/openapi.json")).json()
    assert [i["title"] for i in listed] == ["Black background", "Night theme", "Dark mode"]
    assert {i["status"] for i in listed} == {"open"}
    assert completed.status_code == 200 and completed.json()["status"] == "completed"
    assert completed.json()["note"] == "Done!" and credited == 1
    assert started.status_code == 200 and not await Credit.filter(kind=CreditKind.IDEA).exists()
    assert [i["id"] for i in only] == [one.id]
    history = await IdeaStatusChange.filter(post_id=one.id).order_by("id")
    assert [(h.previous, h.status, h.note) for h in history] == [
        (IdeaStatus.OPEN, IdeaStatus.COMPLETED, "Done!"),
        (IdeaStatus.COMPLETED, IdeaStatus.STARTED, ""),
    ]
    replies = await Post.filter(parent_id=one.id).exclude(id=p["comment"].id).order_by("id")
    assert [r.content for r in replies][-2:] == [
        "<p>Status: Completed — Done!</p>\n",
        "<p>Status: Started</p>\n",
    ]
    assert merged.status_code == 200, merged.text
    body = merged.json()
    assert body["duplicate"]["status"] == "duplicate" and body["duplicate"]["merged_into"] == one.id
    assert body["original"]["merged_here"] == 1 and (body["moved_votes"], body["dropped_votes"]) == (0, 0)
    paths = openapi["paths"]
    assert "/communities/{name}/ideas" in paths and "post" in paths["/communities/{name}/ideas/{id}/merge"]
    assert paths["/communities/{name}/ideas/{id}/status"]["post"]["tags"] == ["ideas"]
