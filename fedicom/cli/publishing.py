"""`fedicom post create|edit|delete`: staff members publish in their communities.

Each command prints the post's ActivityPub id as its last line, for scripts.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import TypeVar

import click
from rich.markup import escape

from fedicom.cli.acting import as_option, as_staff
from fedicom.cli.base import console, json_option, load, print_json, run, table
from fedicom.cli.content import post
from fedicom.errors import BadRequest
from fedicom.groups.context import Groups
from fedicom.media.store import open_store
from fedicom.publishing.compose import Author
from fedicom.publishing.drafts import Draft, Upload
from fedicom.staff.models import Staff

T = TypeVar("T")
ISO_FORMATS = [
    "%Y-%m-%dT%H:%M:%S%z",
    "%Y-%m-%dT%H:%M%z",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M",
]
MAX_IMAGE_FILE = 16 * 1024 * 1024  # read no further: the image check refuses anything over 8 MiB

author_option = click.option(
    "--author",
    "author",
    envvar="FEDICOM_STAFF",
    default=None,
    metavar="STAFF",
    help="Staff account publishing (default: the only admin). Env: FEDICOM_STAFF.",
)
image_options = [
    click.option(
        "--image",
        "images",
        multiple=True,
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        help="An image to attach (PNG, JPEG, GIF, WebP; up to 4); each needs an --alt.",
    ),
    click.option("--alt", "alts", multiple=True, help="Alt text of the --image at the same position."),
]


def _with_images(command: Callable[..., None]) -> Callable[..., None]:
    for option in reversed(image_options):
        command = option(command)
    return command


def _uploads(images: tuple[Path, ...], alts: tuple[str, ...]) -> tuple[Upload, ...]:
    if len(images) != len(alts):
        raise click.UsageError(f"give one --alt per --image ({len(images)} images, {len(alts)} alt texts)")
    uploads = []
    for path, alt in zip(images, alts, strict=True):
        with path.open("rb") as file:
            uploads.append(Upload(file.read(MAX_IMAGE_FILE + 1), alt))
    return tuple(uploads)


def _as_author(author: str | None, work: Callable[[Groups, Author, Staff], Awaitable[T]]) -> T:
    settings = load()

    async def as_author(ctx: Groups, staff: Staff) -> T:
        who = Author(ctx.site.staff_uri(staff.username), open_store(settings))
        return await work(ctx, who, staff)

    return as_staff(settings, author, as_author)


@post.command("create")
@click.argument("community")
@author_option
@click.option("--title", help="The title (required for a new thread).")
@click.option("--body", default="", help="The text, in Markdown.")
@click.option("--link", help="A link the post is about (threads only).")
@_with_images
@click.option("--reply-to", "reply_to", metavar="URL", help="Reply to this post or comment (URL or number).")
@click.option("--sensitive", metavar="TEXT", help="Mark sensitive, shown behind this content warning.")
@click.option("--language", metavar="CODE", help="The language, e.g. en or fr.")
@click.option(
    "--at", "at", type=click.DateTime(formats=ISO_FORMATS), help="Publish later, at this time (ISO 8601)."
)
@click.option(
    "--every",
    metavar="SPEC",
    help="Publish again and again: 'fri 10:00', 'weekdays 08:00', 'monthly 1 09:00'.",
)
@click.option(
    "--timezone", help="The clock of --at and --every (default: the community's), e.g. Europe/Paris."
)
@click.option(
    "--as-community",
    is_flag=True,
    help="Post the thread as the community itself: Mastodon and Misskey show it, Lemmy and Mbin do not.",
)
def post_create(
    community: str,
    author: str | None,
    title: str | None,
    body: str,
    link: str | None,
    images: tuple[Path, ...],
    alts: tuple[str, ...],
    reply_to: str | None,
    sensitive: str | None,
    language: str | None,
    at: datetime | None,
    every: str | None,
    timezone: str | None,
    as_community: bool,
) -> None:
    """Publish a post (or a reply) in COMMUNITY as a staff member who moderates it; with --at or
    --every it is scheduled instead (see `fedicom scheduled list`)."""
    from fedicom.groups.communities import get_community
    from fedicom.publishing.compose import find_post, publish
    from fedicom.publishing.recurrence import describe, parse_rule
    from fedicom.publishing.scheduling import schedule

    draft = Draft(
        body=body,
        title=title,
        link=link,
        uploads=_uploads(images, alts),
        warning=sensitive,
        language=language,
        as_community=as_community,
    )

    if (at or every) and reply_to:
        raise click.UsageError("replies are published at once: --at and --every are for new posts")

    async def work(ctx: Groups, who: Author, _staff: Staff) -> str:
        group = await get_community(community)
        if at or every:
            item = await schedule(ctx, who, group, draft, at=at, every=every, timezone=timezone)
            repeat = f", then {describe(parse_rule(every))} ({item.timezone})" if every else ""
            console.print(
                f"Scheduled #{item.id} in {group.name} for {item.run_at:%Y-%m-%d %H:%M} UTC{repeat}."
            )
            return f"{ctx.fed.base_url}/api/v1/admin/scheduled/{item.id}"
        parent = await find_post(ctx, reply_to, group.name) if reply_to else None
        created = await publish(ctx, who, group, draft, reply_to=parent)
        console.print(f"Published in {group.name}; members' servers receive it as the delivery runs.")
        return created.object_id

    click.echo(_as_author(author, work))


@post.command("edit")
@click.argument("url")
@author_option
@click.option("--title", help="A new title (threads).")
@click.option("--body", help="A new text, in Markdown.")
@click.option("--link", help="A new link (threads); an empty value removes it.")
@_with_images
@click.option("--keep-images/--drop-images", default=True, help="Keep the images already attached.")
@click.option("--sensitive", metavar="TEXT", help="A new content warning.")
@click.option("--not-sensitive", is_flag=True, help="Remove the content warning.")
def post_edit(
    url: str,
    author: str | None,
    title: str | None,
    body: str | None,
    link: str | None,
    images: tuple[Path, ...],
    alts: tuple[str, ...],
    keep_images: bool,
    sensitive: str | None,
    not_sensitive: bool,
) -> None:
    """Edit your post URL: only what you pass changes; members' servers receive the Update."""
    from fedicom.publishing.compose import draft_of, edit, find_post, revised

    uploads = _uploads(images, alts)
    if sensitive is not None and not_sensitive:
        raise click.UsageError("--sensitive and --not-sensitive contradict each other")

    async def work(ctx: Groups, who: Author, _staff: Staff) -> str:
        found = await find_post(ctx, url)
        draft = revised(
            found,
            title=title,
            body=body,
            link=link,
            uploads=uploads,
            keep_images=keep_images,
            warning=sensitive,
            not_sensitive=not_sensitive,
        )
        if draft == draft_of(found) and not uploads:
            raise BadRequest("nothing to change: pass --title, --body, --link, --image or --sensitive")
        return (await edit(ctx, who, found, draft)).object_id

    object_id = _as_author(author, work)
    console.print("Edited; members' servers receive the Update as the delivery runs.")
    click.echo(object_id)


@post.command("delete")
@click.argument("url")
@author_option
def post_delete(url: str, author: str | None) -> None:
    """Delete your post URL (moderators remove other people's posts with `post remove`)."""
    from fedicom.publishing.compose import delete, find_post

    async def work(ctx: Groups, who: Author, _staff: Staff) -> str:
        found = await find_post(ctx, url)
        await delete(ctx, who, found)
        return found.object_id

    object_id = _as_author(author, work)
    console.print("Deleted; members' servers receive the Delete as the delivery runs.")
    click.echo(object_id)


@click.group()
def poll() -> None:
    """Polls in communities, voted on from Mastodon, Misskey, Pleroma and others."""


@poll.command("create")
@click.argument("community")
@author_option
@click.option("--question", required=True, help="The question asked.")
@click.option("--option", "options", multiple=True, required=True, help="An answer (2 to 10, repeat).")
@click.option("--multiple", is_flag=True, help="Voters may choose several answers.")
@click.option(
    "--closes", default="1d", show_default=True, metavar="DURATION", help="Open for: 30m, 12h, 3d, 1w."
)
def poll_create(
    community: str, author: str | None, question: str, options: tuple[str, ...], multiple: bool, closes: str
) -> None:
    """Publish a poll in COMMUNITY as a staff member who moderates it."""
    from fedicom.groups.communities import get_community
    from fedicom.publishing.polls import create_poll, parse_duration

    async def work(ctx: Groups, who: Author, _staff: Staff) -> str:
        duration = parse_duration(closes)
        group = await get_community(community)
        created = await create_poll(
            ctx, who, group, question, list(options), multiple=multiple, duration=duration
        )
        return created.object_id

    object_id = _as_author(author, work)
    console.print(f"Poll published in {community.lower()}, open for {closes}.")
    click.echo(object_id)


@click.group()
def scheduled() -> None:
    """Posts scheduled for later or repeated."""


@scheduled.command("list")
@click.option("--community", help="Only this community's.")
@click.option("--all", "everything", is_flag=True, help="Also those done, cancelled or failed.")
@json_option
def scheduled_list(community: str | None, everything: bool, as_json: bool) -> None:
    """List scheduled posts, the next first."""
    from fedicom.groups.communities import get_community
    from fedicom.publishing.scheduling import list_scheduled

    async def work() -> list[dict[str, object]]:
        group = await get_community(community) if community else None
        return [
            {
                "id": i.id,
                "community": i.group.name,
                "author": i.author,
                "title": i.draft.get("title"),
                "next": i.run_at.isoformat(),
                "every": i.every,
                "timezone": i.timezone,
                "state": i.state,
                "published": i.published,
                "error": i.last_error,
            }
            for i in await list_scheduled(group, include_ended=everything)
        ]

    rows = run(load(), work)
    if as_json:
        print_json(rows)
        return
    shown = table("id", "community", "title", "next (UTC)", "repeat", "state", "published")
    for r in rows:
        shown.add_row(
            str(r["id"]),
            str(r["community"]),
            escape(str(r["title"] or "-")),
            str(r["next"])[:16],
            escape(f"{r['every']} ({r['timezone']})" if r["every"] else "-"),
            str(r["state"]),
            str(r["published"]),
        )
    console.print(shown if rows else "No scheduled posts.")


@scheduled.command("cancel")
@click.argument("item_id", type=int)
@as_option
def scheduled_cancel(item_id: int, acting_as: str | None) -> None:
    """Cancel the scheduled post ITEM_ID: it will not come out again."""
    from fedicom.moderation.content import require_active_moderator
    from fedicom.publishing.scheduling import cancel

    async def work(ctx: Groups, staff: Staff) -> None:
        actor = ctx.site.staff_uri(staff.username)
        await cancel(item_id, may_act=lambda group: require_active_moderator(ctx, group, actor))

    as_staff(load(), acting_as, work)
    console.print(f"Cancelled scheduled post {item_id}.")


COMMANDS = [poll, scheduled]  # post create|edit|delete join `fedicom post`
