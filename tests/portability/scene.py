"""A populated community for the export and import tests: members who follow, post, reply, vote and
answer a poll over real signed HTTP, and staff who publish, set an idea's status, ban, filter, alias,
schedule a weekly post and give the community an icon."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fedicom.groups.aliases import add_alias
from fedicom.groups.images import ICON
from fedicom.groups.kinds import CommunityKind
from fedicom.groups.models import Group, ModeratorRole, Post
from fedicom.ideas.lifecycle import IdeaStatus
from fedicom.ideas.status import set_status
from fedicom.moderation.bans import ban
from fedicom.moderation.community_images import ImageChoice, change_images
from fedicom.moderation.filters import add_filter
from fedicom.moderation.moderators import add_moderator
from fedicom.portability.export import SECTIONS
from fedicom.publishing.compose import Author, publish
from fedicom.publishing.drafts import Draft
from fedicom.publishing.polls import create_poll
from fedicom.publishing.scheduling import schedule
from fedicom.staff.accounts import create_staff
from fedicom.staff.models import Staff
from tests.support.peer import PUBLIC, Peer
from tests.support.pictures import picture
from tests.support.servers import Instance
from tests.support.steps import join, reply, send, thread, until

PASSWORD = "correct horse battery staple"


@dataclass
class Scene:
    group: Group
    uri: str
    threads: list[str]


async def populate(inst: Instance, peer: Peer, name: str = "brand") -> Scene:
    """An idea board with two members' threads and replies, votes, a staff post and poll, a status."""
    await create_staff("root", PASSWORD, is_admin=True)
    staff = await Staff.get(username="root")
    root = inst.site.staff_uri("root")
    group = await inst.community(
        name, title="Brand ideas", summary="Tell us.", rules="Be kind.", kind=CommunityKind.IDEAS
    )
    uri = inst.site.uri(name)
    await add_moderator(inst.groups, group, root, by=root, role=ModeratorRole.OWNER)
    await change_images(inst.groups, group, staff, inst.files, [ImageChoice(ICON, upload=picture())])
    alice, bob = peer.person("alice"), peer.person("bob")
    await join(peer, alice, uri)
    await join(peer, bob, uri)
    first, _ = await thread(peer, alice, uri, "<p>Dark mode, please</p>", name="Dark mode")
    second, _ = await thread(peer, bob, uri, "<p>An export button</p>", name="Export")
    answer, _ = await reply(peer, bob, uri, first["id"], "<p>Yes, dark mode!</p>")
    await reply(peer, alice, uri, answer["id"], "<p>Agreed</p>")
    await send(peer, bob, f"{uri}/inbox", peer.activity("Like", bob, first["id"]))
    await send(peer, alice, f"{uri}/inbox", peer.activity("Dislike", alice, second["id"]))
    author = Author(root, inst.files)
    group = await Group.get(name=name)
    staff_post = await publish(
        inst.groups, author, group, Draft(body="Our roadmap is open.", title="Roadmap")
    )
    poll = await create_poll(inst.groups, author, group, "Which first?", ["Dark mode", "Export"])
    vote = peer.note(bob, "", to=[root], name="Export", inReplyTo=poll.object_id)
    await send(peer, bob, f"{uri}/inbox", peer.activity("Create", bob, vote, to=[root]))
    idea = await Post.get(object_id=first["id"]).prefetch_related("group")
    await set_status(inst.groups, author, idea, IdeaStatus.PLANNED, "Coming in spring.")
    await ban(inst.groups, staff, peer.person("mallory").uri, community=name, reason="spam")
    await add_filter("casino", community=group, comment="spam words", site=inst.site, moderator=root)
    await add_alias(inst.groups, group, peer.person("brand").uri)
    weekly = Draft(title="Call", body="Weekly roadmap call")
    await schedule(inst.groups, author, group, weekly, every="mon 9:00")
    await until(lambda: Post.filter(group=group).count())
    return Scene(group, uri, [first["id"], second["id"], staff_post.object_id, poll.object_id])


async def counts(group: Group) -> dict[str, int]:
    """Rows of each archived section the community has."""
    return {section.name: await section.query(group).count() for section in SECTIONS}


async def posts_of(group: Group) -> list[dict[str, Any]]:
    """What a reader sees of each post, in order, with the links between them by original URI."""
    rows = []
    for post in await Post.filter(group=group).order_by("id").prefetch_related("parent", "root"):
        rows.append(
            {
                "origin": post.origin_uri or post.object_id,
                "type": post.type,
                "content": post.content,
                "title": post.title,
                "votes": (post.upvotes, post.downvotes, post.reply_count),
                "state": post.state,
                "published": post.published,
                "parent": post.parent and (post.parent.origin_uri or post.parent.object_id),
                "root": post.root and (post.root.origin_uri or post.root.object_id),
            }
        )
    return rows


__all__ = ["PUBLIC", "Scene", "counts", "populate", "posts_of"]
