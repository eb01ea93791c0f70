"""The staff pages of defederation over real HTTP and in Chromium: admins block and unblock servers
(a suspension cleans up at once), approve servers, and import a shared blocklist only after its dry
run, applying exactly the diff it showed; moderators are refused."""

from __future__ import annotations

import base64
import html
import re
from pathlib import Path

import httpx
from playwright.async_api import Browser

from fedicom.groups.models import Membership, Post
from fedicom.moderation import cleanup
from fedicom.moderation.blocks import block_domain
from fedicom.moderation.imports import export_blocklist
from fedicom.moderation.models import DomainAllow, DomainBlock, ModlogEntry
from fedicom.staff.accounts import create_staff
from tests.support.peer import Peer, serving
from tests.support.steps import cleaned_up
from tests.web.browser import assert_valid_html, check_axe, screenshot
from tests.web.scene import PASSWORD, community, join, thread
from tests.web.signin import admin, browser_sign_in, form_token, staff_client

HEADER = "#domain,#severity,#reject_media,#reject_reports,#public_comment,#obfuscate\n"
# What Mastodon 4.x writes under Moderation > Federation > Export (sorted by domain here, as ours is).
MASTODON_EXPORT = (
    HEADER
    + 'brigade.example,suspend,false,false,"Harassment, coordinated",false\n'
    + "memes.example,noop,true,false,,false\n"
    + "noisy.example,silence,false,true,Unmoderated,false\n"
    + 'spam.example,suspend,false,false,"Spam, ""crypto"" scams",true\n'
)
LIST = HEADER + "spam.example,suspend,false,false,Spam waves,false\nnoisy.example,silence,true,false,,false\n"
_HIDDEN_RE = re.compile(r'<input type="hidden" name="(\w+)" value="([^"]*)">')


def confirmation(page: str) -> dict[str, str]:
    """The hidden fields of a preview's Apply form (the CSRF token among them)."""
    form = page.split('action="/staff/blocks/import/apply"', 1)[1].split("</form>", 1)[0]
    return {name: html.unescape(value) for name, value in _HIDDEN_RE.findall(form)}


async def preview(
    http: httpx.AsyncClient,
    text: str = "",
    *,
    source: str = "tier0",
    fmt: str = "",
    file: tuple[str, bytes, str] = ("", b"", "application/octet-stream"),  # no file chosen
) -> httpx.Response:
    """Send the import form as a browser does (multipart, with the file input empty when pasting)."""
    token = await form_token(http, "/staff/blocks/import")
    data = {"csrf_token": token, "text": text, "format": fmt, "source": source}
    return await http.post("/staff/blocks/import/preview", data=data, files={"file": file})


async def add(http: httpx.AsyncClient, domain: str, **fields: str) -> httpx.Response:
    token = await form_token(http, "/staff/blocks")
    data = {"csrf_token": token, "domain": domain, "severity": "suspend", **fields}
    return await http.post("/staff/blocks", data=data)


async def notice(http: httpx.AsyncClient, resp: httpx.Response) -> str:
    """The page an action redirected to, where its notice shows."""
    assert resp.status_code == 303, resp.text
    return (await http.get(resp.headers["location"])).text


async def test_suspending_a_server_removes_its_members_and_says_what_was_removed(
    instance, peer: Peer
) -> None:
    # Given a community whose members are on the loopback peer, one of them has posted, and a member
    # on another server saw the post boosted
    inst = await instance(hostname="localhost")
    scene = await community(inst, peer)
    await admin("ada")
    async with serving("127.0.0.2") as far:
        friend = far.person("friend")
        await join(far, friend, scene.group)
        note, _ = await thread(peer, scene.people["alice"], scene.group, "<p>spam</p>")
        await far.wait_for(lambda: [a for a in far.received_of("Announce") if a["object"] == note["id"]])

        # When an admin suspends the peer's server on the staff page
        async with staff_client(inst.base, "ada") as http:
            resp = await add(http, "127.0.0.1", severity="suspend", public_comment="Spam waves")
            page = await notice(http, resp)

        # Then its members are gone, the post is removed, the other server is told to drop the boost
        assert "Blocked 127.0.0.1 (suspended). The clean-up of what the suspended servers left" in page
        [job] = await cleaned_up()
        counts = cleanup.summary(job).counts
        assert (counts["members_removed"], counts["posts_removed"]) == (4, 1)
        assert not await Membership.filter(actor__startswith=peer.base).exists()
        assert await Membership.filter(actor=friend.uri).exists()
        assert (await Post.get(object_id=note["id"])).deleted
        undo = await far.wait_for(lambda: far.received_of("Undo"))
        assert undo[0]["object"]["object"] == note["id"]
    assert '<span class="handle">127.0.0.1</span>' in page and "Spam waves" in page
    ada = inst.site.staff_uri("ada")
    assert {"block_domain", "suspend_applied"} <= set(
        await ModlogEntry.filter(moderator=ada, target="127.0.0.1").values_list("action", flat=True)
    )
    # and the server can no longer follow
    bob = scene.people["bob"]
    status, _ = await peer.post(bob, f"{scene.group}/inbox", peer.activity("Follow", bob, scene.group))
    assert status == 403


async def test_a_block_is_listed_changed_and_removed(instance) -> None:
    inst = await instance()
    await admin("ada")
    async with staff_client(inst.base, "ada") as http:
        resp = await add(
            http,
            "https://Noisy.Example/about",
            severity="limit",
            reject_media="on",
            private_comment="ticket 42",
            obfuscate="on",
        )
        assert "Blocked noisy.example (limited)." in await notice(http, resp)
        await add(http, "quiet.example", severity="noop", reject_reports="on")
        page = (await http.get("/staff/blocks")).text
        assert "2 blocked servers" in page and "ticket 42" in page and "Obfuscated" in page
        for domain in ("noisy.example", "quiet.example"):  # one accessible name per row
            assert page.count(f'aria-label="Remove the block of {domain}"') == 1
            assert page.count(f'aria-label="Change the block of {domain}"') == 1

        # Change: the form comes filled in, and sending it replaces the block (weaker is allowed)
        page = (await http.get("/staff/blocks?change=noisy.example")).text
        assert "Change the block of noisy.example" in page
        assert 'value="limit" checked' in page and 'name="reject_media" checked' in page
        resp = await add(http, "noisy.example", severity="noop")
        assert "Blocked noisy.example (flags only)." in await notice(http, resp)
        block = await DomainBlock.get(domain="noisy.example")
        assert (block.severity, block.reject_media, block.private_comment) == ("noop", False, "")

        token = await form_token(http, "/staff/blocks")
        resp = await http.post("/staff/blocks/remove", data={"csrf_token": token, "domain": "noisy.example"})
        page = await notice(http, resp)
        assert "Lifted the block of noisy.example" in page and "1 blocked server" in page
        resp = await http.post("/staff/blocks/remove", data={"csrf_token": token, "domain": "noisy.example"})
        assert "noisy.example is not blocked." in (await notice(http, resp)).lower()
    assert await DomainBlock.filter(domain="noisy.example").count() == 0
    actions = await ModlogEntry.filter(target="noisy.example").order_by("id").values_list("action", flat=True)
    assert actions == ["block_domain", "block_domain", "unblock_domain"]


async def test_an_invalid_or_own_domain_is_refused_with_a_clear_reason(instance) -> None:
    inst = await instance(hostname="localhost")
    await admin("ada")
    async with staff_client(inst.base, "ada") as http:
        resp = await add(http, "not a domain", public_comment="kept")
        assert resp.status_code == 400
        assert "&#39;not a domain&#39; is not a valid domain name." in resp.text
        assert (
            'value="not a domain" aria-describedby="domain-hint block-error" aria-invalid="true"' in resp.text
        )
        assert ">kept</textarea>" in resp.text  # what was typed is kept
        resp = await add(http, "localhost")
        assert resp.status_code == 400 and "would block this server&#39;s own domain localhost" in resp.text
        resp = await add(http, "ok.example", severity="obliterate")
        assert resp.status_code == 400 and "Unknown severity &#39;obliterate&#39;" in resp.text
        # a comment longer than the admin API takes is refused, never stored cut short, and the form
        # comes back as typed
        resp = await add(http, "ok.example", public_comment="x" * 5001, private_comment="why")
        assert resp.status_code == 400 and "The public comment is longer than 5000 characters" in resp.text
        assert 'value="ok.example"' in resp.text and ">why</textarea>" in resp.text
    assert not await DomainBlock.exists()


async def test_a_comment_at_the_length_a_browser_allows_is_kept_whole(instance) -> None:
    """A browser counts a line break as one character against maxlength but sends it as CRLF."""
    inst = await instance(hostname="localhost")
    await admin("ada")
    typed = ("spam wave\n" * 500)[:-1]  # 4,999 characters as the textarea counts them
    async with staff_client(inst.base, "ada") as http:
        resp = await add(http, "spam.example", public_comment=typed.replace("\n", "\r\n"))
        assert "Blocked spam.example" in await notice(http, resp)
    assert (await DomainBlock.get(domain="spam.example")).public_comment == typed


async def test_moderators_and_signed_out_visitors_cannot_use_the_pages(instance) -> None:
    inst = await instance()
    await create_staff("mia", PASSWORD)
    await admin("ada")
    async with staff_client(inst.base, "mia") as http:
        token = await form_token(http, "/staff")
        for path in ("/staff/blocks", "/staff/blocks/import"):
            resp = await http.get(path)
            assert resp.status_code == 403 and "is not an instance admin" in resp.text
        for path in (
            "/staff/blocks",
            "/staff/blocks/remove",
            "/staff/blocks/allow",
            "/staff/blocks/allow/remove",
            "/staff/blocks/import/preview",
            "/staff/blocks/import/apply",
        ):
            resp = await http.post(
                path, data={"csrf_token": token, "domain": "x.example", "text": "x.example"}
            )
            assert resp.status_code == 403 and "is not an instance admin" in resp.text, path
        assert 'href="/staff/blocks"' not in (await http.get("/staff")).text  # not in their menu
    async with httpx.AsyncClient(base_url=inst.base) as anonymous:
        resp = await anonymous.get("/staff/blocks")
        assert resp.status_code == 303 and resp.headers["location"] == "/staff/sign-in?next=/staff/blocks"
        resp = await anonymous.post("/staff/blocks", data={"domain": "x.example"})
        assert resp.status_code == 303
    assert not await DomainBlock.exists()


async def test_every_form_needs_its_csrf_token(instance) -> None:
    inst = await instance(federation_mode="allowlist")
    await admin("ada")
    async with staff_client(inst.base, "ada") as http:
        await http.get("/staff/blocks")
        for path in (
            "/staff/blocks",
            "/staff/blocks/remove",
            "/staff/blocks/allow",
            "/staff/blocks/allow/remove",
            "/staff/blocks/import/preview",
            "/staff/blocks/import/apply",
        ):
            resp = await http.post(path, data={"domain": "x.example", "text": "x.example", "source": "x"})
            assert resp.status_code == 403 and "reload the page" in resp.text, path
        token = await form_token(http, "/staff/blocks")
        resp = await http.post(
            "/staff/blocks",
            data={"csrf_token": token, "domain": "x.example"},
            headers={"Origin": "https://evil.example"},
        )
        assert resp.status_code == 403
    assert not await DomainBlock.exists() and not await DomainAllow.exists()


async def test_the_preview_shows_the_diff_and_stores_nothing(instance) -> None:
    inst = await instance(hostname="localhost")
    await admin("ada")
    root = inst.site.staff_uri("ada")
    defed = inst.defed
    await block_domain(
        inst.groups, defed, "noisy.example", severity="noop", reject_reports=True, moderator=root
    )
    await block_domain(inst.groups, defed, "same.example", severity="limit", moderator=root)
    await block_domain(inst.groups, defed, "strong.example", moderator=root)
    before = await ModlogEntry.all().count()
    text = LIST + "same.example,silence\nstrong.example,noop\n"
    async with staff_client(inst.base, "ada") as http:
        resp = await preview(http, text)
    page = resp.text
    assert resp.status_code == 200 and "Nothing has been changed yet." in page
    assert "read as Mastodon CSV" in page
    assert "1 to add, 1 to strengthen, 1 unchanged, 1 skipped because they would weaken a block." in page
    assert '<th scope="row" class="diff-add"><span class="handle">spam.example</span></th>' in page
    assert "<td>Suspend</td><td>Spam waves</td>" in page
    # noisy.example: the stronger of both in every respect
    assert "<td>No restriction, rejects reports</td><td>Limit, rejects media, rejects reports</td>" in page
    assert "strong.example</span></th><td>5</td><td>Suspend</td><td>No restriction</td>" in page
    assert "1 of the changes is a suspension" in page
    assert "Apply these 2 changes" in page
    assert await ModlogEntry.all().count() == before
    assert await DomainBlock.all().count() == 3
    assert not await DomainBlock.filter(domain="spam.example").exists()
    assert (await DomainBlock.get(domain="noisy.example")).severity == "noop"


async def test_applying_stores_exactly_the_previewed_entries(instance) -> None:
    inst = await instance()
    await admin("ada")
    await DomainBlock.create(domain="noisy.example", severity="noop", reject_reports=True)
    async with staff_client(inst.base, "ada") as http:
        fields = confirmation((await preview(http, LIST, source="tier0 2026-11")).text)
        resp = await http.post("/staff/blocks/import/apply", data=fields)
        page = await notice(http, resp)
    assert "Imported 2 blocks from tier0 2026-11. The clean-up of what the suspended servers" in page
    await cleaned_up()
    blocks = {
        b.domain: (b.severity, b.reject_media, b.reject_reports, b.public_comment, b.source)
        for b in await DomainBlock.all()
    }
    assert blocks == {
        "spam.example": ("suspend", False, False, "Spam waves", "tier0 2026-11"),
        "noisy.example": ("limit", True, True, "", "tier0 2026-11"),
    }
    ada = inst.site.staff_uri("ada")
    logged = await ModlogEntry.filter(action="block_domain").order_by("target")
    assert [(e.target, e.moderator, e.details["source"]) for e in logged] == [
        ("noisy.example", ada, "tier0 2026-11"),
        ("spam.example", ada, "tier0 2026-11"),
    ]
    assert logged[0].details["previous_severity"] == "noop"
    assert await ModlogEntry.filter(action="suspend_applied", moderator=ada).exists()


async def test_a_tampered_confirmation_is_refused(instance) -> None:
    inst = await instance()
    await admin("ada")
    await admin("bea")
    async with staff_client(inst.base, "ada") as http:
        fields = confirmation((await preview(http, "spam.example\n")).text)
        other = base64.urlsafe_b64encode(b"spam.example\nfriend.example\n").decode()
        for change in (
            {"list": other},
            {"source": "someone else"},
            {"format": "csv"},
            {"digest": "0" * 64},
            {"seal": "0" * 64},
            {"list": "not base64!"},
        ):
            resp = await http.post("/staff/blocks/import/apply", data={**fields, **change})
            assert resp.status_code == 400, change
            assert "This confirmation is not the one its preview made, so nothing was imported." in resp.text
    async with staff_client(inst.base, "bea") as http:  # a preview is sealed for the admin who saw it
        resp = await http.post(
            "/staff/blocks/import/apply",
            data={**fields, "csrf_token": await form_token(http, "/staff/blocks/import")},
        )
        assert resp.status_code == 400
    assert not await DomainBlock.exists()
    assert not await ModlogEntry.exists()


async def test_a_preview_made_stale_by_another_change_is_not_applied(instance) -> None:
    inst = await instance()
    await admin("ada")
    bea = inst.site.staff_uri(await admin("bea"))
    async with staff_client(inst.base, "ada") as http:
        fields = confirmation((await preview(http, LIST)).text)
        # Meanwhile another admin limits spam.example by hand
        await block_domain(inst.groups, inst.defed, "spam.example", severity="limit", moderator=bea)
        resp = await http.post("/staff/blocks/import/apply", data=fields)
    assert resp.status_code == 409
    assert "no longer what its preview showed" in resp.text
    assert "1 to add, 1 to strengthen" in resp.text and "Apply these 2 changes" in resp.text
    assert (await DomainBlock.get(domain="spam.example")).severity == "limit"
    assert not await DomainBlock.filter(domain="noisy.example").exists()


async def test_a_mastodon_export_uploaded_as_a_file_round_trips(instance) -> None:
    inst = await instance()
    await admin("ada")
    async with staff_client(inst.base, "ada") as http:
        resp = await preview(
            http, source="", file=("domain_blocks.csv", MASTODON_EXPORT.encode("utf-8-sig"), "text/csv")
        )
        assert resp.status_code == 200 and "4 to add" in resp.text
        assert "The list from <strong>domain_blocks.csv</strong>" in resp.text
        resp = await http.post("/staff/blocks/import/apply", data=confirmation(resp.text))
        assert "Imported 4 blocks from domain_blocks.csv." in await notice(http, resp)
    assert await export_blocklist("csv") == MASTODON_EXPORT
    assert await DomainBlock.filter(source="domain_blocks.csv").count() == 4


async def test_a_list_of_almost_one_mib_goes_through_preview_and_apply(instance) -> None:
    """The confirmation carries the whole list (base64): its form bound fits the largest list."""
    inst = await instance()
    await admin("ada")
    text = "# " + "x" * (1024 * 1024 - 100) + "\nspam.example\n"
    async with staff_client(inst.base, "ada") as http:
        resp = await preview(http, text)
        assert resp.status_code == 200 and "1 to add" in resp.text
        resp = await http.post("/staff/blocks/import/apply", data=confirmation(resp.text))
        assert "Imported 1 block from tier0." in await notice(http, resp)
    assert await DomainBlock.filter(domain="spam.example", severity="suspend").exists()


async def test_a_list_with_bad_rows_shows_them_and_cannot_be_applied(instance) -> None:
    inst = await instance(hostname="localhost")
    await admin("ada")
    text = HEADER + "fine.example,suspend\nlocalhost,suspend\nx.example,obliterate\n"
    async with staff_client(inst.base, "ada") as http:
        resp = await preview(http, text)
    assert resp.status_code == 200
    assert "This list cannot be imported: 2 bad rows." in resp.text
    assert (
        "<li>Line 3: blocking localhost would block this server&#39;s own domain localhost.</li>" in resp.text
    )
    assert "<li>Line 4: unknown severity &#39;obliterate&#39;" in resp.text
    assert "/staff/blocks/import/apply" not in resp.text
    assert not await DomainBlock.exists()


async def test_what_cannot_be_read_is_refused_before_any_diff(instance) -> None:
    inst = await instance()
    await admin("ada")
    big = b"a.example\n" * (1024 * 1024 // 10 + 1)
    async with staff_client(inst.base, "ada") as http:
        cases = [
            (await preview(http, ""), 400, "Paste a list or choose a file."),
            (await preview(http, "a.example", source=""), 400, "Say where the list comes from"),
            (await preview(http, "a.example", file=("l.txt", b"b.example", "text/plain")), 400, "not both"),
            (
                await preview(http, file=("l.txt", b"\xff\xfe bad", "text/plain")),
                400,
                "The file l.txt is not UTF-8 text.",
            ),
            (await preview(http, file=("l.txt", big, "text/plain")), 413, "The file is larger than 1 MiB."),
            (await preview(http, "a.example", fmt="xml"), 400, "Unknown format &#39;xml&#39;"),
            (await preview(http, "a.example", source="s" * 256), 400, "The source is longer than 255"),
        ]
        for resp, status, reason in cases:
            assert (resp.status_code, reason in resp.text) == (status, True), (reason, resp.text[-600:])
        assert "a.example</textarea>" in cases[1][0].text  # the pasted list is kept to correct it
        # a form larger than the limit is refused before it is parsed
        token = await form_token(http, "/staff/blocks/import")
        resp = await http.post(
            "/staff/blocks/import/preview", data={"csrf_token": token, "text": "a.example\n" * 120_000}
        )
        assert resp.status_code == 413
    assert not await DomainBlock.exists()


async def test_approved_servers_are_managed_in_quarantine_mode_and_released(instance, peer: Peer) -> None:
    inst = await instance(hostname="localhost", federation_mode="quarantine")
    scene = await community(inst, peer)
    note, _ = await thread(peer, scene.people["alice"], scene.group, "<p>held for now</p>")
    assert (await Post.get(object_id=note["id"])).state == "held"
    await admin("ada")
    async with staff_client(inst.base, "ada") as http:
        page = (await http.get("/staff/blocks")).text
        assert "quarantine</strong> mode" in page and "Keep its held posts for review" in page
        token = await form_token(http, "/staff/blocks")
        resp = await http.post(
            "/staff/blocks/allow", data={"csrf_token": token, "domain": "127.0.0.1", "comment": "y" * 5001}
        )
        assert resp.status_code == 400 and "The comment is longer than 5000 characters" in resp.text
        assert not await DomainAllow.exists()  # refused, not stored cut short
        resp = await http.post(
            "/staff/blocks/allow", data={"csrf_token": token, "domain": "127.0.0.1", "comment": "partner"}
        )
        page = await notice(http, resp)
        assert "Approved 127.0.0.1. Released 1 held post from it, now announced." in page
        assert 'aria-label="Withdraw the approval of 127.0.0.1"' in page and "partner" in page
        await peer.wait_for(lambda: [a for a in peer.received_of("Announce") if a["object"] == note["id"]])
        resp = await http.post("/staff/blocks/allow", data={"csrf_token": token, "domain": "127.0.0.1"})
        assert resp.status_code == 400 and "127.0.0.1 is already allowed." in resp.text
        resp = await http.post(
            "/staff/blocks/allow/remove", data={"csrf_token": token, "domain": "127.0.0.1"}
        )
        assert "Withdrew the approval of 127.0.0.1." in await notice(http, resp)
    assert not await DomainAllow.exists()
    actions = await ModlogEntry.filter(target="127.0.0.1").order_by("id").values_list("action", flat=True)
    assert actions == ["allow_domain", "disallow_domain"]


async def test_in_blocklist_mode_the_page_says_where_approvals_matter(instance) -> None:
    inst = await instance()
    await admin("ada")
    async with staff_client(inst.base, "ada") as http:
        page = (await http.get("/staff/blocks")).text
    assert "blocklist</strong> mode" in page
    assert "applies only in the allowlist and quarantine federation modes" in page
    assert 'action="/staff/blocks/allow"' not in page


async def test_in_open_mode_a_block_that_is_no_suspension_says_it_does_nothing_yet(instance) -> None:
    inst = await instance(federation_mode="open")
    await admin("ada")
    async with staff_client(inst.base, "ada") as http:
        assert "<strong>open</strong> mode" in (await http.get("/staff/blocks")).text
        page = await notice(http, await add(http, "quiet.example", severity="limit"))
    assert "Blocked quiet.example (limited). In open federation mode only suspensions take effect." in page


async def test_an_admin_imports_a_blocklist_after_its_dry_run(instance, browser: Browser) -> None:
    """The issue's scenario, in Chromium: Domain blocks, Import, paste, preview, apply, see the blocks."""
    inst = await instance()
    await admin("ada")
    await DomainBlock.create(domain="noisy.example", severity="noop", public_comment="Loud")
    page = await browser_sign_in(browser, inst.base, "ada")
    await page.get_by_role("link", name="Domain blocks").click()
    await page.get_by_role("link", name="Import a blocklist").click()
    await page.get_by_label("The list").fill(LIST)
    await page.get_by_label("Source").fill("tier0")
    await page.get_by_role("button", name="Preview the changes").click()
    await page.get_by_role("heading", name="Import preview").wait_for()
    assert await page.get_by_role("row", name="spam.example Suspend Spam waves").is_visible()
    assert await page.get_by_role(
        "row", name="noisy.example No restriction Limit, rejects media"
    ).is_visible()
    await screenshot(page, "staff-blocks-import-preview")
    assert await DomainBlock.all().count() == 1  # the dry run stored nothing

    await page.get_by_role("button", name="Apply these 2 changes").click()
    await page.wait_for_url(inst.base + "/staff/blocks")
    assert (await page.get_by_role("status").inner_text()).startswith(
        "Imported 2 blocks from tier0. The clean-up"
    )
    table = page.get_by_role("table", name="2 blocked servers")
    assert await table.get_by_role("row", name="spam.example").get_by_text("Suspended").is_visible()
    assert await table.get_by_role("row", name="noisy.example").get_by_text("Limited").is_visible()
    await screenshot(page, "staff-blocks")


async def test_the_pages_are_valid_html_and_accessible(instance, browser: Browser, tmp_path: Path) -> None:
    inst = await instance(hostname="localhost", federation_mode="quarantine")
    await admin("ada")
    await DomainBlock.bulk_create(
        [DomainBlock(domain=f"d{i:03}.example", severity="suspend", source="tier0") for i in range(101)]
    )
    await DomainBlock.create(
        domain="noisy.example", severity="limit", reject_media=True, public_comment="Loud", obfuscate=True
    )
    await DomainAllow.create(domain="friends.example", comment="partner")
    stale = LIST + "d001.example,noop\n"
    documents: dict[str, str] = {}
    async with staff_client(inst.base, "ada") as http:
        for path in (
            "/staff/blocks",
            "/staff/blocks?page=2",
            "/staff/blocks?q=noisy",
            "/staff/blocks?q=nothing",
            "/staff/blocks?change=noisy.example",
            "/staff/blocks/import",
        ):
            documents[path] = (await http.get(path)).text
        documents["invalid domain"] = (await add(http, "not a domain")).text
        documents["preview"] = (await preview(http, stale)).text
        fields = confirmation(documents["preview"])
        documents["preview with bad rows"] = (await preview(http, LIST + "bad domain\n")).text
        documents["nothing to change"] = (await preview(http, "d000.example\n")).text
        documents["import error"] = (await preview(http, "")).text
        root = inst.site.staff_uri("ada")
        await block_domain(inst.groups, inst.defed, "spam.example", severity="noop", moderator=root)
        documents["stale"] = (await http.post("/staff/blocks/import/apply", data=fields)).text
    assert_valid_html(documents, tmp_path)

    page = await browser_sign_in(browser, inst.base, "ada")
    problems = {}
    for path in ("/staff/blocks", "/staff/blocks?change=noisy.example", "/staff/blocks/import"):
        await page.goto(inst.base + path)
        await check_axe(page, problems, path)
    await page.goto(inst.base + "/staff/blocks")
    await page.get_by_label("Domain", exact=True).fill("not a domain")
    await page.get_by_role("button", name="Block", exact=True).click()
    await page.get_by_role("alert").wait_for()
    await check_axe(page, problems, "invalid domain")
    for name, text in (("preview", stale), ("preview with bad rows", LIST + "bad domain\n")):
        await page.goto(inst.base + "/staff/blocks/import")
        await page.get_by_label("The list").fill(text)
        await page.get_by_label("Source").fill("tier0")
        await page.get_by_role("button", name="Preview the changes").click()
        await page.get_by_role("heading", name="Import preview").wait_for()
        await check_axe(page, problems, name)
    assert problems == {}, "\n".join(f"{p}: {v}" for p, v in problems.items())
