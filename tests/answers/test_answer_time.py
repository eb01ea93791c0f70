"""The time to an accepted answer in a questions community's insights is counted exactly: questions
asked at known moments in a time zone far from UTC, some answered (the accepted reply arriving hours
later), one removed, one before the period; the period's share and median, each day's figures, the
staff page, its CSV and JSON agree with a direct count. Other kinds of community carry no such figure."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from fedicom.answers.models import AcceptedAnswer
from fedicom.groups.models import Group, Moderator, Post, PostState
from fedicom.insights.answering import Asked, by_day, figures
from fedicom.insights.report import insights
from tests.moderation.helpers import community_with_moderator
from tests.support.servers import Instance
from tests.web.signin import staff_client

NOW = datetime(2026, 11, 12, 15, 0, tzinfo=UTC)
ZONE = "Pacific/Auckland"  # UTC+13 in November: 15:00 UTC is 04:00 the next local day
ASKER = "https://s.example/users/kim"
# (hours before NOW the question was asked, hours until the accepted reply arrived, or None)
HISTORY = [(2, 1.5), (5, None), (30, 3.0), (31, 10.0), (50, None), (70, 0.25), (24 * 40, 2.0)]
REMOVED_ANSWER = 45  # hours before NOW: a question whose accepted answer was removed since (unanswered)


def shown(questions: int, accepted: int, share: float | None, median: float | None) -> dict[str, object]:
    return {
        "questions": questions,
        "accepted": accepted,
        "share_accepted": share,
        "hours_to_accepted_median": median,
    }


def test_figures_of_no_question_and_of_some() -> None:
    assert figures([]) == {
        "questions": 0,
        "accepted": 0,
        "share_accepted": None,
        "hours_to_accepted_median": None,
    }
    day = NOW.date()
    items = [Asked(day, NOW, NOW + timedelta(hours=h)) for h in (1, 2, 7)] + [Asked(day, NOW, None)]
    assert figures(items) == {
        "questions": 4,
        "accepted": 3,
        "share_accepted": 0.75,
        "hours_to_accepted_median": 2.0,
    }
    assert by_day(items) == {day: figures(items)}


async def given_history(group: Group) -> None:
    for n, (ago, after) in enumerate(HISTORY):
        asked_at = NOW - timedelta(hours=ago)
        question = await Post.create(
            group=group, object_id=f"{ASKER}/q{n}", type="Page", author=ASKER, title=f"Q{n}", document={},
            published=asked_at,
        )  # fmt: skip
        await Post.filter(id=question.id).update(created_at=asked_at)
        if after is None:
            continue
        answer = await Post.create(
            group=group, object_id=f"{ASKER}/a{n}", type="Note", author="https://t.example/u/lee",
            parent=question, root=question, document={}, published=asked_at,
        )  # fmt: skip
        await Post.filter(id=answer.id).update(created_at=asked_at + timedelta(hours=after))
        await AcceptedAnswer.create(
            group=group, question=question, answer=answer, accepted_by=ASKER, accepted_at=NOW
        )
    asked_at = NOW - timedelta(hours=REMOVED_ANSWER)
    question = await Post.create(
        group=group, object_id=f"{ASKER}/qr", type="Page", author=ASKER, title="QR", document={},
        published=asked_at,
    )  # fmt: skip
    await Post.filter(id=question.id).update(created_at=asked_at)
    answer = await Post.create(
        group=group, object_id=f"{ASKER}/ar", type="Note", author="https://t.example/u/lee",
        parent=question, root=question, document={}, published=asked_at, state=PostState.REMOVED,
    )  # fmt: skip
    await AcceptedAnswer.create(
        group=group, question=question, answer=answer, accepted_by=ASKER, accepted_at=NOW
    )
    removed = await Post.create(
        group=group, object_id=f"{ASKER}/gone", type="Page", author=ASKER, title="Gone", document={},
        published=NOW, state=PostState.REMOVED,
    )  # fmt: skip
    await Post.filter(id=removed.id).update(created_at=NOW - timedelta(hours=1))


async def test_the_time_to_an_accepted_answer_is_counted_exactly(instance) -> None:
    inst: Instance = await instance()
    await community_with_moderator(inst, "help", kind="questions", timezone=ZONE)
    await community_with_moderator_free(inst)
    group = await Group.get(name="help")
    await given_history(group)

    found = await insights(group, 30, now=NOW)
    other = await insights(await Group.get(name="talk"), 30, now=NOW)

    in_period = [(ago, after) for ago, after in HISTORY if ago < 24 * 30] + [(REMOVED_ANSWER, None)]
    hours = sorted(after for _, after in in_period if after is not None)  # [0.25, 1.5, 3.0, 10.0]
    assert found.answers == {
        "questions": len(in_period),
        "accepted": len(hours),
        "share_accepted": round(len(hours) / len(in_period), 3),
        "hours_to_accepted_median": round((hours[1] + hours[2]) / 2, 2),
    }
    assert other.answers is None and "questions_asked" not in other.days[-1]
    # by the community's own calendar day
    by_local: dict[str, list[float | None]] = {}
    for ago, after in in_period:
        local = (NOW - timedelta(hours=ago)).astimezone(ZoneInfo(ZONE)).date()
        by_local.setdefault(local.isoformat(), []).append(after)
    days = {d["day"]: d for d in found.days}
    for day, afters in by_local.items():
        accepted = sorted(a for a in afters if a is not None)
        assert days[day]["questions_asked"] == len(afters), day
        assert days[day]["answers_accepted"] == len(accepted), day
    assert sum(d["questions_asked"] for d in found.days) == len(in_period)


async def community_with_moderator_free(inst: Instance) -> None:
    """`talk`, a discussion community mia moderates too."""
    talk = await inst.community("talk")
    await Moderator.create(group=talk, actor=inst.site.staff_uri("mia"))


async def test_the_staff_page_csv_and_json_show_it(instance) -> None:
    inst: Instance = await instance()
    await community_with_moderator(inst, "help", kind="questions")
    group = await Group.get(name="help")
    now = datetime.now(UTC)
    question = await Post.create(
        group=group, object_id=f"{ASKER}/q", type="Page", author=ASKER, title="Q", document={}, published=now
    )
    answer = await Post.create(
        group=group, object_id=f"{ASKER}/a", type="Note", author="https://t.example/u/lee", parent=question,
        root=question, document={}, published=now,
    )  # fmt: skip
    await Post.filter(id=question.id).update(created_at=now - timedelta(hours=3))
    await AcceptedAnswer.create(
        group=group, question=question, answer=answer, accepted_by=ASKER, accepted_at=now
    )
    await Post.create(
        group=group,
        object_id=f"{ASKER}/q2",
        type="Page",
        author=ASKER,
        title="Q2",
        document={},
        published=now,
    )
    async with staff_client(inst.base, "mia") as http:
        page = await http.get("/staff/communities/help/insights")
        table = await http.get("/staff/communities/help/insights.csv")
        data = (await http.get("/staff/communities/help/insights.json")).json()
    assert "Questions with an accepted answer</th><td>1 of 2 (50 %)" in page.text
    assert "Time to the accepted answer (median)</th><td>3.0 h" in page.text
    rows = list(csv.DictReader(io.StringIO(table.text)))
    assert sum(int(r["questions_asked"] or 0) for r in rows) == 2
    assert sum(int(r["answers_accepted"] or 0) for r in rows) == 1
    assert data["answers"] == {
        "questions": 2,
        "accepted": 1,
        "share_accepted": 0.5,
        "hours_to_accepted_median": 3.0,
    }
