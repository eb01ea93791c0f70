"""What recording refusals and telling authors costs: `python -m bench.refusals [--posts N] [--postgres URL]`.

In one process, on a fresh migrated database (SQLite, or PostgreSQL when given), a members-only
community refuses N threads from N distinct non-members through the real handler
(`groups.posts.handle_create`), four ways: notices on (each refusal is recorded and its author's
direct message queued), notices on with every author already told today (recorded, cap checked, no
message), notices off (recorded only), and nobody listening (the cost of a refusal before it was
recorded). Prints one table; never fails on timing.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import tempfile
import time
from pathlib import Path

from fedicom import storage
from fedicom.activitypub.models import OutgoingActivity, RemoteActor
from fedicom.app import build_federation
from fedicom.errors import Forbidden
from fedicom.groups import posts
from fedicom.groups.communities import create_community
from fedicom.groups.events import GroupEvents
from fedicom.groups.models import Group
from fedicom.refusals.models import Refusal
from fedicom.settings import load_settings
from fedicom.staff.accounts import name_reserved

PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
PEER = "https://social.example"


def create(author: str, group: str, i: int, run: str) -> dict[str, object]:
    note = {
        "id": f"{author}/statuses/{run.replace(' ', '-').replace(',', '')}-{i}",
        "type": "Note",
        "attributedTo": author,
        "to": [PUBLIC],
        "cc": [group],
        "content": f"<p>Hello number {i}, may I post here? {'words ' * 40}</p>",
    }
    return {"id": f"{note['id']}/activity", "type": "Create", "actor": author, "object": note, "to": [PUBLIC]}


async def measure(posts_n: int, database_url: str) -> list[tuple[str, float, int, int]]:
    folder = Path(tempfile.mkdtemp(prefix="bench-refusals-"))
    settings = load_settings(dev=True, data_dir=folder, database_url=database_url, demo_community=False)
    try:
        await storage.migrate(settings)
        await storage.open_db(settings)
        runtime = build_federation(settings)
        ctx = runtime.groups
        await create_community(ctx.fed.keys, ctx.site, "news", reserved=name_reserved)
        group_uri = ctx.site.uri("news")
        authors = [f"{PEER}/users/u{i}" for i in range(posts_n)]
        await RemoteActor.bulk_create(
            [
                RemoteActor(
                    uri=a, type="Person", host="social.example", preferred_username=a.rsplit("/", 1)[1],
                    inbox=f"{a}/inbox", document={}, fetched_at=time.time(),
                )
                for a in authors
            ]
        )  # fmt: skip
        rows = []
        runs = (
            ("notices on", True),
            ("on, all told today", True),
            ("notices off", False),
            ("not recorded", False),
        )
        for label, notify in runs:
            if label == "not recorded":
                ctx.events = GroupEvents()  # nobody listening: the refusal as it cost before it was recorded
            await Group.filter(name="news").update(notify_refusals=notify)
            ctx.forget_group("news")
            before = await OutgoingActivity.all().count()
            started = time.perf_counter()
            for i, author in enumerate(authors):
                try:
                    await posts.handle_create(ctx, create(author, group_uri, i, label))
                except Forbidden:
                    pass
            took = time.perf_counter() - started
            sent = await OutgoingActivity.all().count() - before
            rows.append((label, took, sent, await Refusal.all().count()))
        await runtime.fed.session.close()
        return rows
    finally:
        await storage.close_db()
        shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.refusals", description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--postgres", default="", help="a PostgreSQL URL (its tables are used and left)")
    args = parser.parse_args()
    rows = asyncio.run(measure(args.posts, args.postgres))
    kind = "PostgreSQL" if args.postgres else "SQLite"
    print(f"{args.posts} refused threads from distinct non-members, {kind}, one at a time")
    print(f"{'run':<22}{'refusals/s':>12}{'ms each':>10}{'messages':>10}{'recorded':>10}")
    for label, took, sent, recorded in rows:
        each = took / args.posts * 1000
        print(f"{label:<22}{args.posts / took:>12.0f}{each:>10.2f}{sent:>10}{recorded:>10}")


if __name__ == "__main__":
    main()
