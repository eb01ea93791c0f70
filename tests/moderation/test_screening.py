"""Automatic moderation decisions, filters, rules and the moderation wire shapes: pure, no server."""

from __future__ import annotations

import time

import pytest

from fedicom.activitypub.vocab import PUBLIC
from fedicom.errors import BadRequest
from fedicom.moderation import screening
from fedicom.moderation.community_updates import parse_group_update, validate_changes
from fedicom.moderation.content_wire import (
    build_featured,
    build_lock,
    build_remove,
    build_undo,
    build_update_group,
)
from fedicom.moderation.filters import ActiveFilter, compile_filter
from fedicom.moderation.rules import removal_reason, rules_list
from fedicom.moderation.screening import Verdict

GROUP = "https://groups.example/c/news"
MOD = "https://groups.example/u/mia"


def active(fid: int, pattern: str, *, regex: bool = False, action: str = "hold") -> ActiveFilter:
    return ActiveFilter(fid, None, pattern, regex, action, compile_filter(pattern, regex))


# --- filters --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("keyword", "text", "found"),
    [
        ("viagra", "Buy VIAGRA now", "VIAGRA"),
        ("ass", "a class act", None),  # whole words only: no Scunthorpe problem
        ("crypto scam", "a crypto\n  scam here", "crypto\n  scam"),  # any spacing between words
        ("c++", "I like C++ a lot", "C++"),  # keywords ending in a symbol still match
        ("café", "au CAFÉ du coin", "CAFÉ"),
    ],
)
def test_keywords_match_whole_words_ignoring_case(keyword: str, text: str, found: str | None) -> None:
    assert compile_filter(keyword, False)(text) == found


def test_regular_expressions_ignore_case_and_report_what_matched() -> None:
    match = compile_filter(r"free \$\d+ (gift|voucher)", True)
    assert match("Get a FREE $100 Voucher today") == "FREE $100 Voucher"
    assert match("free stuff") is None


@pytest.mark.parametrize(
    ("pattern", "regex", "message"),
    [
        ("(unclosed", True, "not a usable regular expression: missing )"),
        (r"(?<=a)b", True, "not a usable regular expression"),  # lookbehind: not in RE2
        ("x{5000}", True, "not a usable regular expression"),
        ("   ", False, "needs a keyword"),
        ("a" * 501, False, "at most 500 characters"),
        ("two\nlines", False, "one line"),
    ],
)
def test_unusable_patterns_are_refused_with_the_reason(pattern: str, regex: bool, message: str) -> None:
    with pytest.raises(BadRequest, match=message.replace("(", r"\(").replace(")", r"\)")):
        compile_filter(pattern, regex)


def test_a_catastrophic_backtracking_pattern_runs_in_linear_time() -> None:
    """`^(a+)+$` takes exponential time in Python's re on 'aaa…!'; RE2 answers at once."""
    match = compile_filter(r"^(a+)+$", True)
    text = "a" * 50_000 + "!"
    began = time.perf_counter()
    assert match(text) is None
    assert time.perf_counter() - began < 0.5


def test_reject_filters_win_over_hold_filters_and_the_reason_names_the_filter() -> None:
    filters = [active(1, "casino"), active(2, "spam", action="reject")]
    verdict = screening.filter_decision("casino spam", filters)
    assert verdict.action == "reject" and "filter #2 (keyword 'spam')" in verdict.reason
    assert screening.filter_decision("casino night", filters).action == "hold"
    assert screening.filter_decision("a quiet evening", filters) == screening.ACCEPT


# --- what is scanned and counted --------------------------------------------------------------------------

CONTENT = (
    '<p>See <a href="https://shop.example/a" rel="nofollow">this</a>, '
    '<a href="https://shop.example/a">again</a> and <a href="https://other.example/b">that</a>. '
    '<a href="https://m.example/@bob" class="u-url mention">@bob</a> '
    '<a href="https://m.example/tags/x" class="mention hashtag">#x</a> '
    '<a href="/relative">here</a></p>'
)


def test_links_are_counted_once_each_without_mentions_hashtags_or_relative_links() -> None:
    obj = {"attachment": [{"type": "Link", "href": "https://news.example/story"}, {"type": "Image"}]}
    assert screening.links_of(obj, CONTENT) == {
        "https://shop.example/a",
        "https://other.example/b",
        "https://news.example/story",  # a Lemmy link post's link
    }


def test_the_scanned_text_has_title_warning_text_and_links_and_is_capped() -> None:
    obj = {"name": "Great &amp; cheap", "summary": "cw: ads"}
    text = screening.scanned_text(obj, CONTENT)
    assert "Great & cheap" in text and "cw: ads" in text and "See this, again" in text
    assert "https://other.example/b" in text
    assert compile_filter("viagra", False)(screening.scanned_text({}, "<p><b>vi</b>agra</p>")) == "viagra"
    long = screening.scanned_text({}, "<p>" + "word " * 40_000 + "</p>")
    assert len(long) == screening.MAX_SCANNED


def test_too_many_links_wait_for_a_moderator() -> None:
    assert screening.link_decision(3, 3) == screening.ACCEPT
    held = screening.link_decision(4, 3)
    assert held.action == "hold" and "4 links" in held.reason and "more than 3" in held.reason


def test_rate_limits_refuse_once_the_hour_is_full_and_zero_means_no_limit() -> None:
    assert screening.rate_decision(29, 30, "alice").action == "accept"
    refused = screening.rate_decision(30, 30, "https://x.example/u/alice")
    assert refused.action == "reject" and "30 posts in the last hour; the limit is 30" in refused.reason
    assert screening.rate_decision(10_000, 0, "anyone") == screening.ACCEPT


@pytest.mark.parametrize(
    ("mode", "established", "action"),
    [
        ("off", False, "accept"),
        ("all", True, "hold"),
        ("new_members", False, "hold"),
        ("new_members", True, "accept"),
    ],
)
def test_premoderation_holds_all_posts_or_new_members_posts(
    mode: str, established: bool, action: str
) -> None:
    assert screening.premoderation_decision(mode, established=established).action == action


def test_any_rejection_wins_then_the_first_hold() -> None:
    hold1, hold2, reject = Verdict("hold", "one"), Verdict("hold", "two"), Verdict("reject", "no")
    assert screening.combine([screening.ACCEPT, hold1, reject, hold2]) == reject
    assert screening.combine([screening.ACCEPT, hold1, hold2]) == hold1
    assert screening.combine([]) == screening.ACCEPT


# --- rules cited in removals --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "listed"),
    [
        ("1. Be kind.\n2. Stay on topic.", ["Be kind.", "Stay on topic."]),
        ("Our rules:\n\n1) No spam\n   (really)\n2) No ads", ["No spam", "No ads"]),
        ("- Be kind\n* Be brief", ["Be kind", "Be brief"]),
        ("# Rules\nBe kind\n\nBe brief", ["Be kind", "Be brief"]),
        ("", []),
    ],
)
def test_rules_are_read_as_a_numbered_list(text: str, listed: list[str]) -> None:
    assert rules_list(text) == listed


def test_a_removal_cites_the_rule_broken() -> None:
    rules = "1. Be kind.\n2. Stay on topic."
    assert removal_reason("news", rules, 2, "") == "Rule 2: Stay on topic."
    assert removal_reason("news", rules, 1, " insults  ") == "Rule 1: Be kind. insults"
    assert removal_reason("news", rules, None, "spam") == "spam"
    with pytest.raises(BadRequest, match="news has 2 rules; there is no rule 3"):
        removal_reason("news", rules, 3, "")
    with pytest.raises(BadRequest, match="has no rules to cite"):
        removal_reason("news", "", 1, "")
    with pytest.raises(BadRequest, match="say why"):
        removal_reason("news", rules, None, "  ")


# --- the wire shapes, as Lemmy reads them (federation.md §2.5) ----------------------------------------


def test_a_removal_is_a_delete_with_summary_and_public_in_to() -> None:
    delete = build_remove(
        activity_uri="https://groups.example/activities/1",
        actor=MOD,
        object_uri="https://lemmy.example/post/1",
        group_uri=GROUP,
        reason="Rule 2: Stay on topic.",
        private=False,
    )
    assert {k: delete[k] for k in ("type", "actor", "object", "to", "cc", "audience", "summary")} == {
        "type": "Delete",
        "actor": MOD,
        "object": "https://lemmy.example/post/1",
        "to": [PUBLIC],
        "cc": [GROUP],
        "audience": GROUP,
        "summary": "Rule 2: Stay on topic.",
    }
    private = build_remove(
        activity_uri="x", actor=MOD, object_uri="o", group_uri=GROUP, reason="r", private=True
    )
    assert PUBLIC not in private["to"] + private["cc"]


def test_lock_pin_update_and_undo_shapes() -> None:
    lock = build_lock(
        activity_uri="l", actor=MOD, object_uri="p", group_uri=GROUP, reason="heated", private=False
    )
    assert (lock["type"], lock["to"], lock["cc"], lock["summary"]) == (
        "Lock",
        [GROUP, PUBLIC],
        [GROUP],
        "heated",
    )
    undo = build_undo(activity_uri="u", actor=MOD, undone=lock)
    assert undo["object"]["id"] == "l" and "@context" not in undo["object"] and undo["to"] == lock["to"]
    pin = build_featured("Add", activity_uri="a", actor=MOD, object_uri="p", group_uri=GROUP, private=False)
    assert (pin["type"], pin["target"], pin["object"]) == ("Add", f"{GROUP}/featured", "p")
    doc = {"@context": ["x"], "type": "Group", "id": GROUP, "name": "News"}
    update = build_update_group(activity_uri="u2", actor=MOD, group_doc=doc, group_uri=GROUP, private=False)
    assert update["actor"] == MOD and update["object"] == {"type": "Group", "id": GROUP, "name": "News"}


# --- community updates ----------------------------------------------------------------------------------


def test_a_remote_group_update_is_read_into_our_settings() -> None:
    doc = {
        "type": "Group",
        "id": GROUP,
        "name": "The Updated Community",
        "summary": "<p>updated 2</p>\n",
        "source": {"content": "updated 2\n\n## Rules\n\n1. Be kind.", "mediaType": "text/markdown"},
        "sensitive": True,
        "postingRestrictedToMods": False,
        "icon": {"type": "Image", "url": "https://img.example/i.png"},
    }
    assert parse_group_update(doc, posting_policy="moderators") == {
        "title": "The Updated Community",
        "summary": "updated 2",
        "rules": "1. Be kind.",
        "sensitive": True,
        "posting_policy": "members",
        "icon_url": "https://img.example/i.png",
    }
    html_only = parse_group_update({"summary": "<p>Hi <b>all</b></p>"}, posting_policy="open")
    assert html_only == {"summary": "Hi all"}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"title": "  "}, "a title is 1 to 200 characters"),
        ({"posting_policy": "anyone"}, "the posting policy is one of"),
        ({"premoderation": "some"}, "pre-moderation is one of off, new_members, all"),
        ({"max_links": -1}, "the link cap is a whole number"),
        ({"icon_url": "javascript:alert(1)"}, "the icon must be an http"),
        ({"name": "x"}, "name is not a community setting"),
    ],
)
def test_bad_community_settings_are_refused(changes: dict[str, object], message: str) -> None:
    with pytest.raises(BadRequest, match=message):
        validate_changes(changes)
