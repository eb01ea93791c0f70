"""The staff pages of the community's own voice over real HTTP and in Chromium: write a post with an
image and its alt text, ask in a poll, reply to a member, edit and delete one's own post, each
federating as the services do; refused forms say why and keep what was typed; the pages are valid
HTML and pass axe."""

from __future__ import annotations

from pathlib import Path

from playwright.async_api import Browser

from fedicom.activitypub.models import OutgoingActivity
from fedicom.groups.models import Post
from fedicom.publishing.models import ScheduledPost
from tests.support.peer import Peer
from tests.support.pictures import SVG, picture
from tests.support.steps import announced
from tests.web.browser import assert_valid_html, check_axe, screenshot
from tests.web.http import get
from tests.web.scene import community, thread
from tests.web.signin import browser_sign_in, form_token, staff_client

WRITE = "/staff/c/news/write"
POLL = "/staff/c/news/poll"


async def test_writing_editing_and_deleting_a_post_over_http(instance, peer: Peer) -> None:
    inst = await instance()
    scene = await community(inst, peer, members=("alice",))
    async with staff_client(inst.base, "mia") as http:
        token = await form_token(http, WRITE)
        sent = await http.post(
            WRITE,
            data={
                "csrf_token": token,
                "title": "Winter hours",
                "body": "Open *late* on Fridays.",
                "alt1": "The shop",
            },
            files={"image1": ("shop.png", picture(), "image/png")},
        )
        assert sent.status_code == 303, sent.text
        post = await Post.get(title="Winter hours")
        assert sent.headers["location"] == f"/staff/c/news/p/{post.id}"
        shown = await get(http, sent.headers["location"])
        assert "Published “Winter hours”" in shown.text and "Your post" in shown.text
        [wrapped] = await peer.wait_for(lambda: announced(peer, "Create", post.object_id))
        assert wrapped["object"]["object"]["attachment"][0]["name"] == "The shop"

        edit_page = await get(http, f"/staff/c/news/p/{post.id}/edit")
        assert edit_page.status == 200 and "Open *late* on Fridays." in edit_page.text
        token = edit_page.csrf_token()
        saved = await http.post(
            f"/staff/c/news/p/{post.id}/edit",
            data={
                "csrf_token": token,
                "title": "Winter hours",
                "body": "Open late on Fridays and Saturdays.",
                "keep1": "on",
            },
        )
        assert saved.status_code == 303, saved.text
        await peer.wait_for(lambda: announced(peer, "Update", post.object_id))
        stored = await Post.get(id=post.id)
        assert "Saturdays" in stored.content and len(stored.document["attachment"]) == 1

        token = await form_token(http, f"/staff/c/news/p/{post.id}")
        gone = await http.post(f"/staff/c/news/p/{post.id}/delete", data={"csrf_token": token})
        assert gone.status_code == 303 and gone.headers["location"] == "/staff/c/news/posts"
        await peer.wait_for(lambda: announced(peer, "Delete", post.object_id))
        assert (await Post.get(id=post.id)).deleted
    assert scene.moderator == wrapped["object"]["actor"]


async def test_refused_forms_say_why_keep_the_text_and_send_nothing(instance, peer: Peer) -> None:
    inst = await instance()
    await community(inst, peer, members=("alice",))
    before = await OutgoingActivity.all().count()
    async with staff_client(inst.base, "mia") as http:
        token = await form_token(http, WRITE)
        not_image = await http.post(
            WRITE,
            data={"csrf_token": token, "title": "Look", "body": "Kept text", "alt1": "a drawing"},
            files={"image1": ("x.png", SVG, "image/png")},
        )
        no_alt = await http.post(
            WRITE,
            data={"csrf_token": token, "title": "Look", "body": "b"},
            files={"image1": ("x.png", picture(), "image/png")},
        )
        one_option = await http.post(
            POLL, data={"csrf_token": token, "question": "Really?", "option1": "Yes", "closes": "1d"}
        )
        past = await http.post(
            POLL, data={"csrf_token": token, "question": "Q", "option1": "A", "option2": "B", "closes": "1y"}
        )
    assert not_image.status_code == 415 and "is not a PNG, JPEG, GIF or WebP image" in not_image.text
    assert "Kept text" in not_image.text and 'value="a drawing"' in not_image.text
    assert no_alt.status_code == 400 and "Image 1 needs an alt text" in no_alt.text
    assert one_option.status_code == 400 and "poll needs 2 to 10 options" in one_option.text
    assert past.status_code == 400 and "not a duration" in past.text
    assert await Post.all().count() == 0 and await OutgoingActivity.all().count() == before


async def test_composing_replying_and_polling_in_the_browser(
    instance, peer: Peer, browser: Browser, tmp_path: Path
) -> None:
    inst = await instance()
    scene = await community(inst, peer, members=("alice",))
    question, _ = await thread(
        peer, scene.people["alice"], scene.group, "<p>Do you ship abroad?</p>", name="Shipping"
    )
    member_post = await Post.get(object_id=question["id"])
    page = await browser_sign_in(browser, inst.base, "mia")

    # compose a post with an image and its alt text
    await page.goto(inst.base + "/staff/c/news")
    await page.get_by_role("link", name="Write").click()
    await page.get_by_label("Title").fill("Our winter collection")
    await page.get_by_label("Text", exact=True).fill("Warm **scarves** and hats, made here.")
    await page.get_by_label("Image 1", exact=True).set_input_files(
        files=[{"name": "scarf.png", "mimeType": "image/png", "buffer": picture(size=(640, 480))}]
    )
    await page.get_by_label("Alt text of image 1").fill("A red wool scarf folded on a table")
    await screenshot(page, "staff-write")
    await page.get_by_role("button", name="Publish").click()
    await page.get_by_role("status").filter(has_text="Published “Our winter collection”").wait_for()
    await page.get_by_role("img", name="A red wool scarf folded on a table").wait_for()
    await screenshot(page, "staff-written-post")
    await page.get_by_role("main").get_by_role("link", name="Public page").last.click()
    await page.get_by_role("img", name="A red wool scarf folded on a table").wait_for()

    # an official announcement, posted as the community itself
    await page.goto(inst.base + WRITE)
    await page.get_by_label("The community itself").check()
    await page.get_by_label("Title").fill("Closed on 25 December")
    await page.get_by_label("Text", exact=True).fill("The team wishes you a happy holiday.")
    await page.get_by_role("button", name="Publish").click()
    await page.get_by_role("status").filter(has_text="Published “Closed on 25 December”").wait_for()
    await screenshot(page, "staff-community-post")
    official = await Post.get(title="Closed on 25 December")
    assert official.author == scene.group and official.document["attributedTo"] == scene.group
    await page.get_by_role("main").get_by_role("link", name="Public page").last.click()
    await page.get_by_role("heading", name="Closed on 25 December").wait_for()
    await screenshot(page, "public-community-post")

    # reply to a member's question: alice's server hears of it directly
    await page.goto(f"{inst.base}/staff/c/news/p/{member_post.id}")
    await page.get_by_label("Your reply").fill("Yes, everywhere in the EU.")
    await page.get_by_role("button", name="Reply", exact=True).click()
    await page.get_by_role("status").filter(has_text="Replied").wait_for()
    await peer.wait_for(
        lambda: [
            a
            for a in peer.received_of("Create", inner="Note")
            if a["object"].get("inReplyTo") == question["id"]
        ]
    )

    # ask in a poll
    await page.goto(inst.base + POLL)
    await page.get_by_label("Question").fill("Which colour next?")
    await page.get_by_label("Answer 1", exact=True).fill("Forest green")
    await page.get_by_label("Answer 2", exact=True).fill("Navy")
    await page.get_by_label("Open for").select_option("3d")
    await screenshot(page, "staff-poll")
    await page.get_by_role("button", name="Publish the poll").click()
    await page.get_by_role("status").filter(has_text="Poll “Which colour next?” published").wait_for()
    assert await Post.filter(type="Question").count() == 1

    # dark mode, and the pages are valid and accessible
    dark = await browser.new_context(color_scheme="dark", storage_state=await page.context.storage_state())
    dark_page = await dark.new_page()
    await dark_page.goto(inst.base + WRITE)
    await screenshot(dark_page, "staff-write-dark")
    problems: dict[str, str] = {}
    paths = [WRITE, POLL, f"/staff/c/news/p/{member_post.id}"]
    for path in paths:
        await page.goto(inst.base + path)
        await check_axe(page, problems, path)
    assert problems == {}, problems
    async with staff_client(inst.base, "mia") as http:
        mine = await Post.get(title="Our winter collection")
        documents = {
            p: (await get(http, p)).text
            for p in [*paths, f"/staff/c/news/p/{mine.id}", f"/staff/c/news/p/{mine.id}/edit"]
        }
        token = await form_token(http, WRITE)
        documents["refused"] = (
            await http.post(WRITE, data={"csrf_token": token, "title": "", "body": "x"})
        ).text
    assert_valid_html(documents, tmp_path)


async def test_scheduling_from_the_write_page_and_cancelling_it(instance, peer: Peer, tmp_path: Path) -> None:
    inst = await instance()
    await community(inst, peer, members=())
    async with staff_client(inst.base, "mia") as http:
        token = await form_token(http, WRITE)
        fields = {
            "csrf_token": token,
            "title": "Friday offer",
            "body": "20% off",
            "every": "fri 10:00",
            "timezone": "Europe/Paris",
        }
        sent = await http.post(WRITE, data=fields)
        assert sent.status_code == 303 and sent.headers["location"] == "/staff/c/news/scheduled", sent.text
        listed = await get(http, "/staff/c/news/scheduled")
        assert "Scheduled for" in listed.text and "fri 10:00 (Europe/Paris)" in listed.text
        past = await http.post(WRITE, data={**fields, "every": "", "at": "2020-01-01T10:00"})
        assert past.status_code == 400 and "is in the past" in past.text and "20% off" in past.text
        item = await ScheduledPost.get(state="scheduled")
        gone = await http.post(f"/staff/c/news/scheduled/{item.id}/cancel", data={"csrf_token": token})
        assert gone.status_code == 303
        after = await get(http, "/staff/c/news/scheduled")
        assert "Cancelled scheduled post" in after.text and ">cancelled<" in after.text
        documents = {"scheduled": after.text, "write": (await get(http, WRITE)).text}
    assert not await Post.all().count()
    assert_valid_html(documents, tmp_path)
