"""What an idea's text is compared by: its words, accent-folded, lower-cased, stopwords dropped and cut
to their first five letters (a cheap stem that works across the languages communities write in), and
the character 4-grams of those words (which catch typos, plurals and compounds). Pure.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from fedicom.ideas.stopwords import STOPWORDS

STEM = 5  # letters kept of a word
GRAM = 4  # characters in a gram
WORD_WEIGHT = 0.75  # a score is 0.75 x the cosine of the stems + 0.25 x the cosine of the grams
GRAM_WEIGHT = 1.0 - WORD_WEIGHT
MAX_CHARS = 4000  # of an idea's text: the gist of an idea is in its title and first paragraphs

_WORD_RE = re.compile(r"[^\W_]+")
_TAG_RE = re.compile(r"<[^>]*>")
_ENTITY_RE = re.compile(r"&(?:[a-z]+|#[0-9]+);")
_URL_RE = re.compile(r"https?://\S+")


@dataclass(frozen=True)
class Features:
    """The distinct stems and grams of one text; both empty for a text with no words that count."""

    stems: frozenset[str]
    grams: frozenset[str]


def fold(text: str) -> str:
    """Lower-cased, accents dropped (é → e, ß → ss), so 'Idée' and 'idee' are one word."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def words(text: str) -> list[str]:
    """The words that count: folded, no stopwords, no one-letter words; links and markup left out."""
    text = _URL_RE.sub(" ", _ENTITY_RE.sub(" ", _TAG_RE.sub(" ", text[:MAX_CHARS])))
    return [w for w in _WORD_RE.findall(fold(text)) if len(w) > 1 and w not in STOPWORDS]


def features(text: str) -> Features:
    kept = words(text)
    grams: set[str] = set()
    for word in kept:
        padded = f" {word} "
        grams.update(padded[i : i + GRAM] for i in range(max(1, len(padded) - GRAM + 1)))
    return Features(frozenset(w[:STEM] for w in kept), frozenset(grams))


def idea_text(title: str | None, content: str) -> str:
    """The text an idea is compared by: its title and body (HTML is fine, markup is skipped)."""
    return f"{title or ''}\n{content}"
