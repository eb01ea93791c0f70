"""Block domains: normalised once, covering their subdomains, never a port's business."""

from __future__ import annotations

import pytest

from fedicom.errors import BadRequest
from fedicom.moderation.domains import covering, normalize, rank


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("Example.COM", "example.com"),
        ("https://example.com/about", "example.com"),
        ("*.example.com", "example.com"),
        ("example.com.", "example.com"),
        ("example.com:8443", "example.com"),
        ("bücher.example", "xn--bcher-kva.example"),
    ],
)
def test_domains_are_normalised(raw: str, stored: str) -> None:
    assert normalize(raw) == stored


def test_subdomains_are_covered_and_lookalikes_are_not() -> None:
    blocks = {"bad.example": "suspend"}
    assert covering("bad.example", blocks) == "bad.example"
    assert covering("a.b.bad.example:8443", blocks) == "bad.example"
    assert covering("notbad.example", blocks) is None
    assert covering("bad.example.org", blocks) is None


def test_severities_are_ordered_and_unknown_ones_refused() -> None:
    assert rank("noop") < rank("limit") < rank("suspend")
    with pytest.raises(BadRequest, match="unknown severity"):
        rank("silence")
