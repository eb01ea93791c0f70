"""The similarity of ideas, pure: what a text is compared by, how ideas score against it, and an index
that keeps ideas added, replaced and dropped."""

from __future__ import annotations

import pytest

from fedicom.errors import BadRequest
from fedicom.ideas.catalog import Similar
from fedicom.ideas.features import features, fold, words
from fedicom.ideas.index import IdeaIndex
from fedicom.ideas.matches import check_query
from fedicom.ideas.reply import reply_markdown

IDEAS = {
    1: "Add a dark mode to the app",
    2: "Export my posts as CSV",
    3: "Plant more trees along Main Street",
    4: "Ajouter un mode sombre à l'application",
    5: "Night buses on weekends",
}


def index_of(ideas: dict[int, str]) -> IdeaIndex:
    index = IdeaIndex()
    for post_id, text in ideas.items():
        index.add(post_id, features(text))
    return index


def test_words_are_folded_and_stopwords_links_and_markup_left_out() -> None:
    assert fold("Idée ÉTÉ Straße") == "idee ete strasse"
    assert words("<p>Add <b>the</b> Dark-Mode, see https://x.example/a?b!</p> &amp; le thème") == [
        "dark",
        "mode",
        "see",
        "theme",
    ]
    found = features("Notifications")
    assert found.stems == {"notif"} and " not" in found.grams and "ons " in found.grams


def test_the_same_idea_in_other_words_scores_above_an_unrelated_one() -> None:
    index = index_of(IDEAS)
    [best, *rest] = index.similar(features("Please, a dark mode for the app!"), limit=5)
    assert best.post_id == 1 and best.score >= 0.5
    assert all(s.score < best.score for s in rest) and 3 not in {s.post_id for s in rest}
    assert all(0 < s.score <= 1 for s in [best, *rest])
    assert index.similar(features("dark mode"), limit=5, threshold=0.99) == []


def test_an_idea_is_never_its_own_duplicate_and_a_text_of_stopwords_matches_nothing() -> None:
    index = index_of(IDEAS)
    assert 1 not in {s.post_id for s in index.similar(features(IDEAS[1]), exclude=1)}
    assert index.similar(features("the and of"), limit=5) == []
    assert IdeaIndex().similar(features("dark mode")) == []


def test_an_edited_idea_is_matched_by_its_new_text_and_a_dropped_one_never() -> None:
    index = index_of(IDEAS)
    index.add(2, features("Solar panels on the school roof"))  # an edit replaces the text
    assert len(index) == 5
    assert 2 not in {s.post_id for s in index.similar(features("CSV export of posts"), limit=5)}
    assert index.similar(features("solar panels school"), limit=1)[0].post_id == 2
    index.remove(1)
    index.remove(1)  # twice is harmless
    assert 1 not in {s.post_id for s in index.similar(features("dark mode app"), limit=5)}
    assert 1 not in index and len(index) == 4


def test_an_index_that_dropped_most_of_its_ideas_scores_as_one_built_afresh() -> None:
    many = {i: f"{IDEAS[i % 5 + 1]} number {i}" for i in range(1, 2001)}
    index = index_of(many)
    for i in range(1, 1801):
        index.remove(i)  # compacted on the way
    kept = {i: t for i, t in many.items() if i > 1800}
    fresh = index_of(kept)
    fresh.renorm()
    index.renorm()
    query = features("dark mode app number 1805")
    assert index.similar(query, limit=5) == fresh.similar(query, limit=5)


def test_a_query_is_refused_with_its_reason() -> None:
    assert check_query("  dark mode  ", 5) == "dark mode"
    for text, limit, reason in (
        ("", 5, "give the text"),
        ("dark\x00mode", 5, "NUL"),
        ("x" * 4001, 5, "at most 4,000"),
        ("dark mode", 0, "limit is from 1 to 100"),
        ("the and of ?!", 5, "no words to compare"),
    ):
        with pytest.raises(BadRequest, match=reason):
            check_query(text, limit)


def test_the_reply_links_each_similar_idea_by_its_title_escaped() -> None:
    found = [Similar(7, "https://a.example/o/7", "Dark *mode* [please]", 0.8), Similar(9, "x", "", 0.6)]
    text = reply_markdown(
        found, {7: "https://here.example/c/ideas/p/7", 9: "https://here.example/c/ideas/p/9"}
    )
    assert "- [Dark \\*mode\\* \\[please\\]](https://here.example/c/ideas/p/7)" in text
    assert "- [\\(untitled\\)](https://here.example/c/ideas/p/9)" in text
