"""How fast a community exports and imports, and in how much memory: `python -m bench.portability
[--posts N] [--postgres URL]`.

A community of N posts (a thread and four replies at a time), one vote per post and 1,000 members,
stored in bulk; then exported to an archive and imported back under another name, each timed, and
each run again under tracemalloc for the peak of Python memory it allocated. Export reads the tables
in pages and import recreates them in chunks, so the peak should not grow with N. Never fails on timing.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import tempfile
import time
import tracemalloc
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tortoise import connections

from bench.seed import fresh_postgres, seed_community
from fedicom import storage
from fedicom.activitypub import leases
from fedicom.app import build_federation
from fedicom.media.store import open_store
from fedicom.portability.export import export_community
from fedicom.portability.importing import import_community
from fedicom.settings import load_settings
from fedicom.staff.accounts import name_reserved

CHUNK = 5_000
MEMBERS = 1_000


async def seed(group_id: int, posts: int) -> None:
    """N posts, each with one vote, and the members, in bulk through the engine's executemany."""
    now = datetime.now(UTC)
    post_sql = (
        "INSERT INTO post (id, group_id, object_id, type, author, parent_id, root_id, content, document, "
        "published, created_at, deleted, upvotes, downvotes, reply_count, state, state_reason, locked) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, false, 1, 0, 0, 'visible', '', false)"
    )
    vote_sql = "INSERT INTO vote (post_id, actor, value, activity_id, created_at) VALUES (?, ?, 1, ?, ?)"
    for start in range(1, posts + 1, CHUNK):
        rows, votes = [], []
        for i in range(start, min(start + CHUNK, posts + 1)):
            thread = i - (i - 1) % 5
            parent = None if i == thread else thread
            oid = f"https://x.example/o/{i}"
            document = (
                f'{{"id": "{oid}", "type": "Note", "content": "<p>Post number {i}, a few words long.</p>"}}'
            )
            rows.append(
                [i, group_id, oid, "Note", f"https://x.example/u/{i % 97}", parent, parent,
                 f"<p>Post number {i}, a few words long.</p>", document, now, now]
            )  # fmt: skip
            votes.append([i, f"https://y.example/u/{i % 500}", f"https://y.example/likes/{i}", now])
        await leases.execute_many(post_sql, rows)
        await leases.execute_many(vote_sql, votes)
    inbox = "https://m.example/inbox"
    members = [
        [group_id, f"https://m.example/u/{i}", inbox, "accepted", f"https://m.example/f/{i}", "{}", now]
        for i in range(MEMBERS)
    ]
    await leases.execute_many(
        "INSERT INTO membership (group_id, actor, inbox, state, follow_id, follow_activity, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        members,
    )


async def timed(work: Callable[[], Awaitable[Any]], *, traced: bool) -> tuple[float, float]:
    """Seconds taken, and the peak of traced Python memory in MB (0 when not traced)."""
    if traced:
        tracemalloc.start()
    started = time.perf_counter()
    await work()
    took = time.perf_counter() - started
    peak = 0.0
    if traced:
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    return took, peak


async def measure(posts: int, postgres: str) -> dict[str, float]:
    folder = Path(tempfile.mkdtemp(prefix="bench-portability-"))
    url = await fresh_postgres(postgres, "portability_bench") if postgres else ""
    settings = load_settings(
        dev=True, data_dir=folder, database_url=url, demo_community=False, domain="b.test"
    )
    try:
        await storage.migrate(settings)
        await storage.open_db(settings)
        runtime = build_federation(settings)
        site, keys, files = runtime.groups.site, runtime.fed.keys, open_store(settings)
        group = await seed_community(site, "bench")
        await seed(group.id, posts)
        if postgres:  # the posts were given their ids: the sequence moves past them
            await connections.get("default").execute_script(
                "SELECT setval('post_id_seq', (SELECT MAX(id) FROM post)); ANALYZE"
            )
        rows = posts * 2 + MEMBERS  # posts, votes, members
        archive = folder / "bench.zip"
        found: dict[str, float] = {"rows": rows}

        async def export() -> None:
            await export_community(keys, site, files, group, archive)

        found["export_s"], _ = await timed(export, traced=False)
        _, found["export_mb"] = await timed(export, traced=True)
        found["archive_mb"] = archive.stat().st_size / 2**20
        names = iter(("copy1", "copy2"))

        async def restore() -> None:
            await import_community(keys, site, files, archive, name=next(names), reserved=name_reserved)

        found["import_s"], _ = await timed(restore, traced=False)
        _, found["import_mb"] = await timed(restore, traced=True)
        await runtime.fed.session.close()
        return found
    finally:
        await storage.close_db()
        shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.portability", description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=20_000)
    parser.add_argument("--postgres", default="", help="a PostgreSQL URL; a database beside it is used")
    args = parser.parse_args()
    kind = "PostgreSQL" if args.postgres else "SQLite"
    sizes = f"{args.posts:,} posts, {args.posts:,} votes, {MEMBERS:,} members"
    print(f"export and import of a community of {sizes}, {kind}")
    found = asyncio.run(measure(args.posts, args.postgres))
    rows = found["rows"]
    print(f"  archive: {found['archive_mb']:.1f} MB")
    print("  | step | time | rows/s | peak Python memory (tracemalloc) |")
    print("  |---|---|---|---|")
    for step in ("export", "import"):
        took = found[f"{step}_s"]
        print(f"  | {step} | {took:.1f} s | {rows / took:,.0f} | {found[f'{step}_mb']:.1f} MB |")


if __name__ == "__main__":
    main()
