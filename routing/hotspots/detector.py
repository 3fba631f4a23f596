"""Burst detection (热点): many similar orders in one area within a short window.

Pure function over ``Item`` rows so that it runs the same on the database, on a JSONL of real messages,
and in tests. Orders are compared only within one area (the locality's tier-3 station, else the region)
and within ``window`` of each other. Two orders are linked when

* they share at least ``min_shared_terms`` terms that are *bursting* in the area (``terms.py``: many
  orders of the area use them within the window, far more than chance, Poisson test at ``term_alpha``
  for the whole area): this is what links paraphrases (停水 / 没水 / 没有自来水 all share 水), with or
  without a category;
* their texts are clearly alike: TF-IDF cosine over the shared search tokenizer's terms ≥
  ``min_similarity`` (IDF fitted on the batch, so words every order uses weigh little), or
* they have the same category (the agent's, else the catalogue rule the words match) and their texts
  still share something distinctive (cosine ≥ ``min_similarity_same_category``).

A burst is a linked group with at least ``min_size`` orders
from at least ``min_callers`` different callers (unknown callers count as different), whose members are
each linked to at least ``min_links`` others — so a chain of loosely related orders does not count.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from kb.search.tokenize import tokenize
from routing.hotspots.terms import bursting_terms, distinct, index_terms, order_terms


@dataclass(frozen=True, slots=True)
class Item:
    id: int | str
    area: str
    text: str
    created_at: datetime
    phone: str | None = None
    category: str | None = None
    region: str | None = None


@dataclass(frozen=True, slots=True)
class BurstConfig:
    window: timedelta = timedelta(hours=48)
    min_similarity: float = 0.3
    min_similarity_same_category: float = 0.05
    # Measured (docs/hotspots.md): the real message history raises no burst for alpha ≤ 0.1 (5 at
    # 0.2); the tests' uncategorised paraphrase bursts are found whole for alpha ≥ 0.03 (at 0.003 the
    # water burst is lost).
    term_alpha: float = 0.03
    min_shared_terms: int = 2
    max_chars: int = 200  # orders state the matter first; the rest of a long letter only adds noise
    min_size: int = 5
    min_callers: int = 3
    min_links: int = 2


@dataclass(slots=True)
class Burst:
    area: str
    members: list[Item]
    terms: list[str] = field(default_factory=list)

    @property
    def category(self) -> str | None:
        cats = Counter(m.category for m in self.members if m.category)
        return cats.most_common(1)[0][0] if cats else None

    @property
    def region(self) -> str | None:
        regions = Counter(m.region for m in self.members if m.region)
        return regions.most_common(1)[0][0] if regions else None


def _components(n: int, edges: list[tuple[int, int]]) -> list[list[int]]:
    parent = list(range(n))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in edges:
        parent[find(a)] = find(b)
    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(n):
        groups[find(i)].append(i)
    return [g for g in groups.values() if len(g) > 1]


def find_bursts(items: Sequence[Item], config: BurstConfig = BurstConfig()) -> list[Burst]:
    if len(items) < config.min_size:
        return []
    vectorizer = TfidfVectorizer(tokenizer=tokenize, lowercase=False, token_pattern=None, sublinear_tf=True)
    try:
        matrix = vectorizer.fit_transform([it.text[: config.max_chars] for it in items])
    except ValueError:  # nothing but stop words
        return []
    vocab = np.array(vectorizer.get_feature_names_out())
    heads = [it.text[: config.max_chars] for it in items]
    terms = [order_terms(h) for h in heads]
    lengths = [max(1, sum(1 for c in h if "\u4e00" <= c <= "\u9fff")) for h in heads]
    index = index_terms(terms, [it.created_at for it in items], lengths)
    by_area: dict[str, list[int]] = defaultdict(list)
    for i, it in enumerate(items):
        by_area[it.area].append(i)
    bursts = []
    for area, idx in by_area.items():
        if len(idx) < config.min_size:
            continue
        idx.sort(key=lambda i: items[i].created_at)
        sub = matrix[idx]
        sims = (sub @ sub.T).toarray()
        times = [items[i].created_at for i in idx]
        hot = bursting_terms(
            index, area_rows=idx, window=config.window, min_size=config.min_size, alpha=config.term_alpha
        ).keys()
        edges = []
        for a in range(len(idx)):
            for b in range(a + 1, len(idx)):
                if times[b] - times[a] > config.window:
                    break
                same_cat = items[idx[a]].category is not None and items[idx[a]].category == items[idx[b]].category
                floor = config.min_similarity_same_category if same_cat else config.min_similarity
                shared_hot = distinct(terms[idx[a]] & terms[idx[b]] & hot)
                if sims[a, b] >= floor or shared_hot >= config.min_shared_terms:
                    edges.append((a, b))
        for comp in _components(len(idx), edges):
            members = set(comp)
            # Peel members with too few links inside the group until it is stable.
            while True:
                links = {
                    m: sum(1 for a, b in edges if (a == m and b in members) or (b == m and a in members))
                    for m in members
                }
                weak = {m for m, k in links.items() if k < config.min_links}
                if not weak:
                    break
                members -= weak
            if len(members) < config.min_size:
                continue
            rows = sorted(members)
            phones = {items[idx[r]].phone or f"unknown-{items[idx[r]].id}" for r in rows}
            if len(phones) < config.min_callers:
                continue
            weights = np.asarray(sub[rows].sum(axis=0)).ravel()
            shared = np.asarray((sub[rows] > 0).sum(axis=0)).ravel()
            said = frozenset().union(*(terms[idx[r]] for r in rows))  # place names are not the matter
            top = [
                vocab[j] for j in np.argsort(-weights)[:30] if shared[j] >= max(2, len(rows) // 2) and vocab[j] in said
            ][:6]
            bursts.append(Burst(area, [items[idx[r]] for r in rows], top))
    return bursts
