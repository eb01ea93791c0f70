"""How long checking a new idea against a community's ideas takes: `python -m bench.similar
[--ideas N] [--checks C] [--postgres URL]`.

A community of N generated ideas (a title and a short body each, words drawn with a Zipf law from a
vocabulary of real topic words and made-up ones, as in any community where a few words are in every
other idea), stored in bulk; then the first check (the index built from the database) and C new ideas
checked as arrival does (best 5 from the threshold, the database asked which are still shown), timed
in process. The target (issue 13): under 50 ms per check for 100,000 ideas. Never fails on timing.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import shutil
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from tortoise import connections

from bench.seed import fresh_postgres, seed_community
from fedicom import storage
from fedicom.activitypub import leases
from fedicom.app import build_federation
from fedicom.ideas.catalog import LIKELY, THRESHOLD, Catalog
from fedicom.settings import load_settings

TOPIC = """app mobile dark mode theme export data csv calendar event notification email reply thread vote
    search filter sort community member moderator post comment image upload video link map park tree
    street road bike bus train station school library pool playground bench toilet water fountain light
    parking speed limit crossing noise waste recycling compost solar energy heating garden market shop
    tax budget meeting festival concert sport football tennis court beach river bridge tunnel museum
    language translation accessibility font contrast keyboard shortcut login password passkey account
    profile avatar badge feed rss api bot spam report ban block mute pin lock archive draft schedule
    poll survey digest summary weekly daily monthly night weekend holiday summer winter rain snow
    wifi internet phone tablet laptop printer office desk room hall kitchen cafe restaurant menu""".split()
CHUNK = 20_000


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def vocabulary(rng: random.Random, made_up: int = 20_000) -> list[str]:
    syllables = [c + v for c in "bcdfghjklmnprstvz" for v in "aeiou"]
    words = {"".join(rng.choice(syllables) for _ in range(rng.randint(2, 4))) for _ in range(made_up)}
    return TOPIC + sorted(words)


def idea(rng: random.Random, words: list[str], weights: list[float]) -> tuple[str, str]:
    title = " ".join(rng.choices(words, weights, k=rng.randint(4, 8)))
    body = " ".join(rng.choices(words, weights, k=rng.randint(8, 25)))
    return title.capitalize(), f"<p>{body}.</p>"


async def measure(count: int, checks: int, postgres: str) -> dict[str, float]:
    folder = Path(tempfile.mkdtemp(prefix="bench-similar-"))
    url = await fresh_postgres(postgres, "similar_bench") if postgres else ""
    settings = load_settings(
        dev=True, data_dir=folder, database_url=url, demo_community=False, domain="b.test"
    )
    rng = random.Random(13)
    words = vocabulary(rng)
    weights = [1 / (rank + 1) for rank in range(len(words))]  # Zipf: a few words in every other idea
    try:
        await storage.migrate(settings)
        await storage.open_db(settings)
        runtime = build_federation(settings)
        group = await seed_community(runtime.groups.site, "bench")
        now = datetime.now(UTC)
        rows = []
        for i in range(1, count + 1):
            title, body = idea(rng, words, weights)
            rows.append(
                [
                    i,
                    group.id,
                    f"https://x.example/o/{i}",
                    "Page",
                    "https://x.example/u/a",
                    title,
                    body,
                    "{}",
                    now,
                    now,
                ]
            )
        sql = (
            "INSERT INTO post (id, group_id, object_id, type, author, title, content, document, published, "
            "created_at, deleted, upvotes, downvotes, reply_count, state, state_reason, locked) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, false, 0, 0, 0, 'visible', '', false)"
        )
        for start in range(0, len(rows), CHUNK):
            await leases.execute_many(sql, rows[start : start + CHUNK])
        if postgres:
            await connections.get("default").execute_script("ANALYZE")
        del rows
        catalog = Catalog()
        before = rss_mb()
        started = time.perf_counter()
        await catalog.index_of(group)
        built = time.perf_counter() - started
        index_mb = rss_mb() - before
        timings = []
        for _ in range(checks):
            title, body = idea(rng, words, weights)
            started = time.perf_counter()
            await catalog.similar(group, f"{title}\n{body}", limit=LIKELY, threshold=THRESHOLD)
            timings.append(time.perf_counter() - started)
        await runtime.fed.session.close()
        return {
            "build": built,
            "median": statistics.median(timings),
            "p95": statistics.quantiles(timings, n=20)[-1],
            "max": max(timings),
            "index_mb": index_mb,
        }
    finally:
        await storage.close_db()
        shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.similar", description=__doc__.splitlines()[0])
    parser.add_argument("--ideas", type=int, default=100_000)
    parser.add_argument("--checks", type=int, default=200)
    parser.add_argument("--postgres", default="", help="a PostgreSQL URL; a database beside it is used")
    args = parser.parse_args()
    kind = "PostgreSQL" if args.postgres else "SQLite"
    print(f"checking a new idea against {args.ideas:,} ideas of one community, {kind}")
    found = asyncio.run(measure(args.ideas, args.checks, args.postgres))
    print(f"  index built from the database in {found['build']:.1f} s (first check after a start)")
    print(
        f"  a check: median {found['median'] * 1000:.1f} ms, 95th percentile {found['p95'] * 1000:.1f} ms, "
        f"slowest {found['max'] * 1000:.1f} ms over {args.checks} new ideas"
    )
    print(
        f"  the index's memory (the process's RSS before and after it was built): {found['index_mb']:.0f} MB"
    )


if __name__ == "__main__":
    main()
