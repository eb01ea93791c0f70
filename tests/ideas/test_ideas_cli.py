"""`fedicom ideas similar`, `fedicom ideas reindex` and `fedicom community edit --reply-similar` as an
operator uses them: the real commands against their database."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from fedicom.activitypub.keys import KeyStore
from fedicom.groups.communities import Site, create_community
from fedicom.groups.models import Group, Moderator, Post
from fedicom.ideas.models import IdeaMatch
from fedicom.staff.accounts import create_staff, name_reserved
from tests.moderation.helpers import PASSWORD
from tests.support.cli import DOMAIN, Run, in_db, in_thread, one_line

IDEAS = (
    "Add a dark mode to the app",
    "Please add dark mode to the app",
    "Plant more trees along Main Street",
    "Night buses on weekends",
)


def given(env: dict[str, str]) -> list[int]:
    """ideas (moderated by mia) with four ideas and a reply; another community, empty."""

    async def work() -> list[int]:
        site = Site(f"http://{DOMAIN}", DOMAIN)
        group = await create_community(KeyStore(), site, "ideas", kind="ideas", reserved=name_reserved)
        await create_community(KeyStore(), site, "other", reserved=name_reserved)
        await create_staff("mia", PASSWORD)
        await Moderator.create(group=group, actor=site.staff_uri("mia"))
        made = []
        for n, title in enumerate(IDEAS, start=1):
            post = await Post.create(
                group=group,
                object_id=f"https://social.example/o/{n}",
                type="Page",
                author="https://social.example/users/alice",
                title=title,
                content=f"<p>{title}</p>",
                document={},
                published=datetime.now(UTC),
            )
            made.append(post.id)
        await Post.create(
            group=group,
            object_id="https://social.example/o/r",
            type="Note",
            author="https://social.example/users/bob",
            parent_id=made[0],
            root_id=made[0],
            content="<p>Yes, a dark mode for the app!</p>",
            document={},
            published=datetime.now(UTC),
        )
        return made

    return in_db(env, work)


async def test_similar_lists_the_closest_ideas_best_first(migrated: Run, env: dict[str, str]) -> None:
    given(env)
    found = json.loads(
        (await in_thread(migrated, "ideas", "similar", "ideas", "--text", "dark mode app", "--json")).output
    )
    assert [f["id"] for f in found][:2] == ["https://social.example/o/1", "https://social.example/o/2"]
    assert set(found[0]) == {"id", "title", "score"} and found[0]["title"] == IDEAS[0]
    assert all(0 < f["score"] <= 1 for f in found) and found[0]["score"] >= found[1]["score"]
    assert "https://social.example/o/r" not in {f["id"] for f in found}  # a reply is no idea
    one = await in_thread(migrated, "ideas", "similar", "ideas", "--text", "trees", "--limit", "1")
    assert one.exit_code == 0 and "Plant more trees along Main Street" in one.output and "score" in one.output
    none = await in_thread(migrated, "ideas", "similar", "ideas", "--text", "bicycle")
    assert one_line(none) == "No idea of ideas shares a word with this text."


async def test_bad_queries_are_refused_with_their_reason(migrated: Run, env: dict[str, str]) -> None:
    given(env)
    for args, reason in (
        (("ideas", "--text", "  "), "give the text of an idea to compare"),
        (("ideas", "--text", "the and of"), "no words to compare"),
        (("nothing", "--text", "dark"), "nothing"),
        (("other", "--text", "dark"), "other is not an idea board"),  # a discussion community
    ):
        refused = await in_thread(migrated, "ideas", "similar", *args)
        assert refused.exit_code != 0 and reason in refused.output, refused.output
    zero = await in_thread(migrated, "ideas", "similar", "ideas", "--text", "dark", "--limit", "0")
    assert zero.exit_code == 2 and "--limit" in zero.output


async def test_reindex_stores_every_ideas_likely_duplicates(migrated: Run, env: dict[str, str]) -> None:
    dark, again, _, _ = given(env)
    done = await in_thread(migrated, "ideas", "reindex", "ideas", "--json")
    assert done.exit_code == 0, done.output
    [summary] = json.loads(done.stdout)
    assert summary["community"] == "ideas" and summary["ideas"] == 4
    assert summary["with_matches"] == 2 and summary["matches"] == 2
    stored = in_db(env, lambda: IdeaMatch.all().order_by("post_id").values_list("post_id", "other_id"))
    assert stored == [(dark, again), (again, dark)]
    every = await in_thread(migrated, "ideas", "reindex")  # "other", a discussion, has no ideas
    assert every.exit_code == 0
    assert "Found the likely duplicates of 4 ideas in 1 community again." in every.output
    assert in_db(env, lambda: IdeaMatch.all().count()) == 2  # replaced, not added


async def test_replies_to_similar_ideas_are_switched_per_community(
    migrated: Run, env: dict[str, str]
) -> None:
    given(env)
    on = await in_thread(migrated, "community", "edit", "ideas", "--reply-similar", "--as", "mia")
    assert on.exit_code == 0, on.output
    assert one_line(on) == "Changed reply_similar of ideas."  # nothing members see: nothing federated
    assert in_db(env, lambda: Group.get(name="ideas")).reply_similar is True
    off = await in_thread(migrated, "community", "edit", "ideas", "--no-reply-similar", "--as", "mia")
    assert off.exit_code == 0 and in_db(env, lambda: Group.get(name="ideas")).reply_similar is False
