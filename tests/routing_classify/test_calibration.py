from __future__ import annotations

import numpy as np
import pytest

from routing.classify.calibration import expected_calibration_error, fit_temperature, softmax


def test_ece_by_hand() -> None:
    # Two bins: 0.9 (1 of 2 right: gap 0.4) and 0.6 (2 of 2 right: gap 0.4), each half the data.
    conf = np.array([0.9, 0.9, 0.6, 0.6])
    correct = np.array([1, 0, 1, 1])
    assert expected_calibration_error(conf, correct) == pytest.approx(0.4)


def test_ece_small_for_calibrated_and_large_for_overconfident() -> None:
    rng = np.random.default_rng(0)
    conf = rng.uniform(0.34, 1.0, 20000)
    correct = rng.uniform(size=conf.size) < conf
    assert expected_calibration_error(conf, correct) < 0.02
    overconfident = np.minimum(conf + 0.2, 1.0)
    assert expected_calibration_error(overconfident, correct) > 0.12


def test_ece_rejects_mismatched_and_empty_input() -> None:
    with pytest.raises(ValueError, match="shape"):
        expected_calibration_error(np.array([0.5, 0.5]), np.array([1]))
    with pytest.raises(ValueError, match="at least one"):
        expected_calibration_error(np.array([]), np.array([]))


def test_fit_temperature_recovers_the_generating_temperature() -> None:
    rng = np.random.default_rng(1)
    scores = rng.normal(0, 3, size=(8000, 4))
    p = softmax(scores, 2.5)
    y = np.array([rng.choice(4, p=row) for row in p])
    assert fit_temperature(scores, y) == pytest.approx(2.5, rel=0.1)


def test_softmax_rows_sum_to_one_and_keep_order() -> None:
    s = np.array([[1.0, 3.0, 2.0], [-5.0, 0.0, 5.0]])
    p = softmax(s, 0.7)
    assert np.allclose(p.sum(axis=1), 1.0)
    assert (p.argmax(axis=1) == s.argmax(axis=1)).all()


def test_perfectly_separated_small_sets_are_not_called_certain() -> None:
    # 20 out-of-fold rows, every one right by a wide margin: unsmoothed NLL would push T to its bound
    # and the confidence to 1.0.
    y = np.arange(20) % 3
    scores = np.full((20, 3), -1.0)
    scores[np.arange(20), y] = 1.0
    top = softmax(scores, fit_temperature(scores, y)).max(axis=1)
    laplace = (20 + 1) / (20 + 3)  # add-one estimate of the accuracy after 20 of 20 right
    assert 0.8 < top.max() < 0.99
    assert top.max() == pytest.approx(laplace, abs=0.05)
