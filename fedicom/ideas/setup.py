"""Ideas plug into communities when the runtime is built: their changes are logged from the groups'
signals, and each process keeps one catalog of indexes, found from its `Groups` by the faces (admin
API, staff pages, CLI). Groups knows nothing of it."""

from __future__ import annotations

import weakref

from fedicom.groups.context import Groups
from fedicom.ideas.arrival import Arrivals
from fedicom.ideas.catalog import Catalog

_catalogs: dict[int, Catalog] = {}  # by id(Groups): one runtime per process, tests run several


def catalog_of(ctx: Groups) -> Catalog:
    """The catalog of `ctx`'s runtime (made at first use; dropped with the runtime)."""
    found = _catalogs.get(id(ctx))
    if found is None:
        found = _catalogs[id(ctx)] = Catalog()
        weakref.finalize(ctx, _catalogs.pop, id(ctx), None)
    return found


def install(ctx: Groups) -> Arrivals:
    """Listen to the communities' posts; returns what finds new ideas' duplicates (a loop to run)."""
    arrivals = Arrivals(ctx, catalog_of(ctx))
    arrivals.connect(ctx.events)
    return arrivals
