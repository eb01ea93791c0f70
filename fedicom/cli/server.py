"""`fedicom serve`, `worker` and `migrate`: running the server and its schema."""

from __future__ import annotations

import asyncio
from typing import Any

import click

from fedicom import storage
from fedicom.cli.base import console, load, run
from fedicom.settings import Settings


def _migrate(settings: Settings) -> None:
    def progress(event: str, app: str, name: str) -> None:
        if event == "apply_done":
            console.print(f"  applied migration [cyan]{name}[/cyan]")

    asyncio.run(storage.migrate(settings, progress=progress))


@click.command()
def migrate() -> None:
    """Apply pending database schema migrations."""
    settings = load()
    _migrate(settings)
    console.print("[green]Database schema is up to date.[/green]")


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, help="Port to listen on.")
@click.option("--workers", default=1, show_default=True, help="Web worker processes.")
@click.option("--no-migrate", is_flag=True, help="Do not apply migrations before starting.")
def serve(host: str, port: int, workers: int, no_migrate: bool) -> None:
    """Run the web server (inbox processing and, by default, delivery run inside it)."""
    import uvicorn

    from fedicom.activitypub.keys import KeyStore
    from fedicom.app import ensure_demo
    from fedicom.groups.communities import Site, list_communities

    settings = load()
    if not no_migrate:
        _migrate(settings)
    site = Site(settings.base_url, settings.domain)

    async def prepare() -> list[Any]:
        if settings.demo_community:
            await ensure_demo(KeyStore(), site)
        return await list_communities()

    for group in run(settings, prepare):
        console.print(f"Community [bold]@{group.name}@{settings.domain}[/bold] at {site.uri(group.name)}")
    console.print(f"Serving {settings.base_url} (listening on {host}:{port})")
    uvicorn.run(
        "fedicom.app:asgi",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=True,
        log_level="info",
        access_log=False,
    )


@click.command()
def worker() -> None:
    """Run a worker process: inbox, delivery and queued jobs (alongside `serve`, or with
    FEDICOM_DELIVERY=external)."""
    import signal

    from fedicom import collector, metrics
    from fedicom.app import build_federation

    settings = load()

    async def work() -> None:
        async with metrics.exposed(settings, "worker") as meters:
            runtime = build_federation(settings, meters)
            fed = runtime.fed
            await fed.start()
            collector.settle()
            stop = asyncio.Event()
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(sig, stop.set)
            console.print("Worker running; Ctrl-C to stop.")
            try:
                await fed.run_workers(stop, also=runtime.loops)
            finally:
                await fed.session.close()

    run(settings, work)


COMMANDS = [migrate, serve, worker]
