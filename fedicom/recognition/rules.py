"""The rules of recognition, as the leaderboard page shows them to the community: what earns points and
what earns each badge. Pure functions of what was counted, tested directly."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

UPVOTE = 1  # per upvote received on a thread or a reply
DOWNVOTE = -1  # per downvote received
REPLIER = 2  # per distinct member replying in your thread
ANSWER = 15  # per reply of yours accepted as the answer
IDEA = 20  # per idea of yours completed
REGULAR_WEEKS = 4  # a regular contributed in at least this many distinct weeks ...
REGULAR_OUT_OF = 8  # ... of the last this many (this week included)

RULES = (
    f"+{UPVOTE} for each upvote on your threads and replies, {DOWNVOTE} for each downvote.",
    f"+{REPLIER} for each member who replies in your thread (once per member and thread).",
    f"+{ANSWER} for each reply of yours accepted as the answer to a question.",
    f"+{IDEA} for each idea of yours the community completes.",
    "Your own votes and replies on your own posts never count; a total never goes below 0.",
    "A removed or deleted post stops counting, and so does what it earned; restored, it counts again.",
)


class Badge(StrEnum):
    EXPERT = "expert"
    TOP_OF_MONTH = "top_of_month"
    ACCEPTED_ANSWER = "accepted_answer"
    IDEA_SHIPPED = "idea_shipped"
    REGULAR = "regular"
    FIRST_CONTRIBUTION = "first_contribution"


LABELS = {
    Badge.EXPERT: "Expert",
    Badge.TOP_OF_MONTH: "Top contributor of the month",
    Badge.ACCEPTED_ANSWER: "Solver",  # not "Accepted answer": that marks the reply itself on Q&A pages
    Badge.IDEA_SHIPPED: "Idea shipped",
    Badge.REGULAR: "Regular",
    Badge.FIRST_CONTRIBUTION: "First contribution",
}

EARNED_BY = {
    Badge.EXPERT: "recognised as an expert by the community's staff",
    Badge.TOP_OF_MONTH: "the most points earned last calendar month (in the community's time zone)",
    Badge.ACCEPTED_ANSWER: "a reply accepted as the answer to a question",
    Badge.IDEA_SHIPPED: "an idea the community completed",
    Badge.REGULAR: f"posts in at least {REGULAR_WEEKS} different weeks of the last {REGULAR_OUT_OF}",
    Badge.FIRST_CONTRIBUTION: "a first thread or reply that is still shown",
}


@dataclass(frozen=True)
class Tally:
    """What a member's shown contributions received."""

    up: int = 0
    down: int = 0
    repliers: int = 0  # distinct (thread, member) pairs
    answers: int = 0
    ideas: int = 0

    def __add__(self, other: Tally) -> Tally:
        return Tally(
            self.up + other.up,
            self.down + other.down,
            self.repliers + other.repliers,
            self.answers + other.answers,
            self.ideas + other.ideas,
        )


def points(tally: Tally) -> int:
    """The points of a tally, never below 0."""
    raw = (
        tally.up * UPVOTE
        + tally.down * DOWNVOTE
        + tally.repliers * REPLIER
        + tally.answers * ANSWER
        + tally.ideas * IDEA
    )
    return max(0, raw)


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())  # weeks start on Monday


def is_regular(days: Iterable[date], today: date) -> bool:
    """Contributions on `days` (local days) fall in at least REGULAR_WEEKS distinct weeks of the last
    REGULAR_OUT_OF, this week included."""
    first = week_start(today) - timedelta(weeks=REGULAR_OUT_OF - 1)
    weeks = {week_start(d) for d in days if first <= d <= today}
    return len(weeks) >= REGULAR_WEEKS


def previous_month(today: date) -> tuple[date, date]:
    """The first day of last calendar month, and the first day of this one."""
    this = today.replace(day=1)
    return (this - timedelta(days=1)).replace(day=1), this


def top_of(month_points: Mapping[str, int]) -> frozenset[str]:
    """Who earned the most points in the month (all of them on a tie); nobody if nobody earned any."""
    best = max(month_points.values(), default=0)
    return frozenset(a for a, n in month_points.items() if n == best) if best > 0 else frozenset()


def badges_of(
    *, tally: Tally, contributed: bool, regular: bool, top: bool, expert: bool
) -> tuple[Badge, ...]:
    """A member's badges, the rarest first."""
    earned = {
        Badge.EXPERT: expert,
        Badge.TOP_OF_MONTH: top,
        Badge.ACCEPTED_ANSWER: tally.answers > 0,
        Badge.IDEA_SHIPPED: tally.ideas > 0,
        Badge.REGULAR: regular,
        Badge.FIRST_CONTRIBUTION: contributed,
    }
    return tuple(b for b in Badge if earned[b])
