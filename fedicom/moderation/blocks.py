"""Domain blocks: adding, lifting and listing them, and applying a suspension.

A suspension is not only a filter for the future: it removes the server's members from every
community, tombstones their posts (telling Mastodon followers with Undo of the boosts), purges
what was cached from it and cancels deliveries queued for it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

from fedicom.activitypub.jsonld import ACTIVITY_CONTEXT
from fedicom.activitypub.models import Delivery, InboxItem, OutgoingActivity, RemoteActor
from fedicom.activitypub.vocab import host_of, new_activity_uri
from fedicom.errors import BadRequest, NotFound
from fedicom.groups.context import Groups
from fedicom.groups.models import Membership, Post
from fedicom.moderation import modlog
from fedicom.moderation.defederation import Defederation
from fedicom.moderation.domains import covering, hostname, normalize, rank
from fedicom.moderation.models import DomainBlock

Progress = Callable[[str, int, int], None]


def _quiet(_stage: str, _done: int, _total: int) -> None:
    return None


@dataclass
class SuspendReport:
    deliveries_cancelled: int = 0
    members_removed: int = 0
    posts_removed: int = 0
    actors_purged: int = 0


async def block_domain(
    ctx: Groups,
    defed: Defederation,
    domain: str,
    *,
    severity: str = "suspend",
    public_comment: str = "",
    private_comment: str = "",
    obfuscate: bool = False,
    moderator: str,
    source: str = "manual",
    progress: Progress = _quiet,
) -> tuple[DomainBlock, SuspendReport | None]:
    """Block a server instance-wide; a suspension is applied at once (see the module docstring)."""
    name = normalize(domain)
    rank(severity)
    if severity != "suspend":
        raise BadRequest("only the suspend severity is available in this version")
    for own in (ctx.site.domain, host_of(ctx.site.base_url)):
        if covering(own, {name: severity}):
            raise BadRequest(f"blocking {name} would block this server's own domain {hostname(own)}")
    block, created = await DomainBlock.get_or_create(
        domain=name,
        community_id=None,
        defaults={
            "severity": severity,
            "public_comment": public_comment,
            "private_comment": private_comment,
            "obfuscate": obfuscate,
            "source": source,
        },
    )
    if not created:
        block.severity, block.public_comment, block.private_comment = (
            severity,
            public_comment,
            private_comment,
        )
        block.obfuscate, block.source = obfuscate, source
        await block.save()
    defed.forget()
    await modlog.record(
        moderator, "block_domain", name, reason=public_comment, details={"severity": severity}
    )
    report = await apply_suspend(ctx, name, progress) if severity == "suspend" else None
    if report:
        await modlog.record(moderator, "suspend_applied", name, details=report.__dict__)
    return block, report


async def unblock_domain(defed: Defederation, domain: str, *, moderator: str) -> None:
    """Lift a block: federation resumes from now on (what was removed stays removed)."""
    name = normalize(domain)
    removed = await DomainBlock.filter(domain=name, community_id=None).delete()
    if not removed:
        raise NotFound(f"{name} is not blocked")
    defed.forget()
    await modlog.record(moderator, "unblock_domain", name)


async def list_blocks() -> list[DomainBlock]:
    return await DomainBlock.filter(community_id=None).order_by("domain")


async def apply_suspend(ctx: Groups, domain: str, progress: Progress = _quiet) -> SuspendReport:
    """Remove everything the suspended server left behind, reporting progress stage by stage."""
    report = SuspendReport()
    blocked = {domain: "suspend"}

    hosts = set(await Delivery.filter(state="pending").distinct().values_list("host", flat=True))
    covered = [h for h in hosts if covering(h, blocked)]  # type: ignore[arg-type]
    progress("cancelling queued deliveries", 0, 1)
    if covered:
        report.deliveries_cancelled = await Delivery.filter(state="pending", host__in=covered).update(
            state="cancelled"
        )
    progress("cancelling queued deliveries", 1, 1)

    members = [
        m for m in await Membership.all().prefetch_related("group") if covering(host_of(m.actor), blocked)
    ]
    for i, membership in enumerate(members):
        await membership.delete()
        progress("removing members", i + 1, len(members))
    report.members_removed = len(members)
    ctx.rosters.forget()

    posts = [
        p
        for p in await Post.filter(deleted=False).prefetch_related("group")
        if covering(host_of(p.author), blocked)
    ]
    for i, post in enumerate(posts):
        await _remove_post(ctx, post)
        progress("removing posts", i + 1, len(posts))
    report.posts_removed = len(posts)

    actors = [a.uri for a in await RemoteActor.all().only("uri", "host") if covering(a.host, blocked)]
    progress("purging cached data", 0, 1)
    if actors:
        report.actors_purged = await RemoteActor.filter(uri__in=actors).delete()
        await InboxItem.filter(state="pending", actor__in=actors).update(
            state="done", error="server suspended"
        )
    progress("purging cached data", 1, 1)
    return report


async def _remove_post(ctx: Groups, post: Post) -> None:
    """Tombstone a post here; Mastodon followers stop seeing it when the group undoes its boost."""
    group = post.group
    boosts = await OutgoingActivity.filter(
        actor=ctx.uri(group), type="Announce", object_id=post.object_id, inner_type__isnull=True
    )
    async with ctx.fed.transaction() as conn:
        post.deleted = True
        post.content = ""
        await post.save(using_db=conn)
        inboxes = list((await ctx.rosters.of(group)).inboxes)
        for boost in boosts:
            undo = {
                "@context": ACTIVITY_CONTEXT,
                "id": new_activity_uri(ctx.fed.base_url),
                "type": "Undo",
                "actor": ctx.uri(group),
                "to": [f"{ctx.uri(group)}/followers"],
                "object": json.loads(boost.payload),
            }
            await ctx.fed.send(
                undo, actor=ctx.uri(group), inboxes=inboxes, public=not group.private, conn=conn
            )
