"""Turning community events into notifications, in the transaction of the event (see groups/events.py).

A notification is stored, and its email or webhook queued, exactly when the post, request or report
it is about commits: an inbox item retried after a crash never tells anyone twice.
"""

from __future__ import annotations

import html
from collections.abc import Mapping

from tortoise.backends.base.client import BaseDBAsyncClient

from fedicom.activitypub.vocab import mentions_of
from fedicom.groups.communities import Site
from fedicom.groups.events import AlertRaised, GroupEvents, ReportFiled
from fedicom.groups.models import Group, Membership, Moderator, Post, PostState
from fedicom.groups.text import plain_text
from fedicom.notifications.channels import schedule
from fedicom.notifications.models import Channel, Notification, NotificationKind, NotificationSettings
from fedicom.notifications.recipients import PostFacts, post_recipients
from fedicom.staff.models import Staff

EXCERPT = 280


def excerpt(html_text: str) -> str:
    """Plain text of a post, one line, short; it is escaped wherever it is shown."""
    return one_line(html.unescape(plain_text(html_text, EXCERPT)))


def one_line(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= EXCERPT else text[: EXCERPT - 1] + "…"


class Notifier:
    """The listeners; `connect` them to a runtime's community events."""

    def __init__(self, site: Site, *, digest_hour: int) -> None:
        self.site = site
        self.digest_hour = digest_hour

    def connect(self, events: GroupEvents) -> None:
        events.post_stored.connect(self.post_stored)
        events.join_requested.connect(self.join_requested)
        events.report_filed.connect(self.report_filed)
        events.alert_raised.connect(self.alert_raised)

    async def post_stored(self, post: Post, conn: BaseDBAsyncClient | None) -> None:
        group = await _group_of(post, conn)
        parent_author = await _parent_author(post, conn)
        facts = PostFacts(
            author=post.author,
            parent_author=parent_author,
            mentions=tuple(mentions_of(post.document if isinstance(post.document, dict) else {})),
            text=plain_text(post.content, 100_000),
            held=post.state == PostState.HELD,
        )
        staff_named = facts.held or any(
            self.site.staff_from_uri(u) or u == self.site.uri(group.name)
            for u in (parent_author or "", *facts.mentions)
        )
        if not staff_named:
            return  # the common case, decided without a query
        moderators = await self.moderators(group, conn)
        told = post_recipients(self.site, group.name, facts, moderators)
        if facts.held:
            url = f"{self.site.base_url}/staff/c/{group.name}/held"
        else:
            url = f"{self.site.base_url}/c/{group.name}/p/{post.id}"
        text = one_line(f"{post.title}: {excerpt(post.content)}") if post.title else excerpt(post.content)
        await self.notify(told, group=group, actor=post.author, url=url, text=text, conn=conn)

    async def join_requested(self, membership: Membership, conn: BaseDBAsyncClient | None) -> None:
        group = membership.group
        told = dict.fromkeys(await self.moderators(group, conn), NotificationKind.JOIN_REQUEST)
        url = f"{self.site.base_url}/staff/c/{group.name}/members"
        await self.notify(told, group=group, actor=membership.actor, url=url, text="", conn=conn)

    async def report_filed(self, event: ReportFiled, conn: BaseDBAsyncClient | None) -> None:
        if event.group is not None:
            names = await self.moderators(event.group, conn)
        else:
            names = await _admins(conn)
        told = dict.fromkeys(names, NotificationKind.REPORT)
        told.pop(self.site.staff_from_uri(event.reporter) or "", None)  # staff filing a report know
        url = f"{self.site.base_url}/staff/reports/{event.report_id}"
        text = one_line(event.reason)
        await self.notify(told, group=event.group, actor=event.reporter, url=url, text=text, conn=conn)

    async def alert_raised(self, event: AlertRaised, conn: BaseDBAsyncClient | None) -> None:
        told = dict.fromkeys(await self.moderators(event.group, conn), NotificationKind.ALERT)
        url = f"{self.site.base_url}/staff/communities/{event.group.name}/insights#alert-{event.alert_id}"
        actor = self.site.uri(event.group.name)
        await self.notify(told, group=event.group, actor=actor, url=url, text=one_line(event.text), conn=conn)

    async def moderators(self, group: Group, conn: BaseDBAsyncClient | None) -> list[str]:
        """Usernames of the community's active local moderators; its admins when it has none."""
        actors = await Moderator.filter(group_id=group.id).using_db(conn).values_list("actor", flat=True)
        names = [n for n in (self.site.staff_from_uri(str(a)) for a in actors) if n]
        active = (
            await Staff.filter(username__in=names, disabled=False)
            .using_db(conn)
            .values_list("username", flat=True)
        )
        return sorted(str(n) for n in active) if active else await _admins(conn)

    async def notify(
        self,
        told: Mapping[str, NotificationKind],
        *,
        group: Group | None,
        actor: str,
        url: str,
        text: str,
        conn: BaseDBAsyncClient | None,
    ) -> None:
        """Store one notification per staff member told, and queue how each is told."""
        if not told:
            return
        people = await Staff.filter(username__in=list(told), disabled=False).using_db(conn)
        choices = {
            c.staff_id: Channel(c.channel)  # type: ignore[attr-defined]
            for c in await NotificationSettings.filter(staff_id__in=[s.id for s in people]).using_db(conn)
        }
        for staff in sorted(people, key=lambda s: s.id):
            row = await Notification.create(
                staff=staff,
                kind=told[staff.username],
                community=group,
                actor=actor[:1024],
                url=url[:1024],
                excerpt=text,
                using_db=conn,
            )
            channel = choices.get(staff.id, Channel.PAGE)
            await schedule(staff, channel, row, digest_hour=self.digest_hour, conn=conn)  # type: ignore[arg-type]


async def _group_of(post: Post, conn: BaseDBAsyncClient | None) -> Group:
    cached = getattr(post, "_group", None)  # set when the post was created with its group
    if isinstance(cached, Group):
        return cached
    return await Group.get(id=post.group_id).using_db(conn)  # type: ignore[attr-defined,no-any-return]


async def _parent_author(post: Post, conn: BaseDBAsyncClient | None) -> str | None:
    parent_id = post.parent_id  # type: ignore[attr-defined]
    if parent_id is None:
        return None
    cached = getattr(post, "_parent", None)
    if isinstance(cached, Post):
        return cached.author
    authors = await Post.filter(id=parent_id).using_db(conn).values_list("author", flat=True)
    return str(authors[0]) if authors else None


async def _admins(conn: BaseDBAsyncClient | None) -> list[str]:
    names = (
        await Staff.filter(is_admin=True, disabled=False).using_db(conn).values_list("username", flat=True)
    )
    return sorted(str(n) for n in names)
