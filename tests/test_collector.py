"""The cycle collector as a server process sets it once started."""

from __future__ import annotations

import gc

from fedicom import collector


def test_settle_freezes_what_start_up_loaded_and_spaces_young_collections() -> None:
    threshold = gc.get_threshold()
    try:
        loaded = [[n] for n in range(1000)]  # what start-up would have loaded (lists: tracked)
        collector.settle()
        assert gc.get_freeze_count() >= len(loaded)  # left out of every later collection
        assert gc.get_threshold() == (collector.YOUNG_THRESHOLD, *threshold[1:])
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)
