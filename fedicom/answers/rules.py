"""Which reply may be accepted as a question's answer, and the asker's acceptance command. Pure.

Lemmy, Mbin and Mastodon have no activity for "this reply answers my question", so the asker accepts
by replying to the answer with exactly `!accept` (mentions before it aside): an ordinary reply never
matches, and only the question's author is heard (docs/questions.md).
"""

from __future__ import annotations

import html
import re

from fedicom.groups.kinds import CommunityKind
from fedicom.groups.models import Group, Post, PostState

ACCEPT_COMMAND = "!accept"
_MENTIONS = re.compile(r"^(?:@[\w.-]+(?:@[\w.-]+)?\s*)+")  # Mastodon puts `@answerer ` before the text
_TAGS = re.compile(r"<[^>]*>")  # removed, not spaced: Mastodon's mention is `@<span>name</span>`
MAX_COMMAND_HTML = 2000  # an acceptance is short: longer replies are never read as one


def refusal(group: Group, question: Post, reply: Post) -> str | None:
    """Why `reply` cannot be the accepted answer to `question` in `group`, or None when it can."""
    if group.kind != CommunityKind.QUESTIONS:
        return f"{group.name} is a {group.kind} community, not a questions one: it has no accepted answers"
    if reply.id == question.id:
        return f"post {reply.id} is the question itself: accept one of its replies"
    if not question.is_thread or question.group_id != group.id:  # type: ignore[attr-defined]
        return f"post {question.id} is not a question of {group.name}"
    if reply.root_id != question.id or reply.group_id != group.id:  # type: ignore[attr-defined]
        return f"post {reply.id} is not a reply in question {question.id}'s thread"
    for post, what in ((question, "question"), (reply, "reply")):
        if post.deleted:
            return f"the {what} (post {post.id}) was deleted"
        if post.state != PostState.VISIBLE:
            return f"the {what} (post {post.id}) is {post.state}: restore or approve it first"
    return None


def is_accept_command(html_text: str) -> bool:
    """Whether a reply's text is exactly the acceptance command (its leading mentions aside)."""
    if len(html_text) > MAX_COMMAND_HTML:
        return False
    text = html.unescape(_TAGS.sub("", html_text)).strip()
    return _MENTIONS.sub("", text).strip().casefold() == ACCEPT_COMMAND
