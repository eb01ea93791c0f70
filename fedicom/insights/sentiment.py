"""How a post reads: VADER's lexicon for English, and "not scored" for every other language.

VADER (Hutto and Gilbert, 2014) ships its lexicon inside its package and reads social-media English
(emphasis, emoji, "not good") in ~0.05 ms. No equally small model ships for other languages, so their
posts are counted as not scored, never guessed. The language is the one the post declares
(`contentMap`, Lemmy's `language`); a post that declares none is identified by py3langid, and only a
confident identification counts (see SURE).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from py3langid.langid import MODEL_FILE, LanguageIdentifier
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from fedicom.groups.directory import languages_of
from fedicom.groups.text import plain_text
from fedicom.insights.models import Sentiment

SCORED = frozenset({"en"})
THRESHOLD = 0.05  # VADER's own: compound >= 0.05 is positive, <= -0.05 negative
# an undeclared language counts when the identifier gives it this share of its belief and this many
# times the runner-up's: short posts rarely reach 0.9 ("Terrible battery here, it broke.": 0.66 English,
# 0.09 Frisian next), yet a wrong language is rarer than that margin suggests
SURE, MARGIN = 0.4, 3.0
MAX_CHARS = 4000  # a long post is read from its start: the tone is set there, and the cost bounded


@dataclass(frozen=True)
class Reading:
    sentiment: Sentiment
    compound: float | None
    language: str  # "" when neither declared nor identified


@functools.cache
def _analyzer() -> SentimentIntensityAnalyzer:
    return SentimentIntensityAnalyzer()


@functools.cache
def _identifier() -> LanguageIdentifier:
    """The model over the languages with a two-letter code (the ones people declare on the fediverse):
    regional varieties such as Nigerian Pidgin would otherwise split English's share in short posts."""
    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages([code for code in identifier.nb_classes if len(code) == 2])
    return identifier


def warm() -> None:
    """Load both models now (py3langid's takes ~2 s), not on the first post a process counts."""
    _analyzer()
    _identifier()


def language_of(document: dict[str, Any], text: str) -> str:
    """The post's language: declared (the first, if several), else identified with confidence."""
    declared = sorted(languages_of(document))
    if declared:
        return "en" if "en" in declared else declared[0]
    if len(text) < 12:
        return ""  # too short to tell
    (code, first), (_, second) = _identifier().rank(text)[:2]
    return str(code) if first >= SURE and first >= MARGIN * second else ""


def label(compound: float) -> Sentiment:
    if compound >= THRESHOLD:
        return Sentiment.POSITIVE
    if compound <= -THRESHOLD:
        return Sentiment.NEGATIVE
    return Sentiment.NEUTRAL


def read(document: dict[str, Any], title: str | None, html: str) -> Reading:
    """The sentiment of a post or comment from its title and content."""
    text = " ".join(part for part in (title or "", plain_text(html, MAX_CHARS)) if part)
    language = language_of(document, text)
    if language not in SCORED or not text:
        return Reading(Sentiment.NOT_SCORED, None, language)
    compound = float(_analyzer().polarity_scores(text)["compound"])
    return Reading(label(compound), compound, language)
