"""Elasticsearch ``SearchBackend`` (optional; the embedded backend is the default).

**Untested against a live cluster in this repository's CI**: no Elasticsearch server runs here. What is
tested: the request bodies, pinned by golden files (``tests/kb_search/golden/*.json``), and the shared
contract suite, which runs against a real server when ``HOTLINE_ES_URL`` is set. Server image:
``ES_IMAGE`` (keep the ``elasticsearch`` client's major version equal to it).

Design:
* Text is segmented by our jieba tokenizer (``kb.search.tokenize.segment``) and stored in ``body``, a
  ``text`` field with the built-in ``whitespace`` analyser, so ES and the embedded backend see identical
  terms and BM25 statistics of the same kind.
* Vectors: ``dense_vector`` with ``similarity: cosine`` and explicit ``index_options`` (HNSW, m=16,
  ef_construction=100), queried with top-level ``knn`` and the same filters as a ``knn.filter``. ES reports
  ``(1 + cos) / 2``; we convert back to cosine so both backends return the same scale.
* Fusion happens in ``kb.search.hybrid`` (ES's own RRF needs a paid licence).
* One ES index per logical index: ``{prefix}-{index}``; the ES ``_id`` is the document id.
"""

from __future__ import annotations

from typing import Any

import numpy as np

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

ES_IMAGE = "docker.elastic.co/elasticsearch/elasticsearch:8.15.3"
HNSW_OPTIONS = {"type": "hnsw", "m": 16, "ef_construction": 100}


# -- request bodies (pure functions, pinned by golden tests) ------------------------------------------
def mapping_body(dim: int | None) -> dict[str, Any]:
    properties: dict[str, Any] = {
        "body": {"type": "text", "analyzer": "whitespace", "similarity": "BM25"},
        "valid_from": {"type": "date", "format": "strict_date"},
        "valid_to": {"type": "date", "format": "strict_date"},
        "created_at": {
            "type": "date",
            "format": "strict_date_hour_minute_second_fraction||strict_date_hour_minute_second",
        },
        "payload": {"type": "object", "enabled": False},
    }
    for field in TERM_FIELDS:
        properties[field] = {"type": "keyword"}
    if dim is not None:
        properties["vector"] = vector_mapping(dim)
    return {
        "settings": {"number_of_shards": 1, "number_of_replicas": 0, "refresh_interval": "1s"},
        "mappings": {"dynamic": "strict", "properties": properties},
    }


def vector_mapping(dim: int) -> dict[str, Any]:
    return {
        "type": "dense_vector",
        "dims": dim,
        "index": True,
        "similarity": "cosine",
        "index_options": dict(HNSW_OPTIONS),
    }


def document_source(doc: Document, vector: np.ndarray | None) -> dict[str, Any]:
    payload = document_to_dict(doc)
    source: dict[str, Any] = {"body": segment(index_text(doc)), "payload": payload}
    for field in TERM_FIELDS:
        if getattr(doc, field) is not None:
            source[field] = getattr(doc, field)
    for field in ("valid_from", "valid_to", "created_at"):
        if payload[field] is not None:
            source[field] = payload[field]
    if vector is not None:
        source["vector"] = [round(float(x), 7) for x in vector]
    return source


def bulk_body(es_index: str, documents: list[Document], vectors: np.ndarray | None) -> list[dict[str, Any]]:
    """Action/source pairs for ``client.bulk(operations=…)``; ``index`` replaces a whole document."""
    ops: list[dict[str, Any]] = []
    for i, doc in enumerate(documents):
        ops.append({"index": {"_index": es_index, "_id": doc.id}})
        ops.append(document_source(doc, vectors[i] if vectors is not None else None))
    return ops


def delete_body(es_index: str, ids: list[str]) -> list[dict[str, Any]]:
    return [{"delete": {"_index": es_index, "_id": doc_id}} for doc_id in ids]


def filter_clauses(filters: SearchFilters | None) -> list[dict[str, Any]]:
    if filters is None:
        return []
    clauses: list[dict[str, Any]] = []
    for name, values in filters.terms().items():
        clauses.append({"terms": {name: list(values)}})
    if filters.valid_at is not None:
        day = filters.valid_at.isoformat()
        for field, op in (("valid_from", "lte"), ("valid_to", "gte")):
            # An open end (field absent) counts as valid.
            clauses.append(
                {
                    "bool": {
                        "should": [
                            {"range": {field: {op: day}}},
                            {"bool": {"must_not": {"exists": {"field": field}}}},
                        ],
                        "minimum_should_match": 1,
                    }
                }
            )
    if filters.created_from or filters.created_to:
        bounds = {}
        if filters.created_from:
            bounds["gte"] = normalise_datetime(filters.created_from).isoformat()
        if filters.created_to:
            bounds["lte"] = normalise_datetime(filters.created_to).isoformat()
        clauses.append({"range": {"created_at": bounds}})
    return clauses


def keyword_query_body(terms: list[str], filters: SearchFilters | None, k: int) -> dict[str, Any]:
    return {
        "size": k,
        "_source": False,
        "track_total_hits": False,
        "query": {
            "bool": {
                "should": [{"term": {"body": t}} for t in terms],
                "minimum_should_match": 1,
                "filter": filter_clauses(filters),
            }
        },
    }


def knn_query_body(vector: np.ndarray, filters: SearchFilters | None, k: int) -> dict[str, Any]:
    knn: dict[str, Any] = {
        "field": "vector",
        "query_vector": [round(float(x), 7) for x in vector],
        "k": k,
        "num_candidates": max(100, 2 * k),
    }
    clauses = filter_clauses(filters)
    if clauses:
        knn["filter"] = clauses
    return {"size": k, "_source": False, "knn": knn}


# -- the adapter ----------------------------------------------------------------------------------------
class ElasticBackend:
    """``SearchBackend`` on Elasticsearch 8 (see module docstring)."""

    def __init__(self, url_or_client: Any, *, prefix: str = "hotline", drop_on_close: bool = False) -> None:
        from elasticsearch import Elasticsearch

        self.client = Elasticsearch(url_or_client) if isinstance(url_or_client, str) else url_or_client
        self.prefix = prefix
        self.drop_on_close = drop_on_close
        self._known: set[str] = set()

    def es_index(self, index: str) -> str:
        return f"{self.prefix}-{index}".lower()

    def _ensure(self, index: str, dim: int | None) -> str:
        name = self.es_index(index)
        if name not in self._known:
            if not self.client.indices.exists(index=name):
                self.client.indices.create(index=name, **mapping_body(dim))
            self._known.add(name)
        if dim is not None:
            props = self.client.indices.get_mapping(index=name)[name]["mappings"]["properties"]
            if "vector" not in props:
                self.client.indices.put_mapping(index=name, properties={"vector": vector_mapping(dim)})
            elif props["vector"]["dims"] != dim:
                raise ValueError(f"index {index!r} holds {props['vector']['dims']}-dim vectors, got {dim}-dim")
        return name

    def upsert(self, index: str, documents: list[Document], vectors: np.ndarray | None = None) -> None:
        if not documents:
            return
        if vectors is not None and len(vectors) != len(documents):
            raise ValueError(f"vectors shape {np.shape(vectors)} does not match {len(documents)} documents")
        name = self._ensure(index, None if vectors is None else int(np.shape(vectors)[1]))
        resp = self.client.bulk(operations=bulk_body(name, documents, vectors), refresh="wait_for")
        self._raise_bulk_errors(resp)

    def delete(self, index: str, ids: list[str]) -> None:
        name = self.es_index(index)
        if ids and self.client.indices.exists(index=name):
            self.client.bulk(operations=delete_body(name, list(ids)), refresh="wait_for")

    @staticmethod
    def _raise_bulk_errors(resp: Any) -> None:
        if resp.get("errors"):
            failed = [item for item in resp["items"] if next(iter(item.values())).get("error")]
            first = next(iter(failed[0].values()))
            raise RuntimeError(
                f"Elasticsearch bulk failed for {len(failed)} document(s); first: "
                f"{first.get('_id')!r}: {first['error']}"
            )

    def _search(self, index: str, body: dict[str, Any]) -> list[dict[str, Any]]:
        name = self.es_index(index)
        if not self.client.indices.exists(index=name):
            return []
        return self.client.search(index=name, **body)["hits"]["hits"]

    def keyword_search(
        self, index: str, terms: list[str], *, filters: SearchFilters | None = None, k: int = 10
    ) -> list[ScoredId]:
        if not terms:
            return []
        return [
            ScoredId(h["_id"], float(h["_score"])) for h in self._search(index, keyword_query_body(terms, filters, k))
        ]

    def vector_search(
        self, index: str, vector: np.ndarray, *, filters: SearchFilters | None = None, k: int = 10
    ) -> list[ScoredId]:
        hits = self._search(index, knn_query_body(np.asarray(vector, dtype=np.float32).reshape(-1), filters, k))
        return [ScoredId(h["_id"], 2.0 * float(h["_score"]) - 1.0) for h in hits]

    def get(self, index: str, ids: list[str]) -> dict[str, Document]:
        name = self.es_index(index)
        if not ids or not self.client.indices.exists(index=name):
            return {}
        resp = self.client.mget(index=name, ids=list(ids), source_includes=["payload"])
        return {d["_id"]: document_from_dict(d["_source"]["payload"]) for d in resp["docs"] if d.get("found")}

    def count(self, index: str) -> int:
        name = self.es_index(index)
        if not self.client.indices.exists(index=name):
            return 0
        self.client.indices.refresh(index=name)
        return int(self.client.count(index=name)["count"])

    def drop(self, index: str) -> None:
        name = self.es_index(index)
        self.client.indices.delete(index=name, ignore_unavailable=True)
        self._known.discard(name)

    def close(self) -> None:
        if self.drop_on_close:
            # By name: wildcard deletes are refused by default (action.destructive_requires_name).
            for name in sorted(self._known):
                self.client.indices.delete(index=name, ignore_unavailable=True)
        self.client.close()
