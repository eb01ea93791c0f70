"""Staff pages of defederation, for admins: the instance's domain blocks, its approved servers (in
allowlist and quarantine modes) and importing a shared blocklist after a dry run.

The import travels from its preview to its confirmation inside the page: the list (base64) with an
HMAC of the server's secret over it, the format, the source and the digest of the diff shown; the
import then refuses if that diff is no longer what the list would change.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from typing import Any

from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from fedicom.errors import BadRequest, FedicomError, PayloadTooLarge
from fedicom.http import page_number
from fedicom.jobs.models import Job
from fedicom.moderation.acting import Acting
from fedicom.moderation.allows import allow_domain, disallow_domain, list_allows
from fedicom.moderation.blocklists import Diff, detect_format
from fedicom.moderation.blocks import block_domain, list_blocks, unblock_domain
from fedicom.moderation.cleanup import running
from fedicom.moderation.imports import import_blocklist, plan
from fedicom.moderation.models import DomainBlock
from fedicom.web.appstate import app_state
from fedicom.web.signing import mac, purpose_key
from fedicom.web.staff.auth import staff_only
from fedicom.web.staff.layout import attempt, done, form_text, staff_form, staff_page

HOME = "/staff/blocks"
IMPORT = "/staff/blocks/import"
PER_PAGE = 100
APPROVING_MODES = ("allowlist", "quarantine")  # the modes in which the approved servers matter
COMMENT_LIMIT = 5000  # as the admin API
MAX_DOMAIN = 255  # the blocks' and approvals' column
MAX_SOURCE = 255  # where imported blocks come from, their column
LIST_LIMIT = 1024 * 1024  # a shared list, pasted or uploaded
PREVIEW_FORM = LIST_LIMIT + 64 * 1024  # the list, the other fields and the multipart framing
APPLY_FORM = LIST_LIMIT * 4 // 3 + 16 * 1024  # the list in base64 and the other fields
SHOWN = 500  # entries of each kind listed on a preview (all of them are applied)
FORMATS = {"": "Detect it", "csv": "Mastodon CSV", "plain": "Plain list (one domain a line)"}
SEVERITY_NAMES = {"suspend": "suspended", "limit": "limited", "noop": "flags only"}
TYPED_BLOCK_FIELDS = ("domain", "severity", "public_comment", "private_comment")
BLOCK_DEFAULTS: dict[str, Any] = {
    "domain": "",
    "severity": "suspend",
    "reject_media": False,
    "reject_reports": False,
    "public_comment": "",
    "private_comment": "",
    "obfuscate": False,
}


def _domain(form: FormData) -> str:
    return form_text(form, "domain", MAX_DOMAIN, label="domain").strip()


def counted(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def removed_sentence(job: Job | None) -> str:
    """The notice's word on a suspension's clean-up ('' when none was queued)."""
    if job is None:
        return ""
    return (
        " The clean-up of what the suspended servers left (members, posts, cached data) runs now: "
        "see Clean-ups running."
    )


# Blocks and approved servers


async def render_blocks(
    request: Request,
    acting: Acting,
    values: dict[str, Any],
    *,
    error: str | None = None,
    allow_error: str | None = None,
    status: int = 200,
) -> Response:
    blocks = await list_blocks()
    query = request.query_params.get("q", "").strip().lower()[:255]
    found = [b for b in blocks if query in b.domain] if query else blocks
    pages = max(1, -(-len(found) // PER_PAGE))
    page = min(page_number(request), pages)
    mode = acting.settings.federation_mode
    context = {
        "section": "blocks",
        "blocks": found[(page - 1) * PER_PAGE : page * PER_PAGE],
        "total": len(blocks),
        "found": len(found),
        "query": query,
        "page": page,
        "pages": pages,
        "values": values,
        "error": error,
        "mode": mode,
        "allows": await list_allows() if mode in APPROVING_MODES else [],
        "allow_error": allow_error,
        "approving": mode in APPROVING_MODES,
        "cleanups": await running(),
    }
    return staff_page(request, "staff/blocks.html", context, status)


def values_of(block: DomainBlock) -> dict[str, Any]:
    return {name: getattr(block, name) for name in BLOCK_DEFAULTS}


@staff_only
async def blocks_page(request: Request, acting: Acting) -> Response:
    acting.require_admin()
    values = dict(BLOCK_DEFAULTS)
    change = request.query_params.get("change", "")
    if change:  # the form filled in with a block to change it
        block = await DomainBlock.get_or_none(domain=change[:255], community_id=None)
        if block is not None:
            values = values_of(block)
    return await render_blocks(request, acting, values)


@staff_only
async def add_block(request: Request, acting: Acting) -> Response:
    acting.require_admin()
    form = await staff_form(request)
    flags = {name: form.get(name) == "on" for name in ("reject_media", "reject_reports", "obfuscate")}
    # as typed, to fill the form in again whatever is refused
    shown: dict[str, Any] = {**{name: str(form.get(name, "")) for name in TYPED_BLOCK_FIELDS}, **flags}
    try:
        block, job = await block_domain(
            acting.ctx,
            acting.defed,
            _domain(form),
            severity=form_text(form, "severity", 12).strip(),
            public_comment=form_text(form, "public_comment", COMMENT_LIMIT, label="public comment").strip(),
            private_comment=form_text(
                form, "private_comment", COMMENT_LIMIT, label="private comment"
            ).strip(),
            reject_media=flags["reject_media"],
            reject_reports=flags["reject_reports"],
            obfuscate=flags["obfuscate"],
            moderator=acting.actor,
        )
    except FedicomError as exc:
        return await render_blocks(request, acting, shown, error=exc.reason, status=exc.status)
    text = f"Blocked {block.domain} ({SEVERITY_NAMES[block.severity]})." + removed_sentence(job)
    if acting.settings.federation_mode == "open" and block.severity != "suspend":
        text += " In open federation mode only suspensions take effect."
    return done(request, HOME, text)


@staff_only
async def remove_block(request: Request, acting: Acting) -> Response:
    acting.require_admin()
    domain = _domain(await staff_form(request))
    lifted = unblock_domain(acting.ctx, acting.defed, domain, moderator=acting.actor)
    success = f"Lifted the block of {domain}: federation with it resumes from now on."
    return await attempt(request, HOME, lifted, success)


@staff_only
async def add_allow(request: Request, acting: Acting) -> Response:
    acting.require_admin()
    form = await staff_form(request)
    try:
        allow, released = await allow_domain(
            acting.ctx,
            acting.defed,
            _domain(form),
            moderator=acting.actor,
            comment=form_text(form, "comment", COMMENT_LIMIT, label="comment").strip(),
            release=form.get("keep_held") != "on",
        )
    except FedicomError as exc:
        values = dict(BLOCK_DEFAULTS)
        return await render_blocks(request, acting, values, allow_error=exc.reason, status=exc.status)
    text = f"Approved {allow.domain}."
    if released:
        text += f" Released {counted(released, 'held post', 'held posts')} from it, now announced."
    return done(request, HOME, text)


@staff_only
async def remove_allow(request: Request, acting: Acting) -> Response:
    acting.require_admin()
    domain = _domain(await staff_form(request))
    withdrawn = disallow_domain(acting.ctx, acting.defed, domain, moderator=acting.actor)
    return await attempt(request, HOME, withdrawn, f"Withdrew the approval of {domain}.")


# Importing a shared blocklist


def _seal(request: Request, acting: Acting, fields: dict[str, str]) -> str:
    """HMAC over what a preview showed and who saw it: only this server's own previews are applied."""
    key = purpose_key(app_state(request).settings.secret_key, "blocklist preview")
    signed = {**fields, "list": hashlib.sha256(fields["list"].encode()).hexdigest()}
    return mac(key, json.dumps([acting.staff.username, signed], sort_keys=True).encode())


def render_import(
    request: Request, values: dict[str, str], *, error: str | None = None, status: int = 200
) -> Response:
    context = {"section": "blocks", "values": values, "formats": FORMATS, "error": error}
    return staff_page(request, "staff/blocks_import.html", context, status)


async def read_list(form: FormData) -> tuple[str, str]:
    """The list's text and its file's name ('' when pasted), refused past LIST_LIMIT or not UTF-8."""
    pasted = form.get("text")
    pasted = pasted if isinstance(pasted, str) else ""
    upload = form.get("file")
    if isinstance(upload, UploadFile) and upload.filename:
        if pasted.strip():
            raise BadRequest("paste a list or choose a file, not both")
        data = await upload.read(LIST_LIMIT + 1)
        await upload.close()
        if len(data) > LIST_LIMIT:
            raise PayloadTooLarge("the file is larger than 1 MiB")
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise BadRequest(f"the file {upload.filename} is not UTF-8 text") from None
        if not text.strip():
            raise BadRequest(f"the file {upload.filename} is empty")
        if len(upload.filename) > MAX_SOURCE:  # it names the blocks' source when none is given
            raise BadRequest(f"the file's name is longer than {MAX_SOURCE} characters; rename it")
        return text, upload.filename
    if len(pasted.encode()) > LIST_LIMIT:
        raise PayloadTooLarge("the list is larger than 1 MiB")
    if not pasted.strip():
        raise BadRequest("paste a list or choose a file")
    return pasted, ""


def render_preview(
    request: Request,
    acting: Acting,
    text: str,
    fmt: str,
    source: str,
    changes: Diff,
    *,
    error: str | None = None,
    status: int = 200,
) -> Response:
    fields = {
        "list": base64.urlsafe_b64encode(text.encode()).decode(),
        "format": fmt,
        "source": source,
        "digest": changes.digest(),
    }
    context = {
        "section": "blocks",
        "diff": changes,
        "shown": SHOWN,
        "source": source,
        "read_as": FORMATS[fmt or detect_format(text)],
        "suspensions": sum(1 for e in changes.changes if e.severity == "suspend"),
        "confirm": {**fields, "seal": _seal(request, acting, fields)},
        "error": error,
    }
    return staff_page(request, "staff/blocks_preview.html", context, status)


@staff_only
async def import_page(request: Request, acting: Acting) -> Response:
    acting.require_admin()
    return render_import(request, {"text": "", "format": "", "source": ""})


@staff_only
async def preview_import(request: Request, acting: Acting) -> Response:
    """The dry run: the diff the list would make against the blocks in force; nothing is stored."""
    acting.require_admin()
    form = await staff_form(request, limit=PREVIEW_FORM, max_fields=10, max_files=1)
    pasted = form.get("text")
    kept = pasted if isinstance(pasted, str) and len(pasted) <= LIST_LIMIT else ""
    values = {"format": str(form.get("format", "")), "source": str(form.get("source", "")), "text": kept}
    try:
        fmt = form_text(form, "format", 10).strip()
        source = form_text(form, "source", MAX_SOURCE).strip()
        if fmt not in FORMATS:
            raise BadRequest(f"unknown format {fmt!r}; use csv or plain")
        text, filename = await read_list(form)
        source = source or filename
        if not source:
            raise BadRequest("say where the list comes from (Source): it is recorded with each block")
        changes = await plan(acting.ctx, text, fmt or None)
    except FedicomError as exc:
        return render_import(request, values, error=exc.reason, status=exc.status)
    return render_preview(request, acting, text, fmt, source, changes)


def opened(request: Request, acting: Acting, form: FormData) -> tuple[dict[str, str], str] | None:
    """The fields of a confirmation and its list, if this server's preview made them (else None)."""
    # as the preview sent them (the form's size is bounded): anything changed fails the seal
    fields = {name: str(form.get(name, "")) for name in ("list", "format", "source", "digest")}
    if fields["format"] not in FORMATS:
        return None
    if not hmac.compare_digest(_seal(request, acting, fields), str(form.get("seal", ""))):
        return None
    try:
        return fields, base64.b64decode(fields["list"], altchars=b"-_", validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None


@staff_only
async def apply_import(request: Request, acting: Acting) -> Response:
    """Import exactly the previewed diff, or nothing (a forged or stale confirmation is refused)."""
    acting.require_admin()
    confirmation = opened(request, acting, await staff_form(request, limit=APPLY_FORM, max_fields=10))
    if confirmation is None:
        refused = "this confirmation is not the one its preview made, so nothing was imported"
        return render_import(request, {"text": "", "format": "", "source": ""}, error=refused, status=400)
    fields, text = confirmation
    fmt, source = fields["format"], fields["source"]
    try:
        result = await import_blocklist(
            acting.ctx,
            acting.defed,
            text,
            moderator=acting.actor,
            source=source,
            fmt=fmt or None,
            expected=fields["digest"],
        )
    except FedicomError as exc:
        if exc.status != 409:
            raise
        changes = await plan(acting.ctx, text, fmt or None)
        return render_preview(request, acting, text, fmt, source, changes, error=exc.reason, status=409)
    count = len(result.diff.changes)
    if not result.applied:
        return done(request, HOME, f"Nothing to change: every block of {source} is already in force.")
    imported = f"Imported {counted(count, 'block', 'blocks')} from {source}."
    return done(request, HOME, imported + removed_sentence(result.job))


routes = [
    Route(HOME, blocks_page),
    Route(HOME, add_block, methods=["POST"]),
    Route(f"{HOME}/remove", remove_block, methods=["POST"]),
    Route(f"{HOME}/allow", add_allow, methods=["POST"]),
    Route(f"{HOME}/allow/remove", remove_allow, methods=["POST"]),
    Route(IMPORT, import_page),
    Route(f"{IMPORT}/preview", preview_import, methods=["POST"]),
    Route(f"{IMPORT}/apply", apply_import, methods=["POST"]),
]
