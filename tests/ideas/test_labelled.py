"""Duplicate detection measured on a labelled set of short ideas (tests/ideas/labelled_ideas.json):
paraphrases, the same idea in other words, the same idea in French, German or Spanish, related but
different ideas and unrelated ones. Precision and recall at the threshold fedicom uses are printed
(`pytest -s`) and must stay above the floors measured when it was chosen (docs/ideas.md)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from fedicom.ideas.catalog import THRESHOLD
from fedicom.ideas.features import features
from fedicom.ideas.index import IdeaIndex

LABELLED = Path(__file__).parent / "labelled_ideas.json"
PRECISION_FLOOR = 0.80  # measured 0.83
RECALL_FLOOR = 0.60  # measured 0.66


def scores() -> list[tuple[float, dict[str, object]]]:
    """Each pair's score, with every idea of the set in one community's index (for its IDF)."""
    pairs = json.loads(LABELLED.read_text())["pairs"]
    texts = sorted({p["a"] for p in pairs} | {p["b"] for p in pairs})
    number = {t: i for i, t in enumerate(texts, start=1)}
    index = IdeaIndex()
    for text in texts:
        index.add(number[text], features(text))
    index.renorm()
    found = []
    for pair in pairs:
        ranked = index.similar(features(pair["a"]), limit=len(texts), exclude=number[pair["a"]])
        found.append((next((s.score for s in ranked if s.post_id == number[pair["b"]]), 0.0), pair))
    return found


def test_duplicates_are_found_with_the_precision_and_recall_measured() -> None:
    found = scores()
    assert len(found) >= 180
    hits = Counter((score >= THRESHOLD, bool(pair["same"])) for score, pair in found)
    precision = hits[True, True] / (hits[True, True] + hits[True, False])
    recall = hits[True, True] / (hits[True, True] + hits[False, True])
    by_kind = Counter(str(p["kind"]) for s, p in found if (s >= THRESHOLD) == bool(p["same"]))
    kinds = Counter(str(p["kind"]) for _, p in found)
    print(f"\n{len(found)} pairs, threshold {THRESHOLD}: precision {precision:.2f}, recall {recall:.2f}")
    print("right per kind: " + ", ".join(f"{k} {by_kind[k]}/{n}" for k, n in sorted(kinds.items())))
    assert precision >= PRECISION_FLOOR and recall >= RECALL_FLOOR
