"""The pure parts of the archive, tested directly: the sealed key, the manifest's checks, and the
rewriting of the old community's URIs into the new one's."""

from __future__ import annotations

import base64
import json
import zipfile
from pathlib import Path

import pytest

from fedicom.errors import BadRequest
from fedicom.portability import archive
from fedicom.portability.archive import FORMAT, ArchiveError, ArchiveReader, parse_manifest
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


def zip_of(path: Path, files: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for name, data in files.items():
            z.writestr(name, data)
    return path


def test_an_archive_that_unpacks_to_too_much_is_refused_before_anything_is_read(tmp_path: Path) -> None:
    # a 100 MiB file of zeros packs into a tenth of a MiB: refused from the zip's directory
    bomb = zip_of(tmp_path / "bomb.zip", {"manifest.json": manifest(), "community.json": bytes(100 * 2**20)})
    assert bomb.stat().st_size < 2**20
    with pytest.raises(ArchiveError, match=r"community\.json in the archive is larger than 64 MiB"):
        ArchiveReader(bomb)
    sizes = [zipfile.ZipInfo("posts.ndjson"), zipfile.ZipInfo("votes.ndjson")]
    sizes[0].file_size = sizes[1].file_size = 40 * 2**30  # sections are streamed: only the total counts
    with pytest.raises(ArchiveError, match="unpacks to more than 64 GiB"):
        archive.check_sizes(sizes)
    archive.check_sizes(sizes[:1])


def test_a_section_line_longer_than_a_row_may_be_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(archive, "MAX_LINE", 100)
    rows = b'{"n": 1}\n' + b'{"text": "' + b"x" * 200 + b'"}\n'
    path = zip_of(tmp_path / "a.zip", {"manifest.json": manifest(), "posts.ndjson": rows})
    with ArchiveReader(path) as reader:
        read = reader.rows("posts")
        assert next(read) == {"n": 1}
        with pytest.raises(ArchiveError, match=r"line 2 of posts\.ndjson is longer than"):
            next(read)
