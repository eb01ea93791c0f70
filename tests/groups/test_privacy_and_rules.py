"""The links a Group actor gives lead somewhere: its `privacyPolicy` and "Privacy policy" profile field to
a real page (or the Note itself, for ActivityPub clients), its "Rules" field to the rules on its page; a
community without a policy links none, and its /privacy answers 404 with a reason."""

from __future__ import annotations

import html
import json
import re

import httpx

from fedicom.activitypub.jsonld import ACTIVITY_CONTEXT
from fedicom.http import AS2_MEDIA
from tests.support.servers import Instance
from tests.web.http import client, get

POLICY = "We keep posts while the community exists.\n\n**Ask** a moderator to remove yours."


def field_hrefs(actor: dict[str, object]) -> dict[str, str]:
    """The profile fields' names and the addresses their links lead to."""
    attachments = actor.get("attachment")
    assert isinstance(attachments, list)
    return {f["name"]: re.search(r'href="([^"]+)"', f["value"]).group(1) for f in attachments}  # type: ignore[union-attr]


async def actor_of(inst: Instance, name: str) -> dict[str, object]:
    async with httpx.AsyncClient() as http:
        resp = await http.get(f"{inst.base}/c/{name}", headers={"Accept": AS2_MEDIA})
    return json.loads(resp.text)  # type: ignore[no-any-return]


async def test_the_privacy_policy_the_actor_links_is_a_page_with_the_community_header(instance) -> None:
    inst = await instance()
    await inst.community("news", title="Daily News", rules="Be kind.", privacy_policy=POLICY)
    actor = await actor_of(inst, "news")
    url = f"{inst.base}/c/news/privacy"
    assert actor["privacyPolicy"]["url"] == actor["privacyPolicy"]["id"] == url  # type: ignore[index]
    assert field_hrefs(actor)["Privacy policy"] == url

    async with client(inst.base) as http:
        page = await get(http, "/c/news/privacy")
    assert page.status == 200 and page.headers["content-type"].startswith("text/html")
    assert "Accept" in page.headers["vary"]
    assert '<h1 id="policy-title">Privacy policy</h1>' in page.text
    assert "<strong>Ask</strong> a moderator to remove yours." in page.text
    assert '<p class="community-name"><a href="/c/news">Daily News</a></p>' in page.text  # the header
    assert "<title>Privacy policy · Daily News · " in page.text
    assert '<a href="/c/news#rules">The rules of Daily News</a>' in page.text


async def test_activitypub_clients_get_the_policy_as_the_note_the_actor_embeds(instance) -> None:
    inst = await instance()
    await inst.community("news", privacy_policy=POLICY)
    embedded = (await actor_of(inst, "news"))["privacyPolicy"]
    async with httpx.AsyncClient() as http:
        resp = await http.get(f"{inst.base}/c/news/privacy", headers={"Accept": AS2_MEDIA})
    assert resp.status_code == 200 and resp.headers["content-type"].startswith("application/activity+json")
    note = resp.json()
    assert note == {"@context": ACTIVITY_CONTEXT, **embedded}  # type: ignore[dict-item]
    assert note["type"] == "Note" and note["attributedTo"] == f"{inst.base}/c/news"


async def test_a_community_without_a_policy_links_none_and_its_page_says_what_is_measured(instance) -> None:
    inst = await instance()
    await inst.community("quiet", title="Quiet Corner", rules="Be kind.")
    actor = await actor_of(inst, "quiet")
    assert "privacyPolicy" not in actor and "Privacy policy" not in field_hrefs(actor)
    async with client(inst.base) as http:
        page = await get(http, "/c/quiet/privacy")
        missing = await get(http, "/c/nobody/privacy")
    assert page.status == 200 and "Quiet Corner has published no privacy policy of its own;" in page.text
    assert "What this community measures" in page.text and "deleted after 400 days" in page.text
    assert "for its staff only, never shown to members, for 30 days" in page.text  # listening
    assert missing.status == 404
    async with httpx.AsyncClient() as http:
        resp = await http.get(f"{inst.base}/c/quiet/privacy", headers={"Accept": AS2_MEDIA})
    assert resp.status_code == 404 and resp.json() == {
        "error": "Quiet Corner has published no privacy policy of its own"
    }


async def test_the_rules_field_lands_on_the_rules_which_keep_their_accessible_name(instance) -> None:
    inst = await instance()
    await inst.community("news", rules="1. Be kind.\n2. Stay on topic.")
    href = field_hrefs(await actor_of(inst, "news"))["Rules"]
    assert href == f"{inst.base}/c/news#rules"
    async with client(inst.base) as http:
        page = await get(http, "/c/news")
    anchors = re.findall(r'id="rules"', page.text)
    assert anchors == ['id="rules"']  # the fragment names exactly one element: the rules' heading
    section = re.search(
        r'<section aria-labelledby="rules">\s*<h2 id="rules">Rules</h2>\s*<div class="text">(.*?)</div>',
        page.text,
        re.S,
    )
    assert section and "<li>Be kind.</li>" in html.unescape(section.group(1))
