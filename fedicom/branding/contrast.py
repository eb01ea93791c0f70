"""Accent colours checked for contrast as WCAG 2.x measures it (relative luminance, ratios of 4.5:1 for
text), against the surfaces fedicom.css draws them on in light and in dark mode. Pure.

A colour is refused with the ratio it reaches and the one it needs, so whoever chose it knows which way
to move. Dark mode's buttons carry dark text: white text on a colour light enough to read on a dark page
can never reach 4.5:1 (the two conditions exclude each other).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from fedicom.errors import BadRequest, shown

NEEDED = 4.5  # WCAG 2.x success criterion 1.4.3 (AA) for normal text
HEX_RE = re.compile(r"^#[0-9a-fA-F]{6}$")
WHITE = "#ffffff"


class Mode(StrEnum):
    LIGHT = "light"
    DARK = "dark"


@dataclass(frozen=True)
class Surface:
    """Something an accent colour meets on a page: it must stand out from it by NEEDED."""

    colour: str
    what: str  # as a sentence says it: "the page background (#ffffff)"


# The colours of fedicom.css (tests/branding/test_contrast.py reads them there, so they cannot drift).
SURFACES = {
    Mode.LIGHT: (
        Surface("#ffffff", "the page background"),
        Surface("#f4f5f7", "the background of boxes"),
        Surface("#eef4ff", "the background of notices"),
        Surface("#ffffff", "the white text of buttons"),
    ),
    Mode.DARK: (
        Surface("#15171a", "the dark page background"),
        Surface("#1f2226", "the background of boxes"),
        Surface("#1c2a40", "the background of notices"),
        Surface("#0d1117", "the dark text of buttons"),
    ),
}
ADVICE = {Mode.LIGHT: "choose a darker colour", Mode.DARK: "choose a lighter colour"}


def parse_colour(value: str, label: str = "accent colour") -> str:
    """`#rrggbb` in lower case, or BadRequest saying the form expected."""
    value = value.strip()
    if not HEX_RE.match(value):
        raise BadRequest(
            f"the {label} must be written #rrggbb (six hexadecimal digits), not {shown(value, 20)!r}"
        )
    return value.lower()


def luminance(colour: str) -> float:
    """WCAG 2.x relative luminance of `#rrggbb`: 0 for black, 1 for white."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    """The contrast ratio of two colours, from 1 (the same) to 21 (black on white)."""
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def ratio_text(ratio: float) -> str:
    """`4.48:1`; never rounded up to the threshold, as WCAG asks (4.497 is shown 4.49, not 4.50)."""
    if ratio < NEEDED and round(ratio, 2) >= NEEDED:
        return f"{int(ratio * 100) / 100:.2f}:1"
    return f"{ratio:.2f}:1"


def weakest(colour: str, mode: Mode) -> tuple[float, Surface]:
    """The surface of `mode` the colour stands out from least, with the ratio it reaches there."""
    return min(((contrast(colour, s.colour), s) for s in SURFACES[mode]), key=lambda pair: pair[0])


def check_accent(value: str, mode: Mode, label: str = "accent colour") -> str:
    """The colour as stored, if text and buttons in it are readable in `mode`; else BadRequest saying
    the ratio it reaches, against what (the page first, as people judge it), and what is needed."""
    colour = parse_colour(value, label)
    for surface in SURFACES[mode]:
        ratio = contrast(colour, surface.colour)
        if ratio < NEEDED:
            raise BadRequest(
                f"the {label} {colour} reaches only {ratio_text(ratio)} against {surface.what} "
                f"({surface.colour}) in {mode} mode; text needs at least {NEEDED}:1 (WCAG 2.x AA): "
                f"{ADVICE[mode]}"
            )
    return colour


def mix(colour: str, other: str, share: float) -> str:
    """`colour` with `share` (0 to 1) of `other` blended in, channel by channel in sRGB."""
    a = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    b = [int(other[i : i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(x + (y - x) * share):02x}" for x, y in zip(a, b, strict=True))


def for_dark_mode(colour: str) -> str:
    """The closest lighter shade of a light-mode accent that is readable in dark mode (the colour itself
    when it already is), so one chosen colour serves both modes and keeps its hue."""
    for step in range(21):
        shade = mix(colour, WHITE, step / 20)
        if weakest(shade, Mode.DARK)[0] >= NEEDED:
            return shade
    return WHITE  # unreachable: white passes every dark-mode surface
