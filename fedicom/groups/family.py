"""Niche communities: a community may have a parent (cars → muscle cars → one model), three levels at most.

Each stays its own Group actor with its own members and moderators; the family only shapes pages and
the directory. The rules of a parent choice are pure functions of the tree of names (`check_parent`);
the readers below load that tree, a community's ancestors (its breadcrumb) and its children.
"""

from __future__ import annotations

from collections.abc import Mapping

from fedicom.errors import BadRequest, shown
from fedicom.groups.models import Group

MAX_LEVELS = 3  # a top community, its children and their children
Tree = Mapping[str, str | None]  # every community's name → its parent's name


def ancestors(tree: Tree, name: str) -> list[str]:
    """The names above `name`, its parent first; stops at a loop rather than running forever."""
    found: list[str] = []
    parent = tree.get(name)
    while parent is not None and parent not in found and parent != name:
        found.append(parent)
        parent = tree.get(parent)
    return found


def height(tree: Tree, name: str) -> int:
    """Levels below `name`: 0 without children, 1 with children only, 2 with grandchildren."""
    children: dict[str, list[str]] = {}
    for child, parent in tree.items():
        if parent is not None:
            children.setdefault(parent, []).append(child)
    deepest, level, seen = 0, [name], {name}
    while True:
        level = [c for n in level for c in children.get(n, []) if c not in seen]
        if not level:
            return deepest
        seen.update(level)
        deepest += 1


def check_parent(tree: Tree, child: str, parent: str | None) -> None:
    """BadRequest with the reason when `parent` cannot be the parent of `child` (which may be new)."""
    if parent is None:
        return
    if parent not in tree:
        raise BadRequest(f"there is no community named {shown(parent)} to be the parent")
    if parent == child:
        raise BadRequest(f"{child} cannot be its own parent")
    above = ancestors(tree, parent)
    if child in above:
        raise BadRequest(f"{parent} is already below {child}: {child} cannot also be below it")
    levels = len(above) + 2 + height(tree, child)  # the parent's line, the parent, the child, its line
    if levels > MAX_LEVELS:
        raise BadRequest(
            f"{child} under {parent} would make {levels} levels of communities; at most {MAX_LEVELS}"
        )


def trail(tree: Tree, name: str) -> list[str]:
    """The breadcrumb of `name`: its ancestors from the top down."""
    return list(reversed(ancestors(tree, name)))


async def family_tree() -> dict[str, str | None]:
    """Every community's parent, by name (one small query: an instance has tens of communities)."""
    rows = await Group.all().values_list("id", "name", "parent_id")
    names = {row[0]: row[1] for row in rows}
    return {row[1]: names.get(row[2]) for row in rows}


async def choose_parent(child: str, parent: str | None) -> Group | None:
    """The parent community named for `child`, once `check_parent` accepts it (None: no parent)."""
    if parent is None:
        return None
    parent = parent.strip().lower()
    check_parent(await family_tree(), child, parent)
    return await Group.get(name=parent)


async def ancestors_of(group: Group) -> list[Group]:
    """The communities above `group`, from the top down (the breadcrumb of its pages)."""
    names = trail(await family_tree(), group.name) if group.parent_id else []  # type: ignore[attr-defined]
    by_name = {g.name: g for g in await Group.filter(name__in=names)} if names else {}
    return [by_name[name] for name in names if name in by_name]


async def children_of(group: Group, *, everyone: bool = False) -> list[Group]:
    """Its direct children, by title: the public ones listed in the directory, or all for staff."""
    children = Group.filter(parent_id=group.id)
    if not everyone:
        children = children.filter(private=False, discoverable=True)
    return list(await children.order_by("title", "name"))
