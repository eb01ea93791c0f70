"""Shared blocklists as files: parsing Mastodon's CSV and plain lists, diffing, writing. Pure.

Mastodon (4.x) exports `#domain,#severity,#reject_media,#reject_reports,#public_comment,#obfuscate`
and older lists use the same header without `#`; its severities are `silence` (our `limit`),
`suspend` and `noop`. Plain lists hold one domain a line, with `#` comments.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

from fedicom.errors import BadRequest
from fedicom.moderation.domains import SEVERITIES, normalize, rank

COLUMNS = ("domain", "severity", "reject_media", "reject_reports", "public_comment", "obfuscate")
MASTODON_SEVERITY = {"limit": "silence"}  # Mastodon stores limit as "silence" and expects it back
_SEVERITY_ALIASES = {"silence": "limit", "": "suspend"}
_TRUE = {"true", "1", "yes", "t", "y"}
_FALSE = {"false", "0", "no", "f", "n", ""}


@dataclass(frozen=True)
class Entry:
    """One block as a list states it (an existing block is described the same way)."""

    domain: str
    severity: str = "suspend"
    reject_media: bool = False
    reject_reports: bool = False
    public_comment: str = ""
    obfuscate: bool = False
    line: int = 0

    def effect(self) -> tuple[str, bool, bool]:
        return (self.severity, self.reject_media, self.reject_reports)

    def merged(self, other: Entry) -> Entry:
        """The stronger of both in every respect (a suspension implies the reject flags)."""
        severity = max(self.severity, other.severity, key=rank)
        media = (self.reject_media or other.reject_media) and severity != "suspend"
        reports = (self.reject_reports or other.reject_reports) and severity != "suspend"
        return replace(
            self,
            severity=severity,
            reject_media=media,
            reject_reports=reports,
            public_comment=other.public_comment or self.public_comment,
            obfuscate=self.obfuscate or other.obfuscate,
        )


@dataclass
class Parsed:
    entries: list[Entry] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # "line 7: …"


@dataclass
class Diff:
    """What an import would change, entry by entry."""

    added: list[Entry] = field(default_factory=list)
    upgraded: list[tuple[Entry, Entry]] = field(default_factory=list)  # (existing, new)
    unchanged: list[Entry] = field(default_factory=list)
    downgrades: list[tuple[Entry, Entry]] = field(default_factory=list)  # skipped: (existing, new)
    invalid: list[str] = field(default_factory=list)  # "line 7: …"

    @property
    def changes(self) -> list[Entry]:
        return self.added + [new for _, new in self.upgraded]

    def digest(self) -> str:
        """A fingerprint of what the import would write (and refuse): an approved preview names it,
        so the import can refuse when the list or the blocks in force changed since."""
        state = {
            "added": [_fields(e) for e in self.added],
            "upgraded": [[_fields(old), _fields(new)] for old, new in self.upgraded],
            "invalid": self.invalid,
        }
        return hashlib.sha256(json.dumps(state, sort_keys=True).encode()).hexdigest()


def _fields(entry: Entry) -> list[object]:
    return [entry.domain, *entry.effect(), entry.public_comment, entry.obfuscate]


def detect_format(text: str) -> str:
    """csv when the first meaningful line looks like Mastodon's CSV, else plain."""
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        if line.lower().startswith(("#domain", "domain,")) or "," in line:
            return "csv"
        if not line.startswith("#"):
            return "plain"
    return "plain"


def parse(text: str, fmt: str | None = None) -> Parsed:
    """Entries and errors (with line numbers) of a list; a domain listed twice must say the same."""
    fmt = fmt or detect_format(text)
    if fmt not in ("csv", "plain"):
        raise BadRequest(f"unknown format {fmt!r}; use csv or plain")
    parsed = _parse_csv(text) if fmt == "csv" else _parse_plain(text)
    seen: dict[str, Entry] = {}
    unique = []
    for entry in parsed.entries:
        first = seen.get(entry.domain)
        if first is not None:
            if first.effect() != entry.effect():  # the same block twice is harmless; a conflict is not
                parsed.errors.append(
                    f"line {entry.line}: {entry.domain} is listed differently on line {first.line}"
                )
            continue
        seen[entry.domain] = entry
        unique.append(entry)
    parsed.entries = unique
    return parsed


def _parse_plain(text: str) -> Parsed:
    parsed = Parsed()
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        try:
            parsed.entries.append(Entry(normalize(line), line=number))
        except BadRequest as exc:
            parsed.errors.append(f"line {number}: {exc.reason}")
    return parsed


def _parse_csv(text: str) -> Parsed:
    parsed = Parsed()
    rows = csv.reader(io.StringIO(text))
    columns: list[str] = list(COLUMNS)
    first = True
    for number, row in enumerate(rows, start=1):
        cells = [c.strip() for c in row]
        if not any(cells):
            continue
        names = [c.lower().lstrip("#") for c in cells]
        if first and "domain" in names:
            unknown = [c for c in names if c not in COLUMNS]
            if unknown:
                parsed.errors.append(f"line {number}: unknown column {unknown[0]!r}")
            columns = names
            first = False
            continue
        first = False
        if cells[0].startswith("#"):
            continue  # a comment (no domain starts with #)
        if len(cells) > len(columns):
            parsed.errors.append(f"line {number}: {len(cells)} fields, at most {len(columns)} expected")
            continue
        try:
            parsed.entries.append(_entry(dict(zip(columns, cells, strict=False)), number))
        except BadRequest as exc:
            parsed.errors.append(f"line {number}: {exc.reason}")
    return parsed


def _entry(values: Mapping[str, str], number: int) -> Entry:
    severity = values.get("severity", "").lower()
    severity = _SEVERITY_ALIASES.get(severity, severity)
    if severity not in SEVERITIES:
        raise BadRequest(f"unknown severity {values['severity']!r}; use noop, limit (silence) or suspend")
    return Entry(
        domain=normalize(values.get("domain", "")),
        severity=severity,
        reject_media=_flag(values, "reject_media"),
        reject_reports=_flag(values, "reject_reports"),
        public_comment=values.get("public_comment", ""),
        obfuscate=_flag(values, "obfuscate"),
        line=number,
    )


def _flag(values: Mapping[str, str], name: str) -> bool:
    value = values.get(name, "").lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise BadRequest(f"{name} must be true or false, not {values[name]!r}")


def diff(entries: Iterable[Entry], existing: Mapping[str, Entry]) -> Diff:
    """Sort a list's entries against the blocks in force; an import never weakens a block."""
    result = Diff()
    for entry in entries:
        current = existing.get(entry.domain)
        if current is None:
            result.added.append(entry)
            continue
        stronger = current.merged(entry)
        if entry.effect() == current.effect():
            result.unchanged.append(entry)
        elif stronger.effect() == current.effect():
            result.downgrades.append((current, entry))
        else:
            result.upgraded.append((current, replace(stronger, line=entry.line)))
    return result


def to_csv(entries: Iterable[Entry]) -> str:
    """Mastodon's export format, importable by Mastodon (limit written as silence)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([f"#{c}" for c in COLUMNS])
    for e in entries:
        writer.writerow(
            [
                e.domain,
                MASTODON_SEVERITY.get(e.severity, e.severity),
                str(e.reject_media).lower(),
                str(e.reject_reports).lower(),
                e.public_comment,
                str(e.obfuscate).lower(),
            ]
        )
    return out.getvalue()


def to_plain(entries: Iterable[Entry]) -> str:
    """One suspended domain a line: a plain list means 'do not federate with these'."""
    return "".join(f"{e.domain}\n" for e in entries if e.severity == "suspend")
