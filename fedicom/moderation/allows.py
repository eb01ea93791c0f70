"""Approved servers (DomainAllow): the only ones that federate in allowlist mode, and the ones whose
posts no longer wait for a moderator in quarantine mode.

Allowing a server in quarantine mode releases its posts that were held only for that reason:
they are approved and announced, since the admin has just judged the server. Posts held for any
other reason (filters, pre-moderation, a limit) stay in the review queue.
"""

from __future__ import annotations

from fedicom.activitypub.vocab import host_of
from fedicom.errors import BadRequest, NotFound
from fedicom.groups.context import Groups
from fedicom.groups.hooks import ServerPolicy
from fedicom.groups.models import Post, PostState
from fedicom.moderation import modlog
from fedicom.moderation.authority import require_admin
from fedicom.moderation.defederation import QUARANTINE_HOLD
from fedicom.moderation.domains import covering, normalize
from fedicom.moderation.held import approve_post
from fedicom.moderation.models import DomainAllow, ModlogAction


async def allow_domain(
    ctx: Groups,
    defed: ServerPolicy,
    domain: str,
    *,
    moderator: str,
    comment: str = "",
    release: bool = True,
) -> tuple[DomainAllow, int]:
    """Approve a server (and its subdomains); returns it and how many held posts were released."""
    name = normalize(domain)
    await require_admin(ctx.site, moderator)
    allow, created = await DomainAllow.get_or_create(domain=name, defaults={"comment": comment})
    if not created:
        if not comment:
            raise BadRequest(f"{name} is already allowed")
        allow.comment = comment
        await allow.save()
    defed.forget()
    await modlog.record(moderator, ModlogAction.ALLOW_DOMAIN, name, reason=comment)
    released = await release_held(ctx, name, moderator) if release else 0
    return allow, released


async def release_held(ctx: Groups, domain: str, moderator: str) -> int:
    """Approve and announce the posts of `domain` held only because it was not yet approved."""
    held = await Post.filter(state=PostState.HELD, deleted=False, state_reason__endswith=QUARANTINE_HOLD)
    theirs = [p for p in held if covering(host_of(p.author), {domain: "allow"})]
    for post in sorted(theirs, key=lambda p: p.id):  # threads before their replies
        await post.fetch_related("group")
        await approve_post(ctx, post, moderator)
    return len(theirs)


async def disallow_domain(ctx: Groups, defed: ServerPolicy, domain: str, *, moderator: str) -> None:
    """Withdraw an approval: from now on the server is unknown again (refused, or quarantined)."""
    name = normalize(domain)
    await require_admin(ctx.site, moderator)
    if not await DomainAllow.filter(domain=name).delete():
        raise NotFound(f"{name} is not on the list of allowed servers")
    defed.forget()
    await modlog.record(moderator, ModlogAction.DISALLOW_DOMAIN, name)


async def list_allows() -> list[DomainAllow]:
    return await DomainAllow.all().order_by("domain")
