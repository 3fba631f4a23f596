"""NB-SVM (Wang & Manning 2012): a linear SVM on binary n-gram features scaled by naive-Bayes log-count
ratios, one-vs-rest.

Why: on the request-type data (咨询 / 投诉求助 / 建言) it is the only linear model measured that moves
clearly above the character TF-IDF + SVM baseline (BENCHMARKS.md ``## Classification``); on the
category data it loses, so training keeps it only where its out-of-fold macro-F1 wins
(``model.train_pairs``). scikit-learn has no NB-SVM; this is the log-count-ratio scaling around its
``LinearSVC``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.sparse import csr_matrix
from sklearn.preprocessing import normalize
from sklearn.svm import LinearSVC

# Laplace smoothing of the per-class n-gram counts.
ALPHA = 1.0


class NBSVM:
    """``fit(x, y)`` on non-negative (binary) features, ``decision_function(x)`` → (n, n_classes).

    ``coef_`` is each class's SVM weight times its log-count ratio: the weight a raw feature value
    gets before the row is L2-normalised (a positive per-row factor), so ``coef_ * x`` ranks a row's
    features by their share of the class score exactly as the explanation needs.
    """

    def __init__(self, C: float = 0.1) -> None:
        self.C = C
        self.classes_: np.ndarray = np.array([])
        self.ratios_: np.ndarray = np.zeros((0, 0), dtype=np.float32)
        self.svms_: list[LinearSVC] = []
        self._cache: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None

    def fit(self, x: Any, y: np.ndarray) -> NBSVM:
        x = csr_matrix(x, dtype=np.float32)
        y = np.asarray(y)
        self.classes_ = np.unique(y)
        if len(self.classes_) < 2:
            raise ValueError(f"NBSVM needs at least two classes, got {self.classes_.tolist()}")
        ratios, svms = [], []
        for c in self.classes_:
            pos = y == c
            p = np.asarray(x[pos].sum(axis=0)).ravel() + ALPHA
            q = np.asarray(x[~pos].sum(axis=0)).ravel() + ALPHA
            r = np.log((p / p.sum()) / (q / q.sum())).astype(np.float32)
            ratios.append(r)
            svms.append(LinearSVC(C=self.C).fit(_scaled(x, r), pos.astype(int)))
        self.ratios_ = np.vstack(ratios)
        self.svms_ = svms
        self._cache = None
        return self

    def decision_function(self, x: Any) -> np.ndarray:
        """Each class's SVM score of the row scaled by that class's ratios and L2-normalised, computed
        without building the scaled rows: ``w·(x⊙r)/‖x⊙r‖ + b = x·(w⊙r) / √(x²·r²) + b``, two sparse
        products for all classes at once (the live suggestion calls this on every edit)."""
        if not self.svms_:
            raise RuntimeError("NBSVM.decision_function called before fit")
        x = csr_matrix(x, dtype=np.float32)
        coef_t, ratios_sq_t, intercept = self._dense()
        num = np.asarray(x @ coef_t)
        norm = np.sqrt(np.asarray(x.multiply(x) @ ratios_sq_t))
        # A row with no known feature scales to zeros, as normalize() leaves it: the score is b.
        return np.divide(num, norm, out=np.zeros_like(num), where=norm > 0) + intercept

    @property
    def coef_(self) -> np.ndarray:
        return self._dense()[0].T

    def _dense(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        # Built once per fitted (or unpickled) model and kept off the pickle's format.
        cached = getattr(self, "_cache", None)
        if cached is None:
            coef = np.vstack([svm.coef_[0] * r for svm, r in zip(self.svms_, self.ratios_, strict=True)])
            intercept = np.array([svm.intercept_[0] for svm in self.svms_], dtype=np.float32)
            # Feature-major and contiguous: a sparse row times it reads only the row's features' rows.
            cached = (
                np.ascontiguousarray(coef.T, dtype=np.float32),
                np.ascontiguousarray(np.square(self.ratios_).T, dtype=np.float32),
                intercept,
            )
            self._cache = cached
        return cached

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "_cache": None}


def _scaled(x: csr_matrix, r: np.ndarray) -> csr_matrix:
    return normalize(csr_matrix(x.multiply(r)))
