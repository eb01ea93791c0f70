"""Discovery end to end: WebFinger, host-meta, NodeInfo, the Group actor and its collections.

What Mastodon and Lemmy read when they look a community up (federation.md §2.9, §3.5, §5.2),
fetched over real HTTP from a fedicom instance on loopback.
"""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import quote

import aiohttp
import pytest

from fedicom.groups import membership
from fedicom.groups.models import Group, Moderator
from tests.support.peer import PUBLIC, Peer, Person
from tests.support.servers import Instance
from tests.support.steps import join, processed

AS = "https://www.w3.org/ns/activitystreams"
SECURITY = "https://w3id.org/security/v1"
AS2 = "application/activity+json"
LD = 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"'
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8"
AS_TYPE = "https://www.w3.org/ns/activitystreams#type"
NODEINFO = "http://nodeinfo.diaspora.software/ns/schema/"
# Terms of the ActivityStreams and security/v1 contexts a Group actor uses.
CORE_TERMS = {
    "@context",
    "id",
    "type",
    "preferredUsername",
    "name",
    "summary",
    "source",
    "mediaType",
    "url",
    "inbox",
    "outbox",
    "followers",
    "attributedTo",
    "endpoints",
    "publicKey",
    "published",
    "updated",
    "attachment",
    "icon",
    "image",
}


async def fetch(url: str, accept: str = AS2) -> tuple[int, dict[str, str], str]:
    """(status, headers, text) of an unsigned GET, as a browser or a crawler would do it."""
    async with aiohttp.ClientSession() as session, session.get(url, headers={"Accept": accept}) as resp:
        return resp.status, dict(resp.headers), await resp.text()


async def webfinger(inst: Instance, resource: str) -> tuple[int, dict[str, str], Any]:
    status, headers, text = await fetch(
        f"{inst.base}/.well-known/webfinger?resource={quote(resource, safe='')}",
        accept="application/jrd+json",
    )
    return status, headers, json.loads(text)


def self_link(jrd: dict[str, Any]) -> dict[str, Any]:
    return next(link for link in jrd["links"] if link["rel"] == "self")


async def post_thread(
    peer: Peer, inst: Instance, author: Person, group_uri: str, content: str
) -> dict[str, Any]:
    note = peer.note(author, content, to=[PUBLIC], cc=[group_uri])
    create = peer.activity("Create", author, note, to=[PUBLIC], cc=[group_uri])
    status, text = await peer.post(author, f"{inst.base}/inbox", create)
    assert status == 202, text
    await processed(create["id"])
    return note


# --- WebFinger


async def test_webfinger_acct_handle_leads_to_the_group(instance) -> None:
    inst = await instance()
    await inst.community("news", title="News")
    group_uri = f"{inst.base}/c/news"

    status, headers, jrd = await webfinger(inst, f"acct:news@{inst.settings.domain}")

    assert status == 200
    assert headers["Content-Type"].split(";")[0] == "application/jrd+json"
    assert headers["Access-Control-Allow-Origin"] == "*"
    assert jrd["subject"] == f"acct:news@{inst.settings.domain}"
    link = self_link(jrd)
    assert link["type"] == AS2 and link["href"] == group_uri
    assert link["properties"][AS_TYPE] == "Group"


async def test_webfinger_resolves_the_actor_url_back_to_the_handle(instance) -> None:
    inst = await instance()
    await inst.community("news")
    group_uri = f"{inst.base}/c/news"

    status, headers, jrd = await webfinger(inst, group_uri)

    assert status == 200 and headers["Access-Control-Allow-Origin"] == "*"
    assert jrd["subject"] == f"acct:news@{inst.settings.domain}"
    assert self_link(jrd)["href"] == group_uri


async def test_webfinger_accepts_old_lemmy_group_resources(instance) -> None:
    inst = await instance()
    await inst.community("news")

    status, _, jrd = await webfinger(inst, f"group:news@{inst.settings.domain}")

    assert status == 200
    assert self_link(jrd)["href"] == f"{inst.base}/c/news"


async def test_webfinger_handle_matches_the_actors_preferred_username(instance, peer: Peer) -> None:
    """Mastodon's reverse check: acct:<preferredUsername>@<host> must lead back to the same actor."""
    inst = await instance()
    await inst.community("news")
    group = await peer.get(f"{inst.base}/c/news")

    _, _, jrd = await webfinger(inst, f"acct:{group['preferredUsername']}@{inst.settings.domain}")

    assert self_link(jrd)["href"] == group["id"]


@pytest.mark.parametrize(
    "resource",
    [
        "acct:nobody@{domain}",
        "acct:news@elsewhere.example",
        "group:news@elsewhere.example",
        "https://elsewhere.example/c/news",
        "{base}/c/nobody",
    ],
)
async def test_webfinger_of_unknown_names_and_foreign_domains_is_a_json_404(instance, resource: str) -> None:
    inst = await instance()
    await inst.community("news")
    resource = resource.format(domain=inst.settings.domain, base=inst.base)

    status, headers, doc = await webfinger(inst, resource)

    assert status == 404
    assert headers["Content-Type"].startswith("application/json")
    assert isinstance(doc["error"], str) and doc["error"]


@pytest.mark.parametrize("query", ["", "?resource=", "?resource=news", "?resource=acct%3Anews"])
async def test_webfinger_without_a_usable_resource_is_a_bad_request(instance, query: str) -> None:
    """RFC 7033 §4.2: an absent or malformed resource parameter MUST be answered 400."""
    inst = await instance()
    await inst.community("news")

    status, headers, text = await fetch(
        f"{inst.base}/.well-known/webfinger{query}", accept="application/jrd+json"
    )

    assert status == 400, text
    assert headers["Content-Type"].startswith("application/json")
    assert json.loads(text)["error"]


async def test_instance_actor_is_an_application_with_a_key_and_has_webfinger(instance, peer: Peer) -> None:
    """Mastodon in authorized-fetch mode resolves the actor that signs our fetches (§3.4)."""
    inst = await instance()

    status, headers, text = await fetch(f"{inst.base}/actor")
    actor = json.loads(text)

    assert status == 200 and headers["Content-Type"].startswith(AS2)
    assert actor["id"] == f"{inst.base}/actor" and actor["type"] == "Application"
    assert actor["publicKey"]["id"] == f"{actor['id']}#main-key"
    assert actor["publicKey"]["owner"] == actor["id"]
    assert actor["publicKey"]["publicKeyPem"].startswith("-----BEGIN PUBLIC KEY-----")
    assert actor["inbox"].startswith(inst.base)
    for resource in (f"acct:{actor['preferredUsername']}@{inst.settings.domain}", actor["id"]):
        status, _, jrd = await webfinger(inst, resource)
        assert status == 200, resource
        assert self_link(jrd)["href"] == actor["id"]
        assert self_link(jrd)["properties"][AS_TYPE] == "Application"


# --- host-meta and NodeInfo


async def test_host_meta_advertises_webfinger_as_xrd_and_json(instance) -> None:
    inst = await instance()
    template = f"{inst.base}/.well-known/webfinger?resource={{uri}}"

    status, headers, xrd = await fetch(f"{inst.base}/.well-known/host-meta", accept="application/xrd+xml")
    assert status == 200 and headers["Content-Type"].startswith("application/xrd+xml")
    assert 'rel="lrdd"' in xrd and f'template="{template}"' in xrd

    for url, accept in (
        (f"{inst.base}/.well-known/host-meta.json", "*/*"),
        (f"{inst.base}/.well-known/host-meta", "application/json"),
    ):
        status, headers, text = await fetch(url, accept=accept)
        assert status == 200 and headers["Content-Type"].startswith("application/json"), url
        assert json.loads(text)["links"] == [{"rel": "lrdd", "template": template}]


async def test_nodeinfo_links_both_versions_with_real_usage_counts(instance, peer: Peer) -> None:
    inst = await instance()
    for name in ("news", "tech", "quiet"):
        await inst.community(name)
    alice, bob = peer.person("alice"), peer.person("bob")
    # Given two people who joined through the inbox, bob in two communities
    await join(peer, alice, f"{inst.base}/c/news")
    await join(peer, bob, f"{inst.base}/c/news")
    await join(peer, bob, f"{inst.base}/c/tech")

    status, headers, text = await fetch(f"{inst.base}/.well-known/nodeinfo", accept="application/json")
    assert status == 200 and headers["Access-Control-Allow-Origin"] == "*"
    links = {link["rel"]: link["href"] for link in json.loads(text)["links"]}
    assert links == {
        f"{NODEINFO}2.0": f"{inst.base}/nodeinfo/2.0",
        f"{NODEINFO}2.1": f"{inst.base}/nodeinfo/2.1",
    }

    for version in ("2.0", "2.1"):
        status, headers, text = await fetch(links[f"{NODEINFO}{version}"], accept="application/json")
        doc = json.loads(text)
        assert status == 200 and headers["Content-Type"].startswith("application/json")
        assert doc["version"] == version
        assert doc["software"]["name"] == "fedicom" and doc["protocols"] == ["activitypub"]
        assert doc["usage"]["users"]["total"] == 2
        assert doc["metadata"]["communities"] == await Group.all().count() == 3
    status, _, _ = await fetch(f"{inst.base}/nodeinfo/1.0", accept="application/json")
    assert status == 404


# --- the Group actor


async def test_group_url_serves_as2_json_to_activitypub_clients(instance) -> None:
    inst = await instance()
    await inst.community("news", title="News")
    group_uri = f"{inst.base}/c/news"

    for accept in (AS2, LD, f"{LD}, text/html;q=0.5"):
        status, headers, text = await fetch(group_uri, accept=accept)
        assert status == 200, accept
        assert headers["Content-Type"] == AS2, accept
        assert json.loads(text)["id"] == group_uri


async def test_group_url_serves_a_page_to_browsers(instance) -> None:
    inst = await instance()
    await inst.community("news", title="Daily News", summary="What happened.", rules="Cite your sources.")

    status, headers, html = await fetch(f"{inst.base}/c/news", accept=BROWSER)

    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert "<title>Daily News" in html
    assert "Cite your sources." in html
    assert f"@news@{inst.settings.domain}" in html


async def test_group_url_varies_on_accept_so_caches_keep_html_and_json_apart(instance) -> None:
    """One URL, two representations: without `Vary: Accept` a cache may hand HTML to a fediverse server."""
    inst = await instance()
    await inst.community("news")

    for accept in (AS2, BROWSER):
        _, headers, _ = await fetch(f"{inst.base}/c/news", accept=accept)
        vary = {v.strip().lower() for v in headers.get("Vary", "").split(",")}
        assert "accept" in vary, (accept, headers)


async def test_group_actor_has_every_field_followers_need(instance) -> None:
    inst = await instance()
    await inst.community(
        "news", title="News", summary="All the *news*.", rules="Be kind.", privacy_policy="We keep nothing."
    )
    uri = f"{inst.base}/c/news"

    _, _, text = await fetch(uri)
    actor = json.loads(text)

    assert actor["type"] == "Group" and actor["id"] == uri
    assert actor["preferredUsername"] == "news" and actor["name"] == "News"
    assert "<em>news</em>" in actor["summary"]
    assert actor["source"]["mediaType"] == "text/markdown" and "All the *news*." in actor["source"]["content"]
    assert actor["inbox"] == f"{uri}/inbox"
    assert actor["outbox"] == f"{uri}/outbox"
    assert actor["followers"] == f"{uri}/followers"
    assert actor["featured"] == f"{uri}/featured"
    assert actor["attributedTo"] == f"{uri}/moderators"
    assert actor["endpoints"]["sharedInbox"] == f"{inst.base}/inbox"
    assert actor["publicKey"]["id"] == f"{uri}#main-key"
    assert actor["publicKey"]["owner"] == uri
    assert actor["publicKey"]["publicKeyPem"].startswith("-----BEGIN PUBLIC KEY-----")
    assert actor["manuallyApprovesFollowers"] is False
    assert actor["discoverable"] is True
    assert actor["postingRestrictedToMods"] is False
    assert actor["sensitive"] is False
    for stamp in ("published", "updated"):
        assert time.strptime(actor[stamp], "%Y-%m-%dT%H:%M:%SZ"), stamp
    # rules and privacy policy travel with the actor
    assert "Be kind." in actor["rules"][0]["content"]
    assert "We keep nothing." in actor["privacyPolicy"]["content"]
    # every collection it names answers with AS2 JSON
    for key in ("outbox", "followers", "featured", "attributedTo"):
        status, headers, body = await fetch(actor[key])
        assert status == 200 and headers["Content-Type"] == AS2, key
        assert json.loads(body)["id"] == actor[key]


async def test_group_actor_context_references_only_the_two_shipped_contexts(instance) -> None:
    """No peer ever has to fetch a context of ours: extension terms are defined inline."""
    inst = await instance()
    await inst.community("news", rules="Be kind.", privacy_policy="We keep nothing.")

    _, _, text = await fetch(f"{inst.base}/c/news")
    actor = json.loads(text)
    context = actor["@context"]

    assert isinstance(context, list)
    assert [c for c in context if isinstance(c, str)] == [AS, SECURITY]
    inline = [c for c in context if not isinstance(c, str)]
    assert inline and all(isinstance(c, dict) for c in inline)
    defined = {term for c in inline for term in c}
    assert set(actor) - CORE_TERMS <= defined, set(actor) - CORE_TERMS - defined


async def test_followers_collection_publishes_only_its_count(instance, peer: Peer) -> None:
    inst = await instance()
    await inst.community("news")
    alice, bob = peer.person("alice"), peer.person("bob")
    await join(peer, alice, f"{inst.base}/c/news")
    await join(peer, bob, f"{inst.base}/c/news")

    _, _, text = await fetch(f"{inst.base}/c/news/followers")
    followers = json.loads(text)

    assert followers["totalItems"] == 2
    assert not followers.get("items") and not followers.get("orderedItems") and "first" not in followers
    assert alice.uri not in text and bob.uri not in text


async def test_moderators_collection_is_an_inline_ordered_collection(instance, peer: Peer) -> None:
    inst = await instance()
    group = await inst.community("news")
    mods = [peer.person("mod1").uri, peer.person("mod2").uri]
    for uri in mods:
        await Moderator.create(group=group, actor=uri)

    _, _, text = await fetch(f"{inst.base}/c/news/moderators")
    collection = json.loads(text)

    assert collection["type"] == "OrderedCollection"
    assert collection["orderedItems"] == mods and collection["totalItems"] == 2


async def test_outbox_lists_announces_newest_first_in_pages(instance, peer: Peer) -> None:
    inst = await instance()
    await inst.community("news")
    uri = f"{inst.base}/c/news"
    alice = peer.person("alice")
    await join(peer, alice, uri)
    # Given 21 threads: each is announced twice (the activity, and the object for Mastodon)
    notes = [await post_thread(peer, inst, alice, uri, f"<p>post {i}</p>") for i in range(21)]
    index = {note["id"]: i for i, note in enumerate(notes)}

    _, _, text = await fetch(f"{uri}/outbox")
    outbox = json.loads(text)
    pages = [json.loads((await fetch(f"{uri}/outbox?page={n}"))[2]) for n in (1, 2, 3)]

    assert outbox["type"] == "OrderedCollection" and outbox["totalItems"] == 42
    assert outbox["first"] == f"{uri}/outbox?page=1" and outbox["last"] == f"{uri}/outbox?page=3"
    assert [p["id"] for p in pages] == [f"{uri}/outbox?page={n}" for n in (1, 2, 3)]
    assert [p["type"] for p in pages] == ["OrderedCollectionPage"] * 3
    assert all(p["partOf"] == f"{uri}/outbox" for p in pages)
    assert [p.get("prev") for p in pages] == [None, f"{uri}/outbox?page=1", f"{uri}/outbox?page=2"]
    assert [p.get("next") for p in pages] == [f"{uri}/outbox?page=2", f"{uri}/outbox?page=3", None]
    assert [len(p["orderedItems"]) for p in pages] == [20, 20, 2]
    assert outbox["orderedItems"] == pages[0]["orderedItems"]
    items = [item for p in pages for item in p["orderedItems"]]
    assert len({item["id"] for item in items}) == 42
    assert all(item["type"] == "Announce" and item["actor"] == uri for item in items)

    def post_index(item: dict[str, Any]) -> int:
        inner = item["object"]
        return index[inner["object"]["id"] if isinstance(inner, dict) else inner]

    order = [post_index(item) for item in items]
    assert order == sorted(order, reverse=True)
    assert order[0] == 20 and order[-1] == 0


async def test_private_community_outbox_shows_only_its_count(instance, peer: Peer) -> None:
    inst = await instance()
    group = await inst.community("secret", private=True)
    uri = f"{inst.base}/c/secret"
    alice = peer.person("alice")
    await join(peer, alice, uri, until="processed")
    await membership.approve(inst.groups, group, alice.uri)
    await peer.wait_for(lambda: peer.received_of("Accept"))
    await post_thread(peer, inst, alice, uri, "<p>members only</p>")
    announces = await peer.wait_for(
        lambda: len(peer.received_of("Announce")) >= 2 and peer.received_of("Announce")
    )

    for url in (f"{uri}/outbox", f"{uri}/outbox?page=1"):
        _, _, text = await fetch(url)
        outbox = json.loads(text)
        assert outbox["orderedItems"] == [] and "first" not in outbox and "next" not in outbox, url
        assert "members only" not in text
        assert outbox["totalItems"] == 2, url
    # and its announces cannot be fetched by id either
    for announce in announces:
        status, _, _ = await fetch(announce["id"])
        assert status == 404


async def test_public_announce_dereferences_to_what_was_delivered(instance, peer: Peer) -> None:
    inst = await instance()
    await inst.community("news")
    uri = f"{inst.base}/c/news"
    alice = peer.person("alice")
    await join(peer, alice, uri)
    await post_thread(peer, inst, alice, uri, "<p>hello</p>")
    delivered = await peer.wait_for(
        lambda: len(peer.received_of("Announce")) >= 2 and peer.received_of("Announce")
    )

    for announce in delivered:
        assert announce["id"].startswith(f"{inst.base}/activities/")
        status, headers, text = await fetch(announce["id"])
        assert status == 200 and headers["Content-Type"] == AS2
        assert json.loads(text) == announce
    # an Accept is addressed to one follower only and is not served to anyone
    accept = peer.received_of("Accept")[0]
    status, _, _ = await fetch(accept["id"])
    assert status == 404
