"""Telling staff outside the staff pages: each email, digest and webhook is a job of its own.

A notification schedules its job in the transaction that stores it; the job runs later, apart from
federation, so a failing SMTP server or webhook delays only itself and loses nothing (it is retried
with the delivery backoff, and staff see it in `fedicom jobs list`).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import aiohttp
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from fedicom.groups.communities import Site
from fedicom.jobs.queue import enqueue
from fedicom.jobs.runner import FinalFailure, JobHandler, RunningJob, mark_job_done
from fedicom.notifications import mail, webhooks
from fedicom.notifications.models import Channel, Notification, NotificationSettings
from fedicom.notifications.told import told
from fedicom.settings import Settings
from fedicom.staff.models import Staff

EMAIL_JOB = "notify.email"
DIGEST_JOB = "notify.digest"
WEBHOOK_JOB = "notify.webhook"
DIGEST_MAX = 200  # notifications one digest lists; the inbox page has them all


def next_digest(now: datetime, hour: int) -> datetime:
    """When the digest of something told at `now` goes out: the next `hour` o'clock, UTC."""
    today = now.astimezone(UTC).replace(hour=hour, minute=0, second=0, microsecond=0)
    return today if today > now else today + timedelta(days=1)


async def schedule(
    staff: Staff, channel: Channel, notification: Notification, *, digest_hour: int, conn: BaseDBAsyncClient
) -> None:
    """Queue how `staff` is told of `notification` (nothing for the page alone), in `conn`."""
    if channel == Channel.EMAIL:
        await enqueue(EMAIL_JOB, {"notification": notification.id}, key=f"email:{notification.id}", conn=conn)
    elif channel == Channel.WEBHOOK:
        await enqueue(
            WEBHOOK_JOB, {"notification": notification.id}, key=f"webhook:{notification.id}", conn=conn
        )
    elif channel == Channel.DIGEST:
        at = next_digest(datetime.now(UTC), digest_hour)
        key = f"digest:{staff.username}:{at.date().isoformat()}"  # one digest per staff member and day
        await enqueue(DIGEST_JOB, {"staff": staff.id}, run_at=at.timestamp(), key=key, conn=conn)


class Courier:
    """The job handlers that send notifications by email and webhook."""

    def __init__(self, settings: Settings, site: Site, session: aiohttp.ClientSession) -> None:
        self.site = site
        self.session = session  # the SSRF-guarded session of the federation runtime
        self.allow_private = settings.dev
        self.smtp = mail.SmtpConfig.from_settings(settings)
        self.head = mail.Letterhead(settings.instance_name, settings.base_url)

    def handlers(self) -> dict[str, JobHandler]:
        return {EMAIL_JOB: self.email, DIGEST_JOB: self.digest, WEBHOOK_JOB: self.webhook}

    def _mailer(self, staff: Staff) -> mail.SmtpConfig:
        if self.smtp is None:
            raise FinalFailure("this server sends no email: FEDICOM_SMTP_HOST is not set")
        if not staff.email:
            raise FinalFailure(f"{staff.username} has no email address")
        return self.smtp

    async def email(self, job: RunningJob) -> None:
        """One notification, by email at once."""
        row = await _notification(job)
        if row is None or row.staff.disabled:
            return  # gone, or nobody to tell any more
        smtp = self._mailer(row.staff)
        items = await told([row], self.site)
        await mail.send(
            smtp, mail.compose(items, to=row.staff.email, sender=smtp.sender, head=self.head, digest=False)
        )
        await _mark_mailed([row.id])

    async def digest(self, job: RunningJob) -> None:
        """A day's unread notifications not mailed yet, in one email (none: no email)."""
        staff = await Staff.get_or_none(id=job.payload.get("staff"))
        if staff is None or staff.disabled:
            return
        choice = await NotificationSettings.get_or_none(staff_id=staff.id)
        if choice is None or choice.channel != Channel.DIGEST:
            return  # chose another channel since: the page still lists everything
        rows = (
            await Notification.filter(staff_id=staff.id, mailed=False, read_at=None)
            .order_by("id")
            .limit(DIGEST_MAX)
            .prefetch_related("community")
        )
        if not rows:
            return
        smtp = self._mailer(staff)
        items = await told(rows, self.site)
        await mail.send(
            smtp, mail.compose(items, to=staff.email, sender=smtp.sender, head=self.head, digest=True)
        )
        await _mark_mailed([r.id for r in rows])

    async def webhook(self, job: RunningJob) -> None:
        """One notification, POSTed to the staff member's webhook."""
        row = await _notification(job)
        if row is None or row.staff.disabled:
            return
        choice = await NotificationSettings.get_or_none(staff_id=row.staff.id)
        if choice is None or not choice.webhook_url or not choice.webhook_secret:
            raise FinalFailure(f"{row.staff.username} has no webhook set")
        [item] = await told([row], self.site)
        body = webhooks.body_of(item, instance=self.head.base_url)
        await webhooks.post(
            self.session, choice.webhook_url, choice.webhook_secret, body, allow_private=self.allow_private
        )


async def _notification(job: RunningJob) -> Notification | None:
    return (
        await Notification.filter(id=job.payload.get("notification"))
        .prefetch_related("staff", "community")
        .first()
    )


async def _mark_mailed(ids: list[int]) -> None:
    """Recorded with the job's completion: a digest never lists twice what one email already told."""
    async with in_transaction() as conn:
        await Notification.filter(id__in=ids).using_db(conn).update(mailed=True)
        await mark_job_done(conn)
