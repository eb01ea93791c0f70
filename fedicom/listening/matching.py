"""Which of a community's keywords and hashtags a public post matches: pure functions of the post.

A keyword matches as a whole word, case-insensitively, in any script: its ends must not touch a letter or
digit. Scripts written without spaces between words (Chinese, Japanese, Thai, Lao, Khmer, Burmese) have
no such boundary, so there a keyword matches inside a run of text. A hashtag matches the post's `tag`
array (`{"type": "Hashtag", "name": "#Brand"}`, as Mastodon, Pleroma and Misskey send it) or a `#tag`
written in its text.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from fedicom.activitypub.vocab import as_list
from fedicom.groups.text import plain_text

MAX_TEXT = 20_000  # characters of a post read for matching: a term past that is not looked for
# Han, kana, Thai, Lao, Myanmar, Khmer: letters that sit next to other words without a space
_UNSPACED = "\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_WORD = rf"[^\W{_UNSPACED}]"  # a letter or digit that would run on into the keyword
_HASHTAG = re.compile(r"(?<![\w&/#])#(\w+)")


def normal_term(term: str) -> str:
    """How a keyword or hashtag is compared: case folded, a hashtag's `#` and outer spaces dropped."""
    return term.strip().removeprefix("#").casefold()


@functools.lru_cache(maxsize=1024)
def _pattern(keyword: str) -> re.Pattern[str]:
    return re.compile(rf"(?<!{_WORD}){re.escape(keyword)}(?!{_WORD})")


def has_keyword(text: str, keyword: str) -> bool:
    """Whether `text` (already case folded) holds `keyword` (normal_term) as a whole word."""
    return bool(keyword) and _pattern(keyword).search(text) is not None


def hashtags_of(obj: dict[str, Any], text: str) -> set[str]:
    """The hashtags a post carries, normalised: its `tag` array's Hashtags and the `#tag`s in its text."""
    tags = {
        normal_term(tag["name"])
        for tag in as_list(obj.get("tag"))
        if isinstance(tag, dict) and tag.get("type") == "Hashtag" and isinstance(tag.get("name"), str)
    }
    return (tags | {normal_term(found) for found in _HASHTAG.findall(text)}) - {""}


def text_of(obj: dict[str, Any]) -> str:
    """What people read of a post: its title, content warning and content, as plain text."""
    content = obj.get("content")
    if not isinstance(content, str):
        content_map = obj.get("contentMap")
        content = next(iter(content_map.values()), "") if isinstance(content_map, dict) else ""
    parts = [obj.get("name"), obj.get("summary"), plain_text(str(content), MAX_TEXT)]
    return "\n".join(p for p in parts if isinstance(p, str) and p)


@dataclass(frozen=True)
class Terms:
    """One community's keywords and hashtags, normalised."""

    keywords: frozenset[str]
    hashtags: frozenset[str]

    @classmethod
    def of(cls, keywords: Iterable[str], hashtags: Iterable[str]) -> Terms:
        return cls(frozenset(map(normal_term, keywords)), frozenset(map(normal_term, hashtags)))

    def matched(self, text: str, tags: set[str]) -> list[str]:
        """The terms found (`#tag` for hashtags), sorted; empty when none is."""
        folded = text.casefold()
        found = [k for k in self.keywords if has_keyword(folded, k)]
        found += [f"#{t}" for t in self.hashtags if t in tags]
        return sorted(found)
