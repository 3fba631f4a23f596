"""Evaluation with the production training and prediction code: hold-out or repeated stratified CV.

With folds, each repeat (seeds 0–2) also fits the reference baseline — character 1–3-gram TF-IDF +
``LinearSVC()`` — on exactly the same folds, so the comparison is one run, side by side.

With an ``embedder``, every text is embedded once, up front, through the persistent cache (never per
fold), and predictions get the vector as the suggestion does: latency excludes the embedding, which
the suggestion computes once per edit and shares with search.
"""

from __future__ import annotations

import time
import warnings
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from sklearn.metrics import accuracy_score, f1_score, precision_recall_fscore_support
from sklearn.model_selection import StratifiedKFold
from sklearn.svm import LinearSVC

from routing.classify.calibration import expected_calibration_error
from routing.classify.features import baseline_features
from routing.classify.model import EmptyTrainingSet, predict, train_pairs

CV_SEEDS = (0, 1, 2)


@dataclass(slots=True)
class EvalReport:
    accuracy: float
    macro_f1: float
    per_class: dict[str, dict[str, float]]
    ece: float
    latency_p50_ms: float
    latency_p95_ms: float
    n_test: int
    baseline_macro_f1: float | None = None
    macro_f1_per_fold: list[float] = field(default_factory=list)
    baseline_macro_f1_per_fold: list[float] = field(default_factory=list)
    unseen_labels: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, object]:
        out: dict[str, object] = {
            "accuracy": self.accuracy,
            "macro_f1": self.macro_f1,
            "per_class": self.per_class,
            "ece": self.ece,
            "latency_p50_ms": self.latency_p50_ms,
            "latency_p95_ms": self.latency_p95_ms,
            "n_test": self.n_test,
            "unseen_labels": self.unseen_labels,
        }
        if self.baseline_macro_f1 is not None:
            out["baseline_macro_f1"] = self.baseline_macro_f1
            out["macro_f1_std"] = float(np.std(self.macro_f1_per_fold))
            out["baseline_macro_f1_std"] = float(np.std(self.baseline_macro_f1_per_fold))
            out["folds"] = len(self.macro_f1_per_fold)
        return out


@dataclass(slots=True)
class _Run:
    """Predictions of one model on one test set."""

    y_true: list[str]
    y_pred: list[str]
    confidence: list[float]
    latency_ms: list[float]


def _predict_all(
    pairs_train: list[tuple[str, str]],
    pairs_test: list[tuple[str, str]],
    embedder: str | None = None,
    vectors_train: np.ndarray | None = None,
    vectors_test: np.ndarray | None = None,
) -> _Run:
    model = train_pairs(pairs_train, progress=False, embedder=embedder, vectors=vectors_train)
    run = _Run([], [], [], [])
    for i, (text, label) in enumerate(pairs_test):
        vector = vectors_test[i] if vectors_test is not None else None
        t0 = time.perf_counter()
        # The production path, explanation included: that is the latency served.
        p = predict(model, text, vector=vector, vector_model=model.embedder_id)
        run.latency_ms.append((time.perf_counter() - t0) * 1000)
        run.y_true.append(label)
        run.y_pred.append(p.label)
        run.confidence.append(p.confidence)
    return run


def _baseline_f1(pairs_train: list[tuple[str, str]], pairs_test: list[tuple[str, str]]) -> float:
    vec = baseline_features()
    x = vec.fit_transform([t for t, _ in pairs_train])
    clf = LinearSVC().fit(x, [lab for _, lab in pairs_train])
    pred = clf.predict(vec.transform([t for t, _ in pairs_test]))
    return float(f1_score([lab for _, lab in pairs_test], pred, average="macro", zero_division=0))


def _report(runs: list[_Run], unseen: list[str]) -> EvalReport:
    y_true = [y for r in runs for y in r.y_true]
    y_pred = [y for r in runs for y in r.y_pred]
    conf = np.array([c for r in runs for c in r.confidence])
    lat = np.array([ms for r in runs for ms in r.latency_ms])
    labels = sorted(set(y_true) | set(y_pred))
    p, r, f, s = precision_recall_fscore_support(y_true, y_pred, labels=labels, zero_division=0)
    per_class = {
        lab: {"precision": float(p[i]), "recall": float(r[i]), "f1": float(f[i]), "support": int(s[i])}
        for i, lab in enumerate(labels)
    }
    fold_f1 = [float(f1_score(r.y_true, r.y_pred, average="macro", zero_division=0)) for r in runs]
    correct = np.array([a == b for a, b in zip(y_true, y_pred, strict=True)])
    return EvalReport(
        accuracy=float(accuracy_score(y_true, y_pred)),
        macro_f1=float(np.mean(fold_f1)),
        per_class=per_class,
        ece=expected_calibration_error(conf, correct),
        latency_p50_ms=float(np.percentile(lat, 50)),
        latency_p95_ms=float(np.percentile(lat, 95)),
        n_test=len(y_true),
        macro_f1_per_fold=fold_f1,
        unseen_labels=unseen,
    )


def _vectors(texts: list[str], embedder: str | None, progress: Callable[[int, int], None] | None) -> np.ndarray | None:
    """All texts' vectors, once (cached across runs); ``progress(done, total)`` while embedding."""
    if embedder is None:
        return None
    from routing.classify.embedding import missing_vectors, text_vectors

    total, done = missing_vectors(texts, embedder), 0

    def step(n: int) -> None:
        nonlocal done
        done += n
        if progress is not None:
            progress(done, total)

    return text_vectors(texts, embedder, progress=step)


def evaluate_holdout(
    train: list[tuple[str, str]],
    test: list[tuple[str, str]],
    *,
    warn: Callable[[str], None] = print,
    embedder: str | None = None,
    on_embed: Callable[[int, int], None] | None = None,
) -> EvalReport:
    """Train on ``train``, score ``test``; labels unseen in training are warned about and scored as misses."""
    if not train:
        raise EmptyTrainingSet("empty training set: no row with both a text and a non-empty label")
    if not test:
        raise ValueError("empty test set: no row with a non-empty label")
    unseen = sorted({lab for _, lab in test} - {lab for _, lab in train})
    if unseen:
        warn(f"警告: 测试集中有训练集未出现的标签（按错判计）: {', '.join(unseen)}")
    vectors = _vectors([t for t, _ in train + test], embedder, on_embed)
    split = len(train)
    return _report(
        [
            _predict_all(
                train,
                test,
                embedder,
                None if vectors is None else vectors[:split],
                None if vectors is None else vectors[split:],
            )
        ],
        unseen,
    )


def cv_splits(y: np.ndarray, folds: int, seeds: tuple[int, ...] = CV_SEEDS) -> list[tuple[np.ndarray, np.ndarray]]:
    """(train, test) index pairs of repeated stratified ``folds``-fold CV, seed after seed: the folds every
    evaluation and bench scores on."""
    splits: list[tuple[np.ndarray, np.ndarray]] = []
    for seed in seeds:
        splitter = StratifiedKFold(folds, shuffle=True, random_state=seed)
        with warnings.catch_warnings():
            # sklearn warns about every label with fewer rows than folds; only those a fold's training
            # part lacks are unseen (a 2-row label lands in two folds, each training on the other row).
            warnings.simplefilter("ignore", category=UserWarning)
            splits += list(splitter.split(np.zeros(len(y)), y))
    return splits


def evaluate_cv(
    pairs: list[tuple[str, str]],
    folds: int,
    *,
    seeds: tuple[int, ...] = CV_SEEDS,
    warn: Callable[[str], None] = print,
    on_fold: Callable[[int, int, float, float], None] | None = None,
    embedder: str | None = None,
    on_embed: Callable[[int, int], None] | None = None,
) -> EvalReport:
    """Repeated stratified ``folds``-fold CV, production and baseline on the same folds.

    ``on_fold(done, total, f1, baseline_f1)`` is called after each fold, ``on_embed(done, total)``
    while texts not yet cached are embedded (progress bars).
    """
    if not pairs:
        raise EmptyTrainingSet("empty training set: no row with both a text and a non-empty label")
    if folds < 2:
        raise ValueError(f"--folds must be at least 2, got {folds}")
    counts = Counter(lab for _, lab in pairs)
    if len(counts) < 2:
        raise EmptyTrainingSet(f"training set has a single label {next(iter(counts))!r}; at least two are needed")
    y = np.array([lab for _, lab in pairs])
    splits = cv_splits(y, folds, seeds)
    unseen = sorted(set().union(*(set(y[te].tolist()) - set(y[tr].tolist()) for tr, te in splits)))
    if unseen:
        warn(f"警告: 以下标签在部分折的训练部分中未出现，这些折按错判计: {', '.join(unseen)}")
    vectors = _vectors([t for t, _ in pairs], embedder, on_embed)
    runs: list[_Run] = []
    base: list[float] = []
    total = len(splits)
    for tr, te in splits:
        train_part = [pairs[i] for i in tr]
        test_part = [pairs[i] for i in te]
        runs.append(
            _predict_all(
                train_part,
                test_part,
                embedder,
                None if vectors is None else vectors[tr],
                None if vectors is None else vectors[te],
            )
        )
        base.append(_baseline_f1(train_part, test_part))
        if on_fold is not None:
            r = runs[-1]
            on_fold(
                len(runs),
                total,
                float(f1_score(r.y_true, r.y_pred, average="macro", zero_division=0)),
                base[-1],
            )
    report = _report(runs, unseen)
    report.baseline_macro_f1 = float(np.mean(base))
    report.baseline_macro_f1_per_fold = base
    return report
