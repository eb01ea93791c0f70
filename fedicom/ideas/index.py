"""One community's ideas in memory, as an inverted index: each stem or gram lists the ideas that have
it, so checking a text touches only the ideas that share a term with it (numpy adds up each list).

Scores are TF-IDF cosines (binary term frequency, smoothed IDF), 0.75 on stems plus 0.25 on grams
(features.py), between 0 and 1. An idea's norm is computed with the IDF of the time it was added and
all norms again whenever the index has grown by a tenth since, so early ideas are not favoured.
"""

from __future__ import annotations

import math
from array import array
from dataclasses import dataclass

import numpy as np

from fedicom.ideas.features import GRAM_WEIGHT, WORD_WEIGHT, Features


@dataclass(frozen=True)
class Scored:
    post_id: int
    score: float


class IdeaIndex:
    """Add, replace and drop ideas by post id; `similar` scores a text against every idea kept."""

    def __init__(self) -> None:
        self._terms: dict[str, int] = {}  # stem ("w" + stem) or gram ("g" + gram) -> term number
        self._is_stem: list[bool] = []
        self._df: list[int] = []  # ideas having the term
        self._postings: list[array[int]] = []  # term -> slots (an idea's place) having it
        self._slot: dict[int, int] = {}  # post id -> slot
        self._post: array[int] = array("q")  # slot -> post id
        self._alive = bytearray()  # slot -> 1 while the idea is kept
        self._doc_terms: list[array[int] | None] = []  # slot -> its term numbers (None once dropped)
        self._norm_stems: array[float] = array("d")
        self._norm_grams: array[float] = array("d")
        self._normed_at = 0  # ideas kept when the norms were last all computed

    def __len__(self) -> int:
        return len(self._slot)

    def __contains__(self, post_id: int) -> bool:
        return post_id in self._slot

    def _idf(self, term: int) -> float:
        return math.log((1 + len(self._slot)) / (1 + self._df[term])) + 1.0

    def add(self, post_id: int, found: Features, *, bulk: bool = False) -> None:
        """Keep (or replace) an idea's features; with `bulk`, its norms wait for `renorm()`, which
        whoever adds many ideas at once calls after the last."""
        self.remove(post_id)
        ids = array("i")
        slot = len(self._post)
        terms, df, postings = self._terms, self._df, self._postings
        for prefix, found_terms, stem in (("w", found.stems, True), ("g", found.grams, False)):
            for term in found_terms:
                key = prefix + term
                number = terms.get(key)
                if number is None:
                    number = terms[key] = len(df)
                    self._is_stem.append(stem)
                    df.append(0)
                    postings.append(array("i"))
                ids.append(number)
                df[number] += 1
                postings[number].append(slot)
        self._post.append(post_id)
        self._alive.append(1)
        self._doc_terms.append(ids)
        self._slot[post_id] = slot
        stems, grams = (0.0, 0.0) if bulk else self._norms(ids)
        self._norm_stems.append(stems)
        self._norm_grams.append(grams)
        if not bulk and len(self._slot) > 1.1 * self._normed_at:
            self.renorm()

    def remove(self, post_id: int) -> None:
        slot = self._slot.pop(post_id, None)
        if slot is None:
            return
        self._alive[slot] = 0
        for number in self._doc_terms[slot] or ():
            self._df[number] -= 1
        self._doc_terms[slot] = None
        if len(self._post) > 1000 and len(self._slot) < len(self._post) // 2:
            self._compact()

    def _norms(self, ids: array[int]) -> tuple[float, float]:
        stems = grams = 0.0
        for number in ids:
            weight = self._idf(number) ** 2
            if self._is_stem[number]:
                stems += weight
            else:
                grams += weight
        return math.sqrt(stems), math.sqrt(grams)

    def renorm(self) -> None:
        """Every idea's norms with today's IDF (numpy: ~0.1 s for 100,000 ideas)."""
        size = len(self._post)
        living = [(s, ids) for s, ids in enumerate(self._doc_terms) if ids]
        self._normed_at = len(self._slot)
        if not living:
            return
        flat = np.concatenate([np.frombuffer(ids, dtype=np.int32) for _, ids in living])
        owner = np.repeat([s for s, _ in living], [len(ids) for _, ids in living])
        idf2 = (np.log((1 + len(self._slot)) / (1 + np.array(self._df, dtype=np.float64))) + 1.0) ** 2
        weights = idf2[flat]
        stem = np.array(self._is_stem, dtype=bool)[flat]
        stems = np.sqrt(np.bincount(owner, weights=weights * stem, minlength=size))
        grams = np.sqrt(np.bincount(owner, weights=weights * ~stem, minlength=size))
        self._norm_stems, self._norm_grams = array("d", stems.tolist()), array("d", grams.tolist())

    def _compact(self) -> None:
        """Drop the slots of removed ideas (more than half of them): the postings shrink to the living."""
        kept = [(self._post[s], ids) for s, ids in enumerate(self._doc_terms) if ids is not None]
        self._slot, self._post, self._alive, self._doc_terms = {}, array("q"), bytearray(), []
        self._norm_stems, self._norm_grams = array("d"), array("d")
        self._postings = [array("i") for _ in self._df]
        for post_id, ids in kept:
            slot = len(self._post)
            self._slot[post_id] = slot
            self._post.append(post_id)
            self._alive.append(1)
            self._doc_terms.append(ids)
            for number in ids:
                self._postings[number].append(slot)
            self._norm_stems.append(0.0)
            self._norm_grams.append(0.0)
        self.renorm()

    def similar(
        self, found: Features, *, limit: int = 5, threshold: float = 0.0, exclude: int | None = None
    ) -> list[Scored]:
        """The ideas scoring at least `threshold` against `found`, best first, at most `limit`."""
        if not self._slot or limit < 1:
            return []
        size = len(self._post)
        blocks = []
        for prefix, terms, weight in (("w", found.stems, WORD_WEIGHT), ("g", found.grams, GRAM_WEIGHT)):
            numbers = [n for n in (self._terms.get(prefix + t) for t in terms) if n is not None]
            idf = {n: self._idf(n) for n in numbers}
            # the text's own norm counts its terms no idea has too (at the IDF of a term seen nowhere)
            unseen = len(terms) - len(numbers)
            norm = math.sqrt(sum(v * v for v in idf.values()) + unseen * self._unseen_idf() ** 2)
            acc = np.zeros(size)
            for number in numbers:
                slots = np.frombuffer(self._postings[number], dtype=np.int32)
                acc[slots] += idf[number] * idf[number]
            blocks.append((acc, norm, weight))
        scores = np.zeros(size)
        for (acc, norm, weight), stored in zip(blocks, (self._norm_stems, self._norm_grams), strict=True):
            if norm > 0:
                norms = np.frombuffer(stored, dtype=np.float64)
                scores += weight * np.divide(acc, norm * norms, out=np.zeros(size), where=norms > 0)
        scores *= np.frombuffer(self._alive, dtype=np.uint8)
        if exclude is not None and exclude in self._slot:
            scores[self._slot[exclude]] = 0.0
        # every slot scoring at least the limit-th best score, so that ties are broken by post id alone
        kth = np.partition(scores, size - limit)[size - limit] if limit < size else 0.0
        best = np.flatnonzero((scores >= max(kth, threshold)) & (scores > 0))
        ranked = sorted(best.tolist(), key=lambda s: (-scores[s], self._post[s]))[:limit]
        return [Scored(int(self._post[s]), round(min(float(scores[s]), 1.0), 4)) for s in ranked]

    def _unseen_idf(self) -> float:
        return math.log(1 + len(self._slot)) + 1.0
