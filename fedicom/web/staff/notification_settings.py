"""The staff page where each staff member chooses how they are told (notifications/preferences.py):
the page only, an email at once, a daily digest, or a webhook; and sets their email address.

A webhook secret made here is shown once, on the answer to the form that made it (never in a
redirect or a cookie), and never again.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from fedicom.errors import BadRequest, FedicomError
from fedicom.moderation.acting import Acting
from fedicom.notifications.models import Channel
from fedicom.notifications.preferences import MAX_EMAIL, MAX_URL, SECRET_LENGTHS, choose, current, set_email
from fedicom.web.staff.auth import staff_only
from fedicom.web.staff.layout import attempt, done, form_text, staff_form, staff_page

PAGE = "/staff/notifications"
CHANNELS = {
    Channel.PAGE: ("On the inbox page only", "Nothing is sent; the inbox lists everything."),
    Channel.EMAIL: ("An email for each notification", "Sent as it happens."),
    Channel.DIGEST: ("A daily email digest", "One email a day listing what is still unread."),
    Channel.WEBHOOK: (
        "A webhook",
        "A signed JSON POST for each notification, e.g. to a chat tool (see the documentation).",
    ),
}


async def _context(acting: Acting, **extra: object) -> dict[str, object]:
    settings = await current(acting.staff)
    return {
        "section": "inbox",
        "settings": settings,
        "channels": CHANNELS,
        "sends_email": bool(acting.settings.smtp_host),
        "digest_hour": acting.settings.notify_digest_hour,
        "max_email": MAX_EMAIL,
        "max_url": MAX_URL,
        "secret_lengths": SECRET_LENGTHS,
        **extra,
    }


@staff_only
async def settings_page(request: Request, acting: Acting) -> Response:
    return staff_page(request, "staff/notifications.html", await _context(acting))


@staff_only
async def save_email(request: Request, acting: Acting) -> Response:
    form = await staff_form(request)

    async def act() -> None:
        await set_email(acting.staff, form_text(form, "email", MAX_EMAIL, label="email address"))

    return await attempt(request, PAGE, act(), "your email address is saved")


@staff_only
async def save_channel(request: Request, acting: Acting) -> Response:
    form = await staff_form(request)
    try:
        raw = str(form.get("channel", ""))
        if raw not in Channel.__members__.values():
            raise BadRequest("choose how you are told")
        chosen = await choose(
            acting.staff,
            Channel(raw),
            sends_email=bool(acting.settings.smtp_host),
            allow_private=acting.settings.dev,
            webhook_url=form_text(form, "webhook_url", MAX_URL, label="webhook URL"),
            webhook_secret=form_text(form, "webhook_secret", SECRET_LENGTHS[1], label="webhook secret"),
            new_secret=form.get("new_secret") == "yes",
        )
    except FedicomError as exc:
        return done(request, PAGE, exc.reason, kind="error")
    said = f"you are told: {CHANNELS[Channel(raw)][0].lower()}"
    if chosen.new_secret is None:
        return done(request, PAGE, said)
    # shown once, in this answer only: a redirect would carry the secret in a cookie
    context = await _context(acting, secret=chosen.new_secret, flash={"kind": "done", "text": said})
    return staff_page(request, "staff/notifications.html", context)


routes = [
    Route(PAGE, settings_page),
    Route(PAGE + "/email", save_email, methods=["POST"]),
    Route(PAGE + "/channel", save_channel, methods=["POST"]),
]
