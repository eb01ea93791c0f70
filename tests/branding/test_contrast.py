"""Accent colours are judged as WCAG 2.x measures contrast, against the colours fedicom.css really uses;
a refused colour is told with the ratio it reaches and the one it needs. Pure: no server, no database."""

from __future__ import annotations

import re

import pytest

from fedicom.branding.contrast import (
    NEEDED,
    SURFACES,
    Mode,
    check_accent,
    contrast,
    for_dark_mode,
    luminance,
    mix,
    parse_colour,
    ratio_text,
    weakest,
)
from fedicom.branding.theme import accent_css, version
from fedicom.errors import BadRequest
from fedicom.web.templating import STATIC


@pytest.mark.parametrize(
    ("a", "b", "ratio"),
    [
        ("#000000", "#ffffff", 21.0),  # the largest ratio there is
        ("#ffffff", "#ffffff", 1.0),
        ("#777777", "#ffffff", 4.48),  # the classic grey that just fails AA
        ("#767676", "#ffffff", 4.54),  # the lightest grey that passes on white
        ("#0000ff", "#ffffff", 8.59),
        ("#ff0000", "#ffffff", 4.0),
        ("#008000", "#ffffff", 5.14),
    ],
)
def test_ratios_match_the_published_wcag_values(a: str, b: str, ratio: float) -> None:
    assert round(contrast(a, b), 2) == ratio
    assert contrast(a, b) == contrast(b, a)


def test_relative_luminance_uses_the_srgb_curve() -> None:
    assert luminance("#000000") == 0 and luminance("#ffffff") == pytest.approx(1)
    assert luminance("#808080") == pytest.approx(0.2159, abs=1e-4)
    assert luminance("#0a0a0a") == pytest.approx(10 / 255 / 12.92, abs=1e-9)  # the linear segment


def test_a_ratio_just_under_the_threshold_is_never_shown_as_reaching_it() -> None:
    assert ratio_text(4.4999) == "4.49:1"
    assert ratio_text(4.478) == "4.48:1"
    assert ratio_text(7.0) == "7.00:1"


def test_grey_777_on_white_is_refused_with_its_ratio_and_the_one_needed() -> None:
    with pytest.raises(BadRequest) as refused:
        check_accent("#777777", Mode.LIGHT)
    reason = refused.value.reason
    assert "#777777" in reason and "light mode" in reason and "4.5:1" in reason
    assert "reaches only 4.48:1 against the page background (#ffffff) in light mode" in reason
    assert "choose a darker colour" in reason


def test_dark_colours_pass_in_light_mode_and_light_ones_in_dark_mode() -> None:
    assert check_accent("#0B4FBF", Mode.LIGHT) == "#0b4fbf"  # stored in lower case
    assert check_accent(" #8fb8ff ", Mode.DARK) == "#8fb8ff"
    with pytest.raises(BadRequest, match=r"in dark mode; .* choose a lighter colour"):
        check_accent("#0b4fbf", Mode.DARK)
    with pytest.raises(BadRequest, match=r"#ffcc00 reaches only 1\.\d\d:1 against the page background"):
        check_accent("#ffcc00", Mode.LIGHT)
    # passes on white (4.54:1) but not in the grey boxes where links show too
    with pytest.raises(BadRequest, match=r"#767676 reaches only 4\.\d\d:1 against the background of boxes"):
        check_accent("#767676", Mode.LIGHT)


@pytest.mark.parametrize(
    "value", ["red", "#fff", "#12345g", "#1234567", "", "javascript:alert(1)", "#12 456"]
)
def test_only_six_digit_hex_colours_are_accepted(value: str) -> None:
    with pytest.raises(BadRequest, match=r"must be written #rrggbb"):
        parse_colour(value)


def test_the_surfaces_are_the_colours_of_fedicom_css() -> None:
    """If fedicom.css changes a background or the text of buttons, the check must change with it."""
    css = (STATIC / "fedicom.css").read_text()
    light, _, dark = css.partition("@media (prefers-color-scheme: dark)")

    def variables(block: str) -> dict[str, str]:
        return dict(re.findall(r"--([a-z-]+):\s*(#[0-9a-fA-F]{3,6})", block.split("}")[0]))

    for mode, block in ((Mode.LIGHT, light), (Mode.DARK, dark)):
        found = variables(block)
        expand = {k: v if len(v) == 7 else "#" + "".join(c * 2 for c in v[1:]) for k, v in found.items()}
        expected = [expand["bg"], expand["panel"], expand["notice-bg"], expand["accent-text"]]
        assert [s.colour for s in SURFACES[mode]] == expected, mode
        # fedicom's own accents pass their own check
        assert check_accent(expand["accent"], mode) == expand["accent"]


@pytest.mark.parametrize("colour", ["#0b4fbf", "#aa0000", "#006400", "#000000", "#5b2a86", "#7a4b00"])
def test_a_light_mode_accent_gets_a_readable_shade_of_itself_in_dark_mode(colour: str) -> None:
    shade = for_dark_mode(colour)
    assert weakest(shade, Mode.DARK)[0] >= NEEDED
    # the closest such shade: one step less white would not be readable
    steps = [mix(colour, "#ffffff", i / 20) for i in range(21)]
    index = steps.index(shade)
    assert index == 0 or weakest(steps[index - 1], Mode.DARK)[0] < NEEDED


def test_an_accent_already_readable_in_dark_mode_is_kept() -> None:
    assert for_dark_mode("#8fb8ff") == "#8fb8ff"


def test_the_theme_sets_the_custom_properties_fedicom_css_reads() -> None:
    css = accent_css("#aa0000", "#ff9999")
    assert ":root { --link: #aa0000; --accent: #aa0000; }" in css
    assert "@media (prefers-color-scheme: dark) { :root { --link: #ff9999; --accent: #ff9999; } }" in css
    derived = accent_css("#aa0000", None)
    assert f"--accent: {for_dark_mode('#aa0000')};" in derived
    assert accent_css(None, None) == "" and version("") == ""
    assert accent_css(None, "#ff9999").startswith("@media")
    assert version(css) != version(derived) and len(version(css)) == 12
