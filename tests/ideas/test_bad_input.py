"""Bad input to the idea board's services, the CLI and the admin API: an unknown status, a status on a
comment or in a discussion community, a merge across communities, into itself, into its own duplicate
or into a merged idea. Each is a clear error, and nothing is stored or sent."""

from __future__ import annotations

import httpx
import pytest

from fedicom.activitypub.models import OutgoingActivity
from fedicom.errors import BadRequest
from fedicom.groups.models import Moderator, Post, Vote
from fedicom.ideas.board_models import IdeaState, IdeaStatusChange
from fedicom.ideas.lifecycle import IdeaStatus, parse_status
from fedicom.ideas.merging import merge
from fedicom.ideas.status import set_status
from fedicom.publishing.compose import Author, publish
from fedicom.publishing.drafts import Draft
from fedicom.staff.models import Staff
from fedicom.staff.tokens import create_token
from tests.moderation.helpers import community_with_moderator
from tests.support.servers import Instance


async def snapshot() -> tuple[object, ...]:
    """Everything a status change or a merge would touch."""
    return (
        await IdeaState.all().count(),
        await IdeaStatusChange.all().count(),
        await Post.all().count(),
        await Vote.all().count(),
        await OutgoingActivity.all().count(),
        sorted(await Post.filter(locked=True).values_list("id", flat=True)),
    )


async def given_boards(inst: Instance) -> tuple[Author, dict[str, Post]]:
    """Two idea boards and a discussion community moderated by mia, with ideas, a comment and a thread."""
    await community_with_moderator(inst, "ideas", kind="ideas")
    await inst.community("more", kind="ideas")
    await inst.community("talk")
    author = Author(inst.site.staff_uri("mia"), inst.files)
    for name in ("more", "talk"):
        await Moderator.create(group=await inst.groups.group(name), actor=author.actor)

    async def post(name: str, title: str | None, reply_to: Post | None = None) -> Post:
        group = await inst.groups.group(name)
        draft = Draft(body=title or "a comment", title=title)
        made = await publish(inst.groups, author, group, draft, reply_to=reply_to)
        return await Post.get(id=made.id).prefetch_related("group")

    one = await post("ideas", "Dark mode")
    posts = {
        "one": one,
        "two": await post("ideas", "Night theme"),
        "three": await post("ideas", "Black background"),
        "comment": await post("ideas", None, reply_to=one),
        "elsewhere": await post("more", "Dark mode too"),
        "discussion": await post("talk", "Let us talk"),
    }
    return author, posts


async def test_bad_statuses_and_merges_are_refused_and_change_nothing(instance) -> None:
    inst = await instance()
    author, p = await given_boards(inst)
    ctx = inst.groups
    # two already merged into one another: three into two
    await merge(ctx, author, p["three"], p["two"])
    before = await snapshot()

    with pytest.raises(BadRequest, match="not shipped"):
        parse_status("shipped")
    for post, status, reason in (
        (p["comment"], IdeaStatus.PLANNED, "is a comment: only an idea"),
        (p["discussion"], IdeaStatus.PLANNED, "talk is a discussion community, not an idea board"),
        (p["one"], IdeaStatus.DUPLICATE, "becomes a duplicate by merging it"),
        (p["one"], IdeaStatus.OPEN, "is already Open"),
        (p["three"], IdeaStatus.OPEN, f"merged into idea {p['two'].id}: its status stays duplicate"),
    ):
        with pytest.raises(BadRequest, match=reason):
            await set_status(ctx, author, post, status, "")
    for duplicate, original, reason in (
        (p["one"], p["elsewhere"], "is in ideas and idea .* in more: ideas are merged within one community"),
        (p["one"], p["one"], "cannot be merged into itself"),
        (p["two"], p["three"], f"idea {p['three'].id} was merged into idea {p['two'].id}: it is that idea"),
        (p["one"], p["three"], f"merge into idea {p['two'].id}"),
        (p["three"], p["one"], f"was already merged into idea {p['two'].id}"),
        (p["discussion"], p["one"], "not an idea board"),
        (p["comment"], p["one"], "is a comment"),
    ):
        with pytest.raises(BadRequest, match=reason):
            await merge(ctx, author, duplicate, original)
    assert await snapshot() == before


async def test_the_api_refuses_bad_input_with_a_reason(instance) -> None:
    inst = await instance()
    _author, p = await given_boards(inst)
    before = await snapshot()
    _, secret = await create_token(await Staff.get(username="mia"), "script", ["moderate"])
    base = f"{inst.base}/api/v1/admin/communities"
    async with httpx.AsyncClient(headers={"Authorization": f"Bearer {secret}"}) as http:
        unknown = await http.post(f"{base}/ideas/ideas/{p['one'].id}/status", json={"status": "shipped"})
        planned = {"status": "planned"}
        comment = await http.post(f"{base}/ideas/ideas/{p['comment'].id}/status", json=planned)
        talk = await http.post(f"{base}/talk/ideas/{p['discussion'].id}/status", json=planned)
        one = f"{base}/ideas/ideas/{p['one'].id}"
        across = await http.post(f"{one}/merge", json={"into": p["elsewhere"].object_id})
        itself = await http.post(f"{one}/merge", json={"into": str(p["one"].id)})
        listed = await http.get(f"{base}/talk/ideas")
        extra = await http.post(f"{one}/merge", json={"into": "1", "why": "x"})
    assert unknown.status_code == 422 and "status" in unknown.text
    assert comment.status_code == 400 and "is a comment" in comment.json()["error"]
    assert talk.status_code == 400 and "not an idea board" in talk.json()["error"]
    assert across.status_code == 400 and "merged within one community" in across.json()["error"]
    assert itself.status_code == 400 and "into itself" in itself.json()["error"]
    assert listed.status_code == 400 and "not an idea board" in listed.json()["error"]
    assert extra.status_code == 422
    assert await snapshot() == before
