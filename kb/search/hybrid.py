"""The one search path: console, routing suggestion and ``hotline eval search`` all call ``HybridSearcher``.

    searcher = HybridSearcher(backend, embedder)               # index "kb" by default
    searcher.index_documents(docs)                              # embeds (cached) and upserts
    hits = searcher.search("医保卡丢了怎么办", filters=SearchFilters(region="朝阳区"), k=5)
    vec = searcher.embed_query(text)                            # compute once per edit, share it…
    hits = searcher.search(text, query_vector=vec)              # …and pass it in: no second embedding

Modes: ``bm25`` (jieba terms, BM25), ``dense`` (cosine), ``hybrid`` (both, fused). Fusion methods, chosen
by measurement (``bench/search_quality.py``, BENCHMARKS.md): ``rrf`` (reciprocal rank fusion) and
``minmax`` (weighted sum of per-query min-max normalised scores; ``dense_weight`` fitted by k-fold
cross-validation over queries). ``DEFAULT_FUSION`` holds the shipped choice.

A ``Reranker`` (optional) re-scores the fused top candidates; none ships by default because no
Chinese cross-encoder installs offline from PyPI (see BENCHMARKS.md).
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Literal, Protocol

import numpy as np

from kb.search.tokenize import surface_forms, term_spans, tokenize
from kb.search.types import (
    KB_INDEX,
    Document,
    Embedder,
    ScoredId,
    SearchBackend,
    SearchFilters,
    SearchHit,
    index_text,
)

Mode = Literal["bm25", "dense", "hybrid"]
MODES: tuple[str, ...] = ("bm25", "dense", "hybrid")


@dataclass(frozen=True, slots=True)
class FusionConfig:
    method: Literal["rrf", "minmax"] = "minmax"
    dense_weight: float = 0.65  # minmax only: weight of the dense signal, BM25 gets 1 - dense_weight
    rrf_k: int = 60
    candidates: int = 50  # taken from each signal before fusion


# Fitted by bench/search_quality.py (5-fold CV over kb-govqa dev queries, with the shipped
# DENSE_QUERY_CHARS; median of the fold optima).
DEFAULT_FUSION = FusionConfig(method="minmax", dense_weight=0.65)

# The dense signal embeds only the head of a long query. Why: the default embedder costs ~0.9 ms of CPU
# per token on our 2 cores, so a 300-character order text cannot be embedded inside the 50 ms budget,
# while BM25 still sees every word. 88% of kb-govqa questions are shorter than this, and a head that no
# longer changes while the agent types on is embedded once and then served from the cache. Chosen by
# measurement (bench/search_latency.py, bench/search_quality.py --dense-query-chars; BENCHMARKS.md);
# deployments with faster embedding raise it (HOTLINE_DENSE_QUERY_CHARS).
DENSE_QUERY_CHARS = 32

# Embeds a query while the calling thread runs BM25: the embedder is native code that releases the GIL,
# so on two cores the keyword search is hidden behind the embedding instead of added to it.
_EMBED_POOL = ThreadPoolExecutor(max_workers=2, thread_name_prefix="query-embed")


def dense_query_text(text: str, max_chars: int | None = DENSE_QUERY_CHARS) -> str:
    """The part of ``text`` the dense signal embeds: all of it up to ``max_chars``, else its head."""
    text = text.strip()
    return text if not max_chars or len(text) <= max_chars else text[:max_chars]


class Reranker(Protocol):
    def rerank(self, query: str, documents: list[Document]) -> list[float]:
        """One score per document, higher is better."""


def _minmax(hits: list[ScoredId]) -> dict[str, float]:
    if not hits:
        return {}
    scores = np.array([h.score for h in hits])
    low, span = scores.min(), scores.max() - scores.min()
    if span <= 0:
        return {h.id: 1.0 for h in hits}
    return {h.id: float((h.score - low) / span) for h in hits}


def fuse(bm25: list[ScoredId], dense: list[ScoredId], config: FusionConfig) -> list[tuple[str, float]]:
    """Fused ``(id, score)`` best first. Pure function so that CV can refit it without re-searching."""
    fused: dict[str, float] = {}
    if config.method == "rrf":
        for hits in (bm25, dense):
            for rank, hit in enumerate(hits, start=1):
                fused[hit.id] = fused.get(hit.id, 0.0) + 1.0 / (config.rrf_k + rank)
    elif config.method == "minmax":
        w = config.dense_weight
        for doc_id, score in _minmax(bm25).items():
            fused[doc_id] = (1 - w) * score
        for doc_id, score in _minmax(dense).items():
            fused[doc_id] = fused.get(doc_id, 0.0) + w * score
    else:
        raise ValueError(f"unknown fusion method {config.method!r}; expected 'rrf' or 'minmax'")
    return sorted(fused.items(), key=lambda item: (-item[1], item[0]))


def highlight(text: str, query_terms: Iterable[str], *, max_chars: int = 160) -> str:
    """HTML-escaped window of ``text`` around the first matches, query terms wrapped in ``<em>…</em>``.

    Matching is on canonical terms, so a query for 医保卡 highlights 社会保障卡 in the text.
    """
    wanted = set(query_terms)
    # Locate the first match by plain substring search, then segment only the window: running jieba
    # over whole 15k-character answers made snippets the slowest part of a search (measured).
    lowered = text.lower()
    positions = [p for t in wanted for form in surface_forms(t) if (p := lowered.find(form)) >= 0]
    first = min(positions, default=0)
    start = max(0, first - max_chars // 5)
    end = min(len(text), start + max_chars)
    # Segment a little beyond both edges so words cut by the window are still recognised.
    lead = max(0, start - 8)
    spans = [(s + lead, e + lead) for term, s, e in term_spans(text[lead : end + 8]) if term in wanted]
    out, pos = [], start
    for s, e in spans:
        if s < start or e > end:
            continue
        out.append(html.escape(text[pos:s]))
        out.append(f"<em>{html.escape(text[s:e])}</em>")
        pos = e
    out.append(html.escape(text[pos:end]))
    return ("…" if start > 0 else "") + "".join(out) + ("…" if end < len(text) else "")


class HybridSearcher:
    """BM25 + dense + fusion over one index of a ``SearchBackend`` (see module docstring)."""

    def __init__(
        self,
        backend: SearchBackend,
        embedder: Embedder | None,
        *,
        index: str = KB_INDEX,
        fusion: FusionConfig = DEFAULT_FUSION,
        reranker: Reranker | None = None,
        rerank_top: int = 20,
        dense_query_chars: int | None = DENSE_QUERY_CHARS,
    ) -> None:
        self.backend = backend
        self.embedder = embedder
        self.index = index
        self.fusion = fusion
        self.reranker = reranker
        self.rerank_top = rerank_top
        self.dense_query_chars = dense_query_chars

    def embed_query(self, text: str) -> np.ndarray:
        """The query vector of ``text`` (of its head: see ``DENSE_QUERY_CHARS``)."""
        if self.embedder is None:
            raise ValueError("this HybridSearcher has no embedder; use mode='bm25'")
        return self.embedder.embed_queries([dense_query_text(text, self.dense_query_chars)])[0]

    def index_documents(
        self,
        documents: list[Document],
        *,
        with_vectors: bool = True,
        batch_size: int = 256,
        progress: Callable[[int], None] | None = None,
    ) -> None:
        """Embed (when an embedder is set) and upsert ``documents`` in batches."""
        for start in range(0, len(documents), batch_size):
            batch = documents[start : start + batch_size]
            vectors = None
            if with_vectors and self.embedder is not None:
                vectors = self.embedder.embed_passages([index_text(d) for d in batch])
            self.backend.upsert(self.index, batch, vectors)
            if progress is not None:
                progress(len(batch))

    def candidates(
        self,
        text: str | None,
        *,
        query_vector: np.ndarray | None = None,
        filters: SearchFilters | None = None,
        mode: Mode = "hybrid",
        n: int | None = None,
        vector_source: Callable[[str], np.ndarray | None] | None = None,
    ) -> tuple[list[str], list[ScoredId], list[ScoredId]]:
        """Query terms and the raw BM25 / dense candidate lists (empty for a signal the mode skips).

        Without ``query_vector`` the vector comes from ``vector_source(text)`` (default ``embed_query``;
        the app passes its shared per-edit cache), computed in a worker thread while BM25 runs here.
        """
        if mode not in MODES:
            raise ValueError(f"unknown search mode {mode!r}; expected one of {MODES}")
        n = n or self.fusion.candidates
        terms = list(dict.fromkeys(tokenize(text))) if text else []
        bm25: list[ScoredId] = []
        dense: list[ScoredId] = []
        pending = None
        if mode in ("dense", "hybrid") and query_vector is None:
            if not text:
                raise ValueError("search needs a non-empty text or a query_vector")
            source = vector_source or self.embed_query
            if mode == "hybrid" and terms:  # only worth a thread when BM25 runs beside it
                pending = _EMBED_POOL.submit(source, text)
            else:
                query_vector = source(text)
        if mode in ("bm25", "hybrid") and terms:
            bm25 = self.backend.keyword_search(self.index, terms, filters=filters, k=n)
        if pending is not None:
            query_vector = pending.result()
        if mode in ("dense", "hybrid") and query_vector is not None:
            dense = self.backend.vector_search(self.index, query_vector, filters=filters, k=n)
        elif not text:
            raise ValueError("mode 'bm25' needs a non-empty text")
        return terms, bm25, dense

    def search(
        self,
        text: str | None = None,
        *,
        query_vector: np.ndarray | None = None,
        filters: SearchFilters | None = None,
        mode: Mode = "hybrid",
        k: int = 10,
        snippets: bool = True,
        snippet_chars: int = 160,
        vector_source: Callable[[str], np.ndarray | None] | None = None,
    ) -> list[SearchHit]:
        """Best ``k`` hits for ``text`` (and/or a precomputed ``query_vector``), best first."""
        terms, bm25, dense = self.candidates(
            text,
            query_vector=query_vector,
            filters=filters,
            mode=mode,
            n=max(k, self.fusion.candidates),
            vector_source=vector_source,
        )
        if mode == "bm25" or not dense:
            ranked = [(h.id, h.score) for h in bm25]
        elif mode == "dense" or not bm25:
            ranked = [(h.id, h.score) for h in dense]
        else:
            ranked = fuse(bm25, dense, self.fusion)
        top = ranked[: max(k, self.rerank_top) if self.reranker else k]
        docs = self.backend.get(self.index, [doc_id for doc_id, _ in top])
        by_signal = {"bm25": bm25, "dense": dense}
        hits = []
        for doc_id, score in top:
            if doc_id not in docs:  # deleted between the two calls
                continue
            hit = SearchHit(id=doc_id, score=score, document=docs[doc_id])
            for signal, items in by_signal.items():
                for rank, item in enumerate(items, start=1):
                    if item.id == doc_id:
                        hit.scores[signal], hit.ranks[signal] = item.score, rank
                        break
            hits.append(hit)
        if self.reranker and text and hits:
            for hit, score in zip(hits, self.reranker.rerank(text, [h.document for h in hits]), strict=True):
                hit.scores["rerank"] = hit.score = float(score)
            hits.sort(key=lambda h: -h.score)
        hits = hits[:k]
        if snippets:
            for hit in hits:
                hit.snippet = highlight(hit.document.text, terms, max_chars=snippet_chars)
        return hits
