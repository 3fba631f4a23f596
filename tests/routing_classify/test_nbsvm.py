from __future__ import annotations

import numpy as np
import pytest
from sklearn.preprocessing import normalize

from routing.classify import model as model_mod
from routing.classify import store
from routing.classify.features import TextFeatures
from routing.classify.model import predict, train_pairs
from routing.classify.nbsvm import NBSVM
from tests.routing_classify import fixtures


def _data() -> tuple[list[str], list[str]]:
    rows = fixtures.rows()
    return [r["text"] for r in rows], [r["label"] for r in rows]


def test_scores_are_the_svm_on_ratio_scaled_normalised_rows_and_coef_explains_them() -> None:
    texts, labels = _data()
    feats = TextFeatures("nb-char14")
    x = feats.fit_transform(texts)
    assert set(np.unique(x.data)) == {1.0}, "NB-SVM's n-grams are present/absent"
    clf = NBSVM(C=0.1).fit(x, np.array(labels))
    row = feats.transform(["公交车站的站牌被撞坏了，请修复。"])
    s = clf.decision_function(row)[0]
    assert clf.classes_[int(np.argmax(s))] == "交通"
    for k, svm in enumerate(clf.svms_):
        scaled = row.multiply(clf.ratios_[k])
        norm = np.sqrt(scaled.multiply(scaled).sum())
        # coef_ times the raw row, over the row's norm after scaling, is the class score.
        assert s[k] == pytest.approx(float((row @ clf.coef_[k])[0]) / norm + svm.intercept_[0], abs=1e-4)
        assert s[k] == pytest.approx(float(svm.decision_function(normalize(scaled.tocsr()))[0]), abs=1e-5)


def test_a_single_class_is_refused_with_the_class_named() -> None:
    x = TextFeatures("nb-char14").fit_transform(["甲乙", "乙丙"])
    with pytest.raises(ValueError, match="交通"):
        NBSVM().fit(x, np.array(["交通", "交通"]))


def test_nb_variant_trains_explains_and_round_trips_through_the_store(monkeypatch, tmp_path) -> None:
    monkeypatch.setattr(model_mod, "VARIANTS", ("nb-char14",))
    texts, labels = _data()
    m = train_pairs(zip(texts, labels, strict=True), progress=False)
    assert m.extra["features"] == "nb-char14" and isinstance(m.classifier, NBSVM)
    info = store.save("request_type", m, serve=True, root=tmp_path)
    loaded, meta = store.load("request_type", root=tmp_path)
    assert meta.version == info.version
    text = "工厂排放污水，河里的鱼都死了。"
    p, q = predict(m, text), predict(loaded, text)
    assert p.label == q.label == "环境"
    assert p.confidence == pytest.approx(q.confidence)
    assert p.top_words and all(w.word in text for w in p.top_words)
    weights = [w.weight for w in p.top_words]
    assert weights == sorted(weights, reverse=True) and all(0 < w <= 1 for w in weights)


def test_a_row_with_no_known_feature_scores_the_intercepts_and_pickling_drops_the_cache() -> None:
    import pickle

    texts, labels = _data()
    feats = TextFeatures("nb-char14")
    clf = NBSVM(C=0.1).fit(feats.fit_transform(texts), np.array(labels))
    empty = feats.transform(["ｑｑｑ"])
    assert empty.nnz == 0
    assert clf.decision_function(empty)[0] == pytest.approx([svm.intercept_[0] for svm in clf.svms_])
    row = feats.transform(["公交车站的站牌被撞坏了，请修复。"])
    before = clf.decision_function(row)
    copy = pickle.loads(pickle.dumps(clf))
    assert copy._cache is None  # derived matrices are rebuilt, not stored with the model
    assert copy.decision_function(row) == pytest.approx(before)
