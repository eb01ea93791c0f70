"""The bounded JSON reader: every bound it promises, and that what it hands back parses to what it checked.

Pure: no server, no database (issue 9: JSON that crashed the inbox with a 500).
"""

from __future__ import annotations

import json

import pytest

from fedicom.activitypub.json_input import MAX_DEPTH, MAX_NUMBER, read_json
from fedicom.errors import BadRequest, PayloadTooLarge


def nested(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


def test_a_document_within_the_bounds_is_read_and_its_text_kept_as_received() -> None:
    raw = b'{"id": "https://a.example/1", "n": [1, 2.5, -3e2, true, null], "s": "caf\\u00e9 \\ud83d\\ude00"}'
    doc = read_json(raw)
    assert doc.value["s"] == "café 😀" and doc.value["n"] == [1, 2.5, -300.0, True, None]
    assert doc.text == raw.decode()


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 900, 100_000])
def test_nesting_deeper_than_the_bound_is_refused_before_parsing(depth: int) -> None:
    with pytest.raises(BadRequest, match=f"nests deeper than {MAX_DEPTH} levels"):
        read_json(nested(depth))


def test_nesting_at_the_bound_is_read() -> None:
    assert read_json(nested(MAX_DEPTH)).value == json.loads(nested(MAX_DEPTH))


def test_brackets_inside_strings_do_not_count_as_nesting() -> None:
    raw = json.dumps({"content": "[" * 1000 + '\\"{' * 100, "tag": [[{"a": 1}]]}).encode()
    assert read_json(raw).value["tag"] == [[{"a": 1}]]


def test_objects_and_arrays_both_count_towards_depth() -> None:
    with pytest.raises(BadRequest, match="nests deeper"):
        read_json(b'{"a":' * 40 + b"[" * 30 + b"]" * 30 + b"}" * 40)


@pytest.mark.parametrize(
    "raw",
    [b"1" * 5000, b"[" + b"9" * (MAX_NUMBER + 1) + b"]", b"0." + b"1" * MAX_NUMBER, b"1e999", b"-1e999"],
)
def test_numbers_too_long_or_too_large_are_refused(raw: bytes) -> None:
    with pytest.raises(BadRequest, match="number"):
        read_json(raw)


@pytest.mark.parametrize("raw", [b"NaN", b"[Infinity]", b'{"a": -Infinity}'])
def test_nan_and_infinity_are_refused(raw: bytes) -> None:
    with pytest.raises(BadRequest, match="not a JSON number"):
        read_json(raw)


@pytest.mark.parametrize("raw", [b'{"a": "\xed\xa0\x80"}', b'{"a": "\xff"}', b'"\xc3"'])
def test_bytes_that_are_not_utf8_are_refused_with_that_reason(raw: bytes) -> None:
    with pytest.raises(BadRequest, match="the body is not valid UTF-8"):
        read_json(raw)


def test_lone_surrogate_escapes_become_replacement_characters_in_values_and_keys() -> None:
    doc = read_json(b'{"content": "cut \\ud83d", "\\udc00key": ["\\uDBFF", "pair \\ud83d\\ude00"]}')
    assert doc.value == {"content": "cut \ufffd", "\ufffdkey": ["\ufffd", "pair 😀"]}
    assert json.loads(doc.text) == doc.value and "\\ud" not in doc.text
    doc.text.encode("utf-8")  # what is stored can always be encoded


def test_an_escaped_backslash_before_u_d800_is_not_a_surrogate() -> None:
    raw = b'{"a": "\\\\ud800"}'
    doc = read_json(raw)
    assert doc.value == {"a": "\\ud800"} and doc.text == raw.decode()


def test_nul_is_refused_in_values_and_keys() -> None:
    for raw in (b'{"a": "x\\u0000"}', b'{"\\u0000": 1}'):
        with pytest.raises(BadRequest, match="NUL"):
            read_json(raw)


def test_the_size_bound_is_checked_first() -> None:
    with pytest.raises(PayloadTooLarge, match="larger than 10 bytes"):
        read_json(b'{"a": "' + b"x" * 20 + b'"}', max_bytes=10)


def test_the_reason_names_what_was_read() -> None:
    with pytest.raises(BadRequest, match=r"^the stored activity is not valid JSON$"):
        read_json("{", what="the stored activity")


def test_a_utf8_byte_order_mark_is_tolerated() -> None:
    assert read_json(b'\xef\xbb\xbf{"a": 1}').value == {"a": 1}


def test_text_it_produced_reads_back_unchanged() -> None:
    first = read_json(b'{"a": ["\\ud800", {"b": "\\udfff"}]}')
    again = read_json(first.text)
    assert again.value == first.value and again.text == first.text
