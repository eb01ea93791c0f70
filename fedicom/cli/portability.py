"""`fedicom community export NAME --to FILE [--with-keys]` and `fedicom community import FILE [--as NAME]`:
a community moved to one archive and back, here or on another fedicom (docs/portability.md), in the
`fedicom community` group (cli/communities.py)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from fedicom.cli.base import console, err_console, load, run
from fedicom.cli.communities import community
from fedicom.portability.archive import Manifest

PASSPHRASE_ENV = "FEDICOM_ARCHIVE_PASSPHRASE"
passphrase_file_option = click.option(
    "--passphrase-file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help=f"Read the key's passphrase from this file (first line) instead of asking. Env: {PASSPHRASE_ENV}.",
)


def passphrase(from_file: Path | None, *, confirm: bool) -> str:
    """From the file, the environment, or asked without echo (twice when it seals a key)."""
    if from_file is not None:
        lines = from_file.read_text().splitlines()
        text = lines[0] if lines else ""
    else:
        text = os.environ.get(PASSPHRASE_ENV) or click.prompt(
            "Passphrase for the community's key", hide_input=True, confirmation_prompt=confirm
        )
    if not text:
        raise click.UsageError("the passphrase is empty")
    return text


@contextmanager
def progress_bar() -> Iterator[Callable[[str, int, int], None]]:
    """A bar per section on stderr (stdout stays for the summary)."""
    with Progress(
        TextColumn("{task.description:>20}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=False,
    ) as bars:
        tasks: dict[str, TaskID] = {}

        def update(section: str, done: int, total: int) -> None:
            if section not in tasks:
                tasks[section] = bars.add_task(section, total=total)
            bars.update(tasks[section], completed=done, total=max(total, done))

        yield update


@community.command("export")
@click.argument("name")
@click.option(
    "--to", "to", required=True, type=click.Path(dir_okay=False, path_type=Path), help="Archive file."
)
@click.option("--with-keys", is_flag=True, help="Include the Group's private key, sealed with a passphrase.")
@passphrase_file_option
def community_export(name: str, to: Path, with_keys: bool, passphrase_file: Path | None) -> None:
    """Export the community NAME (settings, pictures, people, posts, votes, modlog) to one archive."""
    from fedicom.activitypub.keys import KeyStore
    from fedicom.groups.communities import Site, get_community
    from fedicom.media.store import open_store
    from fedicom.portability.export import export_community

    settings = load()
    secret = passphrase(passphrase_file, confirm=True) if with_keys else None
    site = Site(settings.base_url, settings.domain)
    with progress_bar() as update:

        async def work() -> Manifest:
            group = await get_community(name)
            files = open_store(settings)
            return await export_community(
                KeyStore(), site, files, group, to, passphrase=secret, progress=update
            )

        manifest = run(settings, work)
    rows = ", ".join(f"{count} {section}" for section, count in manifest.counts.items() if count)
    key = " with its key (sealed)" if manifest.with_key else " without its key"
    console.print(f"Exported {name}{key} to {escape(str(to))}: {rows or 'no rows'}.")


@community.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--as", "as_name", default=None, metavar="NAME", help="Name it here (default: its name there).")
@passphrase_file_option
def community_import(file: Path, as_name: str | None, passphrase_file: Path | None) -> None:
    """Recreate the community in the archive FILE here, checked before it opens (all or nothing)."""
    from fedicom.activitypub.keys import KeyStore
    from fedicom.errors import FedicomError
    from fedicom.groups.communities import Site
    from fedicom.media.store import open_store
    from fedicom.portability.importing import import_community, read_manifest
    from fedicom.staff.accounts import name_reserved

    settings = load()
    try:
        manifest = read_manifest(file)
    except FedicomError as exc:
        err_console.print(f"[red]Error:[/red] {escape(exc.reason)}")
        raise SystemExit(1) from None
    secret = passphrase(passphrase_file, confirm=False) if manifest.with_key else None
    site = Site(settings.base_url, settings.domain)
    with progress_bar() as update:
        imported = run(
            settings,
            lambda: import_community(
                KeyStore(),
                site,
                open_store(settings),
                file,
                name=as_name,
                passphrase=secret,
                reserved=name_reserved,
                progress=update,
            ),
        )
    rows = ", ".join(f"{count} {section}" for section, count in imported.counts.items() if count)
    console.print(
        f"Imported {escape(imported.source)} as [bold]@{imported.group.name}@{settings.domain}[/bold] "
        f"at {site.uri(imported.group.name)}: {rows or 'no rows'}, all checked."
    )
    for note in imported.notes:
        console.print(f"[yellow]Note:[/yellow] {escape(note)}")


COMMANDS: list[
    click.Command
] = []  # its commands join the `community` group, registered by cli/communities.py
