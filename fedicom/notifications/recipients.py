"""Who is told about a post: pure rules, from the post's facts and the community's local moderators.

- a held post: the community's moderators (held_post), and no one else until it is approved;
- a reply to a staff member's post: that staff member (reply); to the community's own post: its
  moderators (reply);
- a Mention of a staff member: that staff member (mention);
- a Mention of the community, written in the text of a reply: its moderators (mention).
Each staff member gets at most one notification per post (held_post, then reply, then mention), and
never one about their own post.

Why a community mention counts only when written in a reply: Lemmy tags every post and comment with
a Mention of its community (fixtures lemmy/objects/page.json, comment.json), and Mastodon, Friendica
and others address a new thread to a group by mentioning it (FEP-1b12); neither calls for anyone.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass

from fedicom.groups.communities import Site
from fedicom.notifications.models import NotificationKind


@dataclass(frozen=True)
class PostFacts:
    """What the rules need to know of a stored post."""

    author: str
    parent_author: str | None  # None for a thread
    mentions: tuple[str, ...]  # hrefs of its Mention tags
    text: str  # its plain text
    held: bool


def writes_mention(text: str, name: str) -> bool:
    """True when `@name` (or `@name@host`) is written in the text, not just tagged."""
    return re.search(rf"(?<![\w@])@{re.escape(name)}(?![\w])", text, re.IGNORECASE) is not None


def calls_community(facts: PostFacts, community: str) -> bool:
    """A reply that names the community in its text calls its moderators (see the module docstring)."""
    return facts.parent_author is not None and writes_mention(facts.text, community)


def post_recipients(
    site: Site, community: str, facts: PostFacts, moderators: Collection[str]
) -> dict[str, NotificationKind]:
    """Staff usernames to tell about a post, and what they are told; `moderators` are the usernames
    of the community's local moderators."""
    told: dict[str, NotificationKind] = {}
    if facts.held:
        told = dict.fromkeys(moderators, NotificationKind.HELD_POST)
    else:
        parent = site.staff_from_uri(facts.parent_author) if facts.parent_author else None
        if parent:
            told[parent] = NotificationKind.REPLY
        elif facts.parent_author == site.uri(community):  # a reply to the community's own post
            told = dict.fromkeys(moderators, NotificationKind.REPLY)
        for href in facts.mentions:
            staff = site.staff_from_uri(href)
            if staff:
                told.setdefault(staff, NotificationKind.MENTION)
            elif href == site.uri(community) and calls_community(facts, community):
                for name in moderators:
                    told.setdefault(name, NotificationKind.MENTION)
    author = site.staff_from_uri(facts.author)
    told.pop(author or "", None)
    return told
