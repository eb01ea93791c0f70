"""Importing an archive: checked whole (checksums, format version, the key's passphrase) before a
row is written, then recreated in one database transaction and counted again before it commits, so
the community opens complete or not at all. Pictures go through the media store, checked and
re-encoded as any upload, and are released again when the import fails."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from tortoise.exceptions import BaseORMException
from tortoise.transactions import in_transaction

from fedicom.activitypub.keys import KeyStore, key_id_for
from fedicom.activitypub.models import SigningKey
from fedicom.activitypub.signatures import load_private_key
from fedicom.errors import BadRequest, ConfigError, FedicomError
from fedicom.groups.communities import NAME_RE, POSTING_POLICIES, Reserved, Site
from fedicom.groups.images import BANNER, ICON, Kind, media_url, prepare
from fedicom.groups.kinds import CommunityKind
from fedicom.groups.models import Alias, Group
from fedicom.media.release import release
from fedicom.media.store import FileStore, keep
from fedicom.moderation.models import ModlogAction, ModlogEntry
from fedicom.portability import records
from fedicom.portability.archive import ArchiveError, ArchiveReader, Manifest
from fedicom.portability.export import SECTIONS
from fedicom.portability.restore import RESTORERS, Target, chunks, link_later
from fedicom.portability.sealing import unseal

Progress = Callable[[str, int, int], None]  # section, rows done, rows in all
PICTURES: dict[str, tuple[Kind, str]] = {"icon": (ICON, "icon_url"), "banner": (BANNER, "image_url")}


@dataclass(frozen=True)
class Imported:
    group: Group
    source: str
    counts: dict[str, int]  # rows per section, as the manifest counts them
    skipped: dict[str, int]  # of those, rows deliberately not recreated (scheduled posts, see notes)
    notes: tuple[str, ...]  # why each was skipped


class ImportFailed(BadRequest):
    """A row the archive holds could not be recreated: nothing of the import is kept."""


def read_manifest(path: Path) -> Manifest:
    """The archive's manifest, checked (format and version) but not its files: the CLI reads it to
    know whether to ask for a passphrase."""
    with ArchiveReader(path) as archive:
        return archive.manifest


async def import_community(
    keys: KeyStore,
    site: Site,
    files: FileStore,
    path: Path,
    *,
    name: str | None = None,
    passphrase: str | None = None,
    reserved: Reserved,
    progress: Progress | None = None,
) -> Imported:
    """Recreate the archived community here, as `name` (default: its name at the source)."""
    archive = await asyncio.to_thread(ArchiveReader, path)
    with archive:
        await asyncio.to_thread(archive.verify)
        manifest = archive.manifest
        if set(manifest.counts) - {s.name for s in SECTIONS}:
            raise ArchiveError("the archive holds sections this fedicom does not know")
        document = _community_document(archive)
        settings = document.get("settings")
        if not isinstance(settings, dict):
            raise ArchiveError("community.json has no settings")
        name = await _free_name(name or manifest.name, reserved)
        private_pem = await asyncio.to_thread(_private_key, archive, passphrase)  # scrypt: ~0.1 s
        pictures = await _pictures(archive, settings)
        stored = [await keep(files, picture) for picture in pictures.values()]
        try:
            group, target = await _recreate(
                keys,
                site,
                archive,
                name,
                settings,
                _picture_urls(site, pictures, stored),
                private_pem,
                progress,
            )
        except BaseException:
            await release(files, list(stored))
            raise
    return Imported(group, manifest.source, dict(manifest.counts), dict(target.skipped), tuple(target.notes))


def _picture_urls(site: Site, pictures: dict[str, Any], stored: list[str]) -> dict[str, str]:
    return {
        PICTURES[label][1]: media_url(site.base_url, filename)
        for label, filename in zip(pictures, stored, strict=True)
    }


async def _recreate(
    keys: KeyStore,
    site: Site,
    archive: ArchiveReader,
    name: str,
    settings: dict[str, Any],
    pictures: dict[str, str],
    private_pem: str | None,
    progress: Progress | None,
) -> tuple[Group, Target]:
    manifest = archive.manifest
    uri = site.uri(name)
    async with in_transaction() as conn:
        group = await _group(name, settings, manifest.source, pictures)
        # the modlog is kept by name, and outlives communities: an earlier one of this name left its own
        before = {section.name: await section.query(group).count() for section in SECTIONS}
        await _key(keys, uri, private_pem)
        target = Target(group, records.UriMap(manifest.source, uri), manifest.source, site, conn)
        for section in SECTIONS:
            done = 0
            for chunk in chunks(archive.rows(section.name)):
                try:
                    await RESTORERS[section.name](target, chunk)
                except (KeyError, TypeError, ValueError, BaseORMException) as exc:
                    raise ImportFailed(
                        f"the archive's {section.name} near row {done + 1} cannot be recreated "
                        f"({type(exc).__name__}: {exc}); nothing was imported"
                    ) from None
                done += len(chunk)
                if progress:
                    progress(section.name, done, manifest.counts.get(section.name, 0))
            if section.name == "posts":
                await link_later(target)
            _check(section.name, done, manifest)
        for section in SECTIONS:
            stored = await section.query(group).count() - before[section.name]
            expected = manifest.counts.get(section.name, 0) - target.skipped[section.name]
            if stored != expected:
                raise ImportFailed(
                    f"{stored} {section.name} were recreated where the manifest counts {expected} "
                    f"(and {target.skipped[section.name]} skipped); nothing was imported"
                )
        await _alias_of_source(group, manifest.source, uri)
        await ModlogEntry.create(
            community=name,
            moderator=uri,
            action=ModlogAction.CREATE_COMMUNITY,
            target=uri,
            reason=f"imported from {manifest.source}",
            details={
                "imported_from": manifest.source,
                "exported_at": manifest.exported_at,
                "skipped": dict(target.skipped),
                "notes": target.notes,
            },
        )
    return group, target


async def _alias_of_source(group: Group, source: str, uri: str) -> None:
    """The community it came from becomes one of its aliases (`alsoKnownAs`), so that the old one can
    move here at once (FEP-7628: a move needs the new home to list the old actor). Not when it is this
    very community again (imported here under its own name after the original was deleted)."""
    if source != uri and not await Alias.exists(group=group, actor=source):
        await Alias.create(group=group, actor=source)


def _check(section: str, rows: int, manifest: Manifest) -> None:
    expected = manifest.counts.get(section, 0)
    if rows != expected:
        raise ImportFailed(
            f"the archive's {section} has {rows} rows where its manifest counts {expected}; "
            "nothing was imported"
        )


async def _free_name(wanted: str, reserved: Reserved) -> str:
    name = wanted.strip().lower()
    if not NAME_RE.match(name):
        raise BadRequest("a community name is 1-64 characters of a-z, 0-9 and _")
    if await Group.exists(name=name):
        raise BadRequest(f"a community named {name} already exists here: import it under another name")
    taken = await reserved(name)
    if taken:
        raise BadRequest(taken)
    return name


def _community_document(archive: ArchiveReader) -> dict[str, Any]:
    if not archive.has("community.json"):
        raise ArchiveError("the archive has no community.json")
    try:
        document = json.loads(archive.read("community.json"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ArchiveError("community.json is not JSON") from None
    if not isinstance(document, dict):
        raise ArchiveError("community.json is not a JSON object")
    return document


def _private_key(archive: ArchiveReader, passphrase: str | None) -> str | None:
    """The Group's key from the archive, opened with the passphrase (refused when it is wrong)."""
    if not archive.manifest.with_key:
        return None
    if passphrase is None:
        raise BadRequest("the archive holds the community's key, sealed: give its passphrase to import it")
    try:
        box = json.loads(archive.read("key.json"))["sealed"]
    except (KeyError, TypeError, ValueError):
        raise ArchiveError("the archive's key.json is missing or damaged") from None
    pem = unseal(box, passphrase).decode()
    try:
        load_private_key(pem)
    except ConfigError:
        raise ArchiveError("the archive's key is not an RSA private key") from None
    return pem


async def _pictures(archive: ArchiveReader, settings: dict[str, Any]) -> dict[str, Any]:
    """The icon and banner, checked and re-encoded as uploads are (an archive is as untrusted)."""
    found: dict[str, Any] = {}
    named = settings.get("pictures") or {}
    if not isinstance(named, dict):
        raise ArchiveError("community.json's pictures are not an object")
    for label, member in named.items():
        if label not in PICTURES or not isinstance(member, str) or not archive.has(member):
            raise ArchiveError(f"community.json names a picture the archive lacks: {label}")
        try:
            found[label] = await asyncio.to_thread(prepare, PICTURES[label][0], archive.read(member))
        except FedicomError as exc:
            raise ArchiveError(f"the archive's {label}: {exc.reason}") from None
    return found


async def _group(name: str, settings: dict[str, Any], source: str, pictures: dict[str, Any]) -> Group:
    try:
        values = {field: settings[field] for field in records.GROUP_SETTINGS}
        values["kind"] = CommunityKind(values["kind"])
        created = records.moment(settings.get("created_at"))
    except (KeyError, ValueError):
        raise ArchiveError("community.json's settings lack a field or have a wrong value") from None
    if values["posting_policy"] not in POSTING_POLICIES:
        raise ArchiveError("community.json's posting policy is not one fedicom knows")
    parent = settings.get("parent")
    above = await Group.get_or_none(name=parent) if isinstance(parent, str) else None
    try:
        return await Group.create(
            name=name, parent=above, origin_uri=source, created_at=created, **values, **pictures
        )
    except (BaseORMException, TypeError, ValueError) as exc:
        raise ArchiveError(f"community.json's settings cannot be stored ({exc})") from None


async def _key(keys: KeyStore, uri: str, private_pem: str | None) -> None:
    """The imported key when the archive brings one (the same actor key as at the source), a new one
    otherwise."""
    if private_pem is None:
        await keys.ensure(uri)
        return
    public = load_private_key(private_pem).public_key()
    public_pem = public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()
    await SigningKey.filter(owner=uri).delete()  # a key left by an earlier community of that name
    await SigningKey.create(key_id=key_id_for(uri), owner=uri, private_pem=private_pem, public_pem=public_pem)
