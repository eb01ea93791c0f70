"""How each staff member is told: the page only, email at once, a daily digest, or a webhook; and the
email address on their account.

A webhook's secret is generated here unless the staff member sets one, and shown once: it is kept to
sign requests, and never displayed again.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from fedicom.activitypub.netguard import check_url
from fedicom.activitypub.urls import parse_url
from fedicom.errors import BadRequest, FetchError
from fedicom.notifications.models import Channel, NotificationSettings
from fedicom.staff.models import Staff

EMAIL = re.compile(r"^[^@\s\x00]{1,64}@[^@\s\x00]+\.[^@\s\x00.]+$")
MAX_EMAIL = 254
MAX_URL = 1024
SECRET_LENGTHS = (16, 128)


@dataclass(frozen=True)
class Chosen:
    """The outcome of a choice: the settings, and the new webhook secret to show once (if one was made)."""

    settings: NotificationSettings
    new_secret: str | None


async def current(staff: Staff) -> NotificationSettings:
    """The staff member's settings (the page only, until they choose)."""
    found = await NotificationSettings.get_or_none(staff_id=staff.id)
    return found or NotificationSettings(staff_id=staff.id, channel=Channel.PAGE.value)


def check_email(value: str) -> str:
    """An address as typed, trimmed; "" clears it. BadRequest for anything that is not one address."""
    email = value.strip()
    if email and (len(email) > MAX_EMAIL or not EMAIL.match(email)):
        raise BadRequest(f"{email[:60]!r} is not an email address")
    return email


async def set_email(staff: Staff, value: str) -> Staff:
    """The address notification emails go to ("" for none)."""
    staff.email = check_email(value)
    await Staff.filter(id=staff.id).update(email=staff.email)
    return staff


def check_webhook_url(value: str, *, allow_private: bool) -> str:
    """An https URL on a public address (http and private addresses too in development mode)."""
    url = value.strip()
    if not url:
        raise BadRequest("a webhook needs the URL to post to")
    if len(url) > MAX_URL:
        raise BadRequest(f"the webhook URL is longer than {MAX_URL} characters")
    parse_url(url, what="the webhook URL")
    try:
        check_url(url, allow_private=allow_private)
    except FetchError as exc:
        raise BadRequest(f"the webhook URL is refused: {exc.reason}") from None
    return url


def check_secret(value: str) -> str:
    low, high = SECRET_LENGTHS
    if not low <= len(value) <= high or not value.isascii() or not value.isprintable() or " " in value:
        raise BadRequest(f"a webhook secret is {low} to {high} printable ASCII characters without spaces")
    return value


async def choose(
    staff: Staff,
    channel: Channel,
    *,
    sends_email: bool,
    allow_private: bool,
    webhook_url: str = "",
    webhook_secret: str = "",
    new_secret: bool = False,
) -> Chosen:
    """Set how `staff` is told. Email needs an address on the account and an SMTP server; a webhook
    needs its URL, and gets a generated secret unless one is given or the URL's old one is kept."""
    settings = await current(staff)
    made: str | None = None
    if channel in (Channel.EMAIL, Channel.DIGEST):
        if not sends_email:
            raise BadRequest("this server sends no email: its operator has not set up an SMTP server")
        if not staff.email:
            raise BadRequest("set your email address first")
    if channel == Channel.WEBHOOK:
        url = check_webhook_url(webhook_url, allow_private=allow_private)
        if webhook_secret:
            settings.webhook_secret = check_secret(webhook_secret)
        elif new_secret or not settings.webhook_secret or url != settings.webhook_url:
            made = settings.webhook_secret = secrets.token_urlsafe(32)
        settings.webhook_url = url
    settings.channel = channel.value
    await settings.save()
    return Chosen(settings, made)
