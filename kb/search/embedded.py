"""The default ``SearchBackend``: everything in one directory, no server.

Layout of ``EmbeddedBackend(path)``::

    path/docs.sqlite          source of truth: payload, filter columns, vector blob per document
    path/<index>.tantivy/     BM25 over pre-segmented text (tantivy ``whitespace`` tokenizer) + filter fields
    path/<index>.usearch      HNSW cosine index (usearch), a cache of the vector blobs

Why these: tantivy's block-max WAND keeps BM25 at a few ms on 100k passages where SQLite FTS5 ranks every
matching row (figures in BENCHMARKS.md ``## Search``); usearch is a well-kept single-file HNSW with
add/remove. Each document has an integer ``key`` (SQLite AUTOINCREMENT) shared by tantivy and usearch; a
replaced document keeps its key, so tantivy's delete and add of it land in one commit and no search falls
between them.

Durability: SQLite commits first. The HNSW file is saved by ``flush()``/``close()``; a ``dirty`` flag in
SQLite is set before any vector change, and an index opened while dirty (crash) is rebuilt from the blobs.
Concurrency: one writer at a time (a lock), any number of readers; tantivy searchers are snapshot-based,
SQLite reads use their own connection per thread (WAL), usearch calls are serialised by a lock.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import threading
from pathlib import Path
from typing import cast

import numpy as np
import tantivy

from kb.search.embedded_index import NO_DATE_HIGH, NO_DATE_LOW, IndexPair, day_number, filter_sql, micros
from kb.search.tokenize import segment
from kb.search.types import (
    TERM_FIELDS,
    Document,
    ScoredId,
    SearchFilters,
    document_from_dict,
    document_to_dict,
    index_text,
    normalise_datetime,
)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS doc (
  key INTEGER PRIMARY KEY AUTOINCREMENT, idx TEXT NOT NULL, doc_id TEXT NOT NULL,
  category TEXT, region TEXT, department TEXT, unit TEXT, state TEXT,
  valid_from INTEGER, valid_to INTEGER, created_at TEXT,
  payload TEXT NOT NULL, vector BLOB, UNIQUE (idx, doc_id));
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


class EmbeddedBackend:
    """On-disk ``SearchBackend`` (see module docstring). ``path`` is created if missing."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.mkdir(parents=True, exist_ok=True)
        self._db_path = self.path / "docs.sqlite"
        self._local = threading.local()
        self._write_lock = threading.RLock()
        self._indexes: dict[str, IndexPair] = {}
        self._open_lock = threading.Lock()
        self._db.executescript(_SCHEMA)
        self._db.commit()
        self._closed = False

    # -- plumbing ------------------------------------------------------------------------------
    @property
    def _db(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(str(self._db_path), timeout=30)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            self._local.conn = conn
        return conn

    def _meta(self, name: str) -> str | None:
        row = self._db.execute("SELECT value FROM meta WHERE name=?", (name,)).fetchone()
        return row[0] if row else None

    def _set_meta(self, name: str, value: str) -> None:
        self._db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (name, value))

    def _index(self, name: str) -> IndexPair:
        if not name or not name.replace("_", "").isalnum():
            raise ValueError(f"index name {name!r} must be alphanumeric (e.g. 'kb', 'order')")
        idx = self._indexes.get(name)
        if idx is None:
            with self._open_lock:
                idx = self._indexes.get(name)
                if idx is None:
                    idx = IndexPair(self.path, name)
                    self._load_vectors(name, idx)
                    self._indexes[name] = idx
        return idx

    def _load_vectors(self, name: str, idx: IndexPair) -> None:
        dim = self._meta(f"dim:{name}")
        if dim is None:
            return
        idx.hnsw = idx.new_hnsw(int(dim))
        if self._meta(f"dirty:{name}") == "0" and idx.hnsw_path.exists():
            idx.hnsw.load(str(idx.hnsw_path))
            return
        # Crash or first open after writes: rebuild from the blobs, the source of truth.
        rows = self._db.execute("SELECT key, vector FROM doc WHERE idx=? AND vector IS NOT NULL", (name,)).fetchall()
        if rows:
            keys = np.array([r[0] for r in rows], dtype=np.uint64)
            idx.hnsw.add(keys, np.stack([np.frombuffer(r[1], dtype=np.float32) for r in rows]))

    # -- writes ----------------------------------------------------------------------------------
    def upsert(self, index: str, documents: list[Document], vectors: np.ndarray | None = None) -> None:
        if vectors is not None:
            vectors = np.asarray(vectors, dtype=np.float32)
            if vectors.ndim != 2 or len(vectors) != len(documents):
                raise ValueError(f"vectors shape {vectors.shape} does not match {len(documents)} documents")
        ids = [d.id for d in documents]
        if len(set(ids)) != len(ids):
            raise ValueError(f"duplicate document ids in one upsert: {sorted({i for i in ids if ids.count(i) > 1})}")
        idx = self._index(index)
        bodies = [segment(index_text(d)) for d in documents]  # outside the lock: jieba is the slow part
        with self._write_lock:
            db = self._db
            if vectors is not None:
                dim = self._meta(f"dim:{index}")
                if dim is not None and int(dim) != vectors.shape[1]:
                    raise ValueError(f"index {index!r} holds {dim}-dim vectors, got {vectors.shape[1]}-dim")
                self._set_meta(f"dim:{index}", str(vectors.shape[1]))
            old = self._old_keys(index, ids)
            if old:
                self._set_meta(f"dirty:{index}", "1")
            # A replaced document keeps its row key, so the tantivy delete + add below land in one
            # commit and searches never see a moment where the document is missing (a new key would
            # be unknown to the row table until COMMIT, the old one gone from it right after).
            new_keys = []
            for i, doc in enumerate(documents):
                cur = db.execute(
                    "INSERT INTO doc (idx, doc_id, category, region, department, unit, state, valid_from,"
                    " valid_to, created_at, payload, vector) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)"
                    " ON CONFLICT (idx, doc_id) DO UPDATE SET category=excluded.category,"
                    " region=excluded.region, department=excluded.department, unit=excluded.unit,"
                    " state=excluded.state, valid_from=excluded.valid_from, valid_to=excluded.valid_to,"
                    " created_at=excluded.created_at, payload=excluded.payload, vector=excluded.vector"
                    " RETURNING key",
                    (
                        index,
                        doc.id,
                        doc.category,
                        doc.region,
                        doc.department,
                        doc.unit,
                        doc.state,
                        day_number(doc.valid_from, NO_DATE_LOW),
                        day_number(doc.valid_to, NO_DATE_HIGH),
                        normalise_datetime(doc.created_at).isoformat() if doc.created_at else None,
                        json.dumps(document_to_dict(doc), ensure_ascii=False),
                        vectors[i].tobytes() if vectors is not None else None,
                    ),
                )
                row = cur.fetchone()
                if row is None:  # RETURNING always yields the row after a successful upsert
                    raise RuntimeError(f"no row key for document {doc.id!r} in index {index!r}")
                new_keys.append(int(row[0]))
            if vectors is not None:
                self._set_meta(f"dirty:{index}", "1")
            db.commit()
            # tantivy applies a delete only to documents added before it, so delete-then-add of the
            # same key within one commit replaces the document atomically.
            for key in old:
                idx.writer.delete_documents_by_term("key", key)
            for key, doc, body in zip(new_keys, documents, bodies, strict=True):
                idx.writer.add_document(self._tantivy_doc(key, doc, body))
            idx.writer.commit()
            idx.tantivy.reload()
            with idx.lock:
                if old and idx.hnsw is not None:
                    present = [k for k in old if idx.hnsw.contains(k)]
                    if present:
                        idx.hnsw.remove(np.array(present, dtype=np.uint64))
                if vectors is not None:
                    if idx.hnsw is None:
                        idx.hnsw = idx.new_hnsw(vectors.shape[1])
                    idx.hnsw.add(np.array(new_keys, dtype=np.uint64), vectors)

    def _old_keys(self, index: str, ids: list[str]) -> list[int]:
        keys = []
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            keys += [
                r[0]
                for r in self._db.execute(
                    f"SELECT key FROM doc WHERE idx=? AND doc_id IN ({','.join('?' * len(chunk))})",
                    (index, *chunk),
                )
            ]
        return keys

    @staticmethod
    def _tantivy_doc(key: int, doc: Document, body: str) -> tantivy.Document:
        fields: dict = {
            "key": key,
            "body": body,
            "valid_from": day_number(doc.valid_from, NO_DATE_LOW),
            "valid_to": day_number(doc.valid_to, NO_DATE_HIGH),
        }
        for name in TERM_FIELDS:
            if getattr(doc, name) is not None:
                fields[name] = getattr(doc, name)
        if doc.created_at is not None:
            fields["created_at"] = micros(doc.created_at)
        return tantivy.Document(**fields)

    def delete(self, index: str, ids: list[str]) -> None:
        idx = self._index(index)
        with self._write_lock:
            old = self._old_keys(index, list(ids))
            if not old:
                return
            self._set_meta(f"dirty:{index}", "1")
            self._db.executemany("DELETE FROM doc WHERE key=?", [(k,) for k in old])
            self._db.commit()
            for key in old:
                idx.writer.delete_documents_by_term("key", key)
            idx.writer.commit()
            idx.tantivy.reload()
            with idx.lock:
                if idx.hnsw is not None:
                    idx.hnsw.remove(np.array(old, dtype=np.uint64))

    # -- reads -----------------------------------------------------------------------------------
    def keyword_search(
        self, index: str, terms: list[str], *, filters: SearchFilters | None = None, k: int = 10
    ) -> list[ScoredId]:
        idx = self._index(index)
        if not terms:
            return []
        should = [(tantivy.Occur.Should, tantivy.Query.term_query(idx.schema, "body", t)) for t in terms]
        query = tantivy.Query.boolean_query(should)
        filters_q = idx.filter_queries(filters)
        if filters_q:
            # Constant zero score: a filter must not change BM25 scores or their order.
            query = tantivy.Query.boolean_query(
                [(tantivy.Occur.Must, query)]
                + [(tantivy.Occur.Must, tantivy.Query.const_score_query(f, 0.0)) for f in filters_q]
            )
        searcher = idx.tantivy.searcher()
        hits = searcher.search(query, limit=k, count=False).hits
        if not hits:
            return []
        # "key" is an integer fast field set on every document, so each hit yields an int.
        keys = cast(list[int], searcher.fast_field_values("key", [addr for _, addr in hits]))
        ids = self._ids_for_keys(keys)
        return [ScoredId(ids[key], float(score)) for (score, _), key in zip(hits, keys, strict=True) if key in ids]

    def _ids_for_keys(
        self, keys: list[int], extra_sql: str = "", params: list[str | int] | None = None
    ) -> dict[int, str]:
        if not keys:
            return {}
        rows = self._db.execute(
            f"SELECT key, doc_id FROM doc WHERE key IN ({','.join('?' * len(keys))}){extra_sql}",
            (*keys, *(params or [])),
        )
        return dict(rows.fetchall())

    def vector_search(
        self, index: str, vector: np.ndarray, *, filters: SearchFilters | None = None, k: int = 10
    ) -> list[ScoredId]:
        idx = self._index(index)
        if idx.hnsw is None or len(idx.hnsw) == 0:
            return []
        vector = np.asarray(vector, dtype=np.float32).reshape(-1)
        if vector.shape[0] != idx.hnsw.ndim:
            raise ValueError(f"query vector has {vector.shape[0]} dims, index {index!r} holds {idx.hnsw.ndim}")
        where, params = filter_sql(filters)
        # Filters are applied after an oversampled ANN search; too few survivors means a selective
        # filter, where an exact scan of the (few) matching rows is both cheap and correct.
        want = k if not where else max(k * 10, 100)
        with idx.lock:
            matches = idx.hnsw.search(vector, min(want, len(idx.hnsw)))
        keys = [int(x) for x in matches.keys]
        ids = self._ids_for_keys(keys, where, params)
        out = [
            ScoredId(ids[key], 1.0 - float(dist))
            for key, dist in zip(keys, matches.distances, strict=True)
            if key in ids
        ]
        if where and len(out) < k:
            rows = self._db.execute(
                f"SELECT doc_id, vector FROM doc WHERE idx=? AND vector IS NOT NULL{where}", (index, *params)
            ).fetchall()
            if not rows:
                return []
            sims = np.stack([np.frombuffer(r[1], dtype=np.float32) for r in rows]) @ vector
            order = np.argsort(-sims)[:k]
            return [ScoredId(rows[i][0], float(sims[i])) for i in order]
        return out[:k]

    def get(self, index: str, ids: list[str]) -> dict[str, Document]:
        out: dict[str, Document] = {}
        for start in range(0, len(ids), 500):
            chunk = list(ids[start : start + 500])
            rows = self._db.execute(
                f"SELECT doc_id, payload FROM doc WHERE idx=? AND doc_id IN ({','.join('?' * len(chunk))})",
                (index, *chunk),
            )
            out.update((doc_id, document_from_dict(json.loads(payload))) for doc_id, payload in rows)
        return out

    def drop(self, index: str) -> None:
        idx = self._index(index)
        with self._write_lock:
            self._db.execute("DELETE FROM doc WHERE idx=?", (index,))
            self._db.execute("DELETE FROM meta WHERE name IN (?, ?)", (f"dim:{index}", f"dirty:{index}"))
            self._db.commit()
            idx.writer.delete_all_documents()
            idx.writer.commit()
            idx.tantivy.reload()
            with idx.lock:
                idx.hnsw = None
            idx.hnsw_path.unlink(missing_ok=True)

    def count(self, index: str) -> int:
        return self._db.execute("SELECT count(*) FROM doc WHERE idx=?", (index,)).fetchone()[0]

    def flush(self) -> None:
        """Save the HNSW files so the next open loads them instead of rebuilding."""
        with self._write_lock:
            for name, idx in self._indexes.items():
                if idx.hnsw is not None and self._meta(f"dirty:{name}") != "0":
                    with idx.lock:
                        idx.hnsw.save(str(idx.hnsw_path))
                    self._set_meta(f"dirty:{name}", "0")
                    self._db.commit()

    def close(self) -> None:
        if self._closed:
            return
        self.flush()
        with self._write_lock:
            for idx in self._indexes.values():
                idx.writer.wait_merging_threads()
            self._indexes.clear()
            self._closed = True
        conn = getattr(self._local, "conn", None)
        if conn is not None:  # other threads' connections close when their threads end
            conn.close()
            self._local.conn = None

    def destroy(self) -> None:
        """Close and remove the directory (temporary evaluation indexes)."""
        self.close()
        shutil.rmtree(self.path, ignore_errors=True)
