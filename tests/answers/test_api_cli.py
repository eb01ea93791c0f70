"""Accepted answers as scripts and operators use them: the admin API (in the OpenAPI document) and
`fedicom answer accept|unaccept|unanswered`; bad input answered with a reason and nothing changed."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import httpx

from fedicom.answers.models import AcceptedAnswer
from fedicom.groups.models import Group, Moderator, Post
from fedicom.recognition.models import Credit
from fedicom.staff.accounts import create_staff
from fedicom.staff.models import Staff
from fedicom.staff.tokens import create_token
from tests.moderation.helpers import PASSWORD, community_with_moderator
from tests.support.cli import Run, in_db
from tests.support.servers import Instance

KIM = "https://example.social/users/kim"
LEE = "https://other.example/users/lee"


async def questions_with_replies(group: Group, base: str) -> dict[str, Post]:
    """Two questions (the first asked two days ago) by kim, each with a reply by lee; a chat thread."""
    made: dict[str, Post] = {}
    long_ago = datetime.now(UTC) - timedelta(days=2)
    for key, parent, title in (("q1", None, "First?"), ("q2", None, "Second?"), ("r1", "q1", None),
                               ("r2", "q2", None)):  # fmt: skip
        up = made.get(parent) if parent else None
        post = await Post.create(
            group=group, object_id=f"{base}/{key}", type="Note" if up else "Page", author=LEE if up else KIM,
            title=title, content=f"<p>{key}</p>", document={}, published=long_ago, parent=up, root=up,
        )  # fmt: skip
        made[key] = post
    await Post.filter(id=made["q1"].id).update(created_at=long_ago, reply_count=1)
    await Post.filter(id=made["q2"].id).update(reply_count=1)
    return made


async def test_the_admin_api_lists_accepts_and_clears(instance) -> None:
    inst: Instance = await instance()
    await community_with_moderator(inst, "help", kind="questions")
    talk = await inst.community("talk")
    await Moderator.create(group=talk, actor=inst.site.staff_uri("mia"))
    made = await questions_with_replies(await inst.groups.group("help"), KIM)
    _, secret = await create_token(await Staff.get(username="mia"), "script", ["moderate"])
    base = f"{inst.base}/api/v1/admin/communities/help"
    async with httpx.AsyncClient(headers={"Authorization": f"Bearer {secret}"}) as http:
        waiting = (await http.get(f"{base}/questions?status=unanswered")).json()
        wrong = await http.post(
            f"{base}/questions/accept", json={"answer": f"{KIM}/r1", "question": f"{KIM}/q2"}
        )
        itself = await http.post(f"{base}/questions/accept", json={"answer": f"{KIM}/q1"})
        unknown = await http.post(f"{base}/questions/accept", json={"answer": "https://x.example/1"})
        elsewhere = await http.post(
            f"{inst.base}/api/v1/admin/communities/talk/questions/accept", json={"answer": f"{KIM}/r1"}
        )
        bad_status = await http.get(f"{base}/questions?status=maybe")
        not_qa = await http.get(f"{inst.base}/api/v1/admin/communities/talk/questions")
        assert not await AcceptedAnswer.exists() and not await Credit.filter(kind="answer").exists()
        page = f"{inst.base}/c/help/p/{made['r1'].id}"  # the page address works as well as the id
        done = await http.post(f"{base}/questions/accept", json={"answer": page, "question": f"{KIM}/q1"})
        answered = (await http.get(f"{base}/questions?status=answered")).json()
        await Post.filter(id=made["r1"].id).update(state="removed")  # an answer removed since counts not
        waiting_again = (await http.get(f"{base}/questions")).json()
        await Post.filter(id=made["r1"].id).update(state="visible")
        cleared = await http.post(f"{base}/questions/unaccept", json={"question": f"{KIM}/q1"})
        again = await http.post(f"{base}/questions/unaccept", json={"question": f"{KIM}/q1"})
        spec = (await http.get(f"{inst.base}/api/v1/admin/openapi.json")).json()
    assert [q["title"] for q in waiting["questions"]] == ["First?", "Second?"]  # oldest first
    first = waiting["questions"][0]
    assert first["age_hours"] >= 47.9 and first["replies"] == 1 and first["answer"] is None
    assert wrong.status_code == 400 and "is not a reply in question" in wrong.json()["error"]
    assert itself.status_code == 400 and "is the question itself" in itself.json()["error"]
    assert unknown.status_code == 404 and "there is no post" in unknown.json()["error"]
    assert elsewhere.status_code == 400 and "not in talk" in elsewhere.json()["error"]
    assert bad_status.status_code in (400, 422) and not_qa.status_code == 400
    assert done.status_code == 200, done.text
    body = done.json()
    assert (
        body["answer"] == f"{KIM}/r1"
        and body["answer_author"] == LEE
        and body["notice"].startswith(inst.base)
    )
    assert body["accepted_by"].endswith("/u/mia")
    assert [(q["title"], q["answer"]) for q in answered["questions"]] == [("First?", f"{KIM}/r1")]
    assert [q["title"] for q in waiting_again["questions"]] == ["First?", "Second?"]
    assert cleared.status_code == 204 and again.status_code == 400
    assert not await AcceptedAnswer.exists()
    paths = spec["paths"]
    assert "get" in paths["/communities/{name}/questions"]
    assert "post" in paths["/communities/{name}/questions/accept"]


def test_the_answer_commands(migrated: Run, env: dict[str, str]) -> None:
    in_db(env, lambda: create_staff("mia", PASSWORD, is_admin=True))
    assert migrated("community", "create", "help", "--kind", "questions").exit_code == 0

    async def scene() -> dict[str, Post]:
        return await questions_with_replies(await Group.get(name="help"), KIM)

    made = in_db(env, scene)
    waiting = migrated("answer", "unanswered", "help", "--json")
    assert [q["title"] for q in json.loads(waiting.output)] == ["First?", "Second?"]
    wrong = migrated("answer", "accept", f"{KIM}/r1", "--question", f"{KIM}/q2", "--as", "mia")
    assert wrong.exit_code != 0 and "is not a reply in question" in wrong.output
    missing = migrated("answer", "accept", "https://nowhere.example/1", "--as", "mia")
    assert missing.exit_code != 0 and "there is no post" in missing.output
    done = migrated("answer", "accept", f"{KIM}/r1", "--as", "mia", "--json")
    assert done.exit_code == 0, done.output
    assert json.loads(done.output)["answer"] == f"{KIM}/r1"
    assert [q["title"] for q in json.loads(migrated("answer", "unanswered", "help", "--json").output)] == [
        "Second?"
    ]
    shown = migrated("answer", "unanswered", "help")
    assert "Second?" in shown.output and "First?" not in shown.output
    cleared = migrated("answer", "unaccept", f"{KIM}/q1", "--as", "mia")
    assert cleared.exit_code == 0 and "has no accepted answer now" in cleared.output
    again = migrated("answer", "unaccept", f"{KIM}/q1", "--as", "mia")
    assert again.exit_code != 0 and "has no accepted answer" in again.output
    assert made["q1"].id == 1
