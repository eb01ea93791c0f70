"""The notice a community sends an author whose post it refused or holds: its words and its wire shape.

Pure functions. The shape is the one Mastodon shows as a direct message (a `Note` addressed only to
the author, with a `Mention` tag naming them, mastodon fixtures `create_direct_reply`); Pleroma/Akkoma,
Misskey, GoToSocial and Friendica read the same. Lemmy takes private messages only from a Person
(`verify_person` in its `CreateOrUpdatePrivateMessage`), so a Group cannot message a Lemmy user at
all: it refuses the delivery, which ends there (docs/federation.md, "Notices to authors").
"""

from __future__ import annotations

import html
from typing import Any

from fedicom.activitypub.jsonld import ACTIVITY_CONTEXT
from fedicom.activitypub.vocab import host_of, now_iso
from fedicom.groups.reasons import Reason

WAITING = "your post in {c} is waiting for a moderator: it is shared with the members once approved."
# {c} is the community's handle, linked to its page
TEXTS: dict[Reason, str] = {
    Reason.NOT_MEMBER: "only members can post in {c}: follow the community first, then post again.",
    Reason.MODERATORS_ONLY: "only moderators start threads in {c}; members reply to them.",
    Reason.NOT_PUBLIC: "{c} shares public posts only: post again with public visibility.",
    Reason.THREAD_LOCKED: "the thread you replied to in {c} is locked: it takes no new replies.",
    Reason.THREAD_REMOVED: "the post you replied to was removed by a moderator of {c}: replies to it "
    "are not shared.",
    Reason.THREAD_DELETED: "the post you replied to in {c} was deleted: replies to it are not shared.",
    Reason.THREAD_HELD: "the post you replied to in {c} is waiting for a moderator: reply again once "
    "it is shown.",
    Reason.RATE_LIMITED: "{c} takes only so many posts an hour from one person or server: wait a while, "
    "then post again.",
    Reason.FILTERED: "your post matched one of the filters of {c}, so it was not shared. Its rules are on "
    "its page.",
    Reason.TOO_MANY_COMMUNITIES: "your post names more communities than {c} accepts in one post: post "
    "to fewer at once.",
    Reason.MOVED: "{c} has moved to another server and takes no new posts: its page links to its new "
    "home, post there.",
    Reason.HELD_LINKS: "your post in {c} has many links, so it waits for a moderator: it is shared once "
    "approved.",
    Reason.HELD_NEW_MEMBER: "a new member's first post in {c} is reviewed by a moderator: yours is shared "
    "once approved.",
    Reason.HELD_FILTER: WAITING,
    Reason.HELD_ALL: WAITING,
    Reason.HELD_SERVER: WAITING,
}


def message(code: Reason, handle: str) -> str | None:
    """What the author reads, as plain text; None when they are not told (banned, blocked server)."""
    if not code.told:
        return None
    text = TEXTS[code].format(c=handle)
    opening = "" if code.held else "Your post was not shared: "
    return opening + (text if opening else text[0].upper() + text[1:])


def message_html(code: Reason, handle: str, community_url: str) -> str | None:
    """The message as HTML, the community's handle linking to its page."""
    text = message(code, "\x00")
    if text is None:
        return None
    link = f'<a href="{html.escape(community_url)}">{html.escape(handle)}</a>'
    return html.escape(text).replace("\x00", link)


def mention_name(author: str, username: str | None) -> str:
    """`@user@host` as Mastodon names a mentioned account (the URI when the name is unknown)."""
    return f"@{username}@{host_of(author)}" if username else author


def build_notice(
    *,
    group_uri: str,
    author: str,
    username: str | None,
    body_html: str,
    in_reply_to: str | None,
    note_uri: str,
) -> dict[str, Any]:
    """`Create{Note}` from the Group to the author alone: a direct message, replying to their post.

    Mastodon reads `to` of only the mentioned actor with a Mention tag as "direct" visibility, and
    threads it under the author's own post through `inReplyTo`.
    """
    name = mention_name(author, username)
    shown = html.escape(f"@{username}" if username else author)
    mention = (
        f'<span class="h-card" translate="no"><a href="{html.escape(author)}" class="u-url mention">'
        f"{shown}</a></span>"
    )
    note: dict[str, Any] = {
        "id": note_uri,
        "type": "Note",
        "attributedTo": group_uri,
        "to": [author],
        "cc": [],
        "content": f"<p>{mention} {body_html}</p>",
        "tag": [{"type": "Mention", "href": author, "name": name}],
        "sensitive": False,
        "published": now_iso(),
    }
    if in_reply_to:
        note["inReplyTo"] = in_reply_to
    return {
        "@context": ACTIVITY_CONTEXT,
        "id": f"{note_uri}/activity",
        "type": "Create",
        "actor": group_uri,
        "to": [author],
        "cc": [],
        "object": note,
        "published": note["published"],
    }
