"""Applying suspensions: the clean-up job that removes what suspended servers left behind.

Instance-wide, it removes the servers' members from every community, tombstones their posts
(telling Mastodon followers with Undo of the boosts), purges what was cached from them and cancels
deliveries queued for them. In one community, it does the same there only, and tells each removed
member's server with Reject{Follow} (that server still federates with us). One pass handles any
number of domains, so a 10,000-domain import costs one scan, not 10,000.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import asdict, dataclass

from fedicom.activitypub.models import (
    Delivery,
    DeliveryState,
    InboxItem,
    InboxState,
    OutgoingActivity,
    RemoteActor,
)
from fedicom.activitypub.vocab import host_of
from fedicom.groups import membership as memberships
from fedicom.groups.context import Groups
from fedicom.groups.models import Group, Membership, Post
from fedicom.moderation.content import take_back_boost
from fedicom.moderation.domains import covering

Progress = Callable[[str, int, int], None]


def quiet(_stage: str, _done: int, _total: int) -> None:
    return None


@dataclass
class SuspendReport:
    deliveries_cancelled: int = 0
    members_removed: int = 0
    posts_removed: int = 0
    actors_purged: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


async def apply_suspend(
    ctx: Groups, domains: Collection[str], progress: Progress = quiet, *, group: Group | None = None
) -> SuspendReport:
    """Remove everything the suspended servers left behind (in `group` only, when given)."""
    report = SuspendReport()
    blocked = dict.fromkeys(domains, "suspend")
    if not blocked:
        return report

    progress("cancelling queued deliveries", 0, 1)
    hosts = set(await Delivery.filter(state=DeliveryState.PENDING).distinct().values_list("host", flat=True))
    covered = [h for h in hosts if covering(str(h), blocked)]
    if covered:
        pending = Delivery.filter(state=DeliveryState.PENDING, host__in=covered)
        if group is not None:
            ids = await OutgoingActivity.filter(actor=ctx.uri(group)).values_list("id", flat=True)
            pending = pending.filter(activity_id__in=ids)
        report.deliveries_cancelled = await pending.update(state=DeliveryState.CANCELLED)
    progress("cancelling queued deliveries", 1, 1)

    scope = Membership.filter(group=group) if group is not None else Membership.all()
    members = [m for m in await scope.prefetch_related("group") if covering(host_of(m.actor), blocked)]
    progress("removing members", 0, len(members))
    for i, member in enumerate(members):
        if group is not None:
            await memberships.reject(ctx, member.group, member.actor)
        else:
            await member.delete()
        progress("removing members", i + 1, len(members))
    report.members_removed = len(members)
    ctx.rosters.forget()

    scope_posts = Post.filter(deleted=False, group=group) if group is not None else Post.filter(deleted=False)
    authors = set(await scope_posts.distinct().values_list("author", flat=True))
    theirs = [str(a) for a in authors if covering(host_of(str(a)), blocked)]
    posts = await scope_posts.filter(author__in=theirs).prefetch_related("group") if theirs else []
    progress("removing posts", 0, len(posts))
    for i, post in enumerate(posts):
        await _remove_post(ctx, post)
        progress("removing posts", i + 1, len(posts))
    report.posts_removed = len(posts)

    if group is None:
        progress("purging cached data", 0, 1)
        hosts = set(await RemoteActor.all().distinct().values_list("host", flat=True))
        purged = [str(h) for h in hosts if covering(str(h), blocked)]
        if purged:
            actors = await RemoteActor.filter(host__in=purged).values_list("uri", flat=True)
            report.actors_purged = await RemoteActor.filter(host__in=purged).delete()
            await InboxItem.filter(state=InboxState.PENDING, actor__in=list(actors)).update(
                state=InboxState.DONE, error="server suspended"
            )
        progress("purging cached data", 1, 1)
    return report


async def _remove_post(ctx: Groups, post: Post) -> None:
    """Tombstone a post here; Mastodon followers stop seeing it when the group undoes its boost."""
    async with ctx.fed.transaction() as conn:
        post.deleted = True
        post.content = ""
        await post.save(using_db=conn)
        await take_back_boost(ctx, post.group, post, inbox=None, conn=conn)
