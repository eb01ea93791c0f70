"""Topics and languages of communities, derived without columns of their own."""

from __future__ import annotations

from fedicom.groups.directory import language_name, languages_of, topics_of


def test_topics_are_the_hashtags_of_the_summary() -> None:
    summary = "Food at home. #Gardening #permaculture, and #gardening again; not a#tag nor &#39; nor #1"
    assert topics_of(summary) == ["gardening", "permaculture"]
    assert topics_of("") == []
    assert topics_of("See https://example.org/#anchor") == []


def test_languages_come_from_content_map_and_lemmys_language() -> None:
    mastodon = {"content": "<p>Hallo</p>", "contentMap": {"de-AT": "<p>Hallo</p>"}}
    lemmy = {"content": "<p>Bonjour</p>", "language": {"identifier": "fr", "name": "Français"}}
    both = {"contentMap": {"en": "x", "nl": "y"}, "language": {"identifier": "en"}}
    assert languages_of(mastodon) == {"de"}
    assert languages_of(lemmy) == {"fr"}
    assert languages_of(both) == {"en", "nl"}


def test_undetermined_or_malformed_languages_are_ignored() -> None:
    assert languages_of({"contentMap": {"und": "x", "<script>": "y", "": "z"}}) == set()
    assert languages_of({"language": {"identifier": None}}) == set()
    assert languages_of({"language": "en"}) == set()  # not Lemmy's shape
    assert languages_of({}) == set()


def test_languages_are_named_in_their_own_language() -> None:
    assert language_name("de") == "Deutsch"
    assert language_name("xx") == "xx"
