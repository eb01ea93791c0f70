"""Property: no request from the network is answered with a 5xx, and nothing accepted crashes processing.

Hypothesis draws hostile bodies, activities, headers, names and page numbers for the inbox, WebFinger,
the actors, the collections, `/activities/…` and the pages, against one real instance on loopback.
Derandomized with a bounded number of examples, so CI runs the same cases every time in seconds.
Every URL drawn points at this machine (the peer, or a closed loopback port) or is malformed: the
instance never resolves or fetches anything elsewhere.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tortoise.expressions import Q

from fedicom.activitypub.models import InboxItem
from fedicom.activitypub.signatures import sign_request
from tests.support.peer import PUBLIC, Peer, Person
from tests.support.servers import Instance
from tests.support.steps import join, until

FUZZ = settings(
    max_examples=60,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
MALFORMED_URLS = [
    "http://a..b/k",
    "http://" + "a" * 70 + ".example/k",
    "http://[::1/k",
    "http://[zz]/k",
    "http://[::1]x/k",
    "https://h:99999/",
    "https://h:²/",
    "https://evil@127.0.0.1/",
    "urn:uuid:1",
    "",
    "http://127.0.0.1/" + "x" * 1100,
    "http://127.0.0.1/\x00",
]
AS_TYPES = ["Create", "Update", "Delete", "Follow", "Undo", "Like", "Dislike", "Announce", "Add", "Remove"]
AS_TYPES += ["Block", "Flag", "Lock", "Accept", "Note", "Page", "Person", "Group", ""]

# JSON text: what a hostile server can put in strings (lone surrogates, NUL, bidi, very long)
texts = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["\ud800", "a\udfffb", "\x00", "\u202e", "<script>x</script>", "²", "x" * 5000]),
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | texts,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(texts, inner, max_size=4),
    max_leaves=12,
)


def urls(base: str) -> st.SearchStrategy[str]:
    """URLs on this machine only (the peer, a closed port) or malformed ones."""
    paths = st.text(st.characters(codec="utf-8"), max_size=30).map(lambda p: quote(p, safe="/"))
    local = st.builds(
        lambda host, path: f"{host}/{path}", st.sampled_from([base, "http://127.0.0.1:1"]), paths
    )
    return st.one_of(local, st.sampled_from(MALFORMED_URLS))


def key_ids(base: str, alice: Person) -> st.SearchStrategy[str]:
    """keyIds a client can put in a header at all (no control or non-ASCII characters)."""
    return (urls(base) | st.just(alice.key_id)).filter(lambda u: u.isascii() and u.isprintable())


async def started(instance: Any, peer: Peer) -> tuple[Instance, str, Person]:
    inst = await instance()
    await inst.community("news", title="News")
    group = f"{inst.base}/c/news"
    alice = peer.person("alice")
    await join(peer, alice, group)
    return inst, group, alice


def no_server_error(response: httpx.Response, what: str) -> None:
    assert response.status_code < 500, f"{what} answered {response.status_code}: {response.text[:300]}"


async def all_processed_without_crashing() -> None:
    """Every stored item ends done (an error there is a refusal with its reason); a crash is retried
    (pending with an error) or failed, and fails the test at once with its message."""

    async def settled() -> list[tuple[str, str]] | bool:
        crashed = await InboxItem.filter(Q(state="failed") | Q(state="pending", error__isnull=False))
        if crashed:
            return [(item.activity_id, item.error or "") for item in crashed]
        return not await InboxItem.filter(state="pending").exists()

    outcome = await until(settled, timeout=30)
    assert outcome is True, f"processing crashed: {outcome}"


@pytest.fixture
async def world(instance: Any, peer: Peer) -> tuple[Instance, str, Person, Peer]:
    inst, group, alice = await started(instance, peer)
    return inst, group, alice, peer


raw_bodies = st.one_of(
    st.binary(max_size=200),
    st.integers(1, 3000).map(lambda n: b"[" * n + b"]" * n),
    st.integers(1, 3000).map(lambda n: b'{"a":' * n + b"1" + b"}" * n),
    st.integers(60, 6000).map(lambda n: b'{"n": ' + b"9" * n + b"}"),
    st.sampled_from([b'{"a": "\xed\xa0\x80"}', b"NaN", b'{"a": 1e999}', b'{"\\u0000": 1}', b"\xff\xfe{}"]),
    json_values.map(lambda v: json.dumps(v).encode()),
)


@FUZZ
@given(data=st.data())
async def test_the_inbox_never_answers_5xx_to_hostile_bodies_and_headers(
    world: Any, data: st.DataObject
) -> None:
    inst, group, alice, peer = world
    body = data.draw(raw_bodies, "body")
    key_id = data.draw(key_ids(peer.base, alice), "keyId")
    inbox = data.draw(st.sampled_from([f"{group}/inbox", f"{inst.base}/inbox"]), "inbox")
    headers = data.draw(
        st.sampled_from(["none", "signed", "forged"]).map(
            lambda how: (
                {}
                if how == "none"
                else sign_request(
                    method="POST", url=inbox, body=body, key_id=key_id, private_key=alice.private_key
                )
                if how == "signed"
                else {"Signature": f'keyId="{key_id}",headers="date",signature="AAAA"', "Date": "yesterday"}
            )
        ),
        "headers",
    )
    async with httpx.AsyncClient(timeout=30) as http:
        response = await http.post(inbox, content=body, headers=headers)
    no_server_error(response, f"POST {inbox}")


def activities(peer: Peer, alice: Person, group: str) -> st.SearchStrategy[dict[str, Any]]:
    """Activities alice really signs, whose every other field is hostile: they reach processing."""
    refs = urls(peer.base) | st.sampled_from([group, f"{group}/featured", f"{group}/moderators", PUBLIC])
    objects = st.one_of(
        refs,
        json_values,
        st.fixed_dictionaries(
            {"id": refs | st.builds(lambda: peer.new_id("objects")), "type": st.sampled_from(AS_TYPES)},
            optional={
                "content": texts,
                "name": texts,
                "attributedTo": refs | st.just(alice.uri),
                "inReplyTo": refs,
                "url": refs,
                "published": texts
                | st.sampled_from(["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00"]),
                "to": st.lists(refs, max_size=3),
                "tag": json_values,
                "object": refs | json_values,
            },
        ),
    )
    return st.fixed_dictionaries(
        {
            "id": st.builds(lambda: peer.new_id()),
            "type": st.sampled_from(AS_TYPES),
            "actor": st.just(alice.uri),
            "object": objects,
        },
        optional={"to": st.lists(refs, max_size=3), "cc": st.just([group]), "target": refs, "summary": texts},
    )


@FUZZ
@given(data=st.data())
async def test_signed_hostile_activities_are_answered_4xx_or_202_and_processed_without_crashing(
    world: Any, data: st.DataObject
) -> None:
    inst, group, alice, peer = world
    activity = data.draw(activities(peer, alice, group), "activity")
    inbox = data.draw(st.sampled_from([f"{group}/inbox", f"{inst.base}/inbox"]), "inbox")
    body = json.dumps(activity).encode()  # lone surrogates travel as \ud800 escapes, as JavaScript sends them
    status, text = await peer.post(alice, inbox, activity, body=body)
    assert status < 500, f"POST {inbox} answered {status}: {text[:300]}"
    await all_processed_without_crashing()


def names() -> st.SearchStrategy[str]:
    return st.one_of(
        st.just("news"),
        st.text(st.characters(codec="utf-8"), max_size=20),
        st.sampled_from(["n" * 300, "news\x00", "NEWS", "..", "%2F", "\uff4e\uff45\uff57\uff53"]),
    ).map(lambda n: quote(n, safe=""))


def pages() -> st.SearchStrategy[str]:
    return st.one_of(
        st.integers(-5, 10**25).map(str),
        st.text(st.characters(codec="utf-8"), max_size=8),
        st.sampled_from(["²", "1e3", "\uff10"]),
    )


@FUZZ
@given(data=st.data())
async def test_public_endpoints_never_answer_5xx(world: Any, data: st.DataObject) -> None:
    inst, _group, alice, peer = world
    name = data.draw(names(), "name")
    page = quote(data.draw(pages(), "page"), safe="")
    resources = st.text(st.characters(codec="utf-8"), max_size=40) | urls(inst.base)
    resource = quote(data.draw(resources | st.just(f"acct:{name}@{inst.settings.domain}")), safe="")
    path = data.draw(
        st.sampled_from(
            [
                f"/c/{name}",
                f"/u/{name}",
                f"/c/{name}/outbox",
                f"/c/{name}/outbox?page={page}",
                f"/c/{name}/featured",
                f"/c/{name}/followers",
                f"/c/{name}/moderators",
                f"/c/{name}/modlog?page={page}",
                f"/c/news?page={page}",
                f"/c/news?sort={name}&page={page}",
                f"/modlog?page={page}",
                f"/activities/{name}",
                f"/.well-known/webfinger?resource={resource}",
                f"/?q={name}&topic={name}&language={name}",
            ]
        ),
        "path",
    )
    accept = data.draw(st.sampled_from(["application/activity+json", "text/html", "", "*/*"]), "accept")
    headers = {"Accept": accept}
    if data.draw(st.booleans(), "signed"):
        key_id = data.draw(key_ids(peer.base, alice), "keyId")
        headers.update(
            sign_request(
                method="GET",
                url=inst.base + path,
                body=None,
                key_id=key_id,
                private_key=alice.private_key,
                headers=headers,
            )
        )
    async with httpx.AsyncClient(timeout=30) as http:
        response = await http.get(inst.base + path, headers=headers)
    no_server_error(response, f"GET {path}")
