"""Whether a value from the network fits the column it is looked up in or stored to.

Tortoise raises a ValidationError (a 500) for a string longer than its CharField; a lookup with
such a value can only find nothing, so callers ask first and answer 404 or 400.
"""

from __future__ import annotations

from tortoise.fields import CharField
from tortoise.models import Model


def column_length(model: type[Model], field: str) -> int:
    """The max_length of a model's CharField (read from the model, so it never drifts)."""
    column = model._meta.fields_map[field]
    if not isinstance(column, CharField):
        raise TypeError(f"{model.__name__}.{field} is not a CharField")
    return int(column.max_length)


def fits(model: type[Model], field: str, value: str) -> bool:
    """True when `value` can be stored in, or looked up by, that column: short enough, and no NUL
    (which PostgreSQL text cannot hold)."""
    return len(value) <= column_length(model, field) and "\x00" not in value
