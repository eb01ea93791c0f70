"""Parameters and text fields several admin API endpoints share."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

# Free text may hold anything but NUL, which PostgreSQL text cannot store: refused with a 422
NO_NUL = r"^[^\x00]*$"
Reason = Annotated[
    str,
    Field(
        min_length=1, max_length=2000, pattern=r"^[^\x00]*[^\s\x00][^\x00]*$", description="Why (required)."
    ),
]
Text = Annotated[str, Field(max_length=2000, pattern=NO_NUL)]

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
