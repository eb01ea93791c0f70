"""Domain blocks one at a time: adding (or changing the severity of), lifting and listing them.

Instance-wide blocks are an admin's; a community's moderators block servers in that community only.
A suspension queues its clean-up (cleanup.py, the stages of suspension.py) in the block's transaction.
"""

from __future__ import annotations

from typing import Any

from fedicom.activitypub.vocab import host_of
from fedicom.errors import BadRequest, NotFound
from fedicom.groups.context import Groups
from fedicom.groups.hooks import ServerPolicy
from fedicom.groups.models import Group
from fedicom.jobs.models import Job
from fedicom.moderation import modlog
from fedicom.moderation.authority import require_admin, require_moderator
from fedicom.moderation.cleanup import queue_suspension
from fedicom.moderation.domains import covering, hostname, normalize, rank
from fedicom.moderation.models import DomainBlock, ModlogAction


def suspended_reason(public_comment: str) -> str:
    """The `summary` of the Delete of each post a suspension removes."""
    return f"server suspended: {public_comment}" if public_comment.strip() else "server suspended"


def refuse_own_domain(ctx: Groups, name: str) -> None:
    for own in (ctx.site.domain, host_of(ctx.site.base_url)):
        if covering(own, {name: "block"}):
            raise BadRequest(f"blocking {name} would block this server's own domain {hostname(own)}")


async def require_authority(ctx: Groups, moderator: str, community: Group | None) -> None:
    """Instance-wide blocks need an admin; a community's blocks one of its moderators (or an admin)."""
    if community is None:
        await require_admin(ctx.site, moderator)
    else:
        await require_moderator(ctx.site, community, moderator)


async def block_domain(
    ctx: Groups,
    defed: ServerPolicy,
    domain: str,
    *,
    severity: str = "suspend",
    reject_media: bool = False,
    reject_reports: bool = False,
    public_comment: str = "",
    private_comment: str = "",
    obfuscate: bool = False,
    moderator: str,
    community: Group | None = None,
    source: str = "manual",
) -> tuple[DomainBlock, Job | None]:
    """Block a server (or change its block: stated explicitly, a weaker severity is allowed too).

    A suspension's clean-up is the job returned, queued in the block's transaction."""
    name = normalize(domain)
    rank(severity)
    refuse_own_domain(ctx, name)
    await require_authority(ctx, moderator, community)
    values: dict[str, Any] = {
        "severity": severity,
        "reject_media": reject_media,
        "reject_reports": reject_reports,
        "public_comment": public_comment,
        "private_comment": private_comment,
        "obfuscate": obfuscate,
        "source": source,
    }
    where = community.name if community else None
    details = {"severity": severity, "reject_media": reject_media, "reject_reports": reject_reports}
    job = None
    async with ctx.fed.transaction() as conn:
        block = await DomainBlock.get_or_none(domain=name, community=community, using_db=conn)
        if block is None:
            block = await DomainBlock.create(domain=name, community=community, **values, using_db=conn)
        else:
            details["previous_severity"] = block.severity
            block.update_from_dict(values)
            await block.save(using_db=conn)
        entry = await modlog.record(
            moderator,
            ModlogAction.BLOCK_DOMAIN,
            name,
            reason=public_comment,
            community=where,
            details=details,
            conn=conn,
        )
        if severity == "suspend":
            job = await queue_suspension(
                ctx,
                [name],
                group=community,
                moderator=moderator,
                reason=suspended_reason(public_comment),
                target=name,
                decision=entry.id,
                conn=conn,
            )
    defed.forget()
    return block, job


async def unblock_domain(
    ctx: Groups, defed: ServerPolicy, domain: str, *, moderator: str, community: Group | None = None
) -> None:
    """Lift a block: federation resumes from now on (what was removed stays removed)."""
    name = normalize(domain)
    await require_authority(ctx, moderator, community)
    removed = await DomainBlock.filter(domain=name, community=community).delete()
    if not removed:
        where = f" in {community.name}" if community else ""
        raise NotFound(f"{name} is not blocked{where}")
    defed.forget()
    await modlog.record(
        moderator, ModlogAction.UNBLOCK_DOMAIN, name, community=community.name if community else None
    )


async def list_blocks(community: Group | None = None) -> list[DomainBlock]:
    return await DomainBlock.filter(community=community).order_by("domain")
