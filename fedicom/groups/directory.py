"""The directory of communities on the home page: search, topics, languages, and families.

There is no column for either: a community's topics are the hashtags its managers write in its
summary (`#gardening`), and its languages are those its recent posts declare (ActivityPub
`contentMap` keys, or Lemmy's `language`). Unfiltered, a niche community is listed under its parent
(groups/family.py) when the parent is listed too. The listing is cached briefly: every home view reads it.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from tortoise.functions import Count

from fedicom.groups.models import Group, Membership, MembershipState, Post, PostState

CACHE_SECONDS = 60.0
LANGUAGE_SAMPLE = 50  # recent posts per community whose declared language is counted
_TOPIC_RE = re.compile(r"(?<![\w&#/])#([^\W\d_][\w-]{0,49})")
_LANG_RE = re.compile(r"^([a-zA-Z]{2,3})(?:-[a-zA-Z0-9]{1,8})*$")
LANGUAGE_NAMES = {
    "ar": "العربية",
    "ca": "Català",
    "cs": "Čeština",
    "da": "Dansk",
    "de": "Deutsch",
    "el": "Ελληνικά",
    "en": "English",
    "eo": "Esperanto",
    "es": "Español",
    "eu": "Euskara",
    "fa": "فارسی",
    "fi": "Suomi",
    "fr": "Français",
    "he": "עברית",
    "hi": "हिन्दी",
    "hu": "Magyar",
    "id": "Bahasa Indonesia",
    "it": "Italiano",
    "ja": "日本語",
    "ko": "한국어",
    "nb": "Norsk bokmål",
    "nl": "Nederlands",
    "pl": "Polski",
    "pt": "Português",
    "ro": "Română",
    "ru": "Русский",
    "sv": "Svenska",
    "tr": "Türkçe",
    "uk": "Українська",
    "zh": "中文",
}


def topics_of(text: str) -> list[str]:
    """Hashtags in a text, lower-cased, first mention first (`#Gardening` and `#gardening` are one)."""
    seen: dict[str, None] = {}
    for match in _TOPIC_RE.finditer(text or ""):
        seen.setdefault(match.group(1).lower(), None)
    return list(seen)


def _language(tag: Any) -> str | None:
    match = _LANG_RE.match(tag) if isinstance(tag, str) else None
    code = match.group(1).lower() if match else None
    return None if code in (None, "und", "zxx", "mul") else code


def languages_of(document: dict[str, Any]) -> set[str]:
    """Primary language subtags an ActivityPub object declares (`en-GB` counts as `en`)."""
    tags: list[Any] = []
    content_map = document.get("contentMap")
    if isinstance(content_map, dict):
        tags.extend(content_map)
    lemmy = document.get("language")  # Lemmy: {"identifier": "de", "name": "Deutsch"}
    if isinstance(lemmy, dict):
        tags.append(lemmy.get("identifier"))
    return {code for code in map(_language, tags) if code}


def language_name(code: str) -> str:
    return LANGUAGE_NAMES.get(code, code)


@dataclass
class Listing:
    group: Group
    members: int
    topics: list[str]
    languages: list[str]  # most used first
    # its listed parent and children (filled in by `nest`); not compared: they point at each other
    parent: Listing | None = field(default=None, repr=False, compare=False)
    children: list[Listing] = field(default_factory=list, repr=False, compare=False)

    def matches(self, words: list[str], topic: str | None, language: str | None) -> bool:
        if topic and topic not in self.topics:
            return False
        if language and language not in self.languages:
            return False
        text = f"{self.group.name} {self.group.title} {self.group.summary}".lower()
        return all(w in text for w in words)


@dataclass
class Found:
    listings: list[Listing]
    topics: list[str]  # every topic of every listed community, for the filter
    languages: list[str]
    total: int  # communities listed before filtering


@dataclass
class Directory:
    """The discoverable communities, recomputed at most every CACHE_SECONDS."""

    ttl: float = CACHE_SECONDS
    _cached: tuple[float, list[Listing]] | None = field(default=None, repr=False)

    def forget(self) -> None:
        self._cached = None

    async def listings(self) -> list[Listing]:
        now = time.monotonic()
        if self._cached is None or now - self._cached[0] > self.ttl:
            self._cached = (now, await _build())
        return self._cached[1]

    async def search(self, query: str = "", topic: str | None = None, language: str | None = None) -> Found:
        every = await self.listings()
        words = query.lower().split()
        topics = sorted({t for entry in every for t in entry.topics})
        languages = sorted({c for entry in every for c in entry.languages}, key=language_name)
        if words or topic or language:
            shown = [entry for entry in every if entry.matches(words, topic, language)]
        else:  # the whole directory: niche communities under their parents
            shown = [entry for entry in every if entry.parent is None]
        return Found(shown, topics, languages, len(every))


def nest(listings: list[Listing]) -> list[Listing]:
    """Link each listing to its listed parent and children, in the listings' order; returns them. Pure.

    A community whose parent is not listed (unlisted or gone) stands at the top.
    """
    by_id = {entry.group.id: entry for entry in listings}
    for entry in listings:
        entry.parent, entry.children = None, []
    for entry in listings:
        parent = by_id.get(entry.group.parent_id)  # type: ignore[attr-defined]
        if parent is not None and parent is not entry:
            entry.parent = parent
            parent.children.append(entry)
    for entry in listings:  # a loop (which choosing parents refuses) must not hide its communities
        above, seen = entry.parent, {id(entry)}
        while above is not None and id(above) not in seen:
            seen.add(id(above))
            above = above.parent
        if above is entry and entry.parent is not None:
            entry.parent.children.remove(entry)
            entry.parent = None
    return listings


async def _build() -> list[Listing]:
    groups = await Group.filter(discoverable=True).order_by("name")
    counts = dict(
        await Membership.filter(state=MembershipState.ACCEPTED)
        .annotate(n=Count("id"))
        .group_by("group_id")
        .values_list("group_id", "n")
    )
    listings = []
    for group in groups:
        languages: Counter[str] = Counter()
        if not group.private:  # a private community's posts are its members' business
            docs = (
                await Post.filter(group=group, deleted=False, state=PostState.VISIBLE)
                .order_by("-id")
                .limit(LANGUAGE_SAMPLE)
                .values_list("document", flat=True)
            )
            for doc in docs:
                languages.update(languages_of(doc) if isinstance(doc, dict) else ())
        ordered = [code for code, _ in languages.most_common()]
        listings.append(Listing(group, counts.get(group.id, 0), topics_of(group.summary), ordered))
    # busiest first: a visitor looks for where the people are
    listings.sort(key=lambda entry: (-entry.members, entry.group.name))
    return nest(listings)
