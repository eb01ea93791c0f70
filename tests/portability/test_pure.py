"""The pure parts of the archive, tested directly: the sealed key, the manifest's checks, and the
rewriting of the old community's URIs into the new one's."""

from __future__ import annotations

import base64
import json

import pytest

from fedicom.errors import BadRequest
from fedicom.portability.archive import FORMAT, ArchiveError, parse_manifest
from fedicom.portability.records import UriMap, staff_name
from fedicom.portability.sealing import WrongPassphrase, seal, unseal


def test_a_sealed_key_opens_with_its_passphrase_only_and_hides_the_key() -> None:
    box = seal(b"-----BEGIN PRIVATE KEY-----secret", "correct horse")
    assert b"PRIVATE" not in json.dumps(box).encode() and box["kdf"] == "scrypt"
    assert unseal(box, "correct horse") == b"-----BEGIN PRIVATE KEY-----secret"
    with pytest.raises(WrongPassphrase):
        unseal(box, "wrong horse")
    flipped = bytearray(base64.b64decode(box["ciphertext"]))
    flipped[0] ^= 1
    with pytest.raises(WrongPassphrase):
        unseal({**box, "ciphertext": base64.b64encode(bytes(flipped)).decode()}, "correct horse")


def test_a_sealed_key_asking_for_too_much_memory_or_a_strange_cipher_is_refused() -> None:
    box = seal(b"k", "p")
    with pytest.raises(BadRequest, match="does not read"):
        unseal({**box, "n": 2**22}, "p")
    with pytest.raises(BadRequest, match="does not read"):
        unseal({**box, "cipher": "ROT13"}, "p")
    with pytest.raises(BadRequest, match="damaged"):
        unseal({"n": 1}, "p")


def manifest(**changes: object) -> bytes:
    base = {
        "format": FORMAT,
        "format_version": 1,
        "fedicom_version": "1.0",
        "source": "https://old.example/c/brand",
        "name": "brand",
        "exported_at": "2026-12-06T00:00:00+00:00",
        "counts": {"posts": 3},
        "files": {"posts.ndjson": "00"},
    }
    return json.dumps({**base, **changes}).encode()


def test_the_manifest_says_what_it_holds_and_a_newer_or_foreign_one_is_refused() -> None:
    read = parse_manifest(manifest())
    assert (read.source, read.counts, read.with_key) == ("https://old.example/c/brand", {"posts": 3}, False)
    with pytest.raises(
        ArchiveError, match=r"format version 2, from a newer fedicom .3.0.; this one reads up to version 1"
    ):
        parse_manifest(manifest(format_version=2, fedicom_version="3.0"))
    with pytest.raises(ArchiveError, match="not a fedicom community archive"):
        parse_manifest(manifest(format="zip of photos"))
    with pytest.raises(ArchiveError, match="lacks a field"):
        parse_manifest(manifest(counts=None))


def test_only_the_old_communitys_uris_are_rewritten() -> None:
    uris = UriMap("https://old.example/c/brand", "https://new.example/c/brand2")
    document = {
        "id": "https://old.example/c/brand/p/7",
        "attributedTo": "https://old.example/c/brand",
        "to": ["https://www.w3.org/ns/activitystreams#Public", "https://old.example/c/brand/followers"],
        "inReplyTo": "https://mastodon.example/users/a/statuses/1",
        "tag": [{"href": "https://old.example/c/brandnew"}],
    }
    assert uris.document(document) == {
        "id": "https://new.example/c/brand2/p/7",
        "attributedTo": "https://new.example/c/brand2",
        "to": ["https://www.w3.org/ns/activitystreams#Public", "https://new.example/c/brand2/followers"],
        "inReplyTo": "https://mastodon.example/users/a/statuses/1",
        "tag": [{"href": "https://old.example/c/brandnew"}],  # another community whose name starts alike
    }
    assert uris.local_post("https://old.example/c/brand/p/7")
    assert not uris.local_post("https://mastodon.example/users/a/statuses/1")


def test_a_scheduled_posts_author_is_named_by_username_only_when_staff_of_the_same_instance() -> None:
    group = "https://old.example/c/brand"
    assert staff_name("https://old.example/u/mia", group) == "mia"
    assert staff_name("https://other.example/u/mia", group) is None  # staff of another server
    assert staff_name("https://old.example/c/brand", group) is None  # the Group itself
    assert staff_name("https://old.example/u/mia/outbox", group) is None
    assert staff_name("https://old.example/u/", group) is None
