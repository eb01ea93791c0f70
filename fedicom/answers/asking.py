"""The asker accepts an answer from their own server: a reply to the answer whose text is exactly
`!accept` (rules.py), from the question's author, signed and admitted as every reply. Any other
author's `!accept`, or one that cannot apply (another thread, a removed answer), changes nothing."""

from __future__ import annotations

import logging

from tortoise.backends.base.client import BaseDBAsyncClient

from fedicom.answers.accepting import record
from fedicom.answers.rules import is_accept_command, refusal
from fedicom.groups.events import GroupEvents
from fedicom.groups.kinds import CommunityKind
from fedicom.groups.models import Group, Post, PostState

log = logging.getLogger("fedicom.answers")


async def post_stored(post: Post, conn: BaseDBAsyncClient | None) -> None:
    """Record the answer when `post` is the asker's acceptance command (in the post's transaction)."""
    group: Group = post.group
    if group.kind != CommunityKind.QUESTIONS or post.parent_id is None:  # type: ignore[attr-defined]
        return
    if post.state != PostState.VISIBLE or not is_accept_command(post.content):
        return
    question = await Post.get_or_none(id=post.root_id).using_db(conn)  # type: ignore[attr-defined]
    answer = await Post.get_or_none(id=post.parent_id).using_db(conn)  # type: ignore[attr-defined]
    if question is None or answer is None or question.author != post.author:
        return  # only the asker accepts; anyone else's "!accept" stays an ordinary reply
    why = refusal(group, question, answer)
    if why:
        log.info("%s's acceptance of post %s ignored: %s", post.author, answer.id, why)
        return
    assert conn is not None  # post_stored is always sent in the storing transaction
    await record(question, answer, by=post.author, conn=conn)


def connect(events: GroupEvents) -> None:
    events.post_stored.connect(post_stored)
