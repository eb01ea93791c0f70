"""The backlog of posts and votes to count: one bad row never stops counting, and what is counted is
counted once."""

from __future__ import annotations

from datetime import UTC, datetime

from fedicom.groups.models import Post
from fedicom.insights.backlog import Backlog
from fedicom.insights.counting import Counter
from fedicom.insights.db import query
from fedicom.insights.models import CommunityDay, CountEvent
from tests.support.servers import Instance
from tests.support.steps import counted


async def test_a_bad_event_is_dropped_and_the_rest_counted_once(instance) -> None:
    inst: Instance = await instance()
    group = await inst.community("news")
    backlog = Backlog(Counter(inst.groups))
    posts = []
    for i in range(3):
        post = await Post.create(
            group=group, object_id=f"https://x.example/o/{i}", type="Note", author="https://x.example/u/a",
            title=f"Post {i}", content="<p>Hello.</p>", document={}, published=datetime.now(UTC),
        )  # fmt: skip
        posts.append(post)
    await backlog.post_stored(posts[0], None)
    await query("INSERT INTO insight_event (kind, payload) VALUES (?, ?)", ["post", "{not json"])
    await backlog.post_stored(posts[1], None)
    await query("INSERT INTO insight_event (kind, payload) VALUES (?, ?)", ["post", '{"post": 99999}'])
    await backlog.post_stored(posts[2], None)
    await backlog.drain()  # beside the instance's own counting loop: each event is counted by one
    await counted()
    [day] = await CommunityDay.filter(group=group)
    assert day.posts == 3  # the bad row dropped, the one whose post is gone skipped, none counted twice
    assert await backlog.drain() == 0 and not await CountEvent.exists()
    assert (await CommunityDay.get(id=day.id)).posts == 3
