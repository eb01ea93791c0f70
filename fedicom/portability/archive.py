"""The archive file: a zip of newline-delimited JSON sections and a `manifest.json` naming the format
version, the source community, each section's row count and each file's SHA-256. Sections are written
and read one line at a time, so a community of any size passes through in constant memory."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from fedicom.errors import BadRequest

FORMAT = "fedicom-community-archive"
FORMAT_VERSION = 1  # raised when a reader of an older version could not read what is written
MANIFEST = "manifest.json"
CHUNK = 1 << 16
# What an archive may unpack to, checked against the sizes its zip directory declares (Python's
# zipfile never reads a member past its declared size, and a CRC mismatch fails the read): a small
# upload cannot unpack into gigabytes of memory or disk
MAX_FILE = 64 * 2**20  # the manifest, community.json, the key, a picture: read whole
MAX_LINE = 8 * 2**20  # one row of a section, read whole
MAX_TOTAL = 64 * 2**30  # every file together: sections are streamed, never held


class ArchiveError(BadRequest):
    """An archive this fedicom cannot or must not import: damaged, tampered with, or too new."""


@dataclass
class Manifest:
    """What the archive holds and how to check it: written last, read first."""

    fedicom_version: str
    source: str  # the Group actor's URI on the instance that exported it
    name: str
    exported_at: str
    counts: dict[str, int] = field(default_factory=dict)  # rows per section
    files: dict[str, str] = field(default_factory=dict)  # sha256 of each member file
    with_key: bool = False
    format: str = FORMAT
    format_version: int = FORMAT_VERSION

    def to_json(self) -> dict[str, Any]:
        return {
            "format": self.format,
            "format_version": self.format_version,
            "fedicom_version": self.fedicom_version,
            "source": self.source,
            "name": self.name,
            "exported_at": self.exported_at,
            "with_key": self.with_key,
            "counts": self.counts,
            "files": self.files,
        }


def parse_manifest(data: bytes) -> Manifest:
    """The manifest, or why this archive cannot be read (another format, a newer version, damage)."""
    try:
        raw = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ArchiveError("the archive's manifest.json is not JSON") from None
    if not isinstance(raw, dict) or raw.get("format") != FORMAT:
        raise ArchiveError("this file is not a fedicom community archive")
    version = raw.get("format_version")
    if not isinstance(version, int):
        raise ArchiveError("the archive's manifest has no format version")
    if version > FORMAT_VERSION:
        raise ArchiveError(
            f"the archive is in format version {version}, from a newer fedicom "
            f"({raw.get('fedicom_version', 'unknown')}); this one reads up to version {FORMAT_VERSION}: "
            "upgrade fedicom to import it"
        )
    try:
        counts = {str(k): int(v) for k, v in raw["counts"].items()}
        files = {str(k): str(v) for k, v in raw["files"].items()}
        return Manifest(
            fedicom_version=str(raw["fedicom_version"]),
            source=str(raw["source"]),
            name=str(raw["name"]),
            exported_at=str(raw["exported_at"]),
            counts=counts,
            files=files,
            with_key=bool(raw.get("with_key", False)),
            format_version=version,
        )
    except (KeyError, AttributeError, TypeError, ValueError):
        raise ArchiveError("the archive's manifest lacks a field or has one of the wrong type") from None


class _HashingWriter:
    """A member file being written: lines counted, bytes hashed on their way into the zip."""

    def __init__(self, stream: IO[bytes]) -> None:
        self.stream = stream
        self.digest = hashlib.sha256()
        self.rows = 0

    def write_bytes(self, data: bytes) -> None:
        self.digest.update(data)
        self.stream.write(data)

    def write_row(self, row: dict[str, Any]) -> None:
        self.write_bytes(json.dumps(row, ensure_ascii=False, separators=(",", ":")).encode() + b"\n")
        self.rows += 1


class ArchiveWriter:
    """Writes the archive beside its final path and moves it there only once the manifest is in."""

    def __init__(self, path: Path, manifest: Manifest) -> None:
        self.path = path
        self.partial = path.with_name(f".{path.name}.partial")
        self.manifest = manifest
        self.zip = zipfile.ZipFile(self.partial, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6)
        self._current: _HashingWriter | None = None
        self._current_name = ""

    def __enter__(self) -> ArchiveWriter:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None
    ) -> None:
        if kind is None:
            self.finish()
        else:
            self.zip.close()
            self.partial.unlink(missing_ok=True)

    def begin(self, name: str) -> _HashingWriter:
        """Start the section file `name` (the previous one is closed and recorded)."""
        self._close_current()
        self._current = _HashingWriter(self.zip.open(name, "w", force_zip64=True))
        self._current_name = name
        return self._current

    def put(self, name: str, data: bytes) -> None:
        """A whole small file (the community's settings, its icon)."""
        self.begin(name).write_bytes(data)
        self._close_current(count=False)

    def _close_current(self, *, count: bool = True) -> None:
        if self._current is None:
            return
        self._current.stream.close()
        self.manifest.files[self._current_name] = self._current.digest.hexdigest()
        if count and self._current_name.endswith(".ndjson"):
            self.manifest.counts[self._current_name.removesuffix(".ndjson")] = self._current.rows
        self._current = None

    def finish(self) -> None:
        self._close_current()
        self.zip.writestr(MANIFEST, json.dumps(self.manifest.to_json(), indent=2, ensure_ascii=False))
        self.zip.close()
        self.partial.replace(self.path)


class ArchiveReader:
    """An archive opened for import: its manifest read, every file checked against its checksum."""

    def __init__(self, path: Path) -> None:
        try:
            self.zip = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError):
            raise ArchiveError("the file is not a zip archive (or is damaged)") from None
        try:
            check_sizes(self.zip.infolist())
            self.manifest = parse_manifest(self.zip.read(MANIFEST))
        except KeyError:
            self.zip.close()
            raise ArchiveError("the archive has no manifest.json") from None
        except (zipfile.BadZipFile, OSError, EOFError):
            self.zip.close()
            raise ArchiveError("manifest.json in the archive is damaged") from None
        except BaseException:
            self.zip.close()
            raise

    def __enter__(self) -> ArchiveReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.zip.close()

    def verify(self) -> None:
        """Every file the manifest names is present and unchanged, and nothing else is there."""
        present = {info.filename for info in self.zip.infolist() if info.filename != MANIFEST}
        named = set(self.manifest.files)
        if present - named:
            raise ArchiveError(
                f"the archive holds files its manifest does not list: {sorted(present - named)[0]}"
            )
        for name, expected in self.manifest.files.items():
            if name not in present:
                raise ArchiveError(f"the archive lacks {name}, which its manifest lists")
            digest = hashlib.sha256()
            try:
                with self.zip.open(name) as member:
                    while chunk := member.read(CHUNK):
                        digest.update(chunk)
            except (zipfile.BadZipFile, OSError, EOFError):
                raise ArchiveError(f"{name} in the archive is damaged") from None
            if digest.hexdigest() != expected:
                raise ArchiveError(f"{name} does not match its checksum: the archive was changed or damaged")

    def has(self, name: str) -> bool:
        return name in self.manifest.files

    def read(self, name: str) -> bytes:
        return self.zip.read(name)

    def rows(self, section: str) -> Iterator[dict[str, Any]]:
        """The section's rows one at a time (an absent section has none)."""
        name = f"{section}.ndjson"
        if name not in self.manifest.files:
            return
        with self.zip.open(name) as member:
            text = io.TextIOWrapper(member, encoding="utf-8")
            for number, line in enumerate(iter(lambda: text.readline(MAX_LINE + 1), ""), start=1):
                if len(line) > MAX_LINE:
                    raise ArchiveError(f"line {number} of {name} is longer than {MAX_LINE // 2**20} MiB")
                try:
                    row = json.loads(line)
                except json.JSONDecodeError:
                    raise ArchiveError(f"line {number} of {name} is not JSON") from None
                if not isinstance(row, dict):
                    raise ArchiveError(f"line {number} of {name} is not a JSON object")
                yield row


def check_sizes(members: list[zipfile.ZipInfo]) -> None:
    """Refuse an archive that would unpack to more than fedicom reads: a whole file over MAX_FILE
    (sections excepted), or all files over MAX_TOTAL. Pure."""
    total = 0
    for info in members:
        total += info.file_size
        if info.file_size > MAX_FILE and not info.filename.endswith(".ndjson"):
            raise ArchiveError(f"{info.filename} in the archive is larger than {MAX_FILE // 2**20} MiB")
    if total > MAX_TOTAL:
        raise ArchiveError(f"the archive unpacks to more than {MAX_TOTAL // 2**30} GiB")
