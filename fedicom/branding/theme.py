"""The stylesheets that carry colours to pages: the site's (`/site/theme.css`) and a community's
(`/site/accent/RRGGBB.css`). The strict Content-Security-Policy forbids inline styles, so colours
travel as CSS custom properties that fedicom.css uses, in files of this origin. Pure.
"""

from __future__ import annotations

import hashlib

from fedicom.branding.contrast import for_dark_mode


def _properties(colour: str) -> str:
    return f"--link: {colour}; --accent: {colour};"


def accent_css(light: str | None, dark: str | None) -> str:
    """The custom properties for the colours given; dark mode follows the light colour when it has
    none of its own. Empty when no colour is set (fedicom's own colours stay)."""
    dark = dark or (for_dark_mode(light) if light else None)
    rules = []
    if light:
        rules.append(f":root {{ {_properties(light)} }}")
    if dark:
        rules.append(f"@media (prefers-color-scheme: dark) {{ :root {{ {_properties(dark)} }} }}")
    return "".join(f"{rule}\n" for rule in rules)


def version(text: str) -> str:
    """A short content hash for a stylesheet's URL: new text, new URL, so each can be cached for good."""
    return hashlib.sha256(text.encode()).hexdigest()[:12] if text else ""
