"""Email and webhooks end to end: a notification reaches a real SMTP server and a webhook receiver that
checks the signature; a server that is down, refuses for now or answers 500 is retried and loses
nothing; a hanging one slows neither federation nor other staff members' notifications."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime

import pytest

from fedicom.errors import BadRequest
from fedicom.jobs.models import Job
from fedicom.jobs.runner import FinalFailure
from fedicom.notifications import webhooks
from fedicom.notifications.channels import DIGEST_JOB, EMAIL_JOB, WEBHOOK_JOB, next_digest
from fedicom.notifications.models import Channel, Notification
from fedicom.notifications.preferences import check_webhook_url, choose, set_email
from fedicom.staff.accounts import create_staff
from fedicom.staff.models import Staff
from tests.moderation.helpers import PASSWORD
from tests.notifications.conftest import SECRET, Receiver, Smtp, job_of, staff_post_scene
from tests.support.peer import Peer
from tests.support.steps import announced, due_now, reply, thread, until


async def mia_by(channel: Channel, **kw: object) -> Staff:
    mia = await Staff.get(username="mia")
    await set_email(mia, "mia@example.org")
    await choose(mia, channel, sends_email=True, allow_private=True, **kw)  # type: ignore[arg-type]
    return mia


async def test_an_email_reaches_the_smtp_server_at_once(instance, peer: Peer, smtp: Smtp) -> None:
    smtp.start()
    inst = await instance(**smtp.settings(), instance_name="Groups")
    scene = await staff_post_scene(inst, peer)
    await mia_by(Channel.EMAIL)
    await reply(peer, scene.bob, scene.group, scene.staff_post.object_id, "<p>I <b>agree</b> &lt;3</p>")
    [message] = await until(lambda: _messages(smtp))
    assert message["To"] == "mia@example.org" and message["From"] == "fedicom@groups.example"
    assert (
        message["Subject"]
        == f"[Groups] @bob@127.0.0.1:{peer.base.rsplit(':', 1)[1]} replied to your post in news"
    )
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "> I agree <3" in text and f"{inst.base}/staff/inbox" in text
    assert "I agree &lt;3" in html and "<b>" not in html
    job = await until(lambda: job_of(EMAIL_JOB, state="done"))
    assert job.tries == 1 and (await Notification.get()).mailed


async def _messages(smtp: Smtp) -> list:  # type: ignore[type-arg]
    return list(smtp.mailbox.messages)


async def test_an_smtp_server_that_is_down_then_refuses_for_now_loses_nothing(
    instance, peer: Peer, smtp: Smtp
) -> None:
    inst = await instance(**smtp.settings())  # nothing listens on the SMTP port yet
    scene = await staff_post_scene(inst, peer)
    await mia_by(Channel.EMAIL)
    await reply(peer, scene.bob, scene.group, scene.staff_post.object_id, "<p>hello</p>")
    job = await until(lambda: job_of(EMAIL_JOB, tries=1))
    assert job.state == "pending" and "did not take the email" in (job.last_error or "")
    assert 20 < job.next_try_at - time.time() <= 30  # the delivery schedule's first step
    smtp.start()
    smtp.mailbox.refuse = 1  # up, but refusing for now (451)
    await due_now(inst, EMAIL_JOB)
    job = await until(lambda: job_of(EMAIL_JOB, tries=2))
    assert job.state == "pending" and "refused the address for now" in (job.last_error or "")
    await due_now(inst, EMAIL_JOB)
    [message] = await until(lambda: _messages(smtp))
    assert message["To"] == "mia@example.org" and smtp.mailbox.refused == 1
    job = await until(lambda: job_of(EMAIL_JOB, state="done"))
    assert job.tries == 3


async def test_a_daily_digest_is_one_email_per_day_listing_what_is_unread(
    instance, peer: Peer, smtp: Smtp
) -> None:
    smtp.start()
    inst = await instance(**smtp.settings(), notify_digest_hour=7)
    scene = await staff_post_scene(inst, peer)
    await mia_by(Channel.DIGEST)
    for text in ("first", "second", "third"):
        await reply(peer, scene.bob, scene.group, scene.staff_post.object_id, f"<p>{text}</p>")
    [job] = await Job.filter(kind=DIGEST_JOB)
    at = next_digest(datetime.now(UTC), 7)
    assert job.key == f"digest:mia:{at.date().isoformat()}" and job.next_try_at == at.timestamp()
    await Notification.filter(excerpt="second").update(read_at=datetime.now(UTC))  # read on the page
    await asyncio.sleep(1.2)
    assert smtp.mailbox.messages == []  # not before its hour
    await due_now(inst, DIGEST_JOB)
    [message] = await until(lambda: _messages(smtp))
    assert message["Subject"] == "[fedicom] 2 new notifications today"
    text = message.get_body(("plain",)).get_content()
    assert "> first" in text and "> third" in text and "second" not in text
    await until(lambda: _mailed(2))  # recorded with the job's completion, right after the send
    assert (await Job.get(kind=DIGEST_JOB)).state == "done"


async def _mailed(n: int) -> bool:
    return await Notification.filter(mailed=True).count() == n


async def test_a_webhook_reaches_the_receiver_signed_and_is_retried_after_a_500(
    instance, peer: Peer, receiver: Receiver
) -> None:
    inst = await instance()
    scene = await staff_post_scene(inst, peer)
    made = await choose(
        await Staff.get(username="mia"),
        Channel.WEBHOOK,
        sends_email=False,
        allow_private=True,
        webhook_url=receiver.url,
        webhook_secret=SECRET,
    )
    assert made.new_secret is None  # she set her own
    receiver.fail = 1
    await reply(peer, scene.bob, scene.group, scene.staff_post.object_id, "<p>ping</p>")
    job = await until(lambda: job_of(WEBHOOK_JOB, tries=1))
    assert (job.state, job.last_error) == ("pending", "the webhook answered HTTP 500")
    await due_now(inst, WEBHOOK_JOB)
    [event] = await until(lambda: _events(receiver))
    stored = await Notification.get()
    assert event == {
        "event": "reply",
        "id": stored.id,
        "instance": inst.base,
        "community": "news",
        "actor": scene.bob.uri,
        "actor_name": event["actor_name"],
        "summary": f"{event['actor_name']} replied to your post in news",
        "url": stored.url,
        "excerpt": "ping",
        "created": stored.created_at.isoformat(),
    }
    assert event["actor_name"].startswith("@bob@") and receiver.bad_signatures == 0
    assert (await until(lambda: job_of(WEBHOOK_JOB, state="done"))).tries == 2


async def _events(receiver: Receiver) -> list:  # type: ignore[type-arg]
    return list(receiver.events)


async def test_a_webhook_that_answers_404_or_has_another_secret_fails_at_once_with_the_reason(
    instance, peer: Peer, receiver: Receiver
) -> None:
    inst = await instance()
    scene = await staff_post_scene(inst, peer)
    mia = await Staff.get(username="mia")
    made = await choose(mia, Channel.WEBHOOK, sends_email=False, allow_private=True, webhook_url=receiver.url)
    assert (
        made.new_secret and made.settings.webhook_secret == made.new_secret
    )  # made for her: not the receiver's
    await reply(peer, scene.bob, scene.group, scene.staff_post.object_id, "<p>ping</p>")
    job = await until(lambda: job_of(WEBHOOK_JOB, state="failed"))
    assert (job.tries, job.last_error) == (1, "the webhook answered HTTP 401: a retry would not change that")
    assert receiver.bad_signatures == 1 and receiver.events == []


async def test_private_webhook_addresses_are_refused_outside_development_mode() -> None:
    for url in (
        "http://chat.example/hook",
        "https://127.0.0.1/hook",
        "https://10.0.0.8/x",
        "https://localhost/x",
    ):
        with pytest.raises(BadRequest):
            check_webhook_url(url, allow_private=False)
    assert (
        check_webhook_url(" https://chat.example/hooks/1 ", allow_private=False)
        == "https://chat.example/hooks/1"
    )
    with pytest.raises(FinalFailure, match="refused"):
        await webhooks.post(None, "https://192.168.1.1/hook", SECRET, b"{}", allow_private=False)  # type: ignore[arg-type]


async def test_a_hanging_smtp_server_slows_neither_federation_nor_other_staff(
    instance, peer: Peer, receiver: Receiver
) -> None:
    """mia's mail server accepts connections and never answers; bob's posts are still processed and
    announced at once, and otto's webhook is told of each while mia's emails wait."""
    held: list[asyncio.StreamWriter] = []

    async def silent(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        held.append(writer)

    hole = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = hole.sockets[0].getsockname()[1]
    inst = await instance(
        smtp_host="127.0.0.1", smtp_port=port, smtp_security="none", smtp_from="f@groups.example"
    )
    scene = await staff_post_scene(inst, peer)
    await mia_by(Channel.EMAIL)
    otto = await create_staff("otto", PASSWORD)
    await choose(
        otto,
        Channel.WEBHOOK,
        sends_email=True,
        allow_private=True,
        webhook_url=receiver.url,
        webhook_secret=SECRET,
    )
    tag = [{"type": "Mention", "href": inst.site.staff_uri("otto"), "name": "@otto"}]
    for n in range(4):
        await reply(peer, scene.bob, scene.group, scene.staff_post.object_id, f"<p>for mia {n}</p>")
    await until(lambda: _connected(held, 2))  # two emails hang: a kind never takes every job slot
    for n in range(3):
        await thread(peer, scene.bob, scene.group, f"<p>@otto look {n}</p>", tag=tag)
    await until(lambda: _count(receiver, 3))
    await peer.wait_for(lambda: len(announced(peer, "Create")) >= 7)
    # all of that happened while every email still waits on its first try (30 s SMTP timeout): nothing lost
    emails = await Job.filter(kind=EMAIL_JOB).values_list("state", "tries")
    assert sorted(emails) == [("pending", 0)] * 4
    hole.close()
    for writer in held:
        writer.close()


async def _connected(held: list[asyncio.StreamWriter], n: int) -> bool:
    return len(held) >= n


async def _count(receiver: Receiver, n: int) -> bool:
    return len(receiver.events) >= n
