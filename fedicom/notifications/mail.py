"""Notification emails: composed as plain text plus simple HTML, sent through the operator's SMTP server.

Composing is pure. Sending says whether a failure is worth retrying: a recipient the server refuses
for good (5xx) is final; a server that is down, slow or refuses for now (4xx) is retried by the queue.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

import aiosmtplib

from fedicom.jobs.runner import FinalFailure, RetryLater
from fedicom.notifications.told import Told
from fedicom.settings import Settings

TIMEOUT = 30.0
MAX_SUBJECT = 150


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    security: str  # "starttls", "tls" or "none"
    username: str
    password: str
    sender: str

    @classmethod
    def from_settings(cls, settings: Settings) -> SmtpConfig | None:
        """None when the operator has set no SMTP server: this instance sends no email."""
        if not settings.smtp_host:
            return None
        return cls(
            settings.smtp_host,
            settings.smtp_port,
            settings.smtp_security,
            settings.smtp_username,
            settings.smtp_password,
            settings.smtp_from,
        )


@dataclass(frozen=True)
class Letterhead:
    """What every notification email says around its items."""

    instance_name: str
    base_url: str

    @property
    def inbox_url(self) -> str:
        return f"{self.base_url}/staff/inbox"

    @property
    def settings_url(self) -> str:
        return f"{self.base_url}/staff/notifications"


def _one_line(text: str, limit: int) -> str:
    text = " ".join(text.split())  # no line break can reach a header
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _text_item(item: Told) -> str:
    lines = [item.sentence + "."]
    if item.excerpt:
        lines.append("> " + item.excerpt)
    lines.append(item.url)
    return "\n".join(lines)


def _html_item(item: Told) -> str:
    quote = f"<blockquote>{html.escape(item.excerpt)}</blockquote>" if item.excerpt else ""
    url = html.escape(item.url, quote=True)
    return f'<p><strong>{html.escape(item.sentence)}.</strong></p>{quote}<p><a href="{url}">{url}</a></p>'


def compose(items: list[Told], *, to: str, sender: str, head: Letterhead, digest: bool) -> EmailMessage:
    """One email telling `items`: one notification, or a day's digest of them."""
    if digest:
        count = len(items)
        subject = f"[{head.instance_name}] {count} new notification{'' if count == 1 else 's'} today"
        intro = "Here is what happened for you since the last digest."
    else:
        subject = f"[{head.instance_name}] {items[0].sentence}"
        intro = ""
    footer = (
        f"Your staff inbox: {head.inbox_url}\n"
        f"You get these emails because you chose them; change that at {head.settings_url}"
    )
    text = "\n\n".join([*([intro] if intro else []), *(_text_item(i) for i in items), "-- ", footer])
    body = "".join(_html_item(i) for i in items)
    page = (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(subject)}</title></head><body>"
        + (f"<p>{html.escape(intro)}</p>" if intro else "")
        + body
        + f'<hr><p><a href="{html.escape(head.inbox_url)}">Open your staff inbox</a> · '
        + f'<a href="{html.escape(head.settings_url)}">Change how you are told</a></p></body></html>'
    )
    message = EmailMessage()
    message["Subject"] = _one_line(subject, MAX_SUBJECT)
    message["From"] = sender
    message["To"] = to
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies to a robot
    message.set_content(text)
    message.add_alternative(page, subtype="html")
    return message


async def send(config: SmtpConfig, message: EmailMessage) -> None:
    """Hand the message to the SMTP server; FinalFailure or RetryLater when it does not take it."""
    try:
        await aiosmtplib.send(
            message,
            hostname=config.host,
            port=config.port,
            username=config.username or None,
            password=config.password or None,
            use_tls=config.security == "tls",
            start_tls=config.security == "starttls",
            timeout=TIMEOUT,
        )
    except aiosmtplib.SMTPRecipientsRefused as exc:
        codes = [r.code for r in exc.recipients]
        reason = "; ".join(f"{r.recipient}: {r.code} {r.message}" for r in exc.recipients)
        if all(500 <= c < 600 for c in codes):
            raise FinalFailure(f"the mail server refused the address: {reason}"[:500]) from None
        raise RetryLater(f"the mail server refused the address for now: {reason}"[:500]) from None
    except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
        raise RetryLater(
            f"the mail server did not take the email: {type(exc).__name__}: {exc}"[:500]
        ) from None
