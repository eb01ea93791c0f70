"""`fedicom answer accept|unaccept|unanswered`: accepted answers in questions communities
(docs/questions.md). URLs are ActivityPub ids, pages here (`https://host/c/NAME/p/N`) or post numbers."""

from __future__ import annotations

import click
from rich.markup import escape

from fedicom.cli.acting import as_option, as_staff
from fedicom.cli.base import console, json_option, load, print_json, run, table
from fedicom.groups.context import Groups
from fedicom.staff.models import Staff


@click.group("answer")
def answer() -> None:
    """Accepted answers of questions communities, and the questions still waiting for one."""


@answer.command("accept")
@click.argument("reply_url")
@click.option("--question", metavar="URL", help="Check that the reply is in this question's thread.")
@as_option
@json_option
def accept(reply_url: str, question: str | None, acting_as: str | None, as_json: bool) -> None:
    """Accept REPLY_URL as its question's answer (replacing another); members' servers are told."""
    from fedicom.answers.accepting import accept as accept_answer
    from fedicom.media.store import open_store
    from fedicom.publishing.compose import Author, find_post

    settings = load()

    async def work(ctx: Groups, staff: Staff) -> dict[str, object]:
        reply = await find_post(ctx, reply_url)
        asked = await find_post(ctx, question) if question else None
        author = Author(ctx.site.staff_uri(staff.username), open_store(settings))
        return (await accept_answer(ctx, author, reply, asked)).as_json()

    done = as_staff(settings, acting_as, work)
    if as_json:
        print_json(done)
        return
    console.print(f"Accepted {escape(str(done['answer']))} as the answer to {escape(str(done['question']))}.")
    console.print(str(done["notice"]))


@answer.command("unaccept")
@click.argument("question_url")
@as_option
def unaccept(question_url: str, acting_as: str | None) -> None:
    """Clear QUESTION_URL's accepted answer."""
    from fedicom.answers.accepting import unaccept as unaccept_answer
    from fedicom.errors import BadRequest
    from fedicom.publishing.compose import find_post

    async def work(ctx: Groups, staff: Staff) -> str:
        question = await find_post(ctx, question_url)
        if not question.is_thread:
            raise BadRequest(f"post {question.id} is a reply, not a question")
        return (await unaccept_answer(ctx, ctx.site.staff_uri(staff.username), question)).object_id

    was = as_staff(load(), acting_as, work)
    console.print(f"{escape(question_url)} has no accepted answer now (it was {escape(was)}).")


@answer.command("unanswered")
@click.argument("community")
@click.option("--limit", default=100, show_default=True, type=click.IntRange(1, 1000), help="The oldest N.")
@json_option
def unanswered(community: str, limit: int, as_json: bool) -> None:
    """COMMUNITY's questions without an accepted answer, oldest first, with their age and replies."""
    from fedicom.answers.listing import Status, listed
    from fedicom.groups.communities import get_community

    async def work() -> list[dict[str, object]]:
        return [q.as_json() for q in await listed(await get_community(community), Status.UNANSWERED, limit)]

    found = run(load(), work)
    if as_json:
        print_json(found)
        return
    shown = table("id", "question", "age (hours)", "replies")
    for q in found:
        shown.add_row(str(q["id"]), escape(str(q["title"])), str(q["age_hours"]), str(q["replies"]))
    console.print(shown if found else f"Every question in {community} has an accepted answer.")


COMMANDS = [answer]
