"""Path and query parameters several admin API endpoints share."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

Name = Annotated[
    str,
    Field(
        pattern=r"^[a-z0-9_]{1,64}$",
        description="A community or staff name: 1 to 64 of a-z, 0-9 and _.",
        examples=["news"],
    ),
]


class Strict(BaseModel):
    """Unknown fields are refused rather than silently ignored (a typo must not pass for a change)."""

    model_config = ConfigDict(extra="forbid")


class CommunityPath(Strict):
    name: Name


class NamePath(Strict):
    name: Name


class IdPath(Strict):
    id: int = Field(ge=1, le=2**31 - 1, description="The numeric id.")
