"""Creating, listing and describing communities (services used by the CLI, pages and routes)."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from fedicom.activitypub.columns import fits
from fedicom.activitypub.keys import KeyStore
from fedicom.errors import BadRequest, NotFound, shown
from fedicom.groups.actor import build_group_actor, group_uri
from fedicom.groups.family import choose_parent
from fedicom.groups.kinds import CommunityKind, parse_kind
from fedicom.groups.models import Alias, Group, Membership, MembershipState, Moderator, Post, PostState

NAME_RE = re.compile(r"^[a-z0-9_]{1,64}$")
POSTING_POLICIES = ("open", "members", "moderators")
Reserved = Callable[[str], Awaitable[str | None]]  # why a name is taken by something else than a community


@dataclass(frozen=True)
class Site:
    """Where this instance lives: what URIs of its communities are built from."""

    base_url: str
    domain: str

    def uri(self, name: str) -> str:
        return group_uri(self.base_url, name)

    def name_from_uri(self, uri: str) -> str | None:
        """The local community a URI names (its actor or its followers collection), if any."""
        prefix = f"{self.base_url}/c/"
        if not uri.startswith(prefix):
            return None
        rest = uri.removeprefix(prefix)
        name = rest.removesuffix("/followers")
        return name if NAME_RE.match(name) else None

    def staff_uri(self, username: str) -> str:
        """The Person actor of a local staff member: moderation activities are sent as it."""
        return f"{self.base_url}/u/{username}"

    def staff_from_uri(self, uri: str) -> str | None:
        prefix = f"{self.base_url}/u/"
        name = uri.removeprefix(prefix) if uri.startswith(prefix) else None
        return name if name and NAME_RE.match(name) else None


async def create_community(
    keys: KeyStore,
    site: Site,
    name: str,
    *,
    title: str | None = None,
    summary: str = "",
    rules: str = "",
    privacy_policy: str = "",
    private: bool = False,
    posting_policy: str = "members",
    kind: str = CommunityKind.DISCUSSION,
    parent: str | None = None,
    feature_children: bool = False,
    reserved: Reserved,
) -> Group:
    """A new community with its signing key; names are lower-case letters, digits and underscores.

    `reserved` says why a name is already someone else's: communities share the handle namespace
    with staff accounts (staff.accounts.name_reserved), which groups does not know. `parent` names
    the community it belongs under (groups/family.py).
    """
    name = name.strip().lower()
    if not NAME_RE.match(name):
        raise BadRequest("a community name is 1-64 characters of a-z, 0-9 and _")
    if posting_policy not in POSTING_POLICIES:
        raise BadRequest(f"the posting policy must be one of {', '.join(POSTING_POLICIES)}")
    chosen_kind = parse_kind(kind)
    if await Group.exists(name=name):
        raise BadRequest(f"a community named {name} already exists")
    taken = await reserved(name)  # one WebFinger namespace: acct:NAME@DOMAIN is one actor
    if taken:
        raise BadRequest(taken)
    above = await choose_parent(name, parent)
    group = await Group.create(
        name=name,
        title=title or name,
        summary=summary,
        rules=rules,
        privacy_policy=privacy_policy,
        private=private,
        posting_policy=posting_policy,
        kind=chosen_kind,
        parent=above,
        feature_children=feature_children,
    )
    await keys.ensure(site.uri(name))
    return group


async def get_community(name: str) -> Group:
    """The community by name (from a URL, a handle or the CLI); NotFound for names no column holds."""
    name = name.lower()
    group = await Group.get_or_none(name=name) if fits(Group, "name", name) else None
    if group is None:
        raise NotFound(f"there is no community named {shown(name)}")
    return group


async def list_communities() -> list[Group]:
    return await Group.all().order_by("name")


async def member_count(group: Group) -> int:
    return await Membership.filter(group=group, state=MembershipState.ACCEPTED).count()


async def moderators_of(group: Group) -> list[str]:
    return list(await Moderator.filter(group=group).order_by("id").values_list("actor", flat=True))  # type: ignore[arg-type]


async def actor_document(keys: KeyStore, site: Site, group: Group) -> dict[str, Any]:
    return build_group_actor(
        base_url=site.base_url,
        domain=site.domain,
        name=group.name,
        title=group.title,
        summary=group.summary,
        rules=group.rules,
        privacy_policy=group.privacy_policy,
        private=group.private,
        posting_policy=group.posting_policy,
        sensitive=group.sensitive,
        discoverable=group.discoverable,
        public_key_pem=await keys.public_pem(site.uri(group.name)),
        published=group.created_at,
        updated=group.updated_at,
        icon_url=group.icon_url,
        image_url=group.image_url,
        also_known_as=await aliases_of(group),
        moved_to=group.moved_to,
    )


async def aliases_of(group: Group) -> list[str]:
    """The accounts the community is also known as, oldest first."""
    return list(await Alias.filter(group=group).order_by("id").values_list("actor", flat=True))  # type: ignore[arg-type]


async def usage() -> dict[str, int]:
    """Counts for NodeInfo: communities, distinct members, threads and replies."""
    members = len(
        set(await Membership.filter(state=MembershipState.ACCEPTED).values_list("actor", flat=True))
    )
    return {
        "communities": await Group.all().count(),
        "users": members,
        "active_month": members,
        "active_halfyear": members,
        "posts": await Post.filter(parent_id=None, deleted=False, state=PostState.VISIBLE).count(),
        "comments": await Post.filter(
            parent_id__not_isnull=True, deleted=False, state=PostState.VISIBLE
        ).count(),
    }
