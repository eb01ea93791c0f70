"""Pages of a questions community: each question marked Answered or Unanswered, the Unanswered and
Answered filters, the accepted answer shown first and marked on the question's page; staff accept a
reply from its staff page (CSRF) and list the unanswered oldest first. Valid HTML, axe light and dark."""

from __future__ import annotations

from pathlib import Path

from playwright.async_api import Browser

from fedicom.answers.models import AcceptedAnswer
from fedicom.groups.models import Group
from tests.support.peer import Peer
from tests.web.browser import assert_valid_html, check_axe, screenshot
from tests.web.http import client, get
from tests.web.scene import Scene, community, reply, thread
from tests.web.signin import browser_sign_in, staff_client, staff_documents
from tests.web.test_staff_posts import act


async def help_desk(inst, peer: Peer) -> Scene:  # type: ignore[no-untyped-def]
    """news as a questions community: alice asks two questions; bob and carol answer the first, carol
    under bob's reply; nobody answers the second yet."""
    scene = await community(inst, peer)
    await Group.filter(name="news").update(kind="questions")
    inst.groups.forget_group("news")
    alice, bob, carol = (scene.people[n] for n in ("alice", "bob", "carol"))
    scene.posts["q1"], _ = await thread(
        peer, alice, scene.group, "<p>My feed stopped updating yesterday.</p>", name="Why is my feed empty?"
    )
    scene.posts["q2"], _ = await thread(
        peer, alice, scene.group, "<p>Can I move my account?</p>", name="How do I move servers?"
    )
    scene.posts["guess"], _ = await reply(
        peer, bob, scene.group, scene.posts["q1"]["id"], "<p>Restart it?</p>"
    )
    scene.posts["fix"], _ = await reply(
        peer,
        carol,
        scene.group,
        scene.posts["guess"]["id"],
        "<p>Follow the community again: it fixes it.</p>",
    )
    return scene


async def test_staff_accept_from_the_staff_page_and_pages_show_it(instance, peer: Peer) -> None:
    inst = await instance()
    scene = await help_desk(inst, peer)
    fix, q1, q2 = await scene.post("fix"), await scene.post("q1"), await scene.post("q2")
    async with staff_client(inst.base, "mia") as http:
        before = await get(http, f"/staff/c/news/p/{fix.id}")
        kind, said = await act(http, fix, "accept-answer")
        after = await get(http, f"/staff/c/news/p/{fix.id}")
        again_kind, again = await act(http, await scene.post("q1"), "accept-answer")  # the question itself
        waiting = await get(http, "/staff/communities/news/questions")
    assert "Accept as the answer</button>" in before.text
    assert kind == "done-box" and "Accepted post" in said
    assert "Clear the accepted answer</button>" in after.text and "Accepted answer</span>" in after.text
    assert again_kind == "error-box" and "is the question itself" in again
    assert (await AcceptedAnswer.get(question_id=q1.id)).answer_id == fix.id  # type: ignore[attr-defined]
    assert "How do I move servers?" in waiting.text and "Why is my feed empty?" not in waiting.text
    assert 'aria-current="page">Unanswered</a>' in waiting.text

    async with client(inst.base) as http:
        listed = await get(http, "/c/news")
        unanswered = await get(http, "/c/news?status=unanswered")
        answered = await get(http, "/c/news?status=answered")
        bad = await get(http, "/c/news?status=maybe")
        question = await get(http, f"/c/news/p/{q1.id}")
        other = await get(http, f"/c/news/p/{q2.id}")
    items = listed.text.split('<article class="post-summary')
    [first] = [i for i in items if "Why is my feed empty?" in i]
    [second] = [i for i in items if "How do I move servers?" in i]
    assert '<strong class="badge answered">Answered</strong>' in first
    assert '<span class="badge">Unanswered</span>' in second
    assert unanswered.titles() == ["How do I move servers?"] and answered.titles() == [
        "Why is my feed empty?"
    ]
    assert 'href="/c/news?status=unanswered" aria-current="page">Unanswered</a>' in unanswered.text
    assert bad.status == 400 and "status is one of" in bad.text.lower()
    # the accepted answer comes first, marked, before the replies, and is marked in the tree too
    text = question.text
    assert text.index('id="accepted-heading"') < text.index('id="replies-heading"')
    assert text.index("Follow the community again") < text.index("Restart it?")
    assert text.count("Accepted answer</strong>") == 2  # in its section and in the tree
    assert '<span class="badge">Unanswered</span>' in other.text and "accepted-heading" not in other.text


async def test_question_pages_are_valid_html_and_accessible_light_and_dark(
    instance, peer: Peer, browser: Browser, tmp_path: Path
) -> None:
    inst = await instance()
    scene = await help_desk(inst, peer)
    fix, q1 = await scene.post("fix"), await scene.post("q1")
    async with staff_client(inst.base, "mia") as http:
        await act(http, fix, "accept-answer")
    public = ["/c/news", "/c/news?status=unanswered", f"/c/news/p/{q1.id}"]
    staff = ["/staff/communities/news/questions", f"/staff/c/news/p/{fix.id}", f"/staff/c/news/p/{q1.id}"]
    async with client(inst.base) as http:
        documents = {path: (await http.get(path)).text for path in public}
    documents.update(await staff_documents(inst.base, {"mia": staff}))
    assert_valid_html(documents, tmp_path)
    page = await browser_sign_in(browser, inst.base, "mia")
    problems: dict[str, str] = {}
    for scheme in ("light", "dark"):
        await page.emulate_media(color_scheme=scheme)  # type: ignore[arg-type]
        for path in public + staff:
            await page.goto(inst.base + path)
            await check_axe(page, problems, f"{path} ({scheme})")
    await page.emulate_media(color_scheme="light")
    await page.goto(inst.base + f"/c/news/p/{q1.id}")
    await screenshot(page, "question-answered")
    await page.goto(inst.base + "/staff/communities/news/questions")
    await screenshot(page, "staff-questions")
    assert problems == {}, "\n".join(f"{p}: {v}" for p, v in problems.items())
