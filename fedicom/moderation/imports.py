"""Importing and exporting shared blocklists: the diff against the blocks in force, stored in bulk.

All or nothing: a list with any bad row changes nothing, and a good one is written in one
transaction with a handful of bulk statements (10,000 domains in seconds). Suspensions it adds are
applied by one clean-up job (cleanup.py) for all of them, queued in that transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from tortoise.transactions import in_transaction

from fedicom.errors import BadRequest
from fedicom.groups.context import Groups
from fedicom.groups.hooks import ServerPolicy
from fedicom.jobs.models import Job
from fedicom.moderation.authority import require_admin
from fedicom.moderation.blocklists import Diff, Entry, diff, parse, to_csv, to_plain
from fedicom.moderation.blocks import refuse_own_domain
from fedicom.moderation.cleanup import queue_suspension
from fedicom.moderation.models import DomainBlock, ModlogAction, ModlogEntry

BATCH = 1000
Progress = Callable[[str, int, int], None]  # told the stage, how many of how many are stored


def quiet(_stage: str, _done: int, _total: int) -> None:
    return None


CHANGED_SINCE_PREVIEW = (
    "what the list would change is no longer what its preview showed (the blocks in force changed "
    "since), so nothing was imported"
)


@dataclass
class ImportResult:
    diff: Diff
    applied: bool
    job: Job | None = None  # the clean-up of the suspensions it added


def entry_of(block: DomainBlock) -> Entry:
    return Entry(
        domain=block.domain,
        severity=block.severity,
        reject_media=block.reject_media,
        reject_reports=block.reject_reports,
        public_comment=block.public_comment,
        obfuscate=block.obfuscate,
    )


async def plan(ctx: Groups, text: str, fmt: str | None = None) -> Diff:
    """Parse a list and compare it with the instance-wide blocks; bad rows are in `invalid`."""
    parsed = parse(text, fmt)
    for entry in parsed.entries:
        try:
            refuse_own_domain(ctx, entry.domain)
        except BadRequest as exc:
            parsed.errors.append(f"line {entry.line}: {exc.reason}")
    existing = {b.domain: entry_of(b) for b in await DomainBlock.filter(community_id=None)}
    changes = diff(parsed.entries, existing)
    changes.invalid = sorted(parsed.errors, key=lambda e: int(e.split(":", 1)[0].removeprefix("line ")))
    return changes


def refusal(changes: Diff) -> BadRequest:
    shown = "; ".join(changes.invalid[:10])
    more = f"; and {len(changes.invalid) - 10} more" if len(changes.invalid) > 10 else ""
    return BadRequest(f"nothing was imported: {len(changes.invalid)} bad rows: {shown}{more}")


async def import_blocklist(
    ctx: Groups,
    defed: ServerPolicy,
    text: str,
    *,
    moderator: str,
    source: str,
    fmt: str | None = None,
    dry_run: bool = False,
    expected: str | None = None,
    progress: Progress = quiet,
) -> ImportResult:
    """Add and strengthen instance-wide blocks from a list; never weakens one (those are skipped).

    `expected` is the digest of the diff an admin approved (`Diff.digest`): when the list would now
    change anything else, nothing is imported.
    """
    await require_admin(ctx.site, moderator)
    if not source.strip():
        raise BadRequest("an import needs a source name (--source)")
    changes = await plan(ctx, text, fmt)
    if expected is not None and changes.digest() != expected:
        raise BadRequest(CHANGED_SINCE_PREVIEW, status=409)
    if changes.invalid and not dry_run:
        raise refusal(changes)
    if dry_run or not changes.changes:
        return ImportResult(changes, applied=False)
    job = await _store(ctx, changes, source, moderator, progress)
    defed.forget()
    return ImportResult(changes, applied=True, job=job)


async def _store(ctx: Groups, changes: Diff, source: str, moderator: str, progress: Progress) -> Job | None:
    total = len(changes.changes)
    done = 0
    progress("storing blocks", 0, total)
    async with in_transaction() as conn:
        for start in range(0, len(changes.added), BATCH):
            chunk = changes.added[start : start + BATCH]
            await DomainBlock.bulk_create(
                [_row(e, source) for e in chunk],
                using_db=conn,
            )
            done += len(chunk)
            progress("storing blocks", done, total)
        if changes.upgraded:
            current = {
                b.domain: b
                for b in await DomainBlock.filter(
                    community_id=None, domain__in=[new.domain for _, new in changes.upgraded]
                ).using_db(conn)
            }
            rows = []
            for _, new in changes.upgraded:
                block = current[new.domain]
                block.update_from_dict(_values(new, source))
                rows.append(block)
            fields = [*_values(changes.upgraded[0][1], source)]
            await DomainBlock.bulk_update(rows, fields=fields, batch_size=BATCH, using_db=conn)
            done += len(rows)
            progress("storing blocks", done, total)
        previous = {new.domain: old.severity for old, new in changes.upgraded}
        await ModlogEntry.bulk_create(
            [
                ModlogEntry(
                    moderator=moderator,
                    action=ModlogAction.BLOCK_DOMAIN,
                    target=e.domain,
                    reason=e.public_comment,
                    details={
                        "severity": e.severity,
                        "reject_media": e.reject_media,
                        "reject_reports": e.reject_reports,
                        "source": source,
                        **({"previous_severity": previous[e.domain]} if e.domain in previous else {}),
                    },
                )
                for e in changes.changes
            ],
            batch_size=BATCH,
            using_db=conn,
        )
        suspended = [e.domain for e in changes.changes if e.severity == "suspend"]
        if not suspended:
            return None
        last = await ModlogEntry.filter(moderator=moderator).using_db(conn).order_by("-id").first()
        assert last is not None  # the import's entries were just written
        return await queue_suspension(
            ctx,
            suspended,
            group=None,
            moderator=moderator,
            reason="server suspended",
            target=f"{len(suspended)} domains from {source}",
            decision=last.id,
            conn=conn,
        )


def _values(entry: Entry, source: str) -> dict[str, object]:
    return {
        "severity": entry.severity,
        "reject_media": entry.reject_media,
        "reject_reports": entry.reject_reports,
        "public_comment": entry.public_comment,
        "obfuscate": entry.obfuscate,
        "source": source,
    }


def _row(entry: Entry, source: str) -> DomainBlock:
    return DomainBlock(domain=entry.domain, community_id=None, **_values(entry, source))


async def export_blocklist(fmt: str = "csv") -> str:
    """The instance-wide blocks as a shareable list (private notes never included)."""
    entries = [entry_of(b) for b in await DomainBlock.filter(community_id=None).order_by("domain")]
    if fmt == "csv":
        return to_csv(entries)
    if fmt == "plain":
        return to_plain(entries)
    raise BadRequest(f"unknown format {fmt!r}; use csv or plain")
