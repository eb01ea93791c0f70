"""`fedicom site …`: the site's look (name, logo, favicon, accent colours, footer links, stylesheet).

The running server shows a change within a few seconds (each process re-reads the look, branding/look.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from rich.markup import escape

from fedicom.branding.look import Defaults, Look
from fedicom.cli.base import console, json_option, load, print_json, run
from fedicom.errors import BadRequest
from fedicom.media.store import open_store
from fedicom.settings import Settings

FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


def _defaults(settings: Settings) -> Defaults:
    return Defaults(settings.instance_name, settings.instance_description)


def described(look: Look, settings: Settings) -> dict[str, Any]:
    """The look as `site show` prints it (and as its JSON holds it)."""
    base = settings.base_url
    return {
        "name": look.name,
        "description": look.description,
        "logo": f"{base}/media/{look.logo}" if look.logo else None,
        "favicon": f"{base}/media/{look.favicon}" if look.favicon else None,
        "accent": look.accent,
        "accent_dark": look.accent_dark,
        "footer_links": [{"label": x.label, "url": x.url} for x in look.footer_links],
        "stylesheet": f"{base}/site/style.css?v={look.stylesheet_version}" if look.stylesheet else None,
        "stylesheet_bytes": len(look.stylesheet.encode()),
    }


@click.group()
def site() -> None:
    """The site's look: name, logo, favicon, colours, footer links and stylesheet."""


@site.command("show")
@json_option
def site_show(as_json: bool) -> None:
    """Show the site's look (the settings' name and description where none is set)."""
    from fedicom.branding.look import load_look

    settings = load()
    shown = described(run(settings, lambda: load_look(_defaults(settings))), settings)
    if as_json:
        print_json(shown)
        return
    for key, value in shown.items():
        if key == "footer_links":
            value = ", ".join(f"{x['label']} <{x['url']}>" for x in value) or "-"
        console.print(
            f"[bold]{key.replace('_', ' ')}:[/bold] {escape(str(value if value is not None else '-'))}"
        )


def _colour(value: str | None) -> str | None:
    """`default` (or empty) sets a colour back to fedicom's."""
    return None if value in ("default", "") else value


@site.command("set")
@click.option("--name", help="The site's name, in the header of every page (empty: FEDICOM_INSTANCE_NAME).")
@click.option("--description", help="What the site is, in markdown (empty: FEDICOM_INSTANCE_DESCRIPTION).")
@click.option("--accent", help="Accent colour in light mode, #rrggbb, or `default`.")
@click.option(
    "--accent-dark", help="Accent colour in dark mode, #rrggbb, or `default` (a shade of --accent)."
)
@click.option("--logo", type=FILE, help="Logo picture (PNG, JPEG, GIF or WebP).")
@click.option("--favicon", type=FILE, help="Favicon (PNG or ICO).")
@click.option("--stylesheet", type=FILE, help="A CSS file of your own, loaded after fedicom's.")
@click.option(
    "--footer-link",
    "footer_links",
    multiple=True,
    metavar="LABEL=URL",
    help="A footer link (repeat; replaces all).",
)
@click.option("--no-footer-links", is_flag=True, help="Remove every footer link.")
@click.option("--remove-logo", is_flag=True, help="Remove the logo.")
@click.option("--remove-favicon", is_flag=True, help="Remove the favicon.")
@click.option("--remove-stylesheet", is_flag=True, help="Remove the stylesheet.")
def site_set(
    name: str | None,
    description: str | None,
    accent: str | None,
    accent_dark: str | None,
    logo: Path | None,
    favicon: Path | None,
    stylesheet: Path | None,
    footer_links: tuple[str, ...],
    no_footer_links: bool,
    remove_logo: bool,
    remove_favicon: bool,
    remove_stylesheet: bool,
) -> None:
    """Change the site's look; every value is checked (colours for contrast) before anything is stored."""
    from fedicom.branding.edits import edit_look
    from fedicom.branding.links import parse_pair

    changes: dict[str, Any] = {}
    for key, value in (("name", name), ("description", description)):
        if value is not None:
            changes[key] = value
    for key, value in (("accent", accent), ("accent_dark", accent_dark)):
        if value is not None:
            changes[key] = _colour(value)
    for key, path, remove in (
        ("logo", logo, remove_logo),
        ("favicon", favicon, remove_favicon),
        ("stylesheet", stylesheet, remove_stylesheet),
    ):
        if path is not None and remove:
            raise click.UsageError(f"give --{key} or --remove-{key}, not both")
        if path is not None:
            changes[key] = path.read_bytes()
        elif remove:
            changes[key] = None
    if footer_links and no_footer_links:
        raise click.UsageError("give --footer-link or --no-footer-links, not both")
    settings = load()
    try:
        if footer_links or no_footer_links:
            changes["footer_links"] = [parse_pair(text) for text in footer_links]
    except BadRequest as exc:
        raise click.BadParameter(exc.reason, param_hint="--footer-link") from None
    if not changes:
        raise click.UsageError("nothing to change: give at least one option (see --help)")

    files = open_store(settings)
    _, changed = run(settings, lambda: edit_look(files, _defaults(settings), changes))
    if changed:
        console.print(f"Changed the {', '.join(changed)}; pages show it within a few seconds.")
    else:
        console.print("The site already looks like this; nothing changed.")


COMMANDS = [site]
