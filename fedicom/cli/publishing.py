"""`fedicom post create|edit|delete`: staff members publish in their communities.

Each command prints the post's ActivityPub id as its last line, for scripts.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from pathlib import Path
from typing import TypeVar

import click

from fedicom.cli.acting import as_staff
from fedicom.cli.base import console, load
from fedicom.cli.content import post
from fedicom.errors import BadRequest
from fedicom.groups.context import Groups
from fedicom.moderation.models import Staff
from fedicom.publishing.compose import Author
from fedicom.publishing.drafts import Draft, Upload

T = TypeVar("T")
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

    async def run(ctx: Groups, staff: Staff) -> T:
        who = Author(ctx.site.staff_uri(staff.username), settings.data_dir)
        return await work(ctx, who, staff)

    return as_staff(settings, author, run)


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
) -> None:
    """Publish a post (or a reply) in COMMUNITY as a staff member who moderates it."""
    from fedicom.groups.communities import get_community
    from fedicom.publishing.compose import find_post, publish

    draft = Draft(
        body=body,
        title=title,
        link=link,
        uploads=_uploads(images, alts),
        warning=sensitive,
        language=language,
    )

    async def work(ctx: Groups, who: Author, _staff: Staff) -> str:
        group = await get_community(community)
        parent = await find_post(ctx, reply_to, group.name) if reply_to else None
        created = await publish(ctx, who, group, draft, reply_to=parent)
        return created.object_id

    object_id = _as_author(author, work)
    console.print(f"Published in {community.lower()}; members' servers receive it as the delivery runs.")
    click.echo(object_id)


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
    from fedicom.publishing.compose import draft_of, edit, find_post

    uploads = _uploads(images, alts)
    if sensitive is not None and not_sensitive:
        raise click.UsageError("--sensitive and --not-sensitive contradict each other")

    async def work(ctx: Groups, who: Author, _staff: Staff) -> str:
        found = await find_post(ctx, url)
        draft = draft_of(found)
        draft = replace(
            draft,
            title=draft.title if title is None else title,
            body=draft.body if body is None else body,
            link=draft.link if link is None else (link or None),
            uploads=uploads,
            pictures=draft.pictures if keep_images else (),
            warning=None if not_sensitive else (draft.warning if sensitive is None else sensitive),
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


COMMANDS = [poll]  # post create|edit|delete join `fedicom post`
