"""Search data types and the two protocols every adapter implements.

* ``Document`` (alias ``Passage``): one indexed unit — a knowledge-base passage or a (masked) order.
  Metadata fields are the ones filters use; anything else goes in ``extra`` (stored, returned, not
  filterable).
* ``SearchFilters``: all given conditions must hold (AND); a tuple value means "any of these" (OR).
  ``valid_at`` keeps documents whose ``[valid_from, valid_to]`` contains that date (open ends allowed).
  ``created_from``/``created_to`` bound ``created_at`` (inclusive, for the order index).
* ``SearchHit``: one result, with the per-signal scores that produced it and a highlighted snippet.
* ``SearchBackend``: stores documents of several *indexes* (``"kb"``, ``"order"``) and answers keyword
  (BM25 over pre-segmented text) and vector queries. Fusion, snippets and embedding live above it, in
  ``kb.search.hybrid``, so that every backend ranks the same way.
* ``Embedder``: text to L2-normalised float32 vectors; the adapter adds model-specific prefixes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol, runtime_checkable

import numpy as np

KB_INDEX = "kb"
ORDER_INDEX = "order"
#: Metadata fields filters can match exactly (one value or any of several).
TERM_FIELDS = ("category", "region", "department", "unit", "state")


@dataclass(frozen=True, slots=True)
class Document:
    id: str
    text: str
    title: str = ""
    heading_path: tuple[str, ...] = ()
    category: str | None = None
    region: str | None = None
    department: str | None = None
    unit: str | None = None  # handling unit of an order
    state: str | None = None  # order state, or article state
    valid_from: date | None = None
    valid_to: date | None = None
    created_at: datetime | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.id:
            raise ValueError("Document.id must be a non-empty string")
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise ValueError(f"document {self.id!r}: valid_to {self.valid_to} is before {self.valid_from}")


Passage = Document


@dataclass(frozen=True, slots=True)
class SearchFilters:
    category: str | tuple[str, ...] | None = None
    region: str | tuple[str, ...] | None = None
    department: str | tuple[str, ...] | None = None
    unit: str | tuple[str, ...] | None = None
    state: str | tuple[str, ...] | None = None
    valid_at: date | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None

    def terms(self) -> dict[str, tuple[str, ...]]:
        """The exact-match conditions, each as a tuple of allowed values."""
        out = {}
        for name in TERM_FIELDS:
            value = getattr(self, name)
            if value is not None:
                out[name] = (value,) if isinstance(value, str) else tuple(value)
        return out

    def is_empty(self) -> bool:
        return not self.terms() and self.valid_at is None and not self.created_from and not self.created_to

    def matches(self, doc: Document) -> bool:
        """Whether ``doc`` passes every condition (the reference semantics backends must follow)."""
        for name, allowed in self.terms().items():
            if getattr(doc, name) not in allowed:
                return False
        if self.valid_at is not None:
            if doc.valid_from and doc.valid_from > self.valid_at:
                return False
            if doc.valid_to and doc.valid_to < self.valid_at:
                return False
        if self.created_from and (doc.created_at is None or doc.created_at < self.created_from):
            return False
        return not (self.created_to and (doc.created_at is None or doc.created_at > self.created_to))


@dataclass(frozen=True, slots=True)
class ScoredId:
    """A backend's raw answer: document id and the signal's score (BM25 or cosine)."""

    id: str
    score: float


@dataclass(slots=True)
class SearchHit:
    id: str
    score: float  # fused score; ordering key
    document: Document
    scores: dict[str, float] = field(default_factory=dict)  # per signal: "bm25", "dense", "rerank"
    ranks: dict[str, int] = field(default_factory=dict)  # 1-based rank per signal
    snippet: str = ""  # HTML-escaped, matched terms wrapped in <em>…</em>


@runtime_checkable
class SearchBackend(Protocol):
    """Storage and retrieval of documents; one instance serves several named indexes."""

    def upsert(self, index: str, documents: list[Document], vectors: np.ndarray | None = None) -> None:
        """Insert or replace by id. ``segmented`` text is computed by the backend via ``tokenize``.

        ``vectors`` (n × dim, L2-normalised) may be omitted; such documents are keyword-only.
        Visible to searches when the call returns.
        """

    def delete(self, index: str, ids: list[str]) -> None:
        """Remove documents; unknown ids are ignored."""

    def keyword_search(
        self, index: str, terms: list[str], *, filters: SearchFilters | None = None, k: int = 10
    ) -> list[ScoredId]:
        """BM25 over the pre-segmented text, any term may match (OR), best first."""

    def vector_search(
        self, index: str, vector: np.ndarray, *, filters: SearchFilters | None = None, k: int = 10
    ) -> list[ScoredId]:
        """Cosine similarity to ``vector`` (approximate allowed), best first."""

    def get(self, index: str, ids: list[str]) -> dict[str, Document]:
        """Stored documents by id (missing ids absent from the result)."""

    def count(self, index: str) -> int:
        """Number of documents in ``index``."""

    def drop(self, index: str) -> None:
        """Remove ``index`` with every document and its vector dimension (``hotline index rebuild``)."""

    def close(self) -> None:
        """Flush to durable storage and release resources."""


@runtime_checkable
class Embedder(Protocol):
    """Sentence embedder; rows are L2-normalised float32."""

    name: str
    dim: int

    def embed_queries(self, texts: list[str]) -> np.ndarray: ...

    def embed_passages(self, texts: list[str]) -> np.ndarray: ...


def normalise_datetime(value: datetime) -> datetime:
    """Naive UTC: stored and compared the same way in every backend."""
    if value.tzinfo is not None:
        from datetime import UTC

        value = value.astimezone(UTC).replace(tzinfo=None)
    return value


def document_to_dict(doc: Document) -> dict[str, Any]:
    """JSON-ready form of ``doc`` (dates as ISO strings), used as the stored payload by backends."""
    return {
        "id": doc.id,
        "text": doc.text,
        "title": doc.title,
        "heading_path": list(doc.heading_path),
        "category": doc.category,
        "region": doc.region,
        "department": doc.department,
        "unit": doc.unit,
        "state": doc.state,
        "valid_from": doc.valid_from.isoformat() if doc.valid_from else None,
        "valid_to": doc.valid_to.isoformat() if doc.valid_to else None,
        "created_at": normalise_datetime(doc.created_at).isoformat() if doc.created_at else None,
        "extra": doc.extra,
    }


def document_from_dict(data: dict[str, Any]) -> Document:
    return Document(
        id=data["id"],
        text=data["text"],
        title=data.get("title") or "",
        heading_path=tuple(data.get("heading_path") or ()),
        category=data.get("category"),
        region=data.get("region"),
        department=data.get("department"),
        unit=data.get("unit"),
        state=data.get("state"),
        valid_from=date.fromisoformat(data["valid_from"]) if data.get("valid_from") else None,
        valid_to=date.fromisoformat(data["valid_to"]) if data.get("valid_to") else None,
        created_at=datetime.fromisoformat(data["created_at"]) if data.get("created_at") else None,
        extra=data.get("extra") or {},
    )


def index_text(doc: Document) -> str:
    """The text both BM25 and the embedder see: title, heading path and body."""
    head = " ".join(p for p in (doc.title, *doc.heading_path) if p)
    return f"{head}\n{doc.text}" if head else doc.text
