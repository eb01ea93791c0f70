"""The one reader of JSON from the network: inbox bodies, fetched documents, stored inbox payloads.

Python's json module recurses per nesting level, turns 4,300-digit numbers into a ValueError and
accepts lone surrogates, which later crash encoding; PostgreSQL text cannot hold NUL. This reader
bounds all of it before or while parsing, and hands back the text that parses to what it checked.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from itertools import accumulate
from typing import Any

from fedicom.errors import BadRequest, PayloadTooLarge

MAX_DEPTH = 64  # real activities nest fewer than 10 levels
MAX_NUMBER = 64  # characters of one number: no protocol value needs more
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}
# a surrogate escape (\uD800-\uDFFF) or an escaped NUL: only then is the parsed document walked
_SUSPECT = re.compile(r"\\u(?:[dD][89a-fA-F]|0000)")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass(frozen=True)
class JsonDocument:
    """A document as read: `value` is safe to process and store, `text` parses back to exactly it."""

    value: Any
    text: str  # as received, unless lone surrogates had to be replaced


def read_json(raw: bytes | str, *, what: str = "the body", max_bytes: int | None = None) -> JsonDocument:
    """Parse JSON within fedicom's bounds; BadRequest (or PayloadTooLarge) names the first broken one.

    Lone surrogates (JavaScript servers cut strings by UTF-16 units) become U+FFFD, in keys too:
    refusing them would lose real posts. NUL is refused: no text column here can hold it.
    `max_bytes` is None only for text bounded where it was read (stored inbox payloads).
    """
    if max_bytes is not None and len(raw) > max_bytes:
        raise PayloadTooLarge(f"{what} is larger than {max_bytes} bytes")
    text = _decoded(raw, what)
    _check_depth(text, what)
    try:
        value = _DECODER.decode(text)
    except _NumberError as exc:
        raise BadRequest(f"{what} holds {exc}") from None
    except ValueError:
        raise BadRequest(f"{what} is not valid JSON") from None
    if not _SUSPECT.search(text):
        return JsonDocument(value, text)
    try:
        cleaned = _clean(value)
    except _NulError:
        raise BadRequest(f"{what} holds a NUL character (\\u0000), which no text here can store") from None
    if cleaned == value:  # a false alarm: an escaped backslash before "u0000" or "ud800"
        return JsonDocument(value, text)
    return JsonDocument(cleaned, json.dumps(cleaned, ensure_ascii=False, separators=(",", ":")))


def _decoded(raw: bytes | str, what: str) -> str:
    if isinstance(raw, str):
        return raw
    try:
        return raw.decode("utf-8").removeprefix("\ufeff")  # strict: encoded surrogates are refused too
    except UnicodeDecodeError:
        raise BadRequest(f"{what} is not valid UTF-8") from None


def _check_depth(text: str, what: str) -> None:
    """Refuse nesting deeper than MAX_DEPTH before parsing (the parser would recurse that deep)."""
    if text.count("[") + text.count("{") <= MAX_DEPTH:  # the usual case: cannot be too deep
        return
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    if brackets and max(accumulate(_STEP[c] for c in brackets)) > MAX_DEPTH:
        raise BadRequest(f"{what} nests deeper than {MAX_DEPTH} levels")


class _NumberError(ValueError):
    """A number the reader refuses; its message completes '… holds'."""


class _NulError(ValueError):
    pass


def _int(text: str) -> int:
    if len(text) > MAX_NUMBER:
        raise _NumberError(f"a number longer than {MAX_NUMBER} characters")
    return int(text)


def _float(text: str) -> float:
    if len(text) > MAX_NUMBER:
        raise _NumberError(f"a number longer than {MAX_NUMBER} characters")
    value = float(text)
    if not math.isfinite(value):  # 1e999: JSON columns and re-encoding cannot hold infinity
        raise _NumberError("a number too large to represent")
    return value


def _constant(name: str) -> Any:
    raise _NumberError(f"{name}, which is not a JSON number")


_DECODER = json.JSONDecoder(parse_int=_int, parse_float=_float, parse_constant=_constant)


def _clean(value: Any) -> Any:
    """`value` with lone surrogates in strings and keys replaced by U+FFFD; _NulError on NUL."""
    if isinstance(value, str):
        if "\x00" in value:
            raise _NulError
        return _LONE_SURROGATE.sub("\ufffd", value)
    if isinstance(value, dict):
        return {_clean(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value
