"""Given steps of the page tests: a community whose members live on a loopback peer, and their
threads, votes and replies arriving through the real inbox, signed."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from fedicom.activitypub.models import InboxItem
from fedicom.groups.models import Group, Moderator, Post
from fedicom.moderation.removals import remove_post
from fedicom.staff.accounts import create_staff
from tests.support import steps
from tests.support.peer import PUBLIC, Peer, Person
from tests.support.servers import Instance

PASSWORD = "a long password"
RULES = "1. Be kind.\n2. Stay on topic."
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8"
SUMMARY = "News and links about the open web, from anyone who follows. #fediverse #OpenWeb"
PRIVACY = "We keep posts while the community exists. Ask a moderator to remove yours."
DEPTH = 8  # replies in the long chain: deeper than one page shows
# Remote content that tries every way into a page: scripts, event handlers, javascript: URLs, SVG.
XSS_CONTENT = (
    "<p>Totally harmless<script>window.__xss = 'script'; alert('script')</script></p>"
    "<img src=\"x\" onerror=\"window.__xss = 'onerror'; alert('onerror')\">"
    "<a href=\"javascript:window.__xss = 'href'\">a javascript: link</a> "
    "<a href=\" JaVaScRiPt:window.__xss='mixed case'\">another</a> "
    '<a href="data:text/html,&lt;script&gt;alert(1)&lt;/script&gt;">a data: link</a>'
    "<svg onload=\"window.__xss = 'svg onload'\"><script>window.__xss = 'svg script'</script>"
    '<animate onbegin="window.__xss = \'animate\'" attributeName="x" dur="1s"/></svg>'
    '<img src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9ImFsZXJ0KDEpIi8+">'
    "<iframe src=\"javascript:window.__xss = 'iframe'\"></iframe>"
    '<p style="background:url(javascript:alert(1))" onclick="window.__xss = \'click\'">styled</p>'
    "<math><mi xlink:href=\"javascript:window.__xss='math'\">x</mi></math>"
    '<form action="javascript:alert(1)"><button>go</button></form>'
)
XSS_TITLE = "<img src=x onerror=\"window.__xss='title'\"> Look <script>window.__xss='title script'</script>"
XSS_REPLY = (
    '<svg><a xlink:href="javascript:window.__xss=\'svg link\'"><text y="20">svg link</text></a></svg>'
    '<p><a href="https://ok.example/" onmouseover="window.__xss=\'hover\'">hover me</a></p>'
)


@dataclass
class Scene:
    inst: Instance
    peer: Peer
    group: str  # the community's actor URI
    moderator: str
    people: dict[str, Person]
    posts: dict[str, dict[str, Any]] = field(default_factory=dict)  # name -> note as sent

    @property
    def base(self) -> str:
        return self.inst.base

    async def post(self, name: str) -> Post:
        return await post_of(self.posts[name]["id"])


async def send(peer: Peer, person: Person, group: str, activity: dict[str, Any]) -> InboxItem:
    """POST to the community's inbox, signed, and wait until the activity is processed."""
    return await steps.send(peer, person, f"{group}/inbox", activity)


async def join(peer: Peer, person: Person, group: str) -> None:
    """Follow a community of the test's instance, once processed (it may approve its members)."""
    await steps.join(peer, person, group, until="processed")


async def thread(
    peer: Peer, person: Person, group: str, html: str, **extra: Any
) -> tuple[dict[str, Any], InboxItem]:
    extra.setdefault("to", [PUBLIC])
    note = peer.note(person, html, cc=[group], **extra)
    return note, await send(peer, person, group, peer.activity("Create", person, note, to=note["to"]))


async def reply(
    peer: Peer, person: Person, group: str, parent: str, html: str
) -> tuple[dict[str, Any], InboxItem]:
    return await thread(peer, person, group, html, inReplyTo=parent)


async def post_of(object_id: str) -> Post:
    return await Post.get(object_id=object_id).prefetch_related("group")


async def community_with_moderator(inst: Instance, name: str) -> tuple[str, str]:
    """A community with the rules above, moderated by mia (local staff)."""
    await inst.community(name, rules=RULES)
    await create_staff("mia", PASSWORD)
    mod = inst.site.staff_uri("mia")
    await Moderator.create(group=await inst.groups.group(name), actor=mod)
    return f"{inst.base}/c/{name}", mod


def ago(**delta: float) -> str:
    return (datetime.now(UTC) - timedelta(**delta)).strftime("%Y-%m-%dT%H:%M:%SZ")


async def vote(scene: Scene, who: str, post: str, kind: str = "Like") -> None:
    person = scene.people[who]
    await send(scene.peer, person, scene.group, scene.peer.activity(kind, person, scene.posts[post]["id"]))


async def community(
    inst: Instance, peer: Peer, *, members: tuple[str, ...] = ("alice", "bob", "carol", "dave")
) -> Scene:
    """`news` ("Daily News"): summary with topics, rules, privacy policy, a staff moderator, members."""
    group, mod = await community_with_moderator(inst, "news")
    await Group.filter(name="news").update(title="Daily News", summary=SUMMARY, privacy_policy=PRIVACY)
    inst.groups.forget_group("news")
    people = {name: peer.person(name) for name in members}
    for person in people.values():
        await join(peer, person, group)
    return Scene(inst, peer, group, mod, people)


async def discussion(inst: Instance, peer: Peer) -> Scene:
    """Three threads with different ages and scores, a long reply chain, a removed reply with answers."""
    scene = await community(inst, peer)
    alice, bob, carol = (scene.people[n] for n in ("alice", "bob", "carol"))
    lang = {"contentMap": {"en": "<p>x</p>"}}
    scene.posts["old"], _ = await thread(
        peer,
        alice,
        scene.group,
        "<p>An old favourite.</p>",
        name="Old but loved",
        published=ago(days=10),
        **lang,
    )
    scene.posts["fresh"], _ = await thread(
        peer,
        bob,
        scene.group,
        "<p>Just in: <strong>fresh</strong> news.</p>",
        name="Fresh news",
        published=ago(minutes=5),
        **lang,
    )
    scene.posts["disputed"], _ = await thread(
        peer,
        carol,
        scene.group,
        "<p>Tabs are better than spaces.</p>",
        name="Disputed",
        published=ago(hours=2),
        **lang,
    )
    for who in ("alice", "bob", "carol"):
        await vote(scene, who, "old")
    await vote(scene, "alice", "fresh")
    await vote(scene, "alice", "disputed", "Dislike")
    await vote(scene, "bob", "disputed", "Dislike")
    # a chain of replies deeper than one page shows
    parent = scene.posts["fresh"]["id"]
    for level in range(1, DEPTH + 1):
        who = (alice, bob)[level % 2]
        note, _ = await reply(peer, who, scene.group, parent, f"<p>Reply at level {level}</p>")
        scene.posts[f"level{level}"] = note
        parent = note["id"]
    # a reply removed by a moderator, whose answer stays: the removed one shows as a placeholder
    scene.posts["rude"], _ = await reply(
        peer, carol, scene.group, scene.posts["disputed"]["id"], "<p>Rude words</p>"
    )
    scene.posts["calm"], _ = await reply(
        peer, alice, scene.group, scene.posts["rude"]["id"], "<p>Calm answer</p>"
    )
    await remove_post(inst.groups, await scene.post("rude"), scene.moderator, reason="rude")
    return scene


async def attack(scene: Scene) -> None:
    """A member whose server sends every kind of script payload, in a thread and in a reply."""
    peer = scene.peer
    mallory = peer.person(
        "mallory",
        doc_extra={
            "name": "<img src=x onerror=\"window.__xss='name'\">Mallory",
            "url": "javascript:window.__xss='profile'",
            "icon": {"type": "Image", "url": "javascript:window.__xss='icon'"},
        },
    )
    scene.people["mallory"] = mallory
    await join(peer, mallory, scene.group)
    scene.posts["xss"], _ = await thread(
        peer, mallory, scene.group, XSS_CONTENT, name=XSS_TITLE, url="javascript:window.__xss='url'"
    )
    scene.posts["xss reply"], _ = await reply(peer, mallory, scene.group, scene.posts["xss"]["id"], XSS_REPLY)
