"""Database set-up: the Tortoise configuration, schema migrations and connection lifetime (and, in
`reloading`, the cached reads that every delivery and inbound activity makes of it)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from tortoise import Tortoise, connections
from tortoise.backends.base.config_generator import expand_db_url
from tortoise.migrations.api.migrate import migrate as migrate_api

from fedicom import indexes, sqlite
from fedicom.settings import Settings

log = logging.getLogger("fedicom.storage")

MODEL_MODULES = [
    "fedicom.activitypub.models",
    "fedicom.groups.models",
    "fedicom.moderation.models",
    "fedicom.staff.models",
    "fedicom.publishing.models",
    "fedicom.branding.models",
    "fedicom.jobs.models",
    "fedicom.notifications.models",
    "fedicom.refusals.models",
    "fedicom.insights.models",
    "fedicom.recognition.models",
    "fedicom.listening.models",
    "fedicom.ideas.models",
    "fedicom.ideas.board_models",
    "fedicom.answers.models",
    "fedicom.invites.models",
]


def db_url(settings: Settings) -> str:
    """Tortoise's URL for the configured database (postgres:// → asyncpg)."""
    url = settings.database_url
    if url.startswith("postgresql://"):
        url = "postgres://" + url.removeprefix("postgresql://")
    if url.startswith("sqlite://"):
        # WAL + synchronous=NORMAL: a process crash never loses a commit, and commits stay cheap.
        sep = "&" if "?" in url else "?"
        url += f"{sep}journal_mode=WAL&journal_size_limit=67108864&foreign_keys=ON"
    return url


async def _keep_session(_conn: Any) -> None:
    """asyncpg resets every connection it takes back into the pool, one more round trip per query.

    fedicom never leaves session state behind (no SET, LISTEN or cursors; the one session advisory
    lock, an insights rebuild's, is let go before its connection goes back), so there is nothing to
    reset; skipping it raised inbox processing from 207 to 225 activities/s.
    """


def _connection(settings: Settings) -> str | dict[str, Any]:
    config = expand_db_url(db_url(settings))
    if settings.is_sqlite:
        config["engine"] = sqlite.ENGINE  # tortoise's client, able to run a transaction inline
        return config
    config["credentials"]["reset"] = _keep_session
    config["credentials"].setdefault("maxsize", 10)  # concurrent inbox processing and delivery claims
    return config


def tortoise_config(settings: Settings) -> dict[str, Any]:
    return {
        "connections": {"default": _connection(settings)},
        "apps": {
            "fedicom": {
                "models": MODEL_MODULES,
                "default_connection": "default",
                "migrations": "fedicom.migrations",
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


async def open_db(settings: Settings) -> None:
    """Connect (the ORM state is process-wide, shared by the web tasks and the workers)."""
    await Tortoise.init(config=tortoise_config(settings), _enable_global_fallback=True)
    if settings.is_sqlite:
        conn = connections.get("default")
        await conn.execute_script("PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;")


async def close_db() -> None:
    await Tortoise.close_connections()


async def migrate(settings: Settings, progress: Callable[[str, str, str], object] | None = None) -> None:
    """Apply every pending schema migration (idempotent; safe to run at each start), then put back
    any index a SQLite table rebuild dropped (see indexes.py)."""
    await migrate_api(config=tortoise_config(settings), progress=progress)
    await Tortoise.close_connections()
    await open_db(settings)
    try:
        for index in await indexes.restore(connections.get("default")):
            log.info("restored the missing %s index", index)
    finally:
        await close_db()


def placeholder(settings_or_dialect: str, index: int) -> str:
    """The n-th (1-based) SQL parameter marker of the dialect: `?` on SQLite, `$n` on PostgreSQL."""
    return "?" if settings_or_dialect == "sqlite" else f"${index}"


def dialect() -> str:
    return str(connections.get("default").capabilities.dialect)


def run(coro: Any) -> Any:
    return asyncio.run(coro)
