"""Temperature scaling of linear-model scores, and expected calibration error.

One temperature ``T`` turns decision scores into probabilities ``softmax(scores / T)``; it is fitted
on out-of-fold scores by minimising the negative log-likelihood. A single scalar cannot change the
arg-max, so calibration never costs accuracy (``CalibratedClassifierCV`` per-class sigmoids can).
Then, with enough rows, an isotonic map of the top label's confidence (``fit_top_label``), also fitted
out of fold and also unable to change the arg-max.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import minimize_scalar
from sklearn.isotonic import IsotonicRegression

ECE_BINS = 15


def softmax(scores: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    z = np.asarray(scores, dtype=np.float64) / temperature
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def fit_temperature(scores: np.ndarray, y_index: np.ndarray) -> float:
    """The temperature minimising NLL of ``y_index`` (column indices) under ``softmax(scores / T)``,
    against labels smoothed by ``smoothing(n, k)``.

    Why smoothed: out-of-fold scores that separate a small training set perfectly would drive ``T`` to
    its bound and every confidence to 1.0 — twenty right answers do not show certainty. Additive
    smoothing keeps the fitted confidence near the Laplace estimate of the accuracy on small sets and
    vanishes on large ones (9,000 rows: 0.0003).
    """
    scores = np.asarray(scores, dtype=np.float64)
    rows = np.arange(len(y_index))
    eps = smoothing(len(y_index), scores.shape[1])

    def nll(log_t: float) -> float:
        logp = np.log(np.clip(softmax(scores, float(np.exp(log_t))), 1e-12, None))
        return float(-np.mean((1.0 - eps) * logp[rows, y_index] + eps * logp.mean(axis=1)))

    res = minimize_scalar(nll, bounds=(np.log(1e-3), np.log(1e2)), method="bounded")
    return float(np.exp(res.x))


def smoothing(n: int, k: int) -> float:
    """Label-smoothing mass for ``n`` rows of ``k`` classes: ``k / (n + k)``, as add-one counts give."""
    return k / (n + k) if n + k > 0 else 0.0


def expected_calibration_error(confidence: np.ndarray, correct: np.ndarray, *, bins: int = ECE_BINS) -> float:
    """Top-label ECE: the gap |accuracy − mean confidence| per equal-width bin, weighted by bin size."""
    confidence = np.asarray(confidence, dtype=np.float64)
    correct = np.asarray(correct, dtype=np.float64)
    if confidence.shape != correct.shape:
        raise ValueError(f"confidence shape {confidence.shape} != correct shape {correct.shape}")
    if len(confidence) == 0:
        raise ValueError("expected_calibration_error needs at least one prediction")
    # Bin i holds confidences in (i/bins, (i+1)/bins]; a confidence of 0 goes to the first bin.
    idx = np.clip(np.ceil(confidence * bins).astype(int) - 1, 0, bins - 1)
    ece = 0.0
    for b in range(bins):
        mask = idx == b
        if mask.any():
            ece += mask.mean() * abs(correct[mask].mean() - confidence[mask].mean())
    return float(ece)


# Below this many training rows the out-of-fold points are too few for an isotonic map: temperature only.
MIN_ROWS_FOR_TOP_LABEL = 200


def fit_top_label(confidence: np.ndarray, correct: np.ndarray) -> IsotonicRegression | None:
    """A monotone map from the top-label confidence (after temperature) to the out-of-fold accuracy.

    Why: one temperature fits the whole distribution by NLL, but with many unbalanced classes (the
    ``domain`` data: ~30 units, a dozen with under 5 rows) the confident bins stay off by several points;
    ECE is about the top label, so the top label is what this map corrects. Monotone, so the order of
    orders by confidence is kept; it never changes the arg-max. None with too few rows.
    """
    if len(confidence) < MIN_ROWS_FOR_TOP_LABEL:
        return None
    iso = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip")
    iso.fit(np.asarray(confidence, dtype=np.float64), np.asarray(correct, dtype=np.float64))
    return iso


def recalibrate(proba: np.ndarray, iso: IsotonicRegression | None) -> np.ndarray:
    """Rows of ``proba`` with the top label's probability mapped by ``iso``, the others rescaled to
    share the rest (and kept below the top, so the arg-max stays)."""
    if iso is None:
        return proba
    proba = np.array(proba, dtype=np.float64, copy=True)
    rows = np.arange(len(proba))
    top = proba.argmax(axis=1)
    c = proba[rows, top]
    new = np.clip(iso.predict(c), 1e-6, 1.0)
    scale = (1.0 - new) / np.maximum(1.0 - c, 1e-12)
    proba *= scale[:, None]
    proba = np.minimum(proba, new[:, None])
    proba[rows, top] = new
    return proba
