"""Stored remote HTML as pages show it: still sanitized, valid, and accessible."""

from __future__ import annotations

import pytest

from fedicom.media.attachments import inline_images
from fedicom.web.richtext import post_html, tidy


def proxied(src: str) -> str:
    return f"/media/p/1/{len(src):032x}/full"


@pytest.mark.parametrize(
    "payload",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        '<a href="javascript:alert(1)">x</a>',
        '<a href=" JaVaScRiPt:alert(1)">x</a>',
        '<a href="data:text/html,<script>alert(1)</script>">x</a>',
        '<svg onload="alert(1)"><script>alert(1)</script></svg>',
        '<iframe src="javascript:alert(1)"></iframe>',
        '<p style="background:url(javascript:alert(1))" onclick="alert(1)">x</p>',
        '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
        '<img src="https://ok.example/a.png" alt="&quot; onerror=&quot;alert(1)">',
        '<a href="https://ok.example/" title="&quot;><script>alert(1)</script>">x</a>',
    ],
)
def test_no_payload_survives(payload: str) -> None:
    html = str(post_html(payload, proxied)).lower()
    for marker in ("<script", "javascript:", "data:", " on", "<svg", "<iframe", "<math", "style="):
        assert marker not in html.replace(" onerror=&quot;", ""), (payload, html)


def test_links_stripped_of_their_href_lose_rel_and_images_get_alt_and_our_proxy_address() -> None:
    source = (
        '<p>x</p>\n<a rel="nofollow noopener noreferrer ugc">gone</a>'
        '<img src="https://i.example/cat.png">'
        '<img src="https://i.example/dog.png" alt="A dog &amp; a &quot;ball&quot;">'
        '<img src="relative.png" alt="relative"><a href="https://ok.example/" rel="nofollow">kept</a>'
    )
    html = tidy(source, proxied)
    cat, dog = proxied("https://i.example/cat.png"), proxied("https://i.example/dog.png")
    assert html == (
        "<p>x</p>\n<a>gone</a>"
        f'<img src="{cat}" alt="" loading="lazy">'
        f'<img src="{dog}" alt="A dog &amp; a &quot;ball&quot;" loading="lazy">'
        'relative<a href="https://ok.example/" rel="nofollow">kept</a>'
    )
    # the proxy serves exactly the pictures written into the text (and no relative address)
    assert inline_images(source) == ["https://i.example/cat.png", "https://i.example/dog.png"]


def test_html_without_images_or_bare_links_is_left_as_it_is() -> None:
    html = '<p>Hello <a href="https://ok.example/" rel="nofollow">there</a></p>'
    assert tidy(html, proxied) == html
