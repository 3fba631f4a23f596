"""Persistent embedding cache keyed by (model name, kind, sha256 of the text).

``CachedEmbedder(inner, path)`` wraps any ``Embedder``: texts already embedded by that model are read
from a small SQLite file, only the rest reach the model, so nothing is embedded twice — across
processes, benches and the classifier (which may use ``EmbeddingCache`` directly). ``kind`` is
``"q"`` or ``"p"`` because e5-style models embed the same text differently as query and passage.

Default location: ``<HOTLINE_DATA_DIR>/embeddings.sqlite`` (see ``default_cache_path``).
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from pathlib import Path

import numpy as np

from kb.search.types import Embedder


def default_cache_path() -> Path:
    from hotline.settings import get_settings

    return get_settings().data_dir / "embeddings.sqlite"


def text_key(text: str) -> bytes:
    return hashlib.sha256(text.encode("utf-8")).digest()


class EmbeddingCache:
    """Thread-safe SQLite store of float32 vectors."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(str(self.path), check_same_thread=False, timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS embedding (model TEXT NOT NULL, kind TEXT NOT NULL,"
            " sha BLOB NOT NULL, vec BLOB NOT NULL, PRIMARY KEY (model, kind, sha)) WITHOUT ROWID"
        )
        self._db.commit()

    def get_many(self, model: str, kind: str, texts: list[str]) -> list[np.ndarray | None]:
        keys = [text_key(t) for t in texts]
        found: dict[bytes, np.ndarray] = {}
        with self._lock:
            for start in range(0, len(keys), 500):
                chunk = keys[start : start + 500]
                marks = ",".join("?" * len(chunk))
                rows = self._db.execute(
                    f"SELECT sha, vec FROM embedding WHERE model=? AND kind=? AND sha IN ({marks})",
                    (model, kind, *chunk),
                )
                for sha, vec in rows:
                    found[sha] = np.frombuffer(vec, dtype=np.float32)
        return [found.get(k) for k in keys]

    def put_many(self, model: str, kind: str, texts: list[str], vectors: np.ndarray) -> None:
        rows = [
            (model, kind, text_key(t), np.ascontiguousarray(v, dtype=np.float32).tobytes())
            for t, v in zip(texts, vectors, strict=True)
        ]
        with self._lock:
            self._db.executemany("INSERT OR REPLACE INTO embedding VALUES (?, ?, ?, ?)", rows)
            self._db.commit()

    def close(self) -> None:
        with self._lock:
            self._db.close()


class CachedEmbedder:
    """An ``Embedder`` that consults ``EmbeddingCache`` before calling ``inner``."""

    def __init__(self, inner: Embedder, cache: EmbeddingCache | str | Path, *, batch_size: int = 32) -> None:
        self.inner = inner
        self.cache = cache if isinstance(cache, EmbeddingCache) else EmbeddingCache(cache)
        self.name = inner.name
        self.dim = inner.dim
        self.batch_size = batch_size

    def _embed(self, kind: str, texts: list[str], progress=None) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        cached = self.cache.get_many(self.name, kind, texts)
        missing: dict[str, list[int]] = {}
        for i, (text, vec) in enumerate(zip(texts, cached, strict=True)):
            if vec is None:
                missing.setdefault(text, []).append(i)
            else:
                out[i] = vec
        todo = list(missing)
        fn = self.inner.embed_queries if kind == "q" else self.inner.embed_passages
        for start in range(0, len(todo), self.batch_size):
            batch = todo[start : start + self.batch_size]
            vecs = fn(batch)
            # Stored per batch so an interrupted long run keeps what it already paid for.
            self.cache.put_many(self.name, kind, batch, vecs)
            for text, vec in zip(batch, vecs, strict=True):
                out[missing[text]] = vec
            if progress is not None:
                progress(len(batch))
        return out

    def embed_queries(self, texts: list[str], progress=None) -> np.ndarray:
        return self._embed("q", list(texts), progress)

    def embed_passages(self, texts: list[str], progress=None) -> np.ndarray:
        return self._embed("p", list(texts), progress)

    def missing_count(self, kind: str, texts: list[str]) -> int:
        """How many distinct ``texts`` are not cached yet (to size a progress bar)."""
        return len({t for t, v in zip(texts, self.cache.get_many(self.name, kind, texts), strict=True) if v is None})
