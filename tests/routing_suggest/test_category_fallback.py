"""The category fallback (no serving category model): votes of keyword rules and similar orders."""

from __future__ import annotations

import pytest

from routing.suggest.predict import category_fallback


def test_neighbours_scored_zero_carry_no_vote_and_never_divide_by_zero() -> None:
    # Hybrid scores are min-max normalised, so the weakest (or only) neighbour can score exactly 0.
    p = category_fallback(keyword_matches=[], neighbours=[("城乡建设/市政设施/路灯故障", 0.0)])
    assert (p.label, p.confidence, p.source) == (None, 0.0, "none")


def test_neighbour_votes_are_shares_of_the_total() -> None:
    p = category_fallback(
        keyword_matches=[],
        neighbours=[("a/b/c", 0.6), ("a/b/c", 0.2), ("d/e/f", 0.2), ("g/h/i", 0.0), ("", 0.9)],
    )
    assert p.label == "a/b/c" and p.source == "similar_orders"
    assert p.confidence == pytest.approx(0.8)
    assert [k for k, _ in p.alternatives] == ["a/b/c", "d/e/f"]
