"""The engagement funnel's net movement over a period: from its first snapshot to its last, whatever
days between them have none."""

from __future__ import annotations

from datetime import date

from fedicom.insights.scoring import Stage
from fedicom.insights.stages import Move, movement


def snapshot(day: str, following: int, first: int, regular: int, passionate: int) -> dict[str, object]:
    values = (following, first, regular, passionate)
    return {"day": day, **{s.value: n for s, n in zip(Stage, values, strict=True)}}


def test_each_stage_moves_from_the_first_snapshot_to_the_last_across_gaps() -> None:
    days = [
        snapshot("2026-11-06", 100, 50, 20, 5),
        snapshot("2026-11-07", 0, 0, 0, 0),  # a day in between counts for nothing
        snapshot("2026-12-05", 130, 40, 32, 5),
    ]
    moved = movement(days)
    assert moved is not None and (moved.first, moved.last) == (date(2026, 11, 6), date(2026, 12, 5))
    assert moved.moves == [
        Move(Stage.FOLLOWING, 100, 130),
        Move(Stage.FIRST, 50, 40),
        Move(Stage.REGULAR, 20, 32),
        Move(Stage.PASSIONATE, 5, 5),
    ]
    assert [m.change for m in moved.moves] == [30, -10, 12, 0]


def test_one_snapshot_shows_where_members_stand_not_how_they_move() -> None:
    assert movement([snapshot("2026-12-05", 1, 2, 3, 4)]) is None and movement([]) is None
