"""Keyword and regular-expression filters on posts: added (validated), listed, removed, and kept
compiled for screening.

Regular expressions run on RE2 (google-re2), whose matching time is linear in the text whatever the
pattern: a moderator's `(a+)+$` cannot stall the inbox as it would with Python's backtracking `re`.
Keywords match whole words. Both ignore case.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass

import re2

from fedicom.errors import BadRequest, NotFound
from fedicom.groups.communities import Site
from fedicom.groups.models import Group
from fedicom.moderation import modlog
from fedicom.moderation.authority import require_admin, require_moderator
from fedicom.moderation.models import Filter, FilterAction, ModlogAction
from fedicom.storage.reloading import Reloaded

MAX_PATTERN = 500  # characters; a filter is a word or an expression, not a document
RE2_MEMORY = 8 << 20  # bytes a compiled expression may use; larger ones are refused when added

Matcher = Callable[[str], str | None]


@dataclass(frozen=True)
class ActiveFilter:
    """A filter as screening uses it: its row's facts and its compiled matcher."""

    id: int
    community_id: int | None
    pattern: str
    regex: bool
    action: FilterAction
    match: Matcher

    def describe(self) -> str:
        kind = "expression" if self.regex else "keyword"
        return f"filter #{self.id} ({kind} '{self.pattern}')"


def _re2_options() -> re2.Options:
    options = re2.Options()
    options.case_sensitive = False
    options.log_errors = False  # errors are reported to the moderator, not logged by the C++ library
    options.max_mem = RE2_MEMORY
    return options


@functools.lru_cache(maxsize=2048)
def compile_filter(pattern: str, regex: bool) -> Matcher:
    """A matcher returning the matched text (or None); BadRequest saying why a pattern is unusable.

    Cached: every post is screened with the same few patterns.
    """
    if not pattern.strip():
        raise BadRequest("a filter needs a keyword or an expression")
    if len(pattern) > MAX_PATTERN:
        raise BadRequest(f"a filter is at most {MAX_PATTERN} characters long")
    if regex:
        try:
            compiled = re2.compile(pattern, _re2_options())
        except re2.error as exc:
            detail = exc.args[0].decode() if exc.args and isinstance(exc.args[0], bytes) else str(exc)
            raise BadRequest(f"{pattern!r} is not a usable regular expression: {detail}") from None
        return lambda text: _group(compiled.search(text))
    if "\n" in pattern.strip():
        raise BadRequest("a keyword filter is one line")
    keyword = " ".join(pattern.split())
    # \b only where the keyword itself starts or ends with a word character ("c++" still matches)
    head = r"\b" if re.match(r"\w", keyword) else ""
    tail = r"\b" if re.search(r"\w$", keyword) else ""
    words = r"\s+".join(re.escape(w) for w in keyword.split(" "))
    literal = re.compile(f"{head}{words}{tail}", re.IGNORECASE)  # no nested quantifiers: linear
    return lambda text: _group(literal.search(text))


def _group(found: object) -> str | None:
    return found.group(0) if found is not None else None  # type: ignore[attr-defined]


async def add_filter(
    pattern: str,
    *,
    regex: bool = False,
    action: FilterAction = FilterAction.HOLD,
    community: Group | None = None,
    comment: str = "",
    site: Site,
    moderator: str,
) -> Filter:
    """A new filter, instance-wide (admins) or for one community (its moderators); an unusable
    pattern is refused and nothing is stored."""
    await _require(site, community, moderator)
    try:
        action = FilterAction(action)  # callers outside mypy's view (the CLI, tests) pass words
    except ValueError:
        choices = ", ".join(FilterAction)
        raise BadRequest(f"a filter's action is one of {choices}, not {action!r}") from None
    compile_filter(pattern, regex)
    if await Filter.exists(pattern=pattern, regex=regex, community_id=community.id if community else None):
        raise BadRequest(f"the filter {pattern!r} already exists there")
    row = await Filter.create(
        pattern=pattern, regex=regex, action=action, community=community, comment=comment
    )
    await modlog.record(
        moderator,
        ModlogAction.ADD_FILTER,
        f"filter #{row.id}",
        reason=comment,
        community=community.name if community else None,
        details={"pattern": pattern, "regex": regex, "action": action},
    )
    return row


async def remove_filter(
    filter_id: int, *, community: Group | None = None, site: Site, moderator: str
) -> Filter:
    """Delete a filter: a community's moderators remove its own filters, admins any filter."""
    await _require(site, community, moderator)
    row = await Filter.get_or_none(id=filter_id).prefetch_related("community")
    scope = community.id if community else None
    if row is None or (community is not None and row.community_id != scope):  # type: ignore[attr-defined]
        raise NotFound(f"there is no filter #{filter_id}" + (f" in {community.name}" if community else ""))
    await row.delete()
    await modlog.record(
        moderator,
        ModlogAction.REMOVE_FILTER,
        f"filter #{filter_id}",
        community=row.community.name if row.community else None,
        details={"pattern": row.pattern, "regex": row.regex, "action": row.action},
    )
    return row


async def _require(site: Site, community: Group | None, actor: str) -> None:
    if community is None:
        await require_admin(site, actor)
    else:
        await require_moderator(site, community, actor)


async def list_filters(community: Group | None = None, *, everywhere: bool = False) -> list[Filter]:
    """Instance-wide filters, or one community's (with `everywhere`, all of them)."""
    if everywhere:
        query = Filter.all()
    elif community is None:
        query = Filter.filter(community_id=None)
    else:
        query = Filter.filter(community_id=community.id)
    return await query.order_by("id").prefetch_related("community")


async def _read_filters() -> list[ActiveFilter]:
    active = []
    for row in await Filter.all().order_by("id"):
        try:
            matcher = compile_filter(row.pattern, row.regex)
        except BadRequest:
            continue  # written behind the service's back; never let one row stop screening
        community_id = row.community_id  # type: ignore[attr-defined]
        active.append(ActiveFilter(row.id, community_id, row.pattern, row.regex, row.action, matcher))
    return active


class FilterCache:
    """Every filter, compiled, read again every `ttl` seconds (each post asks; filters rarely change)."""

    def __init__(self, ttl: float = 2.0) -> None:
        self._filters: Reloaded[list[ActiveFilter]] = Reloaded(_read_filters, ttl)

    async def applying_to(self, community_id: int) -> list[ActiveFilter]:
        """The instance-wide filters and the community's own, reject filters first."""
        found = [f for f in await self._filters.get() if f.community_id in (None, community_id)]
        return sorted(found, key=lambda f: f.action != FilterAction.REJECT)

    def forget(self) -> None:
        self._filters.forget()
