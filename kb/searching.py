"""Ranked KB passages for the console (HTTP and the live ``kb.search`` websocket message).

Defaults that matter to agents: only passages valid today (生效且未失效) are returned, and a region
filter also admits city-wide articles. The query vector comes from the shared ``QueryVectors`` LRU, so
the text an agent is typing is embedded once however many consumers ask.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any

from indexer.documents import ALL_REGIONS
from kb.schemas import ROOT_CATEGORIES, SearchHitOut
from kb.search.hybrid import MODES, HybridSearcher
from kb.search.types import SearchFilters

CHINA = timezone(timedelta(hours=8))
MAX_K = 50


def today_in_china() -> date:
    return datetime.now(CHINA).date()


def build_filters(
    *,
    category: str | None = None,
    region: str | None = None,
    department: str | None = None,
    valid_at: date | None = None,
) -> SearchFilters:
    if category and category not in ROOT_CATEGORIES:
        raise ValueError(f"未知的知识分类 category={category!r}，可选 {', '.join(ROOT_CATEGORIES)}")
    return SearchFilters(
        category=category or None,
        region=(region, ALL_REGIONS) if region else None,
        department=department or None,
        valid_at=valid_at,
    )


def search_passages(
    *,
    searcher: HybridSearcher,
    query_vectors: Any,
    text: str,
    category: str | None = None,
    region: str | None = None,
    department: str | None = None,
    mode: str = "hybrid",
    k: int = 10,
    today: date | None = None,
) -> list[SearchHitOut]:
    text = (text or "").strip()
    if not text:
        return []
    if mode not in MODES:
        raise ValueError(f"未知的检索模式 mode={mode!r}，可选 {', '.join(MODES)}")
    if searcher.embedder is None:
        mode = "bm25"  # keyword-only deployment (HOTLINE_EMBEDDER=none)
    k = max(1, min(int(k), MAX_K))
    filters = build_filters(category=category, region=region, department=department, valid_at=today or today_in_china())
    # The shared per-edit cache embeds the text (once) while BM25 runs.
    hits = searcher.search(
        text,
        filters=filters,
        mode=mode,  # type: ignore[arg-type]
        k=k,
        vector_source=query_vectors.get,
    )
    return [
        SearchHitOut(
            id=h.id,
            article_id=int(h.document.extra.get("article_id", 0)),
            title=h.document.title,
            heading_path=list(h.document.heading_path),
            snippet_html=h.snippet,
            source=h.document.extra.get("source"),
            category=h.document.category,
            valid_to=h.document.valid_to,
            score=round(float(h.score), 6),
        )
        for h in hits
    ]
