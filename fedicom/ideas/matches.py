"""What staff ask of ideas: the community's ideas closest to a text, and the likely duplicates stored
for an idea when it arrived (or was last edited)."""

from __future__ import annotations

from fedicom.errors import BadRequest
from fedicom.groups.models import Group, Post, PostState
from fedicom.ideas.catalog import Catalog, Similar
from fedicom.ideas.features import MAX_CHARS, features
from fedicom.ideas.models import IdeaMatch
from fedicom.ideas.scope import indexes

MAX_LIMIT = 100


def check_query(text: str, limit: int) -> str:
    """The text to check, trimmed; BadRequest saying what is wrong with it or with the limit. Pure."""
    text = text.strip()
    if not text:
        raise BadRequest("give the text of an idea to compare")
    if "\x00" in text:
        raise BadRequest("the text cannot contain a NUL character")
    if len(text) > MAX_CHARS:
        raise BadRequest(f"the text is at most {MAX_CHARS:,} characters")
    if not 1 <= limit <= MAX_LIMIT:
        raise BadRequest(f"the limit is from 1 to {MAX_LIMIT}")
    if not features(text).stems:
        raise BadRequest("the text has no words to compare (only stopwords, links or punctuation)")
    return text


async def similar_ideas(catalog: Catalog, group: Group, text: str, limit: int = 10) -> list[Similar]:
    """The community's shown ideas closest to `text`, best first, whatever their score."""
    text = check_query(text, limit)
    if not indexes(group):
        raise BadRequest(f"{group.name} is not an idea board: only an ideas community's threads are ideas")
    return await catalog.similar(group, text, limit=limit)


async def matches_of(post: Post) -> list[Similar]:
    """The likely duplicates stored for `post` that are still shown, best first."""
    rows = await IdeaMatch.filter(
        post_id=post.id, other__deleted=False, other__state=PostState.VISIBLE
    ).prefetch_related("other")
    rows.sort(key=lambda m: (-m.score, m.other.id))
    return [Similar(m.other.id, m.other.object_id, m.other.title or "", m.score) for m in rows]
