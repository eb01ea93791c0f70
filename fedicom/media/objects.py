"""What a media store lists: shared by the stores (store.py, s3.py), so neither imports the other's module."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class StoredObject:
    name: str
    size: int
    modified: float  # Unix time of the last write (on disk: of the last read with touch)
