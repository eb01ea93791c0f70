"""Pure rules of notifications: who is told about a post, when digests go out, how webhooks are signed,
and what an email says (escaped, with a link to the staff inbox)."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime

import pytest

from fedicom.groups.communities import Site
from fedicom.jobs.runner import FinalFailure, RetryLater
from fedicom.notifications import webhooks
from fedicom.notifications.channels import next_digest
from fedicom.notifications.mail import Letterhead, compose
from fedicom.notifications.models import NotificationKind as K
from fedicom.notifications.recipients import PostFacts, post_recipients, writes_mention
from fedicom.notifications.told import Told
from tests.support.replay import fixtures_dir

SITE = Site("https://groups.example", "groups.example")
NEWS = SITE.uri("news")
MIA, OTTO = SITE.staff_uri("mia"), SITE.staff_uri("otto")
BOB = "https://social.example/users/bob"


def facts(**kw: object) -> PostFacts:
    values: dict[str, object] = {
        "author": BOB,
        "parent_author": None,
        "mentions": (),
        "text": "",
        "held": False,
    }
    values.update(kw)
    return PostFacts(**values)  # type: ignore[arg-type]


def test_a_reply_to_a_staff_post_tells_its_author_once_even_when_it_also_mentions_them() -> None:
    told = post_recipients(SITE, "news", facts(parent_author=MIA, mentions=(MIA,), text="@mia yes"), ["otto"])
    assert told == {"mia": K.REPLY}


def test_a_mention_of_staff_tells_them_and_a_remote_parent_tells_nobody() -> None:
    told = post_recipients(SITE, "news", facts(parent_author=BOB, mentions=(OTTO, BOB)), ["mia"])
    assert told == {"otto": K.MENTION}
    assert post_recipients(SITE, "news", facts(parent_author=BOB), ["mia"]) == {}
    unknown = SITE.staff_uri("Not A Name!")
    assert post_recipients(SITE, "news", facts(mentions=(unknown,)), ["mia"]) == {}


def test_a_community_mention_written_in_a_reply_calls_its_moderators() -> None:
    reply = facts(parent_author=BOB, mentions=(NEWS,), text="@news@groups.example please look at this")
    assert post_recipients(SITE, "news", reply, ["mia", "otto"]) == {"mia": K.MENTION, "otto": K.MENTION}


def test_a_community_mention_that_only_addresses_a_thread_calls_nobody() -> None:
    thread = facts(mentions=(NEWS,), text="@news here is my first post")
    assert post_recipients(SITE, "news", thread, ["mia"]) == {}


def test_lemmys_automatic_community_mention_on_every_comment_calls_nobody() -> None:
    """Lemmy tags each comment with Mentions of its community and of the parent's author, writing
    neither in the text: the parent's author hears of the reply, the moderators hear nothing."""
    comment = json.loads((fixtures_dir() / "lemmy" / "objects" / "comment.json").read_text())
    site = Site("https://enterprise.lemmy.ml", "enterprise.lemmy.ml")  # as if it were this server
    mentions = tuple(t["href"] for t in comment["tag"] if t["type"] == "Mention")
    assert site.uri("tenforward") in mentions
    picard = site.staff_uri("picard")
    post = facts(parent_author=picard, mentions=mentions, text=comment["content"])
    assert post_recipients(site, "tenforward", post, ["mod"]) == {"picard": K.REPLY}


def test_a_held_post_tells_the_moderators_only_and_never_its_own_author() -> None:
    held = facts(author=OTTO, parent_author=MIA, mentions=(MIA,), held=True)
    assert post_recipients(SITE, "news", held, ["mia", "otto"]) == {"mia": K.HELD_POST}
    own = facts(author=MIA, parent_author=MIA, mentions=(MIA, NEWS), text="@news")
    assert post_recipients(SITE, "news", own, ["mia"]) == {}


def test_a_written_mention_is_a_whole_name() -> None:
    assert writes_mention("hey @News, look", "news") and writes_mention("cc @news@groups.example", "news")
    assert not writes_mention("@newsroom", "news") and not writes_mention("a@news", "news")
    assert not writes_mention("news", "news")


def test_a_digest_goes_out_at_the_next_chosen_hour_utc() -> None:
    assert next_digest(datetime(2026, 12, 5, 6, 30, tzinfo=UTC), 8) == datetime(2026, 12, 5, 8, tzinfo=UTC)
    assert next_digest(datetime(2026, 12, 5, 8, 0, tzinfo=UTC), 8) == datetime(2026, 12, 6, 8, tzinfo=UTC)
    assert next_digest(datetime(2026, 12, 31, 23, 0, tzinfo=UTC), 0) == datetime(2027, 1, 1, 0, tzinfo=UTC)


def test_the_webhook_signature_is_the_hmac_of_timestamp_dot_body() -> None:
    body = b'{"event":"reply"}'
    expected = hmac.new(b"s3cret-s3cret-s3cret", b"1765000000." + body, hashlib.sha256).hexdigest()
    assert webhooks.signature("s3cret-s3cret-s3cret", 1765000000, body) == f"sha256={expected}"
    signed = webhooks.signature("s3cret-s3cret-s3cret", 1765000000, body)
    assert webhooks.verify("s3cret-s3cret-s3cret", "1765000000", body, signed, now=1765000100)
    assert not webhooks.verify("s3cret-s3cret-s3cret", "1765000000", body + b" ", signed, now=1765000100)
    assert not webhooks.verify("another-secret-here", "1765000000", body, signed, now=1765000100)
    assert not webhooks.verify("s3cret-s3cret-s3cret", "1765000001", body, signed, now=1765000100)
    # a replay after five minutes is refused, however well signed
    assert not webhooks.verify("s3cret-s3cret-s3cret", "1765000000", body, signed, now=1765000301)
    assert not webhooks.verify("s3cret-s3cret-s3cret", "-1", body, signed, now=0)


@pytest.mark.parametrize(
    ("status", "outcome"),
    [
        (200, None),
        (204, None),
        (408, RetryLater),
        (429, RetryLater),
        (500, RetryLater),
        (503, RetryLater),
        (301, FinalFailure),
        (400, FinalFailure),
        (404, FinalFailure),
        (410, FinalFailure),
    ],
)
def test_a_webhook_answer_is_done_retried_or_final(status: int, outcome: type[Exception] | None) -> None:
    if outcome is None:
        webhooks.outcome(status, None)
    else:
        with pytest.raises(outcome):
            webhooks.outcome(status, None)


def told(**kw: object) -> Told:
    values: dict[str, object] = {
        "id": 7,
        "kind": K.REPLY,
        "community": "news",
        "actor": BOB,
        "actor_name": "@bob@social.example",
        "url": "https://groups.example/c/news/p/12",
        "excerpt": "I <b>agree</b> & more",
        "created": datetime(2026, 12, 5, 9, tzinfo=UTC),
    }
    values.update(kw)
    return Told(**values)  # type: ignore[arg-type]


def test_an_email_says_what_happened_escapes_the_excerpt_and_links_the_inbox() -> None:
    head = Letterhead("Groups", "https://groups.example")
    message = compose(
        [told()], to="mia@example.org", sender="fedicom@groups.example", head=head, digest=False
    )
    assert message["Subject"] == "[Groups] @bob@social.example replied to your post in news"
    assert message["To"] == "mia@example.org" and message["Auto-Submitted"] == "auto-generated"
    text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    page = message.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert "> I <b>agree</b> & more" in text and "https://groups.example/staff/inbox" in text
    assert "I &lt;b&gt;agree&lt;/b&gt; &amp; more" in page and "<b>agree" not in page
    assert '<a href="https://groups.example/staff/inbox">Open your staff inbox</a>' in page


def test_a_digest_lists_every_item_and_no_line_break_reaches_a_header() -> None:
    head = Letterhead("Groups\r\nBcc: x@evil.example", "https://groups.example")
    items = [told(), told(id=8, kind=K.REPORT, community=None, excerpt="spam")]
    message = compose(items, to="mia@example.org", sender="fedicom@groups.example", head=head, digest=True)
    assert message["Subject"] == "[Groups Bcc: x@evil.example] 2 new notifications today"
    assert message["Bcc"] is None
    text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "@bob@social.example filed a report about this server." in text and "> spam" in text
