"""Admin API: a community's ideas closest to a text, and the likely duplicates found for an idea
(registered on import)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from fedicom.errors import NotFound
from fedicom.groups.models import Post
from fedicom.ideas.catalog import Similar
from fedicom.ideas.matches import MAX_LIMIT, matches_of, similar_ideas
from fedicom.ideas.setup import catalog_of
from fedicom.moderation.api.framework import Call
from fedicom.moderation.api.params import CommunityPath, Name, Strict
from fedicom.moderation.api.registry import api


class SimilarOut(BaseModel):
    id: str = Field(description="The idea's ActivityPub id.")
    title: str
    score: float = Field(ge=0, le=1, description="How closely it says the same thing, 0 to 1.")
    post: int = Field(description="The idea's number on this server (its page is /c/NAME/p/N).")


def _out(found: list[Similar]) -> list[SimilarOut]:
    return [SimilarOut(id=s.object_id, title=s.title, score=s.score, post=s.post_id) for s in found]


class SimilarQuery(Strict):
    text: str = Field(min_length=1, max_length=4000, description="The text of an idea (title and body).")
    limit: int = Field(10, ge=1, le=MAX_LIMIT, description="Ideas returned, best first.")


@api.endpoint(
    "GET",
    "/communities/{name}/ideas/similar",
    summary="The community's ideas that say most nearly what a text says, with scores",
    scope="read",
    tag="ideas",
    path_model=CommunityPath,
    query=SimilarQuery,
    response=list[SimilarOut],
)
async def ideas_similar(call: Call, path: CommunityPath, query: SimilarQuery) -> list[SimilarOut]:
    """Best first, whatever their score; from 0.5 an idea is a likely duplicate (docs/ideas.md)."""
    group = await call.community(path.name)
    return _out(await similar_ideas(catalog_of(call.ctx), group, query.text, query.limit))


class IdeaPath(Strict):
    name: Name
    id: int = Field(ge=1, le=2**62, description="The post's number on this server.")


@api.endpoint(
    "GET",
    "/communities/{name}/posts/{id}/similar",
    summary="The likely duplicates found for an idea when it arrived or was last edited",
    scope="read",
    tag="ideas",
    path_model=IdeaPath,
    response=list[SimilarOut],
)
async def ideas_post_similar(call: Call, path: IdeaPath) -> list[SimilarOut]:
    group = await call.community(path.name)
    post = await Post.get_or_none(id=path.id, group_id=group.id, deleted=False)
    if post is None:
        raise NotFound(f"there is no post {path.id} in {group.name}")
    return _out(await matches_of(post))
