"""How long a community's insights take to read: `python -m bench.insights [--posts N] [--members M]`.

A community with M members and N posts and comments spread over 90 days, its insights already counted
(the rows counting.py keeps, written in bulk here: replaying a million posts through the listeners
would take as long as receiving them), then `insights()` over 7, 30 and 90 days and the staff page's
charts and tables drawn from it, timed in process.
The target (issue 12): under 1 s for 1,000,000 posts and 100,000 members, on SQLite and PostgreSQL.
Never fails on timing.
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import tempfile
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import uvloop
from tortoise import connections

from bench.seed import fresh_postgres, seed_community
from fedicom import storage
from fedicom.activitypub import leases
from fedicom.app import build_federation
from fedicom.insights.counting import wait_band
from fedicom.insights.report import insights
from fedicom.settings import load_settings
from fedicom.web.staff.insights import charts, tables

DAYS = 90
SERVERS = 400
CHUNK = 20_000


async def _many(sql: str, rows: list[list[Any]]) -> None:
    for start in range(0, len(rows), CHUNK):
        await leases.execute_many(sql, rows[start : start + CHUNK])


async def _fill(group_id: int, posts: int, members: int, rng: random.Random) -> None:
    now = datetime.now(UTC)
    actors = [f"https://s{i % SERVERS}.example/users/u{i}" for i in range(members)]
    await _many(
        "INSERT INTO membership (group_id, actor, inbox, state, follow_id, follow_activity, created_at) "
        "VALUES (?, ?, ?, 'accepted', ?, '{}', ?)",
        [[group_id, a, f"https://s{i % SERVERS}.example/inbox", f"{a}#f", now] for i, a in enumerate(actors)],
    )
    await _many(
        "INSERT INTO remote_server (host, unreachable, software) VALUES (?, ?, ?)",
        [[f"s{i}.example", False, ("lemmy", "mastodon", "mbin")[i % 3]] for i in range(SERVERS)],
    )
    # a few thousand regulars write most of it, as in any community
    writers = actors[: max(1, members // 20)]
    post_rows, thread_rows, fact_rows = [], [], []
    member_day: dict[tuple[date, str], list[int]] = {}
    days: dict[date, list[int]] = {}
    thread_ids: list[int] = []
    thread_days: dict[date, Counter[str]] = {}
    waits: Counter[tuple[date, int]] = Counter()
    for i in range(1, posts + 1):
        at = now - timedelta(seconds=rng.randrange(DAYS * 86400))
        day = at.date()
        author = rng.choice(writers)
        comment = bool(thread_ids) and rng.random() < 0.75
        parent = rng.choice(thread_ids) if comment else None
        post_rows.append(
            [i, group_id, f"https://x.example/o/{i}", "Note", author, parent, parent, "", "{}", at, at]
        )
        fact_rows.append([i, group_id, day, 1 if comment else 0, "en", "neutral"])
        if not comment:
            thread_ids.append(i)
            reply = rng.choice([None, 5, 30, 200, 2000])
            participants = rng.randrange(1, 8)
            thread_rows.append([i, group_id, author, at, False, reply, participants, 3])
            sums = thread_days.setdefault(day, Counter())
            sums.update(threads=1, participants=participants, depth_sum=3)
            sums["no_reply" if reply is None else wait_band(reply)] += 1
            if reply is not None:
                waits[(day, reply)] += 1
        counts = member_day.setdefault((day, author), [0, 0, 0])
        counts[1 if comment else 0] += 1
        days.setdefault(day, [0, 0])[1 if comment else 0] += 1
    await _many(
        "INSERT INTO post (id, group_id, object_id, type, author, parent_id, root_id, content, document, "
        "published, created_at, deleted, upvotes, downvotes, reply_count, state, state_reason, locked) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, false, 0, 0, 0, 'visible', '', false)",
        post_rows,
    )
    await _many(
        "INSERT INTO insight_post (post_id, group_id, day, depth, language, sentiment) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        fact_rows,
    )
    await _many(
        "INSERT INTO insight_thread (post_id, group_id, author, created_at, question, first_reply_minutes, "
        "participants, depth, replies, staff_replied) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, false)",
        thread_rows,
    )
    await _many(
        "INSERT INTO insight_thread_day (group_id, day, threads, questions, staff_answered, no_reply, "
        "under_1h, h1_4, h4_24, over_24h, participants, depth_sum, depth_max) "
        "VALUES (?, ?, ?, 0, 0, ?, ?, ?, ?, ?, ?, ?, 3)",
        [
            [group_id, d, *(c[k] for k in ("threads", "no_reply", "under_1h", "h1_4", "h4_24", "over_24h")),
             c["participants"], c["depth_sum"]]
            for d, c in thread_days.items()
        ],
    )  # fmt: skip
    await _many(
        "INSERT INTO insight_wait (group_id, day, minutes, threads) VALUES (?, ?, ?, ?)",
        [[group_id, d, minutes, n] for (d, minutes), n in waits.items()],
    )
    for actor in actors[: members // 2]:  # voters: half the members vote on some day
        day = (now - timedelta(days=rng.randrange(DAYS))).date()
        member_day.setdefault((day, actor), [0, 0, 0])[2] += 1
    await _many(
        "INSERT INTO insight_member_day (group_id, day, actor, posts, comments, votes) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        [[group_id, d, a, *c] for (d, a), c in member_day.items()],
    )
    active = Counter(d for d, _ in member_day)
    totals: dict[str, list[int]] = {}
    for (_, actor), c in member_day.items():
        t = totals.setdefault(actor, [0, 0, 0])
        for k in range(3):
            t[k] += c[k]
    await _many(
        "INSERT INTO insight_member (group_id, actor, posts, comments, votes, up_received, down_received, "
        "comment_up_received, replies_received, engagers) VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?, ?)",
        [[group_id, a, *t, t[0] * 3, t[1], t[0] * 2, t[0]] for a, t in totals.items()],
    )
    await _many(
        "INSERT INTO insight_day (group_id, day, posts, comments, votes, joins, leaves, reports, active, "
        "positive, neutral, negative, not_scored) VALUES (?, ?, ?, ?, 0, ?, ?, 0, ?, 0, ?, 0, 0)",
        [
            [group_id, d, p, c, members // DAYS, members // DAYS // 10, active[d], p + c]
            for d, (p, c) in days.items()
        ],
    )


async def measure(posts: int, members: int, postgres: str, runs: int) -> dict[int, list[float]]:
    folder = Path(tempfile.mkdtemp(prefix="bench-insights-"))
    url = await fresh_postgres(postgres, "processing") if postgres else ""
    settings = load_settings(
        dev=True, data_dir=folder, database_url=url, demo_community=False, domain="b.test"
    )
    try:
        await storage.migrate(settings)
        await storage.open_db(settings)
        runtime = build_federation(settings)
        group = await seed_community(runtime.groups.site, "bench")
        started = time.perf_counter()
        await _fill(group.id, posts, members, random.Random(12))
        if postgres:
            await connections.get("default").execute_script("ANALYZE")
        print(f"  seeded in {time.perf_counter() - started:.0f} s")
        timings: dict[int, list[float]] = {}
        for days in (7, 30, 90):
            await insights(group, days)  # warm: the first read pulls pages into the cache
            for _ in range(runs):
                started = time.perf_counter()
                found = await insights(group, days)
                charts(found), tables(found)  # what the page draws from them
                timings.setdefault(days, []).append(time.perf_counter() - started)
        await runtime.fed.session.close()
        return timings
    finally:
        await storage.close_db()
        shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.insights", description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=1_000_000)
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--postgres", default="", help="a PostgreSQL URL; a database beside it is used")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    kind = "PostgreSQL" if args.postgres else "SQLite"
    print(f"insights of a community of {args.posts:,} posts and {args.members:,} members, {kind}")
    timings = uvloop.run(measure(args.posts, args.members, args.postgres, args.runs))
    for days, values in timings.items():
        spread = f"({min(values):.3f}-{max(values):.3f})"
        median = statistics.median(values)
        print(f"  last {days:>2} days: median {median:.3f} s {spread} over {len(values)} runs")


if __name__ == "__main__":
    main()
