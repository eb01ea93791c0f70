"""Matching rules: a keyword is a whole word in any case and any script, a hashtag is a Hashtag tag or a
`#tag` in the text; pure functions, no server."""

from __future__ import annotations

import pytest

from fedicom.listening.matching import Terms, hashtags_of, normal_term, text_of


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("I love my Acme phone", ["acme"]),
        ("ACME!!! again", ["acme"]),
        ("(acme), acme.", ["acme"]),
        ("acmecorp is another brand", []),
        ("the subacme line", []),
        ("acme2 is a model name", []),
        ("l'acme du produit", ["acme"]),
    ],
)
def test_a_keyword_matches_as_a_whole_word_in_any_case(text: str, found: list[str]) -> None:
    assert Terms.of(["Acme"], []).matched(text, set()) == found


def test_keywords_in_other_scripts_and_phrases() -> None:
    terms = Terms.of(["Café", "Ёлка", "ブランド", "red panda"], [])
    assert terms.matched("Un CAFÉ noir", set()) == ["café"]
    assert terms.matched("новая ёлка в парке", set()) == ["ёлка"]
    assert terms.matched("ёлками", set()) == []  # a longer word, not the keyword
    assert terms.matched("新しいブランドの電話", set()) == ["ブランド"]  # no spaces between words in Japanese
    assert terms.matched("a Red  panda", set()) == []  # the phrase as written
    assert terms.matched("a red panda!", set()) == ["red panda"]


def test_a_hashtag_matches_the_tag_array_or_the_text() -> None:
    terms = Terms.of([], ["#Acme", "fedi_tips"])
    tagged = {"tag": [{"type": "Hashtag", "name": "#ACME", "href": "https://x.example/tags/acme"}]}
    assert terms.matched("no tag in the text", hashtags_of(tagged, "no tag in the text")) == ["#acme"]
    text = "Read this #Fedi_Tips thread"
    assert terms.matched(text, hashtags_of({}, text)) == ["#fedi_tips"]
    assert terms.matched("acme without a hash", hashtags_of({}, "acme without a hash")) == []
    assert hashtags_of({}, "an entity &#39; or a URL https://x.example/#acme") == set()
    assert hashtags_of({"tag": [{"type": "Mention", "name": "@acme"}]}, "") == set()


def test_keywords_and_hashtags_together_are_listed_sorted() -> None:
    terms = Terms.of(["acme", "phone"], ["acme"])
    text = "My #acme phone"
    assert terms.matched(text, hashtags_of({}, text)) == ["#acme", "acme", "phone"]


def test_the_text_read_is_title_warning_and_content() -> None:
    obj = {"name": "Title", "summary": "CW: brand", "content": "<p>Hello <b>Acme</b></p>"}
    assert text_of(obj) == "Title\nCW: brand\nHello Acme"
    assert text_of({"contentMap": {"de": "<p>Hallo Acme</p>"}}) == "Hallo Acme"


def test_terms_are_normalised() -> None:
    assert normal_term("  #Straße ") == "strasse"
    assert normal_term("#") == ""
