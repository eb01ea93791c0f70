"""Members' standing in a community, read from the credits: points, badges, the leaderboard.

A credit counts while its post and its source are shown (visible, not deleted), so a moderator's removal
takes its points back and a restoration gives them back without an event of their own. Members who
asked to be left out are counted but shown nowhere; a private community shows nothing to visitors.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from tortoise.functions import Count

from fedicom.groups.models import Group, Post, PostState
from fedicom.groups.timezones import zone
from fedicom.insights import experts
from fedicom.recognition import rules
from fedicom.recognition.models import Credit, CreditKind, LeftOut
from fedicom.recognition.rules import Badge, Tally

SHOWN = {"post__deleted": False, "post__state": PostState.VISIBLE}
SOURCE_SHOWN = {"source__deleted": False, "source__state": PostState.VISIBLE}


@dataclass(frozen=True)
class Standing:
    actor: str
    points: int
    badges: tuple[Badge, ...]
    left_out: bool = False  # asked to be left out: only staff see them

    def as_json(self) -> dict[str, Any]:
        shown = {"actor": self.actor, "points": self.points, "badges": [b.value for b in self.badges]}
        return {**shown, "left_out": self.left_out}


def _credits(group: Group, authors: Iterable[str] | None) -> Any:
    found = Credit.filter(group_id=group.id, **SHOWN, **SOURCE_SHOWN)
    return found.filter(post__author__in=list(authors)) if authors is not None else found


async def tallies(
    group: Group,
    authors: Iterable[str] | None = None,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
) -> dict[str, Tally]:
    """Each author's tally from credits still shown; with `since`/`until`, only what was earned then (a
    replier counts in the month of their first reply still shown in the thread)."""
    authors = list(authors) if authors is not None else None
    sums: dict[str, Tally] = defaultdict(Tally)
    votes = _credits(group, authors).exclude(kind=CreditKind.REPLY)
    if since is not None and until is not None:
        votes = votes.filter(at__gte=since, at__lt=until)
    rows = (
        await votes.annotate(n=Count("id"))
        .group_by("post__author", "kind", "value")
        .values("post__author", "kind", "value", "n")
    )
    for row in rows:
        n, kind = int(row["n"]), CreditKind(row["kind"])
        if kind is CreditKind.VOTE:
            part = Tally(up=n) if row["value"] > 0 else Tally(down=n)
        else:
            part = Tally(answers=n) if kind is CreditKind.ANSWER else Tally(ideas=n)
        sums[row["post__author"]] += part
    first: dict[tuple[str, int, str], datetime] = {}  # each (author, thread, replier): its first reply
    replies = _credits(group, authors).filter(kind=CreditKind.REPLY)
    if until is not None:
        replies = replies.filter(at__lt=until)
    for author, thread, giver, at in await replies.values_list("post__author", "post_id", "giver", "at"):
        key = (str(author), int(thread), str(giver))
        first[key] = min(at, first.get(key, at))
    for (author, _, _), at in first.items():
        if since is None or at >= since:
            sums[author] += Tally(repliers=1)
    return dict(sums)


def _local_midnight(day: date, group: Group) -> datetime:
    return datetime.combine(day, time(), tzinfo=zone(group.timezone)).astimezone(UTC)


async def top_of_month(group: Group, now: datetime, hidden: frozenset[str]) -> frozenset[str]:
    """Who earned the most points last calendar month in the community's time zone, among those shown."""
    start, end = rules.previous_month(now.astimezone(zone(group.timezone)).date())
    month = await tallies(group, since=_local_midnight(start, group), until=_local_midnight(end, group))
    return rules.top_of({a: rules.points(t) for a, t in month.items() if a not in hidden})


async def _contributions(group: Group, authors: list[str] | None, now: datetime) -> dict[str, list[date]]:
    """Each author with a shown post: the local days of their posts of the last REGULAR_OUT_OF weeks
    (empty when they posted only before)."""
    shown = Post.filter(group_id=group.id, deleted=False, state=PostState.VISIBLE)
    if authors is not None:
        shown = shown.filter(author__in=authors)
    since = now - timedelta(weeks=rules.REGULAR_OUT_OF, days=1)
    days: dict[str, list[date]] = {
        str(a): [] for a in await shown.distinct().values_list("author", flat=True)
    }
    tz = zone(group.timezone)
    for author, at in await shown.filter(created_at__gte=since).values_list("author", "created_at"):
        days[str(author)].append(at.astimezone(tz).date())
    return days


async def left_out(group: Group) -> frozenset[str]:
    return frozenset(str(a) for a in await LeftOut.filter(group_id=group.id).values_list("actor", flat=True))


async def standings(
    group: Group, authors: Iterable[str] | None = None, *, now: datetime | None = None, public: bool = True
) -> dict[str, Standing]:
    """Points and badges of `authors` (everyone with points or a badge when None). What the public sees
    leaves out the members who asked, and is empty for a private community (its pages show members'
    names to nobody); staff (`public=False`) see everyone, the left-out marked."""
    if public and group.private:
        return {}
    now = now or datetime.now(UTC)
    wanted = sorted(set(authors)) if authors is not None else None
    hidden = await left_out(group)
    counted = await tallies(group, wanted)
    posted = await _contributions(group, wanted, now)
    top = await top_of_month(group, now, hidden)  # the same badge staff and the public see
    recognised = await experts.of(group)
    today = now.astimezone(zone(group.timezone)).date()
    found = {}
    for actor in (
        set(counted) | set(posted) | (recognised & set(wanted) if wanted is not None else recognised)
    ):
        if public and actor in hidden:
            continue
        tally = counted.get(actor, Tally())
        badges = rules.badges_of(
            tally=tally,
            contributed=actor in posted,
            regular=rules.is_regular(posted.get(actor, ()), today),
            top=actor in top,
            expert=actor in recognised,
        )
        found[actor] = Standing(actor, rules.points(tally), badges, left_out=actor in hidden)
    return found


async def leaderboard(
    group: Group, limit: int | None = None, *, now: datetime | None = None, public: bool = True
) -> list[Standing]:
    """The community's members by points, the most first (then by address, for a stable order)."""
    found = sorted(
        (await standings(group, now=now, public=public)).values(), key=lambda s: (-s.points, s.actor)
    )
    return found[:limit] if limit is not None else found


async def badges_for(group: Group, actors: Iterable[str]) -> dict[str, tuple[Badge, ...]]:
    """The badges to show next to these names on the community's pages (experts included)."""
    return {a: s.badges for a, s in (await standings(group, actors)).items() if s.badges}
