"""`python -m bench.conversations`: how fast a big conversation's collections answer, with and without
the post indexes on (root_id, id) and (parent_id, id). Prints a table; never fails on timing.

A community of about 60,000 posts: 2,000 threads of 20 replies, and one thread of 20,000 replies
(5,000 answering the thread, 15,000 answering those). Each query is the service the route calls,
timed in process (median of 15 runs after a warm-up), so only the database's work is measured.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from tortoise import connections

from fedicom import storage
from fedicom.groups.browse import thread_of
from fedicom.groups.conversations import context_of, replies_of
from fedicom.groups.models import Group, Post
from fedicom.groups.routes import CONVERSATION_PAGE_SIZE
from fedicom.settings import load_settings

BASE = "https://bench.example"
SMALL_THREADS, SMALL_REPLIES = 2_000, 20
BIG_DIRECT, BIG_NESTED = 5_000, 15_000
BACKFILL_THREADS, BACKFILL_REPLIES = 10, 20  # the defaults
RUNS = 15
DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432/test"


def _post(group: Group, n: int, *, root: int | None = None, parent: int | None = None) -> Post:
    return Post(
        group=group,
        object_id=f"{BASE}/objects/{n}",
        type="Note" if root else "Page",
        author=f"{BASE}/users/u{n % 500}",
        root_id=root,
        parent_id=parent,
        content="<p>x</p>",
        document={},
        published=datetime.now(UTC),
    )


async def _ids(group: Group, first: int, count: int) -> list[int]:
    rows = await Post.filter(group=group, object_id__in=[f"{BASE}/objects/{first + i}" for i in range(count)])
    by_oid = {p.object_id: p.id for p in rows}
    return [by_oid[f"{BASE}/objects/{first + i}"] for i in range(count)]


async def seed() -> tuple[Post, list[Post]]:
    """The community; returns the big thread and the small ones."""
    group = await Group.create(name="bench", title="Bench")
    n = 0
    await Post.bulk_create([_post(group, n + i) for i in range(SMALL_THREADS + 1)], batch_size=1000)
    thread_ids = await _ids(group, n, SMALL_THREADS + 1)
    n += SMALL_THREADS + 1
    big_id, small_ids = thread_ids[-1], thread_ids[:-1]
    replies = [_post(group, n + i, root=t, parent=t) for i, t in enumerate(small_ids * SMALL_REPLIES)]
    await Post.bulk_create(replies, batch_size=1000)
    n += len(replies)
    await Post.bulk_create([_post(group, n + i, root=big_id, parent=big_id) for i in range(BIG_DIRECT)], 1000)
    direct = await _ids(group, n, BIG_DIRECT)
    n += BIG_DIRECT
    nested = [_post(group, n + i, root=big_id, parent=direct[i % BIG_DIRECT]) for i in range(BIG_NESTED)]
    await Post.bulk_create(nested, batch_size=1000)
    return await Post.get(id=big_id), await Post.filter(id__in=small_ids[-BACKFILL_THREADS:])


async def _median_ms(run: Callable[[], Awaitable[object]]) -> float:
    await run()
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        await run()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


async def measure(big: Post, small: list[Post]) -> dict[str, float]:
    group = await Group.get(id=big.group_id)  # type: ignore[attr-defined]
    last = -(-(BIG_DIRECT + BIG_NESTED + 1) // CONVERSATION_PAGE_SIZE)
    shown = Post.filter(group=group, deleted=False, state="visible")

    async def backfill_selection() -> None:  # the reply queries announce.backfill makes
        for thread in small:
            await (
                shown.filter(root_id=thread.id)
                .order_by("id")
                .limit(BACKFILL_REPLIES)
                .values_list("object_id")
            )

    return {
        "context, first page (20,001 posts)": await _median_ms(
            lambda: context_of(big, 1, CONVERSATION_PAGE_SIZE)
        ),
        "context, last page": await _median_ms(lambda: context_of(big, last, CONVERSATION_PAGE_SIZE)),
        "replies, first page (5,000 direct)": await _median_ms(
            lambda: replies_of(big, 1, CONVERSATION_PAGE_SIZE)
        ),
        "replies of a 20-reply thread": await _median_ms(
            lambda: replies_of(small[0], 1, CONVERSATION_PAGE_SIZE)
        ),
        "thread page of a 20-reply thread": await _median_ms(lambda: thread_of(group, small[0].id)),
        f"backfill reply selection ({BACKFILL_THREADS} threads)": await _median_ms(backfill_selection),
    }


async def drop_indexes(kind: str) -> None:
    conn = connections.get("default")
    if kind == "sqlite":
        sql = "SELECT name, sql AS definition FROM sqlite_master WHERE type='index' AND tbl_name='post'"
    else:
        sql = "SELECT indexname AS name, indexdef AS definition FROM pg_indexes WHERE tablename='post'"
    for row in await conn.execute_query_dict(sql):
        if "root_id" in (row["definition"] or "") or "parent_id" in (row["definition"] or ""):
            await conn.execute_script(f'DROP INDEX "{row["name"]}"')
    await conn.execute_script("ANALYZE")


async def run(kind: str, postgres: str) -> dict[str, tuple[float, float]]:
    folder = Path(tempfile.mkdtemp(prefix="fedicom-bench-conv-"))
    url = ""
    if kind == "postgres":
        url = await _fresh_postgres(postgres)
    settings = load_settings(dev=True, data_dir=folder, database_url=url)
    await storage.migrate(settings)
    await storage.open_db(settings)
    try:
        big, small = await seed()
        await connections.get("default").execute_script("ANALYZE")
        indexed = await measure(big, small)
        await drop_indexes(kind)
        bare = await measure(big, small)
    finally:
        await storage.close_db()
        if kind == "postgres":
            await _drop_postgres(postgres)
    return {name: (indexed[name], bare[name]) for name in indexed}


def _bench_url(postgres: str) -> str:
    parts = urlsplit(postgres)
    return urlunsplit(parts._replace(path=f"/{parts.path.lstrip('/') or 'postgres'}_conv_bench"))


async def _fresh_postgres(postgres: str) -> str:
    import asyncpg

    name = urlsplit(_bench_url(postgres)).path.lstrip("/")
    admin = await asyncpg.connect(postgres)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    return _bench_url(postgres)


async def _drop_postgres(postgres: str) -> None:
    import asyncpg

    admin = await asyncpg.connect(postgres)
    try:
        await admin.execute(
            f'DROP DATABASE IF EXISTS "{urlsplit(_bench_url(postgres)).path.lstrip("/")}" WITH (FORCE)'
        )
    finally:
        await admin.close()


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.conversations", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument(
        "--postgres-url", default=DEFAULT_POSTGRES, help="a loopback server; <db>_conv_bench is made there"
    )
    parser.add_argument("--rows-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not args.rows_only:
        print("| database | query | indexed (ms) | without the indexes (ms) |")
        print("|---|---|---:|---:|")
    if args.db == "both":  # the ORM's state is process-wide: one process per database
        for kind in ("sqlite", "postgres"):
            command = [sys.executable, "-m", "bench.conversations", "--db", kind, "--rows-only"]
            subprocess.run([*command, "--postgres-url", args.postgres_url], check=True)
        return
    for name, (indexed, bare) in asyncio.run(run(args.db, args.postgres_url)).items():
        print(f"| {args.db} | {name} | {indexed:.2f} | {bare:.2f} |", flush=True)


if __name__ == "__main__":
    main()
