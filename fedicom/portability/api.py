"""Admin API: a community exported as an archive (a download), and an archive imported (the file as
the request body); registered on import, like the other areas' endpoints."""

from __future__ import annotations

import asyncio
import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from pydantic import BaseModel, Field

from fedicom.errors import BadRequest
from fedicom.groups.communities import get_community
from fedicom.moderation.api.framework import Call, Download, Upload
from fedicom.moderation.api.params import CommunityPath, Name, Strict
from fedicom.moderation.api.registry import api
from fedicom.portability.export import export_community
from fedicom.portability.importing import import_community
from fedicom.staff.accounts import name_reserved

MAX_ARCHIVE = 4 * 2**30  # an archive is written to disk as it arrives; 4 GiB holds millions of posts
PASSPHRASE_HEADER = "Fedicom-Archive-Passphrase"


class ExportIn(Strict):
    with_keys: bool = Field(False, description="Include the Group's private key, sealed with `passphrase`.")
    passphrase: str | None = Field(
        None, min_length=8, max_length=1024, description="Seals the key (required with `with_keys`)."
    )


class ImportQuery(Strict):
    name: Name | None = Field(
        None, description="The community's name here (default: its name at the source)."
    )


class ImportedOut(BaseModel):
    name: str
    uri: str = Field(description="The imported community's actor.")
    source: str = Field(description="The community's actor on the instance it was exported from.")
    counts: dict[str, int] = Field(description="Rows per section, as the manifest counts them.")
    skipped: dict[str, int] = Field(
        description="Of those, rows deliberately not recreated (scheduled posts whose author has no "
        "staff account here, or whose one-off time passed); `notes` says why."
    )
    notes: list[str] = Field(description="Why each skipped row was skipped.")


@api.endpoint(
    "POST",
    "/communities/{name}/export",
    summary="Export a community to an archive (zip)",
    scope="admin",
    tag="portability",
    path_model=CommunityPath,
    body=ExportIn,
    download="application/zip",
)
async def communities_export(call: Call, path: CommunityPath, body: ExportIn) -> Download:
    """Settings, rules, icon and banner, moderators, members, posts and votes, polls, idea statuses,
    accepted answers and the modlog; the Group's key only with `with_keys` (docs/portability.md)."""
    if body.with_keys and not body.passphrase:
        raise BadRequest("with_keys needs a passphrase to seal the key with")
    group = await get_community(path.name)
    fd, name = tempfile.mkstemp(prefix="fedicom-export-", suffix=".zip")
    os.close(fd)
    archive = Path(name)
    secret = body.passphrase if body.with_keys else None
    try:
        await export_community(
            call.ctx.fed.keys, call.ctx.site, call.files, group, archive, passphrase=secret
        )
    except BaseException:
        await asyncio.to_thread(archive.unlink, missing_ok=True)
        raise
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M")
    return Download(archive, f"{group.name}-{stamp}.zip")


@api.endpoint(
    "POST",
    "/communities/import",
    summary="Import a community from an archive (the zip as the body)",
    scope="admin",
    tag="portability",
    query=ImportQuery,
    upload="application/octet-stream",  # the zip; schemathesis and curl --data-binary both send it
    upload_headers={PASSPHRASE_HEADER: "The passphrase of an archive that holds the Group's key."},
    max_body=MAX_ARCHIVE,
    response=ImportedOut,
    status=201,
)
async def communities_import(call: Call, query: ImportQuery, body: Upload) -> ImportedOut:
    """Checked whole before anything is written (checksums, format version, the key's passphrase),
    recreated in one transaction, counted again before it opens: all or nothing."""
    done = await import_community(
        call.ctx.fed.keys,
        call.ctx.site,
        call.files,
        body.path,
        name=query.name,
        passphrase=body.headers.get(PASSPHRASE_HEADER),
        reserved=name_reserved,
    )
    return ImportedOut(
        name=done.group.name,
        uri=call.ctx.site.uri(done.group.name),
        source=done.source,
        counts=done.counts,
        skipped=done.skipped,
        notes=list(done.notes),
    )
