"""`fedicom community …`: create, list and show communities, decide join requests, name moderators."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click
from rich.markup import escape

from fedicom.cli.acting import as_actor, as_option, as_staff
from fedicom.cli.base import console, iso, json_option, load, print_json, run, table
from fedicom.groups.context import Groups
from fedicom.groups.kinds import CommunityKind
from fedicom.groups.models import Group, ModeratorRole
from fedicom.staff.models import Staff

if TYPE_CHECKING:
    from fedicom.groups.moving import MoveState

F = TypeVar("F", bound=Callable[..., Any])


def kind_option(default: str | None) -> Callable[[F], F]:
    return click.option(
        "--kind",
        type=click.Choice([kind.value for kind in CommunityKind]),
        default=default,
        show_default=default is not None,
        help="How its pages present threads: a discussion, an idea board or questions and answers.",
    )


def feature_option(default: bool | None) -> Callable[[F], F]:
    return click.option(
        "--feature-children/--no-feature-children",
        default=default,
        help="Whether its page shows the best threads of the week of its public child communities.",
    )


@click.group()
def community() -> None:
    """Create, inspect and manage communities."""


@community.command("create")
@click.argument("name")
@click.option("--title", help="Display title (default: the name).")
@click.option("--summary", default="", help="Description in markdown.")
@click.option("--private", is_flag=True, help="Moderators approve new members.")
@click.option(
    "--posting",
    type=click.Choice(["open", "members", "moderators"]),
    default="members",
    show_default=True,
    help="Who may start threads: anyone, members, or moderators only (announcement channel).",
)
@click.option(
    "--rules-file", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="Rules (markdown)."
)
@click.option(
    "--privacy-file", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="Privacy policy."
)
@kind_option(default=CommunityKind.DISCUSSION.value)
@click.option("--parent", metavar="NAME", help="The community it belongs under (three levels at most).")
@feature_option(default=False)
def community_create(
    name: str,
    title: str | None,
    summary: str,
    private: bool,
    posting: str,
    rules_file: Path | None,
    privacy_file: Path | None,
    kind: str,
    parent: str | None,
    feature_children: bool,
) -> None:
    """Create the community NAME (a-z, 0-9, _)."""
    from fedicom.activitypub.keys import KeyStore
    from fedicom.groups.communities import Site, create_community
    from fedicom.staff.accounts import name_reserved

    settings = load()
    site = Site(settings.base_url, settings.domain)
    rules = rules_file.read_text() if rules_file else ""
    privacy = privacy_file.read_text() if privacy_file else ""
    group = run(
        settings,
        lambda: create_community(
            KeyStore(),
            site,
            name,
            title=title,
            summary=summary,
            rules=rules,
            privacy_policy=privacy,
            private=private,
            posting_policy=posting,
            kind=kind,
            parent=parent,
            feature_children=feature_children,
            reserved=name_reserved,
        ),
    )
    console.print(f"Created [bold]@{group.name}@{settings.domain}[/bold] at {site.uri(group.name)}")


@community.command("list")
@json_option
def community_list(as_json: bool) -> None:
    """List the communities of this server."""
    from fedicom.groups.communities import Site, list_communities, member_count

    settings = load()
    site = Site(settings.base_url, settings.domain)

    async def work() -> list[dict[str, Any]]:
        every = await list_communities()
        names = {g.id: g.name for g in every}
        return [
            {
                "name": g.name,
                "handle": f"@{g.name}@{settings.domain}",
                "url": site.uri(g.name),
                "title": g.title,
                "members": await member_count(g),
                "private": g.private,
                "posting_policy": g.posting_policy,
                "kind": g.kind.value,
                "parent": names.get(g.parent_id),  # type: ignore[attr-defined]
            }
            for g in every
        ]

    rows = run(settings, work)
    if as_json:
        print_json(rows)
        return
    # kind and parent are in --json and `community show`: the table stays readable in 80 columns
    shown = table("name", "handle", "title", "members", "private", "posting")
    for r in rows:
        shown.add_row(
            r["name"],
            r["handle"],
            escape(r["title"]),
            str(r["members"]),
            "yes" if r["private"] else "no",
            r["posting_policy"],
        )
    console.print(shown)


@community.command("show")
@click.argument("name")
@json_option
def community_show(name: str, as_json: bool) -> None:
    """Show one community: its addresses, settings, members and pending requests."""
    from fedicom.groups.communities import Site, get_community, member_count, moderators_of
    from fedicom.groups.family import children_of
    from fedicom.groups.membership import pending_requests
    from fedicom.groups.moving import move_state

    settings = load()
    site = Site(settings.base_url, settings.domain)

    async def work() -> dict[str, Any]:
        g = await get_community(name)
        return {
            "name": g.name,
            "handle": f"@{g.name}@{settings.domain}",
            "url": site.uri(g.name),
            "title": g.title,
            "private": g.private,
            "posting_policy": g.posting_policy,
            "kind": g.kind.value,
            "parent": await _parent_name(g),
            "children": [child.name for child in await children_of(g, everyone=True)],
            "feature_children": g.feature_children,
            "members": await member_count(g),
            "moderators": list(await moderators_of(g)),
            "pending_requests": [m.actor for m in await pending_requests(g)],
            **moved_fields(move_state(g, timedelta(days=settings.move_grace_days))),
        }

    shown = run(settings, work)
    if as_json:
        print_json(shown)
        return
    for key, value in shown.items():
        if isinstance(value, list):
            value = ", ".join(value) or "-"
        elif value is None:  # no parent, not moved: `--json` says null
            value = "-"
        console.print(f"[bold]{key.replace('_', ' ')}:[/bold] {escape(str(value))}")


def moved_fields(state: MoveState) -> dict[str, str | None]:
    """Where a moved community went, since when, and until when it passes the new home's posts on."""
    return {
        "moved_to": state.moved_to,
        "moved_at": iso(state.moved_at),
        "move_grace_ends": iso(state.grace_ends),
    }


async def _parent_name(group: Group) -> str | None:
    parent = await Group.get_or_none(id=group.parent_id) if group.parent_id else None  # type: ignore[attr-defined]
    return parent.name if parent else None


def _decide(name: str, actor: str, *, approve: bool) -> None:
    from fedicom.app import build_federation
    from fedicom.groups import membership
    from fedicom.groups.communities import get_community

    settings = load()

    async def work() -> None:
        runtime = build_federation(settings)
        fed, groups = runtime.fed, runtime.groups
        try:
            await fed.start()
            group = await get_community(name)
            if approve:
                await membership.approve(groups, group, actor)
            else:
                await membership.reject(groups, group, actor)
        finally:
            await fed.session.close()

    run(settings, work)
    verb = "Approved" if approve else "Rejected"
    console.print(f"{verb} {escape(actor)} in {name}; the answer is queued for delivery.")


@community.command("approve")
@click.argument("name")
@click.argument("actor")
def community_approve(name: str, actor: str) -> None:
    """Let ACTOR (an actor URI) into the private community NAME: sends Accept and recent posts."""
    _decide(name, actor, approve=True)


@community.command("reject")
@click.argument("name")
@click.argument("actor")
def community_reject(name: str, actor: str) -> None:
    """Turn down ACTOR's request to join NAME, or remove a member: sends Reject."""
    _decide(name, actor, approve=False)


def _max_links(value: str | None) -> int | str | None:
    """`--max-links N`, or `default` for the instance's FEDICOM_MAX_LINKS; "" when not given."""
    if value is None:
        return ""
    if value == "default":
        return None
    if not (value.isascii() and value.isdigit()) or len(value) > 6:
        raise click.BadParameter("a whole number of links, or `default`", param_hint="--max-links")
    return int(value)


@community.command("edit")
@click.argument("name")
@click.option("--title", help="Display title.")
@click.option("--summary", help="Description in markdown.")
@click.option("--rules-file", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="Rules.")
@click.option("--privacy-file", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="Privacy.")
@click.option("--private/--public", default=None, help="Whether moderators approve new members.")
@click.option("--posting", type=click.Choice(["open", "members", "moderators"]), help="Who starts threads.")
@click.option(
    "--premoderation",
    type=click.Choice(["off", "new_members", "all"]),
    help="Hold posts for review: none, a new member's until one is approved, or all.",
)
@click.option("--max-links", help="Links a post may carry before it is held (N, or `default`).")
@click.option("--accent", help="Accent colour of its pages, #rrggbb, or `default` for the site's.")
@click.option("--timezone", help="The clock of its scheduled posts, e.g. Europe/Paris.")
@click.option(
    "--notify-refusals/--no-notify-refusals",
    default=None,
    help="Whether the community tells authors why their post was refused or held (once a day per reason).",
)
@click.option(
    "--leaderboard/--no-leaderboard",
    default=None,
    help="Whether its public leaderboard page is on (docs/recognition.md; never for a private community).",
)
@kind_option(default=None)
@click.option("--parent", metavar="NAME", help="Place it under the community NAME (you must moderate both).")
@click.option("--no-parent", is_flag=True, help="Make it a top-level community again.")
@feature_option(default=None)
@click.option(
    "--reply-similar/--no-reply-similar",
    default=None,
    help="Whether the community replies to a new idea that has likely duplicates, with links to them.",
)
@as_option
def community_edit(
    name: str,
    title: str | None,
    summary: str | None,
    rules_file: Path | None,
    privacy_file: Path | None,
    private: bool | None,
    posting: str | None,
    premoderation: str | None,
    max_links: str | None,
    accent: str | None,
    timezone: str | None,
    notify_refusals: bool | None,
    leaderboard: bool | None,
    kind: str | None,
    parent: str | None,
    no_parent: bool,
    feature_children: bool | None,
    reply_similar: bool | None,
    acting_as: str | None,
) -> None:
    """Change settings of NAME; members' servers get the new profile (Update of the group)."""
    from fedicom.groups.communities import get_community
    from fedicom.moderation.community_updates import edit_community

    links = _max_links(max_links)
    given = {
        "title": title,
        "summary": summary,
        "rules": rules_file.read_text() if rules_file else None,
        "privacy_policy": privacy_file.read_text() if privacy_file else None,
        "private": private,
        "posting_policy": posting,
        "premoderation": premoderation,
        "notify_refusals": notify_refusals,
        "leaderboard": leaderboard,
        "kind": kind,
        "parent": parent,
        "feature_children": feature_children,
        "reply_similar": reply_similar,
    }
    if parent is not None and no_parent:
        raise click.UsageError("give --parent NAME or --no-parent, not both")
    changes: dict[str, Any] = {k: v for k, v in given.items() if v is not None}
    if no_parent:
        changes["parent"] = None
    if links != "":
        changes["max_links"] = links
    if timezone is not None:
        changes["timezone"] = timezone
    if accent is not None:
        changes["accent"] = None if accent == "default" else accent
    if not changes:
        raise click.UsageError("nothing to change: give at least one option (see --help)")

    async def work(ctx: Groups, staff: Staff) -> list[str]:
        return await edit_community(ctx, await get_community(name), staff, changes)

    changed = as_staff(load(), acting_as, work)
    if not changed:
        console.print(f"{name} already has these settings; nothing changed.")
    else:
        from fedicom.moderation.community_updates import FEDERATED

        sent = "; the update is queued for the members" if set(changed) & set(FEDERATED) else ""
        console.print(f"Changed {', '.join(changed)} of {name}{sent}.")


@community.group("mod")
def community_mod() -> None:
    """Manage the moderators of a community: local staff or remote fediverse actors."""


def _change_moderator(
    name: str, who: str, acting_as: str | None, *, role: ModeratorRole | None
) -> tuple[str, bool]:
    """Add (role given) or remove a moderator as the acting staff member; federates the change."""
    from fedicom.groups.communities import get_community
    from fedicom.moderation import moderators

    async def work(ctx: Groups, by: str) -> tuple[str, bool]:
        group = await get_community(name)
        actor = await moderators.resolve_moderator(ctx, who)
        if role is None:
            change = await moderators.remove_moderator(ctx, group, actor, by=by)
        else:
            change = await moderators.add_moderator(ctx, group, actor, by=by, role=role)
        return actor, change.activity is not None

    return as_actor(load(), acting_as, work)


@community_mod.command("add")
@click.argument("name")
@click.argument("moderator")
@as_option
@click.option("--owner", is_flag=True, help="Make them an owner (owners add and remove moderators).")
def mod_add(name: str, moderator: str, acting_as: str | None, owner: bool) -> None:
    """Make MODERATOR a moderator of NAME: a staff name, @user@host or an actor URI."""
    role = ModeratorRole.OWNER if owner else ModeratorRole.MODERATOR
    actor, federated = _change_moderator(name, moderator, acting_as, role=role)
    sent = " The Add is queued for delivery to the members." if federated else ""
    console.print(f"{escape(actor)} is now {'an owner' if owner else 'a moderator'} of {name}.{sent}")


@community_mod.command("remove")
@click.argument("name")
@click.argument("moderator")
@as_option
def mod_remove(name: str, moderator: str, acting_as: str | None) -> None:
    """Remove MODERATOR from the moderators of NAME (never the last owner)."""
    actor, _ = _change_moderator(name, moderator, acting_as, role=None)
    console.print(f"{escape(actor)} no longer moderates {name}. The Remove is queued for delivery.")


@community_mod.command("list")
@click.argument("name")
@json_option
def mod_list(name: str, as_json: bool) -> None:
    """List the owners and moderators of NAME."""
    from fedicom.groups.communities import get_community
    from fedicom.moderation.moderators import list_moderators

    settings = load()

    async def work() -> list[Any]:
        return await list_moderators(await get_community(name))

    rows = [{"actor": m.actor, "role": m.role, "since": m.created_at} for m in run(settings, work)]
    if as_json:
        print_json(rows)
        return
    shown = table("actor", "role", "since")
    for r in rows:
        shown.add_row(escape(r["actor"]), r["role"], r["since"].strftime("%Y-%m-%d"))
    console.print(shown)


COMMANDS = [community]
