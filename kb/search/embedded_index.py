"""Pieces of the embedded backend (``kb.search.embedded``): filters as SQL and as tantivy queries, and
``IndexPair``, the tantivy index + usearch HNSW of one named index.
"""

from __future__ import annotations

import threading
from datetime import date, datetime
from pathlib import Path

import tantivy
from usearch.index import Index as HNSW

from kb.search.types import TERM_FIELDS, SearchFilters, normalise_datetime

NO_DATE_LOW, NO_DATE_HIGH = 0, 99_999_999  # open validity ends as yyyymmdd integers


def day_number(value: date | None, default: int) -> int:
    return value.year * 10000 + value.month * 100 + value.day if value else default


def micros(value: datetime) -> int:
    return int((normalise_datetime(value) - datetime(1970, 1, 1)).total_seconds() * 1_000_000)


def filter_sql(filters: SearchFilters | None) -> tuple[str, list[str | int]]:
    """``AND …`` conditions on the ``doc`` table for ``filters`` (shared reference implementation)."""
    if filters is None:
        return "", []
    sql: list[str] = []
    params: list[str | int] = []
    for name, values in filters.terms().items():
        sql.append(f"{name} IN ({','.join('?' * len(values))})")
        params.extend(values)
    if filters.valid_at is not None:
        sql.append("valid_from <= ? AND valid_to >= ?")
        params += [day_number(filters.valid_at, 0)] * 2
    if filters.created_from:
        sql.append("created_at >= ?")
        params.append(normalise_datetime(filters.created_from).isoformat())
    if filters.created_to:
        sql.append("created_at <= ?")
        params.append(normalise_datetime(filters.created_to).isoformat())
    return "".join(f" AND {s}" for s in sql), params


class IndexPair:
    """tantivy + usearch for one named index."""

    def __init__(self, root: Path, name: str) -> None:
        builder = tantivy.SchemaBuilder()
        builder.add_integer_field("key", stored=False, indexed=True, fast=True)
        builder.add_text_field("body", tokenizer_name="whitespace", index_option="freq")
        for field in TERM_FIELDS:
            builder.add_text_field(field, tokenizer_name="raw", index_option="basic")
        for field in ("valid_from", "valid_to", "created_at"):
            builder.add_integer_field(field, indexed=True, fast=True)
        self.schema = builder.build()
        path = root / f"{name}.tantivy"
        path.mkdir(parents=True, exist_ok=True)
        self.tantivy = tantivy.Index(self.schema, path=str(path), reuse=True)
        self.writer = self.tantivy.writer(heap_size=64_000_000, num_threads=1)
        self.hnsw_path = root / f"{name}.usearch"
        self.hnsw: HNSW | None = None
        self.lock = threading.Lock()  # usearch is not safe for concurrent add and search

    def new_hnsw(self, dim: int) -> HNSW:
        return HNSW(ndim=dim, metric="cos", dtype="f32", connectivity=16, expansion_add=128, expansion_search=96)

    def filter_queries(self, filters: SearchFilters | None) -> list[tantivy.Query]:
        if filters is None:
            return []
        out = []
        for name, values in filters.terms().items():
            terms = [tantivy.Query.term_query(self.schema, name, v) for v in values]
            out.append(
                terms[0] if len(terms) == 1 else tantivy.Query.boolean_query([(tantivy.Occur.Should, q) for q in terms])
            )
        integer = tantivy.FieldType.Integer
        if filters.valid_at is not None:
            day = day_number(filters.valid_at, 0)
            out.append(tantivy.Query.range_query(self.schema, "valid_from", integer, None, day))
            out.append(tantivy.Query.range_query(self.schema, "valid_to", integer, day, None))
        if filters.created_from or filters.created_to:
            low = micros(filters.created_from) if filters.created_from else None
            high = micros(filters.created_to) if filters.created_to else None
            out.append(tantivy.Query.range_query(self.schema, "created_at", integer, low, high))
        return out
