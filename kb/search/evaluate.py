"""Retrieval evaluation: BEIR loading, metrics and the runner behind ``hotline eval search``.

``evaluate(corpus, queries, qrels, mode=…, backend=…, embedder=…)`` builds a fresh index in a temporary
directory, sends every query through ``HybridSearcher.search`` (the console's path, query embedding
included in the timed part) and returns ``EvalResult`` with MRR@10, nDCG@10, Recall@1, Recall@10 and
latency p50/p95.

BEIR layout: ``corpus.jsonl`` lines ``{"_id", "title", "text", ...}`` (a ``department`` key becomes the
document's department), ``queries.jsonl`` lines ``{"_id", "text"}``, ``qrels.tsv`` with a header and
``query-id  corpus-id  score`` rows (score > 0 is relevant).
"""

from __future__ import annotations

import json
import math
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from kb.search.hybrid import DEFAULT_FUSION, FusionConfig, HybridSearcher, Mode
from kb.search.types import Document, Embedder, SearchBackend


class EvalInputError(ValueError):
    """A corpus/queries/qrels file is missing or malformed; the message names file and line."""


def _read_jsonl(path: Path, required: tuple[str, ...]) -> list[dict]:
    if not path.is_file():
        raise EvalInputError(f"{path}: file not found")
    rows = []
    with path.open(encoding="utf-8") as fh:
        for number, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise EvalInputError(f"{path}:{number}: invalid JSON ({exc.msg})") from None
            if not isinstance(row, dict):
                raise EvalInputError(f"{path}:{number}: expected a JSON object, got {type(row).__name__}")
            missing = [key for key in required if key not in row]
            if missing:
                raise EvalInputError(f"{path}:{number}: missing key(s) {', '.join(missing)}")
            rows.append(row)
    return rows


def load_corpus(path: str | Path) -> list[Document]:
    return [
        Document(
            id=str(r["_id"]),
            text=r["text"],
            title=r.get("title") or "",
            department=r.get("department"),
            category=r.get("category"),
            region=r.get("region"),
        )
        for r in _read_jsonl(Path(path), ("_id", "text"))
    ]


def load_queries(path: str | Path) -> dict[str, str]:
    return {str(r["_id"]): r["text"] for r in _read_jsonl(Path(path), ("_id", "text"))}


def load_qrels(path: str | Path) -> dict[str, dict[str, int]]:
    path = Path(path)
    if not path.is_file():
        raise EvalInputError(f"{path}: file not found")
    qrels: dict[str, dict[str, int]] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        parts = line.split("\t")
        if not line.strip() or (number == 1 and parts[0] == "query-id"):
            continue
        if len(parts) != 3:
            raise EvalInputError(f"{path}:{number}: expected 3 tab-separated columns, got {len(parts)}")
        try:
            score = int(parts[2])
        except ValueError:
            raise EvalInputError(f"{path}:{number}: score {parts[2]!r} is not an integer") from None
        if score > 0:
            qrels.setdefault(parts[0], {})[parts[1]] = score
    return qrels


# -- metrics (binary/graded relevance, one ranked list per query) -----------------------------------
def reciprocal_rank(ranked: list[str], relevant: dict[str, int], k: int = 10) -> float:
    return next((1.0 / i for i, doc in enumerate(ranked[:k], start=1) if doc in relevant), 0.0)


def recall(ranked: list[str], relevant: dict[str, int], k: int) -> float:
    return len(set(ranked[:k]) & set(relevant)) / len(relevant) if relevant else 0.0


def ndcg(ranked: list[str], relevant: dict[str, int], k: int = 10) -> float:
    dcg = sum(relevant.get(doc, 0) / math.log2(i + 1) for i, doc in enumerate(ranked[:k], start=1))
    ideal = sorted(relevant.values(), reverse=True)[:k]
    idcg = sum(g / math.log2(i + 1) for i, g in enumerate(ideal, start=1))
    return dcg / idcg if idcg else 0.0


def metrics(runs: dict[str, list[str]], qrels: dict[str, dict[str, int]]) -> dict[str, float]:
    """Mean metrics over the queries of ``runs`` that have judgements."""
    judged = [q for q in runs if q in qrels]
    if not judged:
        raise EvalInputError("no query in the run has a judgement in the qrels")
    return {
        "mrr@10": float(np.mean([reciprocal_rank(runs[q], qrels[q]) for q in judged])),
        "ndcg@10": float(np.mean([ndcg(runs[q], qrels[q]) for q in judged])),
        "recall@1": float(np.mean([recall(runs[q], qrels[q], 1) for q in judged])),
        "recall@10": float(np.mean([recall(runs[q], qrels[q], 10) for q in judged])),
    }


@dataclass(slots=True)
class EvalResult:
    mode: str
    backend: str
    embedder: str | None
    queries: int
    documents: int
    mrr10: float
    ndcg10: float
    recall1: float
    recall10: float
    latency_p50_ms: float
    latency_p95_ms: float

    def as_json(self) -> dict:
        data = asdict(self)
        for ours, theirs in (
            ("mrr10", "mrr@10"),
            ("ndcg10", "ndcg@10"),
            ("recall1", "recall@1"),
            ("recall10", "recall@10"),
        ):
            data[theirs] = data.pop(ours)
        return data


def make_backend(name: str, path: Path) -> SearchBackend:
    """A fresh backend for evaluation: ``embedded`` in ``path``, or ``elastic`` at ``HOTLINE_ES_URL``."""
    if name == "embedded":
        from kb.search.embedded import EmbeddedBackend

        return EmbeddedBackend(path)
    if name == "elastic":
        import os
        import uuid

        from kb.search.elastic import ElasticBackend

        url = os.environ.get("HOTLINE_ES_URL")
        if not url:
            raise EvalInputError("backend 'elastic' needs HOTLINE_ES_URL (e.g. http://localhost:9200)")
        return ElasticBackend(url, prefix=f"hotline-eval-{uuid.uuid4().hex[:8]}", drop_on_close=True)
    raise EvalInputError(f"unknown backend {name!r}; expected 'embedded' or 'elastic'")


def evaluate(
    corpus: list[Document],
    queries: dict[str, str],
    qrels: dict[str, dict[str, int]],
    *,
    mode: Mode = "hybrid",
    backend: str = "embedded",
    embedder: Embedder | None = None,
    fusion: FusionConfig = DEFAULT_FUSION,
    on_indexed: Callable[[int], None] | None = None,
    on_query: Callable[[int], None] | None = None,
) -> EvalResult:
    if mode != "bm25" and embedder is None:
        raise EvalInputError(f"mode {mode!r} needs an embedder")
    queries = {q: t for q, t in queries.items() if q in qrels}
    with tempfile.TemporaryDirectory(prefix="hotline-eval-") as tmp:
        store = make_backend(backend, Path(tmp) / "index")
        try:
            searcher = HybridSearcher(store, embedder if mode != "bm25" else None, fusion=fusion)
            searcher.index_documents(corpus, progress=on_indexed)
            runs: dict[str, list[str]] = {}
            latencies = []
            for query_id, text in queries.items():
                started = time.perf_counter()
                hits = searcher.search(text, mode=mode, k=10)
                latencies.append((time.perf_counter() - started) * 1000)
                runs[query_id] = [h.id for h in hits]
                if on_query is not None:
                    on_query(1)
        finally:
            close = getattr(store, "destroy", store.close)
            close()
    scores = metrics(runs, qrels)
    return EvalResult(
        mode=mode,
        backend=backend,
        embedder=getattr(embedder, "name", None) if mode != "bm25" else None,
        queries=len(runs),
        documents=len(corpus),
        mrr10=scores["mrr@10"],
        ndcg10=scores["ndcg@10"],
        recall1=scores["recall@1"],
        recall10=scores["recall@10"],
        latency_p50_ms=float(np.percentile(latencies, 50)),
        latency_p95_ms=float(np.percentile(latencies, 95)),
    )
