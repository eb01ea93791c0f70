"""Wiring of moderation into communities: its answers to their questions (`CommunityHooks`: bans and
blocks, screening, reject_media) and the inbound activities it handles (a moderator's removal, lock,
pin, ban, report, moderator change, community edit), registered on a `Groups` runtime in `create_app`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from typing import Any

from fedicom.activitypub.vocab import host_of, id_of
from fedicom.groups.context import Groups
from fedicom.groups.hooks import Verdict, When
from fedicom.groups.models import Group
from fedicom.groups.reasons import Refused
from fedicom.moderation import (
    bans,
    community_updates,
    gate,
    media,
    moderators,
    removals,
    reports,
    screening,
    threads,
)
from fedicom.moderation.banlist import BanList
from fedicom.moderation.filters import FilterCache

Activity = dict[str, Any]


@dataclass
class Moderation:
    """Moderation's answers to a community's questions, on the runtime it was installed on."""

    ctx: Groups
    filters: FilterCache = field(default_factory=FilterCache)
    bans: BanList = field(default_factory=BanList)

    async def barrier(self, group: Group, actor: str) -> Refused | None:
        return await gate.barrier(self.ctx.defed, self.bans, group, actor)

    def forget(self) -> None:
        self.bans.forget()

    async def follow_needs_approval(self, group: Group, actor: str) -> bool:
        return await self.ctx.defed.limits(host_of(actor), group.id)

    async def screen(
        self, group: Group, author: str, obj: Activity, content_html: str, *, exempt: bool
    ) -> Verdict:
        return await screening.screen(self.ctx, self.filters, group, author, obj, content_html, exempt=exempt)

    async def screen_edit(self, group: Group, obj: Activity, content_html: str, *, exempt: bool) -> Verdict:
        return await screening.screen_edit(self.ctx, self.filters, group, obj, content_html, exempt=exempt)

    async def after_store(self, activity: Activity) -> None:
        await media.drop_rejected_media(self.ctx.defed, activity)

    # --- which inbound activities are moderation's ---------------------------------------------------

    async def community_updated(self, activity: Activity) -> bool:
        """An Update of one of our communities' Group: a moderator's edit."""
        return await self._updated_group(activity) is not None

    async def update_community(self, activity: Activity) -> None:
        group = await self._updated_group(activity)
        if group is not None:
            await community_updates.handle_update(self.ctx, activity, group)

    async def _updated_group(self, activity: Activity) -> Group | None:
        obj = activity.get("object")
        uri = id_of(obj) or ""
        if not isinstance(obj, dict) or obj.get("type") != "Group" or uri.endswith("/followers"):
            return None
        name = self.ctx.site.name_from_uri(uri)
        return await Group.get_or_none(name=name) if name else None


def install(groups: Groups) -> Moderation:
    """Make moderation answer `groups`' questions and take the activities it handles; `groups.defed`
    (the Defederation cache) must be set already."""
    moderation = Moderation(groups)
    groups.hooks = moderation
    add = groups.inbound.add
    add("Delete", partial(removals.handle_remove, groups), when=_has_summary)  # Lemmy's removal
    add("Lock", partial(threads.handle_lock, groups, locked=True))
    add(
        ("Add", "Remove"),
        lambda a: threads.handle_featured(groups, a, pinned=a.get("type") == "Add"),
        when=_targets("/featured"),
    )
    add(
        ("Add", "Remove"),
        partial(moderators.handle_moderator_change, groups),
        when=_targets("/moderators"),
    )
    add("Block", partial(bans.handle_block, groups))
    add("Flag", partial(reports.handle_flag, groups))
    add("Resolve", partial(reports.handle_resolve, groups))
    add("Update", moderation.update_community, when=moderation.community_updated)
    # any moderator may lift a ban, take a removal back or unlock: before the author-only Undo
    add("Undo", partial(bans.handle_undo_block, groups), when=_undoes_ban)
    add("Undo", partial(removals.handle_restore, groups), when=_undoes_removal)
    add("Undo", partial(threads.handle_lock, groups, locked=False), when=_undoes("Lock"))
    return moderation


async def _has_summary(activity: Activity) -> bool:
    return bool(activity.get("summary"))


def _targets(suffix: str) -> When:
    async def when(activity: Activity) -> bool:
        return (id_of(activity.get("target")) or "").endswith(suffix)

    return when


def _undoes(kind: str) -> When:
    async def when(activity: Activity) -> bool:
        inner = activity.get("object")
        return isinstance(inner, dict) and inner.get("type") == kind

    return when


async def _undoes_ban(activity: Activity) -> bool:
    """Undo{Block}, or an id-only Undo naming the Block of a ban in force here."""
    inner = activity.get("object")
    kind = inner.get("type") if isinstance(inner, dict) else None
    return kind == "Block" or (kind is None and await bans.is_ban_activity(id_of(inner)))


async def _undoes_removal(activity: Activity) -> bool:
    inner = activity.get("object")
    return isinstance(inner, dict) and inner.get("type") == "Delete" and bool(inner.get("summary"))
