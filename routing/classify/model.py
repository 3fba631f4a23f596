"""The production classifier: ``train`` and ``predict``.

Model: ``TextFeatures`` (character 1–2-grams + jieba words, TF-IDF) → ``LinearSVC`` with balanced class
weights → temperature-scaled softmax for calibrated confidences (fitted on 3-fold out-of-fold scores).
Chosen by measurement over LR, ridge, complement NB and other n-gram ranges: BENCHMARKS.md
``## Classification``. Training and prediction take ~ms per order on one core.
"""

from __future__ import annotations

import hashlib
import json
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.model_selection import KFold, StratifiedKFold
from sklearn.svm import LinearSVC

from routing.classify.calibration import fit_temperature, softmax
from routing.classify.features import TextFeatures

CALIBRATION_FOLDS = 3
TOP_ALTERNATIVES = 3
TOP_WORDS = 5
MODEL_KIND = "tfidf-sublinear-char12-word-linearsvc-balanced-temperature"


class EmptyTrainingSet(ValueError):
    """No usable (text, label) pair to train on."""


@dataclass(frozen=True, slots=True)
class Alternative:
    label: str
    confidence: float


@dataclass(frozen=True, slots=True)
class WeightedWord:
    word: str
    weight: float  # this word's share of the predicted class's score


@dataclass(frozen=True, slots=True)
class Prediction:
    label: str
    confidence: float  # calibrated probability of ``label``
    alternatives: list[Alternative]  # best first, ``label`` included
    top_words: list[WeightedWord]  # the explanation: what pushed the text towards ``label``

    def needs_choice(self, threshold: float) -> bool:
        """True when the console should ask the agent to choose instead of pre-filling ``label``."""
        return self.confidence < threshold


@dataclass(slots=True)
class TrainedModel:
    features: TextFeatures
    classifier: LinearSVC
    labels: list[str]
    temperature: float
    data_sha256: str
    n_train: int
    kind: str = MODEL_KIND
    extra: dict[str, Any] = field(default_factory=dict)

    def scores(self, texts: list[str]) -> np.ndarray:
        return _scores(self.classifier, self.features.transform(texts), len(self.labels))

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        return softmax(self.scores(texts), self.temperature)


def data_hash(pairs: list[tuple[str, str]]) -> str:
    """sha256 of the training pairs in order (JSON lines), so a version names exactly what it learned."""
    h = hashlib.sha256()
    for text, label in pairs:
        h.update(json.dumps([text, label], ensure_ascii=False).encode("utf-8"))
        h.update(b"\n")
    return h.hexdigest()


def _scores(clf: LinearSVC, x: Any, n_labels: int) -> np.ndarray:
    s = clf.decision_function(x)
    if s.ndim == 1:  # binary: one score for classes_[1]
        s = np.column_stack([-s, s])
    if s.shape[1] != n_labels:
        raise ValueError(f"classifier has {s.shape[1]} classes, expected {n_labels}")
    return s


def _classifier() -> LinearSVC:
    return LinearSVC(class_weight="balanced", C=1.0)


def _oof_scores(x: Any, y: np.ndarray, n_labels: int, seed: int) -> np.ndarray:
    """Out-of-fold decision scores; a class missing from a fold's training part scores lowest."""
    counts = np.bincount(y, minlength=n_labels)
    if counts.min() >= CALIBRATION_FOLDS:
        splitter: Any = StratifiedKFold(CALIBRATION_FOLDS, shuffle=True, random_state=seed)
    else:
        splitter = KFold(CALIBRATION_FOLDS, shuffle=True, random_state=seed)
    out = np.zeros((len(y), n_labels))
    for tr, te in splitter.split(x, y):
        present = np.unique(y[tr])
        if len(present) < 2:
            out[te] = 0.0
            continue
        clf = _classifier().fit(x[tr], y[tr])
        s = _scores(clf, x[te], len(present))
        full = np.full((len(te), n_labels), s.min() - 1.0)
        full[:, present] = s
        out[te] = full
    return out


def _clean(pairs: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(str(t), str(lab)) for t, lab in pairs if lab is not None and str(lab) != "" and t is not None]


def train(
    texts: Iterable[str], labels: Iterable[str], *, progress: bool = True, seed: int = 0
) -> TrainedModel:
    """Fit the production model on parallel ``texts``/``labels`` (pairs with an empty label are skipped)."""
    return train_pairs(zip(texts, labels, strict=True), progress=progress, seed=seed)


def train_pairs(pairs: Iterable[tuple[str, str]], *, progress: bool = True, seed: int = 0) -> TrainedModel:
    """Source-agnostic training: any iterable of (text, label) — a JSONL file, closed orders from the DB."""
    data = _clean(pairs)
    if not data:
        raise EmptyTrainingSet("empty training set: no row with both a text and a non-empty label")
    labels = sorted({lab for _, lab in data})
    if len(labels) < 2:
        raise EmptyTrainingSet(f"training set has a single label {labels[0]!r}; at least two are needed")
    texts = [t for t, _ in data]
    index = {lab: i for i, lab in enumerate(labels)}
    y = np.array([index[lab] for _, lab in data])
    steps = ["特征提取", "交叉校准", "训练模型"]
    with _Progress(progress, len(steps)) as bar:
        features = TextFeatures()
        x = features.fit_transform(texts)
        bar.advance(steps[0])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", category=UserWarning)  # tiny classes in a fold
            oof = _oof_scores(x, y, len(labels), seed)
        temperature = fit_temperature(oof, y)
        bar.advance(steps[1])
        clf = _classifier().fit(x, y)
        bar.advance(steps[2])
    return TrainedModel(features, clf, labels, temperature, data_hash(data), len(data))


def read_jsonl_pairs(
    path: str | Path, text_field: str, label_field: str
) -> tuple[list[tuple[str, str]], int]:
    """(text, label) pairs of a JSONL file and how many rows had an empty label (dropped).

    Raises ``FileNotFoundError`` for a missing file and ``KeyError`` naming a field absent from a row.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no such file: {path}")
    pairs: list[tuple[str, str]] = []
    dropped = 0
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            row = json.loads(line)
            for name in (text_field, label_field):
                if name not in row:
                    raise KeyError(f"{path}:{n}: field {name!r} missing (row has: {', '.join(row)})")
            label = row[label_field]
            if label is None or str(label).strip() == "":
                dropped += 1
                continue
            pairs.append((str(row[text_field] or ""), str(label)))
    return pairs, dropped


def train_from_jsonl(
    path: str | Path, text_field: str, label_field: str, *, progress: bool = True
) -> TrainedModel:
    pairs, _ = read_jsonl_pairs(path, text_field, label_field)
    return train_pairs(pairs, progress=progress)


def _explain(model: TrainedModel, row: Any, label_index: int) -> list[WeightedWord]:
    coef = model.classifier.coef_
    # A binary LinearSVC has one weight vector, for classes_[1].
    w = (coef[0] if label_index == 1 else -coef[0]) if coef.shape[0] == 1 else coef[label_index]
    cols = row.indices
    contrib = row.data * w[cols]
    positive = contrib > 0
    if not positive.any():
        return []
    cols, contrib = cols[positive], contrib[positive]
    total = float(contrib.sum())
    chosen: list[WeightedWord] = []
    # Words first (readable); single characters only when they are a word themselves.
    for j in np.argsort(-contrib):
        name = str(model.features.names[cols[j]])
        if len(name.strip()) < 2 and not model.features.is_word[cols[j]]:
            continue
        if any(name in c.word for c in chosen):
            continue
        chosen.append(WeightedWord(name, round(float(contrib[j]) / total, 4)))
        if len(chosen) == TOP_WORDS:
            break
    return chosen


def predict(model: TrainedModel, text: str, *, explain: bool = True) -> Prediction:
    """Label, calibrated confidence, top alternatives and (``explain``) the words that weighed most."""
    x = model.features.transform([text])
    proba = softmax(_scores(model.classifier, x, len(model.labels)), model.temperature)[0]
    order = np.argsort(-proba)
    alts = [Alternative(model.labels[i], round(float(proba[i]), 4)) for i in order[:TOP_ALTERNATIVES]]
    best = int(order[0])
    words = _explain(model, x.getrow(0), best) if explain else []
    return Prediction(model.labels[best], float(proba[best]), alts, words)


class _Progress:
    """A rich progress bar over training steps, or nothing (``enabled=False``, tests, pipes)."""

    def __init__(self, enabled: bool, total: int) -> None:
        self.enabled, self.total = enabled, total
        self._p: Any = None

    def __enter__(self) -> _Progress:
        if self.enabled:
            from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

            self._p = Progress(
                TextColumn("训练分类模型 {task.description}"),
                BarColumn(),
                TimeElapsedColumn(),
                transient=False,
            )
            self._p.start()
            self._task = self._p.add_task("", total=self.total)
        return self

    def advance(self, description: str) -> None:
        if self._p is not None:
            self._p.update(self._task, advance=1, description=description)

    def __exit__(self, *exc: object) -> None:
        if self._p is not None:
            self._p.stop()
