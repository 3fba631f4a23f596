from __future__ import annotations

from pathlib import Path

import pytest

from routing.classify import classify, has_serving_model, store, train_pairs
from tests.routing_classify import fixtures


@pytest.fixture(scope="module")
def models():
    data = [(r["text"], r["label"]) for r in fixtures.rows()]
    return train_pairs(data, progress=False), train_pairs(data[1:], progress=False)


def test_save_list_switch_rollback(tmp_path: Path, models) -> None:
    a, b = models
    assert store.list_versions("category", root=tmp_path) == []
    assert not has_serving_model("category", root=tmp_path)
    with pytest.raises(store.ModelNotFound, match="no serving model"):
        classify("公交站坏了", task="category", root=tmp_path)

    va = store.save("category", a, evaluation={"macro_f1": 0.9}, serve=True, root=tmp_path)
    vb = store.save("category", b, root=tmp_path)
    listed = store.list_versions("category", root=tmp_path)
    assert [v.version for v in listed] == [va.version, vb.version]
    assert [v.serving for v in listed] == [True, False]
    assert listed[0].evaluation == {"macro_f1": 0.9}
    assert listed[0].data_sha256 == a.data_sha256 and listed[1].data_sha256 == b.data_sha256
    assert listed[0].labels == ["交通", "教育", "环境"]

    store.switch("category", vb.version, root=tmp_path)
    assert store.serving_version("category", root=tmp_path) == vb.version
    loaded, info = store.load("category", root=tmp_path)
    assert info.version == vb.version and loaded.data_sha256 == b.data_sha256
    assert classify("地铁末班车太早", task="category", root=tmp_path).label == "交通"

    assert store.rollback("category", root=tmp_path) == va.version
    assert store.serving_version("category", root=tmp_path) == va.version
    with pytest.raises(store.ModelNotFound, match="no earlier serving version"):
        store.rollback("category", root=tmp_path)


def test_switch_to_unknown_version_and_bad_task_are_refused(tmp_path: Path, models) -> None:
    store.save("category", models[0], root=tmp_path)
    with pytest.raises(store.ModelNotFound, match="20990101T000000Z-deadbeef"):
        store.switch("category", "20990101T000000Z-deadbeef", root=tmp_path)
    with pytest.raises(store.ModelNotFound, match="invalid model version"):
        store.switch("category", "../../etc", root=tmp_path)
    with pytest.raises(ValueError, match="invalid task name 'Cat/x'"):
        store.list_versions("Cat/x", root=tmp_path)


def test_tampered_model_file_is_not_loaded(tmp_path: Path, models) -> None:
    info = store.save("category", models[0], serve=True, root=tmp_path)
    path = tmp_path / "category" / info.version / store.MODEL_FILE
    path.write_bytes(path.read_bytes() + b"x")
    with pytest.raises(ValueError, match="sha256"):
        store.load("category", root=tmp_path)
