from __future__ import annotations

import pytest

from routing.classify import EmptyTrainingSet, train, train_pairs
from routing.classify.model import predict
from tests.routing_classify import fixtures


@pytest.fixture(scope="module")
def model():
    data = fixtures.rows()
    return train([r["text"] for r in data], [r["label"] for r in data], progress=False)


def test_prediction_has_label_confidence_and_sorted_alternatives(model) -> None:
    p = predict(model, "地铁站门口的公交车站没有遮雨棚，等车很不方便。")
    assert p.label == "交通"
    assert p.alternatives[0].label == p.label
    assert p.alternatives[0].confidence == pytest.approx(p.confidence, abs=1e-4)
    confs = [a.confidence for a in p.alternatives]
    assert confs == sorted(confs, reverse=True)
    assert 1 / 3 < p.confidence <= 1.0
    assert sum(confs) <= 1.0 + 1e-6
    assert p.needs_choice(p.confidence + 0.01) and not p.needs_choice(p.confidence - 0.01)


def test_explanation_names_words_of_the_text_that_pushed_towards_the_label(model) -> None:
    text = "学校的校车太旧了，孩子们上学很不安全。"
    p = predict(model, text)
    assert p.label == "教育"
    assert p.top_words, "an explanation must name at least one word"
    for w in p.top_words:
        assert w.word in text.lower()
        assert 0 < w.weight <= 1
    assert any(w.word in {"学校", "校车", "孩子", "上学"} for w in p.top_words)
    weights = [w.weight for w in p.top_words]
    assert weights == sorted(weights, reverse=True)


def test_binary_task_explains_both_classes() -> None:
    texts = fixtures.TRAFFIC + fixtures.ENVIRONMENT
    labels = ["交通"] * len(fixtures.TRAFFIC) + ["环境"] * len(fixtures.ENVIRONMENT)
    m = train(texts, labels, progress=False)
    for text, want in (("公交车站台被撞坏", "交通"), ("工厂排放污水，河水发臭", "环境")):
        p = predict(m, text)
        assert p.label == want
        assert p.top_words and all(w.word in text for w in p.top_words)


def test_empty_labels_are_skipped_and_empty_sets_refused() -> None:
    with pytest.raises(EmptyTrainingSet, match="empty training set"):
        train_pairs([("有文字", ""), ("也有文字", "")], progress=False)
    with pytest.raises(EmptyTrainingSet, match="single label"):
        train_pairs([("a", "交通"), ("b", "交通"), ("c", "")], progress=False)


def test_training_data_hash_changes_with_the_data() -> None:
    data = [(r["text"], r["label"]) for r in fixtures.rows()]
    a = train_pairs(data, progress=False)
    b = train_pairs(data[:-1], progress=False)
    assert a.data_sha256 != b.data_sha256 and len(a.data_sha256) == 64
    assert a.n_train == len(data)
