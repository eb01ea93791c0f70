"""`fedicom held …`, `fedicom post …`, `fedicom filter …`: moderating what is posted in communities.

Posts are named by their number (shown by `held list` and `post list`) or by their ActivityPub id.
Every action is taken as a staff member (`--as NAME`), checked, federated and written to the modlog.
"""

from __future__ import annotations

from typing import Any

import click
from rich.markup import escape

from fedicom.cli.acting import as_actor, as_option
from fedicom.cli.base import console, json_option, load, print_json, run, table
from fedicom.groups.context import Groups
from fedicom.groups.models import Post
from fedicom.groups.text import plain_text

community_option = click.option("--community", help="The community (when the post is in several).")


def _excerpt(post: Post) -> str:
    return escape(post.title or plain_text(post.content, 60) or "-")


def _post(p: Post) -> dict[str, Any]:
    """A post as `held list --json` and `post list --json` print it."""
    return {
        "id": p.id,
        "community": p.group.name,
        "object_id": p.object_id,
        "kind": "thread" if p.is_thread else "reply",
        "type": p.type,
        "author": p.author,
        "title": p.title,
        "excerpt": plain_text(p.content, 200),
        "url": p.url,
        "state": p.state,
        "state_reason": p.state_reason,
        "locked": p.locked,
        "pinned_at": p.pinned_at,
        "published": p.published,
        "received": p.created_at,
        "upvotes": p.upvotes,
        "downvotes": p.downvotes,
        "replies": p.reply_count,
    }


def _act(acting_as: str | None, ref: str, community: str | None, action: Any) -> Post:
    """Resolve the staff member and the post, then run `action(ctx, post, actor)`."""
    from fedicom.moderation.content import get_post

    async def work(ctx: Groups, actor: str) -> Post:
        post = await get_post(ref, community)
        await action(ctx, post, actor)
        return post

    return as_actor(load(), acting_as, work)


# --- the held queue ------------------------------------------------------------------------------------


@click.group()
def held() -> None:
    """Posts held for review by filters, pre-moderation, link caps or limited servers."""


@held.command("list")
@click.option("--community", help="Only this community's queue (default: every community).")
@click.option("--limit", default=50, show_default=True)
@json_option
def held_list(community: str | None, limit: int, as_json: bool) -> None:
    """List held posts, oldest first."""
    from fedicom.groups.communities import get_community
    from fedicom.moderation.held import list_held

    async def work() -> list[Post]:
        return await list_held(await get_community(community) if community else None, limit=limit)

    posts = run(load(), work)
    if as_json:
        print_json([_post(p) for p in posts])
        return
    shown = table("id", "community", "author", "received", "held because", "post")
    for p in posts:
        shown.add_row(
            str(p.id),
            p.group.name,
            escape(p.author),
            p.created_at.strftime("%Y-%m-%d %H:%M"),
            escape(p.state_reason),
            _excerpt(p),
        )
    console.print(shown if posts else "No held posts.")


@held.command("approve")
@click.argument("ref")
@community_option
@as_option
def held_approve(ref: str, community: str | None, acting_as: str | None) -> None:
    """Approve the held post REF: it is shown and announced like any post."""
    from fedicom.moderation.held import approve_post

    post = _act(acting_as, ref, community, lambda ctx, p, actor: approve_post(ctx, p, actor))
    console.print(f"Approved post {post.id} in {post.group.name}; its announce is queued.")


@held.command("reject")
@click.argument("ref")
@click.option("--reason", required=True, help="Why (kept in the modlog).")
@community_option
@as_option
def held_reject(ref: str, reason: str, community: str | None, acting_as: str | None) -> None:
    """Reject the held post REF: it is never announced."""
    from fedicom.moderation.held import reject_post

    post = _act(acting_as, ref, community, lambda ctx, p, actor: reject_post(ctx, p, actor, reason=reason))
    console.print(f"Rejected post {post.id} in {post.group.name}.")


# --- posts: list, remove, restore, lock, pin ----------------------------------------------------------


@click.group()
def post() -> None:
    """Remove, restore, lock and pin posts in a community."""


@post.command("list")
@click.argument("community")
@click.option(
    "--state",
    type=click.Choice(["visible", "held", "removed", "all"]),
    default="visible",
    show_default=True,
)
@click.option("--limit", default=30, show_default=True)
@json_option
def post_list(community: str, state: str, limit: int, as_json: bool) -> None:
    """List the newest posts of COMMUNITY with their numbers (held ones: the oldest first)."""
    from fedicom.groups.communities import get_community
    from fedicom.moderation.held import list_posts

    async def work() -> list[Post]:
        group = await get_community(community)
        posts = await list_posts(group, state, limit=limit)
        for p in posts:
            p.group = group  # what `_post` names, without a query per post
        return posts

    posts = run(load(), work)
    if as_json:
        print_json([_post(p) for p in posts])
        return
    shown = table("id", "kind", "state", "author", "post", "flags", "object id")
    for p in posts:
        flags = " ".join(f for f, on in (("locked", p.locked), ("pinned", p.pinned_at)) if on)
        kind = "thread" if p.is_thread else "reply"
        shown.add_row(str(p.id), kind, p.state, escape(p.author), _excerpt(p), flags, escape(p.object_id))
    console.print(shown)


@post.command("remove")
@click.argument("ref")
@click.option("--reason", default="", help="Why (sent with the removal; Lemmy shows it).")
@click.option("--rule", type=int, help="Cite the community's rule number N in the reason.")
@community_option
@as_option
def post_remove(
    ref: str, reason: str, rule: int | None, community: str | None, acting_as: str | None
) -> None:
    """Remove the post or comment REF: members' servers are told (Delete, and Undo of the boost)."""
    from fedicom.moderation.removals import remove_post

    post = _act(
        acting_as, ref, community, lambda ctx, p, actor: remove_post(ctx, p, actor, reason=reason, rule=rule)
    )
    console.print(f"Removed post {post.id} from {post.group.name}: {escape(post.state_reason)}")


@post.command("restore")
@click.argument("ref")
@click.option("--reason", default="", help="Why (kept in the modlog).")
@community_option
@as_option
def post_restore(ref: str, reason: str, community: str | None, acting_as: str | None) -> None:
    """Restore the removed post REF (Undo of the removal is federated)."""
    from fedicom.moderation.removals import restore_post

    post = _act(acting_as, ref, community, lambda ctx, p, actor: restore_post(ctx, p, actor, reason=reason))
    console.print(f"Restored post {post.id} in {post.group.name}.")


def _lock(ref: str, reason: str, community: str | None, acting_as: str | None, *, locked: bool) -> None:
    from fedicom.moderation.threads import lock_post

    post = _act(
        acting_as,
        ref,
        community,
        lambda ctx, p, actor: lock_post(ctx, p, actor, locked=locked, reason=reason),
    )
    console.print(f"{'Locked' if locked else 'Unlocked'} post {post.id} in {post.group.name}.")


@post.command("lock")
@click.argument("ref")
@click.option("--reason", default="", help="Why (sent with the lock).")
@community_option
@as_option
def post_lock(ref: str, reason: str, community: str | None, acting_as: str | None) -> None:
    """Lock the thread (or comment) REF: new replies under it are refused."""
    _lock(ref, reason, community, acting_as, locked=True)


@post.command("unlock")
@click.argument("ref")
@click.option("--reason", default="", help="Why (kept in the modlog).")
@community_option
@as_option
def post_unlock(ref: str, reason: str, community: str | None, acting_as: str | None) -> None:
    """Unlock REF: replies are accepted again."""
    _lock(ref, reason, community, acting_as, locked=False)


def _pin(ref: str, community: str | None, acting_as: str | None, *, pinned: bool) -> None:
    from fedicom.moderation.threads import pin_post

    post = _act(acting_as, ref, community, lambda ctx, p, actor: pin_post(ctx, p, actor, pinned=pinned))
    console.print(f"{'Pinned' if pinned else 'Unpinned'} post {post.id} in {post.group.name}.")


@post.command("pin")
@click.argument("ref")
@community_option
@as_option
def post_pin(ref: str, community: str | None, acting_as: str | None) -> None:
    """Pin the thread REF to the community's featured collection."""
    _pin(ref, community, acting_as, pinned=True)


@post.command("unpin")
@click.argument("ref")
@community_option
@as_option
def post_unpin(ref: str, community: str | None, acting_as: str | None) -> None:
    """Unpin the thread REF."""
    _pin(ref, community, acting_as, pinned=False)


# --- filters ----------------------------------------------------------------------------------------------


@click.group("filter")
def filter_group() -> None:
    """Keyword and regular-expression filters that hold or reject posts."""


@filter_group.command("add")
@click.argument("pattern")
@click.option("--regex", is_flag=True, help="PATTERN is a regular expression (RE2 syntax), not a keyword.")
@click.option(
    "--action",
    type=click.Choice(["hold", "reject"]),
    default="hold",
    show_default=True,
    help="hold: a moderator decides; reject: the post is refused.",
)
@click.option("--community", help="Only in this community (default: instance-wide, admins only).")
@click.option("--comment", default="", help="A note for the other moderators.")
@as_option
def filter_add(
    pattern: str, regex: bool, action: str, community: str | None, comment: str, acting_as: str | None
) -> None:
    """Add a filter matching PATTERN (ignoring case; keywords match whole words)."""
    from fedicom.groups.communities import get_community
    from fedicom.moderation.filters import add_filter
    from fedicom.moderation.models import FilterAction

    async def work(ctx: Groups, actor: str) -> Any:
        group = await get_community(community) if community else None
        return await add_filter(
            pattern,
            regex=regex,
            action=FilterAction(action),
            community=group,
            comment=comment,
            site=ctx.site,
            moderator=actor,
        )

    row = as_actor(load(), acting_as, work)
    where = community or "every community"
    console.print(f"Added filter #{row.id} ({action}) in {escape(where)}.")


@filter_group.command("list")
@click.option("--community", help="This community's filters (default: the instance-wide ones).")
@click.option("--all", "everywhere", is_flag=True, help="Every filter, instance-wide and per community.")
@json_option
def filter_list(community: str | None, everywhere: bool, as_json: bool) -> None:
    """List filters."""
    from fedicom.groups.communities import get_community
    from fedicom.moderation.filters import list_filters

    async def work() -> list[Any]:
        group = await get_community(community) if community else None
        return await list_filters(group, everywhere=everywhere)

    rows: list[dict[str, Any]] = [
        {
            "id": f.id,
            "community": f.community.name if f.community else None,
            "kind": "regex" if f.regex else "keyword",
            "pattern": f.pattern,
            "action": f.action,
            "comment": f.comment,
            "since": f.created_at,
        }
        for f in run(load(), work)
    ]
    if as_json:
        print_json(rows)
        return
    shown = table("id", "where", "kind", "pattern", "action", "comment")
    for r in rows:
        where = r["community"] or "instance"
        shown.add_row(str(r["id"]), where, r["kind"], escape(r["pattern"]), r["action"], escape(r["comment"]))
    console.print(shown)


@filter_group.command("remove")
@click.argument("filter_id", type=int)
@click.option("--community", help="The community the filter belongs to (instance-wide: admins only).")
@as_option
def filter_remove(filter_id: int, community: str | None, acting_as: str | None) -> None:
    """Remove filter FILTER_ID."""
    from fedicom.groups.communities import get_community
    from fedicom.moderation.filters import remove_filter

    async def work(ctx: Groups, actor: str) -> Any:
        group = await get_community(community) if community else None
        return await remove_filter(filter_id, community=group, site=ctx.site, moderator=actor)

    as_actor(load(), acting_as, work)
    console.print(f"Removed filter #{filter_id}.")


COMMANDS = [held, post, filter_group]
