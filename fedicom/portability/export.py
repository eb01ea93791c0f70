"""Exporting a community: its settings, pictures, people, posts and their votes, polls, idea
statuses, accepted answers, modlog and the posts scheduled to come out into one archive (archive.py),
table by table in pages of rows so that memory stays flat whatever the community's size; its key only
when asked, sealed."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

from tortoise.models import Model
from tortoise.queryset import QuerySet

from fedicom.activitypub.keys import KeyStore
from fedicom.answers.models import AcceptedAnswer
from fedicom.groups.communities import Site, actor_document
from fedicom.groups.images import FILENAME_RE
from fedicom.groups.models import Alias, Group, Membership, Moderator, Post, Vote
from fedicom.ideas.board_models import IdeaState, IdeaStatusChange
from fedicom.media.release import filename_of
from fedicom.media.store import FileStore, media_name
from fedicom.moderation.models import Ban, Filter, ModlogEntry
from fedicom.portability import records
from fedicom.portability.archive import ArchiveWriter, Manifest
from fedicom.portability.sealing import seal
from fedicom.publishing.models import PollVote, ScheduledPost, ScheduleState

PAGE = 500
Progress = Callable[[str, int, int], None]  # section, rows done, rows in all


@dataclass(frozen=True)
class Section:
    """One table of the community: the rows that belong to it, and each row's archive line."""

    name: str
    query: Callable[[Group], QuerySet[Any]]
    record: Callable[[Any, dict[int, str], str], dict[str, Any]]  # row, post URIs by id, group URI
    post_refs: tuple[str, ...] = ()  # the row's post foreign keys, looked up as URIs


def _uri(refs: dict[int, str], key: int | None) -> str | None:
    return None if key is None else refs.get(key)


SECTIONS: tuple[Section, ...] = (
    Section("moderators", lambda g: Moderator.filter(group=g), lambda r, _, __: records.moderator_record(r)),
    Section("aliases", lambda g: Alias.filter(group=g), lambda r, _, __: records.alias_record(r)),
    Section("members", lambda g: Membership.filter(group=g), lambda r, _, uri: records.member_record(r, uri)),
    Section("bans", lambda g: Ban.filter(community=g), lambda r, _, __: records.ban_record(r)),
    Section("filters", lambda g: Filter.filter(community=g), lambda r, _, __: records.filter_record(r)),
    Section(
        "posts",
        lambda g: Post.filter(group=g),
        lambda r, refs, _: records.post_record(r, _uri(refs, r.parent_id), _uri(refs, r.root_id)),
        ("parent_id", "root_id"),
    ),
    Section(
        "votes",
        lambda g: Vote.filter(post__group=g),
        lambda r, refs, _: records.vote_record(r, refs[r.post_id]),
        ("post_id",),
    ),
    Section(
        "poll_votes",
        lambda g: PollVote.filter(post__group=g),
        lambda r, refs, _: records.poll_vote_record(r, refs[r.post_id]),
        ("post_id",),
    ),
    Section(
        "idea_states",
        lambda g: IdeaState.filter(group=g),
        lambda r, refs, _: records.idea_state_record(r, refs[r.post_id], _uri(refs, r.merged_into_id)),
        ("post_id", "merged_into_id"),
    ),
    Section(
        "idea_status_changes",
        lambda g: IdeaStatusChange.filter(post__group=g),
        lambda r, refs, _: records.idea_change_record(r, refs[r.post_id], _uri(refs, r.reply_id)),
        ("post_id", "reply_id"),
    ),
    Section(
        "accepted_answers",
        lambda g: AcceptedAnswer.filter(group=g),
        lambda r, refs, _: records.answer_record(r, refs[r.question_id], refs[r.answer_id]),
        ("question_id", "answer_id"),
    ),
    Section(
        "modlog",
        lambda g: ModlogEntry.filter(community=g.name),
        lambda r, _, __: records.modlog_record(r),
    ),
    Section(
        "scheduled_posts",  # those still to come out, once or again by their rule
        lambda g: ScheduledPost.filter(group=g, state=ScheduleState.SCHEDULED),
        lambda r, _, uri: records.scheduled_record(r, uri),
    ),
)


async def pages(query: QuerySet[Any], size: int = PAGE) -> AsyncIterator[list[Any]]:
    """The query's rows in pages by ascending id (keyset paging: each page is one indexed read)."""
    last: int | None = None
    while True:
        page_query = query if last is None else query.filter(id__gt=last)
        page: list[Model] = await page_query.order_by("id").limit(size)
        if not page:
            return
        yield page
        last = page[-1].pk
        if len(page) < size:
            return


async def post_uris(ids: Iterable[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = await Post.filter(id__in=wanted).values_list("id", "object_id")
    return {int(i): str(o) for i, o in rows}


def settings_document(group: Group, parent: str | None, pictures: dict[str, str]) -> dict[str, Any]:
    """fedicom's own settings of the community, beside the Group actor as members' servers see it."""
    settings: dict[str, Any] = {field: getattr(group, field) for field in records.GROUP_SETTINGS}
    settings["kind"] = str(group.kind)
    settings["parent"] = parent
    settings["created_at"] = records.when(group.created_at)
    settings["pictures"] = pictures
    return settings


async def export_community(
    keys: KeyStore,
    site: Site,
    files: FileStore,
    group: Group,
    path: Path,
    *,
    passphrase: str | None = None,
    progress: Progress | None = None,
) -> Manifest:
    """Write the archive to `path` (replaced only once complete); with a passphrase, the Group's
    private key goes in too, sealed with it."""
    group_uri = site.uri(group.name)
    manifest = Manifest(
        fedicom_version=version("fedicom"),
        source=group_uri,
        name=group.name,
        exported_at=datetime.now(UTC).isoformat(),
        with_key=passphrase is not None,
    )
    totals = {section.name: await section.query(group).count() for section in SECTIONS}
    sealed = None
    if passphrase is not None:
        key = await keys.ensure(group_uri)
        # sealed before the file is begun; scrypt takes ~0.1 s of CPU, off the event loop
        sealed = await asyncio.to_thread(seal, key.private_pem.encode(), passphrase)
    with ArchiveWriter(path, manifest) as archive:
        parent = await Group.get_or_none(id=group.parent_id) if group.parent_id else None  # type: ignore[attr-defined]
        pictures = await _pictures(files, archive, group)
        document = {
            "actor": await actor_document(keys, site, group),
            "settings": settings_document(group, parent.name if parent else None, pictures),
        }
        archive.put("community.json", json.dumps(document, ensure_ascii=False, indent=2).encode())
        if sealed is not None:
            archive.put("key.json", json.dumps({"owner": group_uri, "sealed": sealed}).encode())
        for section in SECTIONS:
            writer = archive.begin(f"{section.name}.ndjson")
            async for page in pages(section.query(group)):
                refs = await post_uris(getattr(row, ref) for row in page for ref in section.post_refs)
                for row in page:
                    writer.write_row(section.record(row, refs, group_uri))
                if progress:
                    progress(section.name, writer.rows, totals[section.name])
    return manifest


async def _pictures(files: FileStore, archive: ArchiveWriter, group: Group) -> dict[str, str]:
    """The icon and banner stored here go into the archive as files (a remote URL stays a URL)."""
    found: dict[str, str] = {}
    for label, url in (("icon", group.icon_url), ("banner", group.image_url)):
        filename = filename_of(url)
        if filename is None or not FILENAME_RE.match(filename):
            continue
        data = await files.get(media_name(filename))
        if data is None:
            continue
        name = f"media/{label}.{filename.rpartition('.')[2]}"
        archive.put(name, data)
        found[label] = name
    return found
