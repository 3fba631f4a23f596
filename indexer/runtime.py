"""Search objects of a running app, built once in the lifespan and kept on ``app.state``:

* ``app.state.search_backend`` — the backend (embedded under ``<data_dir>/index``; Elasticsearch when
  ``HOTLINE_ES_URL`` is set);
* ``app.state.kb_searcher`` / ``app.state.order_searcher`` — ``HybridSearcher`` over ``"kb"`` / ``"order"``;
* ``app.state.query_vectors`` — ``QueryVectors``: a small LRU of text → query vector, so the text an agent
  is typing is embedded once per edit and shared by live KB search and the routing suggestion
  (``app.state.query_vectors.get(text)``; ``None`` when no embedder is configured);
* ``app.state.index_sync`` — the ``IndexSync`` consumer (``drain()`` in tests).

The embedder is ``settings.embedder`` (``HOTLINE_EMBEDDER``; ``none`` for keyword-only search), wrapped in
the persistent embedding cache, and loaded lazily on first use so that an app start stays fast.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy.orm import Session, sessionmaker

from hotline.settings import Settings
from indexer.sync import IndexSync
from kb.search.hybrid import HybridSearcher, dense_query_text
from kb.search.types import KB_INDEX, ORDER_INDEX, Embedder, SearchBackend


class LazyEmbedder:
    """``get_embedder(name, cache=…)`` on first use; ``name`` and ``dim`` load the model when read."""

    def __init__(self, name: str, cache: Path) -> None:
        self._name, self._cache = name, cache
        self._inner: Embedder | None = None
        self._lock = threading.Lock()

    def _get(self) -> Embedder:
        if self._inner is None:
            with self._lock:
                if self._inner is None:
                    from kb.search.embedders import get_embedder

                    self._inner = get_embedder(self._name, cache=self._cache)
        return self._inner

    @property
    def name(self) -> str:  # type: ignore[override]
        return self._get().name

    @property
    def dim(self) -> int:  # type: ignore[override]
        return self._get().dim

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return self._get().embed_queries(texts)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        return self._get().embed_passages(texts)


class QueryVectors:
    """Thread-safe LRU of text → query vector over one searcher's embedder."""

    def __init__(self, searcher: HybridSearcher, maxsize: int = 512) -> None:
        self._searcher = searcher
        self._maxsize = maxsize
        self._items: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    @property
    def enabled(self) -> bool:
        return self._searcher.embedder is not None

    @property
    def embedder_name(self) -> str | None:
        """The model id (``Embedder.name``) of the vectors, so a classifier can tell whether they are
        the ones it was trained on."""
        embedder = self._searcher.embedder
        return None if embedder is None else str(embedder.name)

    def covers(self, text: str) -> bool:
        """Whether ``get(text)`` embeds all of ``text`` (not only the head the dense search keeps)."""
        chars = self._searcher.dense_query_chars
        return not chars or len(text.strip()) <= chars

    def get(self, text: str) -> np.ndarray | None:
        # Keyed by the part that is embedded: while the agent types past the head, every edit is a hit
        # here instead of a lookup in the persistent cache.
        text = dense_query_text(text, self._searcher.dense_query_chars)
        if not text or not self.enabled:
            return None
        with self._lock:
            vec = self._items.get(text)
            if vec is not None:
                self._items.move_to_end(text)
                self.hits += 1
                return vec
        vec = self._searcher.embed_query(text)  # outside the lock: a slow embed must not block lookups
        with self._lock:
            self.misses += 1
            self._items[text] = vec
            self._items.move_to_end(text)
            while len(self._items) > self._maxsize:
                self._items.popitem(last=False)
        return vec


@dataclass
class SearchRuntime:
    backend: SearchBackend
    kb: HybridSearcher
    orders: HybridSearcher
    query_vectors: QueryVectors
    sync: IndexSync


def index_path(settings: Settings) -> Path:
    return settings.data_dir / "index"


def open_search_backend(settings: Settings) -> SearchBackend:
    if settings.es_url:
        from kb.search.elastic import ElasticBackend

        return ElasticBackend(settings.es_url)  # type: ignore[return-value]
    from kb.search.embedded import EmbeddedBackend

    return EmbeddedBackend(index_path(settings))


def build(settings: Settings, factory: sessionmaker[Session]) -> SearchRuntime:
    backend = open_search_backend(settings)
    name = (settings.embedder or "").strip()
    embedder: Any = (
        None if name.lower() in ("", "none") else LazyEmbedder(name, settings.data_dir / "embeddings.sqlite")
    )
    cut = settings.dense_query_chars or None
    kb = HybridSearcher(backend, embedder, index=KB_INDEX, dense_query_chars=cut)
    orders = HybridSearcher(backend, embedder, index=ORDER_INDEX, dense_query_chars=cut)
    sync = IndexSync(
        factory, kb=kb, orders=orders, vectors=embedder is not None, poll_seconds=settings.event_poll_seconds
    )
    return SearchRuntime(backend, kb, orders, QueryVectors(kb, settings.query_vector_cache), sync)


async def start(app: Any, settings: Settings) -> SearchRuntime:
    """Build the search objects, put them on ``app.state``, import the demo KB, start the consumer."""
    import asyncio

    runtime = await asyncio.to_thread(build, settings, app.state.sessionmaker)
    app.state.search = runtime
    app.state.search_backend = runtime.backend
    app.state.kb_searcher = runtime.kb
    app.state.order_searcher = runtime.orders
    app.state.query_vectors = runtime.query_vectors
    app.state.index_sync = runtime.sync
    if settings.demo_data:
        from kb.flows import import_seed

        await asyncio.to_thread(import_seed, app.state.sessionmaker)
    if settings.index_sync:
        await runtime.sync.start()
    return runtime


async def stop(app: Any) -> None:
    import asyncio

    runtime: SearchRuntime | None = getattr(app.state, "search", None)
    if runtime is None:
        return
    await runtime.sync.stop()
    await asyncio.to_thread(runtime.backend.close)


def rebuild(settings: Settings, factory: sessionmaker[Session], *, progress: Any = None) -> tuple[int, int]:
    """``hotline index rebuild``: the indexes dropped and refilled from the database (app stopped)."""
    runtime = build(settings, factory)
    try:
        for index in (KB_INDEX, ORDER_INDEX):
            # Dropped, not overwritten: documents deleted from the database must not survive, and a new
            # embedder may have another dimension. Elasticsearch too, not only the embedded files.
            runtime.backend.drop(index)
        return runtime.sync.reindex_all(progress=progress)
    finally:
        runtime.backend.close()
