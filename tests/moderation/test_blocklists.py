"""Shared blocklists: Mastodon's CSV and plain lists parsed with line numbers, diffed without ever
weakening a block, imported all or nothing, exported, and shown publicly like Mastodon's /about."""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable

import pytest

from fedicom.errors import BadRequest, Forbidden
from fedicom.moderation import cleanup
from fedicom.moderation.blocklists import Entry, diff, parse, to_csv, to_plain
from fedicom.moderation.domains import obfuscated
from fedicom.moderation.imports import export_blocklist, import_blocklist
from fedicom.moderation.models import DomainBlock, ModlogEntry
from fedicom.staff.accounts import create_staff
from tests.moderation.helpers import PASSWORD, admin
from tests.support.peer import Peer
from tests.support.servers import Instance
from tests.support.steps import cleaned_up, join

Start = Callable[..., Awaitable[Instance]]
HEADER = "#domain,#severity,#reject_media,#reject_reports,#public_comment,#obfuscate\n"


def test_mastodon_csv_with_and_without_the_hash_header() -> None:
    new = parse(HEADER + 'Bad.Example,silence,true,false,"spam, lots",true\n')
    old = parse("domain,severity,reject_media,reject_reports,public_comment,obfuscate\nbad.example,suspend\n")
    bare = parse("bad.example,noop,true,true\n", "csv")
    assert new.entries == [Entry("bad.example", "limit", True, False, "spam, lots", True, line=2)]
    assert old.entries == [Entry("bad.example", "suspend", line=2)]
    assert bare.entries == [Entry("bad.example", "noop", True, True, line=1)]
    assert not (new.errors or old.errors or bare.errors)


def test_csv_columns_may_come_in_any_order() -> None:
    parsed = parse("#severity,#domain\nsilence,a.example\n")
    assert parsed.entries == [Entry("a.example", "limit", line=2)]


def test_plain_lists_with_comments_and_blank_lines() -> None:
    parsed = parse("# tier 0\n\nspam.example\n*.Troll.Example   # the whole server\n")
    assert [(e.domain, e.severity, e.line) for e in parsed.entries] == [
        ("spam.example", "suspend", 3),
        ("troll.example", "suspend", 4),
    ]


def test_bad_rows_are_reported_with_their_line_numbers() -> None:
    parsed = parse(
        HEADER
        + "ok.example,suspend,false,false,,false\n"
        + "no domain,suspend\n"
        + "x.example,delete\n"
        + "y.example,suspend,perhaps\n"
        + "ok.example,noop\n"
        + "z.example,suspend,false,false,,false,extra\n"
    )
    assert parsed.errors == [
        "line 3: 'no domain' is not a valid domain name",
        "line 4: unknown severity 'delete'; use noop, limit (silence) or suspend",
        "line 5: reject_media must be true or false, not 'perhaps'",
        "line 7: 7 fields, at most 6 expected",
        "line 6: ok.example is listed differently on line 2",
    ]
    assert parse("#domain,#colour\na.example,red\n").errors == ["line 1: unknown column 'colour'"]
    twice = parse("a.example\nA.example.\n")
    assert [e.line for e in twice.entries] == [1] and not twice.errors


def test_the_diff_adds_upgrades_and_never_weakens() -> None:
    existing = {
        "same.example": Entry("same.example", "limit"),
        "up.example": Entry("up.example", "noop", reject_media=True),
        "down.example": Entry("down.example", "suspend"),
        "flags.example": Entry("flags.example", "limit", reject_reports=True),
    }
    listed = [
        Entry("new.example", "suspend", line=1),
        Entry("same.example", "limit", line=2),
        Entry("up.example", "limit", line=3),
        Entry("down.example", "noop", reject_media=True, line=4),
        Entry("flags.example", "limit", reject_media=True, line=5),
    ]
    result = diff(listed, existing)
    assert [e.domain for e in result.added] == ["new.example"]
    assert [e.domain for e in result.unchanged] == ["same.example"]
    assert [(old.domain, new.domain) for old, new in result.downgrades] == [("down.example", "down.example")]
    upgraded = {new.domain: new for _, new in result.upgraded}
    # the stronger of both in every respect: a limit keeps the media flag it had, gains nothing lost
    assert upgraded["up.example"].effect() == ("limit", True, False)
    assert upgraded["flags.example"].effect() == ("limit", True, True)


def test_export_is_mastodons_format_and_reads_back_the_same() -> None:
    entries = [Entry("a.example", "limit", True, False, 'says "hi", twice', True), Entry("b.example")]
    text = to_csv(entries)
    assert text.splitlines()[1] == 'a.example,silence,true,false,"says ""hi"", twice",true'
    assert [e.effect() for e in parse(text).entries] == [e.effect() for e in entries]
    assert to_plain(entries) == "b.example\n"


def test_obfuscated_domains_hide_the_middle() -> None:
    assert obfuscated("example.com") == "ex***le.com"
    assert obfuscated("bad.example") == "b*d.example"


async def test_an_import_is_all_or_nothing(instance: Start) -> None:
    inst = await instance()
    root = await admin(inst)
    text = "fine.example\nbad domain\n"
    with pytest.raises(BadRequest, match="nothing was imported: 1 bad rows: line 2"):
        await import_blocklist(inst.groups, inst.defed, text, moderator=root, source="x")
    assert not await DomainBlock.exists()
    assert not await ModlogEntry.filter(action="block_domain").exists()


async def test_only_admins_import(instance: Start) -> None:
    inst = await instance()
    await create_staff("mia", PASSWORD)
    with pytest.raises(Forbidden, match="not an instance admin"):
        await import_blocklist(
            inst.groups, inst.defed, "a.example\n", moderator=inst.site.staff_uri("mia"), source="x"
        )
    assert not await DomainBlock.exists()


async def test_a_large_list_is_stored_in_bulk_with_its_source_and_modlog(instance: Start) -> None:
    inst = await instance()
    root = await admin(inst)
    await DomainBlock.create(domain="d1.example", severity="noop")
    text = HEADER + "".join(f"d{i}.example,suspend,false,false,listed,false\n" for i in range(3000))
    stages: list[str] = []

    result = await import_blocklist(
        inst.groups,
        inst.defed,
        text,
        moderator=root,
        source="tier0",
        progress=lambda stage, done, total: stages.append(stage),
    )

    assert result.applied and (len(result.diff.added), len(result.diff.upgraded)) == (2999, 1)
    assert await DomainBlock.filter(source="tier0", severity="suspend").count() == 3000
    assert await ModlogEntry.filter(action="block_domain", moderator=root).count() == 3000
    assert await inst.defed.severity("social.d2999.example") == "suspend"
    assert set(stages) == {"storing blocks"}
    assert result.job is not None and result.job.data["domains"][:2] == ["d0.example", "d1.example"]
    [job] = await cleaned_up()
    assert job.id == result.job.id and job.data["target"] == "3000 domains from tier0"
    again = await import_blocklist(inst.groups, inst.defed, text, moderator=root, source="tier0")
    assert not again.applied and len(again.diff.unchanged) == 3000


async def test_import_applies_suspensions_with_the_cleanup_job(instance: Start, peer: Peer) -> None:
    inst = await instance(hostname="localhost")
    root = await admin(inst)
    await inst.community("news")
    group = f"{inst.base}/c/news"
    troll = peer.person("troll")
    await join(peer, troll, group)

    result = await import_blocklist(
        inst.groups, inst.defed, "127.0.0.1\n", moderator=root, source="local list"
    )

    assert result.job is not None
    [job] = await cleaned_up()
    assert cleanup.summary(job).counts["members_removed"] == 1
    assert await ModlogEntry.filter(action="suspend_applied").exists()
    status, _ = await peer.post(troll, f"{group}/inbox", peer.activity("Follow", troll, group))
    assert status == 403


async def test_export_never_includes_private_notes(instance: Start) -> None:
    await instance()
    await DomainBlock.create(domain="a.example", severity="suspend", private_comment="ticket 42 secret")
    text = await export_blocklist("csv")
    assert "a.example" in text and "secret" not in text


async def test_the_public_list_is_a_page_and_mastodons_json(instance: Start, peer: Peer) -> None:
    inst = await instance()
    await DomainBlock.create(
        domain="hidden.example",
        severity="suspend",
        public_comment="abuse",
        private_comment="SECRET",
        obfuscate=True,
    )
    await DomainBlock.create(domain="quiet.example", severity="limit", public_comment="spam")
    await DomainBlock.create(domain="pics.example", severity="noop", reject_media=True)
    await DomainBlock.create(
        domain="reports.example", severity="noop", reject_reports=True
    )  # not user-facing
    news = await inst.community("news")
    await DomainBlock.create(domain="local.example", severity="suspend", community=news)  # not instance-wide

    status, kind, body = await peer.get_status(f"{inst.base}/api/v1/instance/domain_blocks")
    assert status == 200 and kind.startswith("application/json")
    listed = await peer.get(f"{inst.base}/api/v1/instance/domain_blocks", accept="application/json")
    assert listed == [
        {
            "domain": "h***en.example",
            "digest": hashlib.sha256(b"hidden.example").hexdigest(),
            "severity": "suspend",
            "comment": "abuse",
        },
        {
            "domain": "pics.example",
            "digest": hashlib.sha256(b"pics.example").hexdigest(),
            "severity": "noop",
            "comment": "",
        },
        {
            "domain": "quiet.example",
            "digest": hashlib.sha256(b"quiet.example").hexdigest(),
            "severity": "silence",
            "comment": "spam",
        },
    ]
    status, kind, page = await peer.get_status(f"{inst.base}/about/blocked", accept="text/html")
    assert status == 200 and kind.startswith("text/html")
    assert "h***en.example" in page and "Limited" in page and "spam" in page and "Media rejected" in page
    for hidden in ("hidden.example", "SECRET", "reports.example", "local.example"):
        assert hidden not in page and hidden not in body
