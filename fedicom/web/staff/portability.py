"""Staff pages for moving a community (admins): the Export box of a community's settings, which
answers the archive as a download, and the Import page, which recreates one (docs/portability.md)."""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from starlette.background import BackgroundTask
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import BaseRoute, Route

from fedicom.errors import BadRequest, FedicomError, PayloadTooLarge
from fedicom.moderation.acting import Acting
from fedicom.portability.export import export_community
from fedicom.portability.importing import import_community
from fedicom.staff.accounts import name_reserved
from fedicom.web.staff import community_form as fields
from fedicom.web.staff.auth import staff_only
from fedicom.web.staff.communities import parent_name, settings_page, settings_url
from fedicom.web.staff.layout import done, form_text, staff_form, staff_page

MAX_ARCHIVE = 2**30  # through a browser; larger archives go through the CLI or the admin API
MAX_PASSPHRASE = 1024


@staff_only
async def export(request: Request, acting: Acting) -> Response:
    """The archive as a download; with the key, sealed with the passphrase typed (twice)."""
    acting.require_admin()
    group = await acting.community(request.path_params["name"])
    form = await staff_form(request)
    try:
        secret = _passphrase(form) if form.get("with_keys") == "on" else None
        fd, name = tempfile.mkstemp(prefix="fedicom-export-", suffix=".zip")
        os.close(fd)
        archive = Path(name)
        try:
            ctx = acting.ctx
            await export_community(ctx.fed.keys, ctx.site, acting.files, group, archive, passphrase=secret)
        except BaseException:
            await asyncio.to_thread(archive.unlink, missing_ok=True)
            raise
    except FedicomError as exc:
        values = fields.prefilled(group, await parent_name(group))
        return await settings_page(request, acting, group, values, export_error=exc.reason, status=exc.status)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M")
    return FileResponse(
        archive,
        media_type="application/zip",
        filename=f"{group.name}-{stamp}.zip",
        background=BackgroundTask(archive.unlink, missing_ok=True),
        headers={"Cache-Control": "private, no-store"},
    )


def _passphrase(form: Any) -> str:
    secret = form_text(form, "passphrase", MAX_PASSPHRASE, label="passphrase")
    if len(secret) < 8:
        raise BadRequest("the passphrase that seals the key must be at least 8 characters")
    if secret != form_text(form, "passphrase_again", MAX_PASSPHRASE, label="passphrase"):
        raise BadRequest("the two passphrases differ")
    return secret


@staff_only
async def import_page(request: Request, acting: Acting) -> Response:
    """GET: the form; POST: the archive recreated, then its settings page."""
    acting.require_admin()
    if request.method == "GET":
        return _form(request, {})
    try:
        form = await staff_form(request, limit=MAX_ARCHIVE, max_fields=6, max_files=1)
    except PayloadTooLarge:
        limit = MAX_ARCHIVE // 2**20
        reason = f"the archive is larger than {limit} MiB: import it with `fedicom community import`"
        return _form(request, {}, reason, 413)
    values = {"name": str(form.get("name") or "")}
    try:
        upload = form.get("archive")
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise BadRequest("choose the archive file to import")
        name = form_text(form, "name", 64, label="name").strip() or None
        secret = form_text(form, "passphrase", MAX_PASSPHRASE, label="passphrase") or None
        imported = await _imported(acting, upload, name, secret)
    except FedicomError as exc:
        return _form(request, values, exc.reason, exc.status)
    finally:
        await form.close()
    text = f"Imported {imported.source} as {imported.group.name}: every row recreated and counted."
    if imported.notes:  # the rows deliberately left out, and why
        text = f"Imported {imported.source} as {imported.group.name}, counted; " + "; ".join(imported.notes)
    return done(request, settings_url(imported.group), text)


async def _imported(acting: Acting, upload: UploadFile, name: str | None, secret: str | None) -> Any:
    fd, spooled = tempfile.mkstemp(prefix="fedicom-import-", suffix=".zip")
    path = Path(spooled)
    try:
        with os.fdopen(fd, "wb") as out:
            await asyncio.to_thread(shutil.copyfileobj, upload.file, out)
        ctx = acting.ctx
        return await import_community(
            ctx.fed.keys, ctx.site, acting.files, path, name=name, passphrase=secret, reserved=name_reserved
        )
    finally:
        await asyncio.to_thread(path.unlink, missing_ok=True)


def _form(request: Request, values: dict[str, str], error: str | None = None, status: int = 200) -> Response:
    context = {"values": values, "error": error, "limit_mib": MAX_ARCHIVE // 2**20}
    return staff_page(request, "staff/community_import.html", context, status)


routes: list[BaseRoute] = [
    Route("/staff/c/{name}/export", export, methods=["POST"]),
    Route("/staff/communities/import", import_page, methods=["GET", "POST"]),
]
