"""`python -m fedicom` is the `fedicom` command."""

from fedicom.cli import run

run()
