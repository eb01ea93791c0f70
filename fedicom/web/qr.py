"""A QR code of an address as inline SVG (segno, pure Python): drawn in the page itself, no image to
fetch, no inline style (the pages' Content-Security-Policy allows none); dark on light in both themes,
as phone cameras read best."""

from __future__ import annotations

import segno
from markupsafe import Markup


def qr_svg(url: str, label: str) -> Markup:
    """`<svg role="img">` named by `label` (its <title>), 4 px per module and the quiet zone around it."""
    code = segno.make(url, error="m")
    svg: str = code.svg_inline(
        scale=4, border=4, dark="#000", light="#fff", title=label, svgclass="qr", lineclass=None
    )
    return Markup(svg.replace("<svg ", '<svg role="img" ', 1))
