"""Developer tasks that need the project's Tortoise configuration (e.g. writing migrations)."""

from __future__ import annotations

import sys
import tempfile

from tortoise.cli.cli import main as tortoise_main

from fedicom.settings import load_settings
from fedicom.storage import tortoise_config

# The migration autodetector compares models with the migrations; a throwaway database suffices.
TORTOISE_ORM = tortoise_config(load_settings(dev=True, data_dir=tempfile.mkdtemp(prefix="fedicom-mig-")))

if __name__ == "__main__":
    sys.argv = ["tortoise", "-c", "fedicom.devtools.TORTOISE_ORM", *sys.argv[1:]]
    tortoise_main()
