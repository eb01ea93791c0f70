"""What the notification tests share: a real SMTP server (aiosmtpd) and a webhook receiver that checks
signatures, both on loopback, and a community where a staff member has posted."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiohttp import web
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from fedicom.groups.models import Post
from fedicom.jobs.models import Job
from fedicom.notifications import webhooks
from tests.moderation.helpers import moderator
from tests.support.peer import Peer, Person
from tests.support.servers import Instance, free_port
from tests.support.steps import join

SECRET = "a-webhook-secret-of-some-length"


class Mailbox:
    """An SMTP server's handler: keeps what it accepts; refuses the next `refuse` messages with 451."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.refuse = 0
        self.refused = 0

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if self.refuse:
            self.refuse -= 1
            self.refused += 1
            return "451 4.3.0 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        data = envelope.content if isinstance(envelope.content, bytes) else str(envelope.content).encode()
        message = message_from_bytes(data, policy=policy.default)
        assert isinstance(message, EmailMessage)
        self.messages.append(message)
        return "250 Message accepted"


@dataclass
class Smtp:
    port: int
    mailbox: Mailbox = field(default_factory=Mailbox)
    controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def settings(self) -> dict[str, Any]:
        """Instance settings that send through this server."""
        return {
            "smtp_host": "127.0.0.1",
            "smtp_port": self.port,
            "smtp_security": "none",
            "smtp_from": "fedicom@groups.example",
        }


@pytest.fixture
def smtp() -> Iterator[Smtp]:
    """A real SMTP server on a loopback port, not started yet (a test may start it late: a server down)."""
    server = Smtp(free_port())
    yield server
    server.stop()


@dataclass
class Receiver:
    """A webhook receiver: verifies each request as docs/notifications.md says; answers 500 `fail` times."""

    secret: str = SECRET
    url: str = ""
    events: list[dict[str, Any]] = field(default_factory=list)
    bad_signatures: int = 0
    fail: int = 0
    status_when_failing: int = 500
    attempts: int = 0

    async def handle(self, request: web.Request) -> web.Response:
        import json

        self.attempts += 1
        body = await request.read()
        stamp = request.headers.get(webhooks.TIMESTAMP_HEADER, "")
        signed = request.headers.get(webhooks.SIGNATURE_HEADER, "")
        if not webhooks.verify(self.secret, stamp, body, signed, now=time.time()):
            self.bad_signatures += 1
            return web.Response(status=401, text="bad signature")
        if self.fail:
            self.fail -= 1
            return web.Response(status=self.status_when_failing)
        self.events.append(json.loads(body))
        return web.Response(status=204)


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    got = Receiver()
    app = web.Application()
    app.router.add_post("/hooks/fedicom", got.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    got.url = f"http://127.0.0.1:{port}/hooks/fedicom"
    yield got
    await runner.cleanup()


@dataclass
class Scene:
    inst: Instance
    group: str  # the community's URI
    bob: Person  # a member on the peer
    staff_post: Post  # by mia, the community's moderator (local staff)


async def staff_post_scene(inst: Instance, peer: Peer) -> Scene:
    """`news`, moderated by mia, with a thread mia posted (a row authored by her Person actor) and
    bob, a member on the peer."""
    group = await inst.community("news", title="Daily News")
    await moderator(inst, "news", "mia")
    mia = inst.site.staff_uri("mia")
    post = await Post.create(
        group=group,
        object_id=f"{inst.base}/u/mia/posts/1",
        type="Page",
        author=mia,
        title="Welcome to the news",
        content="<p>Introduce yourselves</p>",
        document={"id": f"{inst.base}/u/mia/posts/1", "type": "Page", "attributedTo": mia},
        published=datetime.now(UTC),
    )
    bob = peer.person("bob")
    await join(peer, bob, inst.site.uri("news"))
    return Scene(inst, inst.site.uri("news"), bob, post)


async def job_of(kind: str, **where: Any) -> Job | None:
    return await Job.filter(kind=kind, **where).order_by("-id").first()


async def settle() -> None:
    """Give the instance's job runner a moment (it runs in the test's event loop)."""
    await asyncio.sleep(0.05)
