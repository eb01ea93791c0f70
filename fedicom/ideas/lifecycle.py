"""An idea's status (open, under review, planned, started, completed, declined, duplicate) and the
rules for changing it: which posts have one, which changes staff may make, what members are told. Pure.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from fedicom.errors import BadRequest, shown
from fedicom.groups.kinds import CommunityKind
from fedicom.groups.models import Group, Post, PostState


class IdeaStatus(StrEnum):
    OPEN = "open"  # every new idea, without any row stored
    UNDER_REVIEW = "under_review"
    PLANNED = "planned"
    STARTED = "started"
    COMPLETED = "completed"
    DECLINED = "declined"
    DUPLICATE = "duplicate"  # set only by merging it into the original (merging.py)


LABELS: dict[IdeaStatus, str] = {
    IdeaStatus.OPEN: "Open",
    IdeaStatus.UNDER_REVIEW: "Under review",
    IdeaStatus.PLANNED: "Planned",
    IdeaStatus.STARTED: "Started",
    IdeaStatus.COMPLETED: "Completed",
    IdeaStatus.DECLINED: "Declined",
    IdeaStatus.DUPLICATE: "Duplicate",
}
ROADMAP = (IdeaStatus.PLANNED, IdeaStatus.STARTED, IdeaStatus.COMPLETED)  # the roadmap page's columns
MAX_NOTE = 2000  # as much as a moderator's reason


def parse_status(value: str) -> IdeaStatus:
    """The status named (stored word, or the shown words: "Under review"); BadRequest listing them."""
    word = value.strip().lower().replace(" ", "_").replace("-", "_")
    try:
        return IdeaStatus(word)
    except ValueError:
        choices = ", ".join(s.value for s in IdeaStatus)
        raise BadRequest(f"the status of an idea is one of {choices}, not {shown(value)}") from None


@dataclass(frozen=True)
class Standing:
    """What is stored of an idea's status (an idea with no row is open and merged nowhere)."""

    status: IdeaStatus = IdeaStatus.OPEN
    merged_into: int | None = None  # the original's post id, once merged


def check_board(group: Group) -> None:
    """Statuses, the roadmap and merging belong to communities of the ideas kind (groups/kinds.py)."""
    if group.kind != CommunityKind.IDEAS:
        raise BadRequest(
            f"{group.name} is a {CommunityKind(group.kind).value} community, not an idea board: "
            "only ideas have a status"
        )


def check_idea(group: Group, post: Post) -> None:
    """Only a shown top-level thread of an idea board has a status."""
    check_board(group)
    if not post.is_thread:
        raise BadRequest(f"post {post.id} is a comment: only an idea (a thread) has a status")
    if post.deleted or post.state != PostState.VISIBLE:
        raise BadRequest(
            f"post {post.id} is {'deleted' if post.deleted else post.state}: it is not on the board"
        )


def check_note(note: str) -> str:
    note = note.strip()
    if "\x00" in note:
        raise BadRequest("the note contains a NUL character")
    if len(note) > MAX_NOTE:
        raise BadRequest(f"the note is longer than {MAX_NOTE:,} characters ({len(note):,})")
    return note


def check_change(post_id: int, before: Standing, after: IdeaStatus, note: str) -> None:
    """Staff set any status but `duplicate` (a merge sets it); a merged idea keeps it; the same status
    again only with a new note (an update members are told of)."""
    if after == IdeaStatus.DUPLICATE:
        raise BadRequest(
            f"an idea becomes a duplicate by merging it: fedicom ideas merge {post_id} --into URL"
        )
    if before.merged_into is not None:
        raise BadRequest(
            f"idea {post_id} was merged into idea {before.merged_into}: its status stays duplicate"
        )
    if before.status == after and not note:
        raise BadRequest(f"idea {post_id} is already {LABELS[after]}: give a note to tell members more")


def reply_text(status: IdeaStatus, note: str) -> str:
    """The staff reply that tells members (on Mastodon, Lemmy and here) of the new status."""
    return f"Status: {LABELS[status]}" + (f" — {note}" if note else "")


def credit_change(before: IdeaStatus, after: IdeaStatus) -> bool | None:
    """True when the idea becomes completed (its author earns the idea credit), False when it stops
    being completed, None when recognition is not concerned."""
    if before != after and IdeaStatus.COMPLETED in (before, after):
        return after == IdeaStatus.COMPLETED
    return None
