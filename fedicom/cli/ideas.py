"""`fedicom ideas`: the commands of communities whose threads are ideas (docs/ideas.md); the idea
board's own (status, merge, list) are in cli/idea_board.py."""

from __future__ import annotations

import click


@click.group("ideas")
def ideas() -> None:
    """Ideas: in communities whose threads are ideas (statuses, merged duplicates, the list)."""


COMMANDS = [ideas]
