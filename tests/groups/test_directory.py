"""Topics and languages of communities, derived without columns of their own, and families nested."""

from __future__ import annotations

from fedicom.groups.directory import Listing, language_name, languages_of, nest, topics_of
from fedicom.groups.models import Group


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


def listing(id: int, name: str, parent_id: int | None) -> Listing:
    group = Group(id=id, name=name, title=name)
    group.parent_id = parent_id  # type: ignore[attr-defined]
    return Listing(group, 0, [], [])


def test_niche_communities_nest_under_their_listed_parent_in_order() -> None:
    cars, muscle, mustang, vans = (
        listing(1, "cars", None),
        listing(2, "muscle", 1),
        listing(3, "mustang", 2),
        listing(4, "vans", 1),
    )
    orphan = listing(5, "sail", 99)  # its parent is not listed: it stands at the top
    nest([cars, muscle, mustang, vans, orphan])
    assert [c.group.name for c in cars.children] == ["muscle", "vans"]
    assert [c.group.name for c in muscle.children] == ["mustang"] and mustang.parent is muscle
    assert orphan.parent is None and cars.parent is None


def test_a_stored_loop_never_hides_its_communities() -> None:
    a, b = listing(1, "a", 2), listing(2, "b", 1)
    nest([a, b])
    assert a.parent is None or b.parent is None
