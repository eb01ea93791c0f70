"""Media and polls: what showing members' pictures costs, printed as a table (`python -m bench.media`).

Measures the pure parsers over the shared fixtures, re-encoding a remote photo for the proxy, a thread
page's media add-on over 1,000 replies (whose documents the page otherwise does not load), and serving
a picture from the proxy's disk cache. SQLite in a temporary folder; timings are reported, never judged.
"""

from __future__ import annotations

import asyncio
import io
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from PIL import Image

from fedicom import storage
from fedicom.activitypub.keys import KeyStore
from fedicom.groups.browse import thread_of
from fedicom.groups.communities import Site, create_community
from fedicom.groups.images import Kind, prepare
from fedicom.groups.models import Post
from fedicom.media.attachments import attachments_of
from fedicom.media.cache import MediaCache, cache_key
from fedicom.media.links import MediaLinks
from fedicom.media.polls import poll_of
from fedicom.media.proxy import FULL_BOX, MAX_PIXELS, MAX_SIDE
from fedicom.media.shown import PostMedia
from fedicom.media.store import LocalFiles
from fedicom.moderation.defederation import Defederation
from fedicom.settings import load_settings
from fedicom.staff.accounts import name_reserved

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT.parent / "shared" / "interop" / "fixtures"
REPLIES = 1000


def timed(run: Callable[[], Any], repeat: int) -> float:
    """Median seconds of one call."""
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


async def timed_async(run: Callable[[], Any], repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        await run()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def documents() -> list[dict[str, Any]]:
    found = []
    for path in sorted(FIXTURES.rglob("*.json")):
        doc = json.loads(path.read_text())
        found.append(doc["object"] if isinstance(doc.get("object"), dict) else doc)
    for path in sorted((ROOT / "tests" / "fixtures" / "media").glob("*.json")):
        found.append(json.loads(path.read_text()))
    return found


def photo(size: tuple[int, int]) -> bytes:
    out = io.BytesIO()
    Image.effect_noise(size, 64).convert("RGB").save(out, "JPEG", quality=90)
    return out.getvalue()


async def page_addon(folder: Path) -> tuple[float, float]:
    """(thread_of, the media add-on) for a thread of REPLIES replies, every other one with a picture."""
    settings = load_settings(dev=True, data_dir=folder, demo_community=False)
    await storage.migrate(settings)
    await storage.open_db(settings)
    try:
        group = await create_community(
            KeyStore(), Site(settings.base_url, settings.domain), "bench", reserved=name_reserved
        )
        now = datetime.now(UTC)
        root = await Post.create(
            group=group,
            object_id="https://m.example/p/0",
            type="Note",
            author="https://m.example/u/a",
            document={"type": "Note", "content": "root"},
            published=now,
        )
        rows = []
        for i in range(1, REPLIES + 1):
            doc: dict[str, Any] = {"type": "Note", "content": f"reply {i}", "id": f"https://m.example/p/{i}"}
            if i % 2:
                doc["attachment"] = [
                    {
                        "type": "Document",
                        "mediaType": "image/jpeg",
                        "url": f"https://m.example/{i}.jpg",
                        "name": f"picture {i}",
                        "width": 1200,
                        "height": 900,
                    }
                ]
            rows.append(
                Post(
                    group=group,
                    object_id=doc["id"],
                    type="Note",
                    author="https://m.example/u/b",
                    parent_id=root.id,
                    root_id=root.id,
                    document=doc,
                    published=now,
                )
            )
        await Post.bulk_create(rows)
        addon = PostMedia(MediaLinks("secret"), Defederation())
        thread = await thread_of(group, root.id)
        base = await timed_async(lambda: thread_of(group, root.id), 20)
        extra = await timed_async(lambda: addon.for_posts(group, thread.posts()), 20)
        return base, extra
    finally:
        await storage.close_db()


def main() -> None:
    docs = documents()
    rows: list[tuple[str, str]] = []
    parse = timed(lambda: [(attachments_of(d), poll_of(d)) for d in docs], 50)
    rows.append(
        (
            f"attachments_of + poll_of, {len(docs)} fixture documents",
            f"{parse / len(docs) * 1e6:.1f} µs/document",
        )
    )
    kind = Kind("picture", FULL_BOX, 10 << 20, MAX_SIDE, MAX_PIXELS)
    for size in ((2400, 1800), (4032, 3024)):
        data = photo(size)
        seconds = timed(lambda data=data: prepare(kind, data), 5)
        rows.append(
            (
                f"re-encode a {size[0]}x{size[1]} JPEG ({len(data) >> 10} KiB) to fit 1600",
                f"{seconds * 1000:.0f} ms",
            )
        )
    with tempfile.TemporaryDirectory() as folder:
        base, extra = asyncio.run(page_addon(Path(folder)))
        rows.append((f"thread_of, {REPLIES} replies (SQLite)", f"{base * 1000:.1f} ms"))
        rows.append((f"media add-on for those {REPLIES} replies (500 pictures)", f"{extra * 1000:.1f} ms"))
        cache = MediaCache(LocalFiles(Path(folder)), 1 << 30)
        picture = prepare(kind, photo((2400, 1800)))
        key = cache_key("https://m.example/1.jpg", "full")
        asyncio.run(cache.put(key, picture))
        hit = asyncio.run(timed_async(lambda: cache.get(key), 200))
        rows.append(
            (
                f"proxy cache hit ({len(picture.data) >> 10} KiB picture, read from disk)",
                f"{hit * 1e6:.0f} µs",
            )
        )
    width = max(len(r[0]) for r in rows)
    print(f"{'measure'.ljust(width)}  result")
    for name, value in rows:
        print(f"{name.ljust(width)}  {value}")


if __name__ == "__main__":
    sys.exit(main())
