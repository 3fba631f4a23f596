"""Bursting terms: words that many orders of one area use at once, far more often than chance.

Callers describe one matter in different words (停水 / 没水 / 没有自来水 / 一滴水都没有 / 恢复供水), so
whole-text similarity misses paraphrases: measured on the test bursts, TF-IDF cosines of paraphrase
pairs (words, character n-grams, fixed IDF) and e5/USE embedding cosines overlap those of unrelated
orders in the same estate. What paraphrases do share is the matter's head morpheme (水, 梯, 烧/味),
and what makes a hotspot is that it turns up in many orders of one area within the window.

* Terms of an order: the shared search tokenizer's words (synonyms canonical, stop words out) plus
  the Chinese characters of its multi-character words, place names removed first (every order in an
  area names the same estate; that says where, not what). Place names are the ``ns``/``nt`` entries
  of the tokenizer's user dictionaries (the city's gazetteer).
* A term is *bursting* in an area when, in its busiest ``window``, at least ``min_size`` orders use it
  and a Poisson test says that count is unlikely by chance: the expected count sums, over the area's
  orders in that span, the larger of (a) the term's rate among the batch's orders outside the span
  and (b) the chance that an order of that length contains it in general Chinese (jieba's dictionary
  frequencies; a character counts in every word that contains it). The test's ``alpha`` is for the
  whole area (Bonferroni over the candidate terms), so a long history with thousands of candidate
  words does not find a burst by sheer number of tries.
"""

from __future__ import annotations

import bisect
import math
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from scipy.stats import poisson

from kb.search.tokenize import DICT_DIR, SYNONYMS_FILE, get_jieba, tokenize

_CJK = re.compile(r"[\u4e00-\u9fff]")
_PLACE_TAGS = frozenset({"ns", "nt"})


@lru_cache(maxsize=1)
def _place_pattern() -> re.Pattern[str] | None:
    names = set()
    for path in sorted(DICT_DIR.glob("*.txt")):
        if path == SYNONYMS_FILE:
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            parts = line.split()
            if len(parts) >= 3 and parts[2] in _PLACE_TAGS and len(parts[0]) > 1:
                names.add(parts[0])
    if not names:
        return None
    # Longest first, so 金桂家园 goes as a whole rather than leaving 家园 behind.
    return re.compile("|".join(re.escape(n) for n in sorted(names, key=len, reverse=True)))


def order_terms(text: str) -> frozenset[str]:
    pattern = _place_pattern()
    words = [w for w in tokenize(pattern.sub(" ", text) if pattern else text) if _CJK.search(w)]
    chars = {c for w in words if len(w) > 1 for c in w if _CJK.match(c)}
    return frozenset(words) | chars


@lru_cache(maxsize=1)
def _general_rates() -> tuple[dict[str, float], dict[str, float]]:
    """Per-character chance of meeting a word / a character (inside any word) in general Chinese."""
    tok = get_jieba()
    total = float(tok.total)
    words: dict[str, float] = {}
    chars: dict[str, float] = defaultdict(float)
    for word, freq in tok.FREQ.items():
        if freq <= 0:
            continue  # jieba's prefix entries
        words[word] = freq / total
        for c in set(word):
            chars[c] += freq / total
    return words, dict(chars)


def general_rate(term: str) -> float:
    words, chars = _general_rates()
    return chars.get(term, 0.0) if len(term) == 1 else words.get(term, 0.0)


@dataclass(frozen=True, slots=True)
class TermIndex:
    """Where each term occurs in the batch, by time; built once per batch, shared by its areas."""

    terms: Sequence[frozenset[str]]
    times: Sequence[datetime]
    lengths: Sequence[int]  # Chinese characters read per order
    sorted_times: list[datetime]
    where: dict[str, list[int]]  # term → positions in time order


def index_terms(terms: Sequence[frozenset[str]], times: Sequence[datetime], lengths: Sequence[int]) -> TermIndex:
    order = sorted(range(len(times)), key=lambda i: times[i])
    where: dict[str, list[int]] = defaultdict(list)
    for pos, i in enumerate(order):
        for t in terms[i]:
            where[t].append(pos)
    return TermIndex(terms, times, lengths, [times[i] for i in order], dict(where))


def bursting_terms(
    index: TermIndex, *, area_rows: Sequence[int], window: timedelta, min_size: int, alpha: float
) -> dict[str, float]:
    """Bursting terms of one area → their p-value; ``area_rows`` are the area's rows sorted by time."""
    terms, times, lengths = index.terms, index.times, index.lengths
    batch_times, where = index.sorted_times, index.where
    area_times = [times[i] for i in area_rows]
    rows_of: dict[str, list[int]] = defaultdict(list)
    for r, i in enumerate(area_rows):
        for t in terms[i]:
            rows_of[t].append(r)
    candidates: dict[str, float] = {}
    for term, rows in rows_of.items():
        if len(rows) < min_size:
            continue
        # The term's busiest window in this area (two pointers over its time-sorted rows).
        best, first, last, lo = 0, 0, 0, 0
        for hi in range(len(rows)):
            while area_times[rows[hi]] - area_times[rows[lo]] > window:
                lo += 1
            if hi - lo + 1 > best:
                best, first, last = hi - lo + 1, rows[lo], rows[hi]
        if best < min_size:
            continue
        start, end = area_times[first], area_times[last]
        a, b = bisect.bisect_left(batch_times, start), bisect.bisect_right(batch_times, end)
        positions = where[term]
        inside = bisect.bisect_left(positions, b) - bisect.bisect_left(positions, a)
        outside = len(times) - (b - a)
        observed = (len(positions) - inside) / outside if outside else 0.0
        rate = general_rate(term)
        expected = sum(
            max(observed, 1.0 - math.exp(-lengths[area_rows[r]] * rate))
            for r in range(first, last + 1)
            if start <= area_times[r] <= end
        )
        candidates[term] = float(poisson.sf(best - 1, expected))
    limit = alpha / max(1, len(candidates))
    return {t: p for t, p in candidates.items() if p <= limit}


def distinct(shared: frozenset[str]) -> int:
    """How many different things ``shared`` terms say: a character inside a word also in ``shared``
    is that word again (晚上 and 晚 are one term; 停水 and 没水 are two, 水 then adds nothing)."""
    words = [w for w in shared if len(w) > 1]
    return sum(1 for t in shared if len(t) > 1 or not any(t in w for w in words))
