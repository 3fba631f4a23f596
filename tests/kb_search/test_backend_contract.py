"""One contract every ``SearchBackend`` must meet; subclassed per backend."""

from __future__ import annotations

import os
import threading
import uuid
from datetime import UTC, date, datetime, timedelta

import numpy as np
import pytest

from kb.search.embedded import EmbeddedBackend
from kb.search.tokenize import tokenize
from kb.search.types import KB_INDEX, ORDER_INDEX, Document, SearchBackend, SearchFilters

DIM = 16


def unit(seed: int) -> np.ndarray:
    vec = np.random.default_rng(seed).standard_normal(DIM).astype(np.float32)
    return vec / np.linalg.norm(vec)


ARTICLES = [
    Document(
        id="a1",
        text="社会保障卡丢失后到社保网点挂失补办",
        title="社保卡补办",
        category="社会保障",
        region="朝阳区",
        department="人力资源社会保障局",
    ),
    Document(
        id="a2",
        text="提取住房公积金需要身份证和购房合同",
        title="公积金提取",
        category="住房",
        region="海淀区",
        department="住房公积金管理中心",
        valid_from=date(2024, 1, 1),
    ),
    Document(
        id="a3",
        text="旧版公积金政策：租房提取每月限额",
        category="住房",
        region="海淀区",
        department="住房公积金管理中心",
        valid_to=date(2023, 12, 31),
    ),
    Document(
        id="a4",
        text="居民身份证换领到户籍所在地派出所",
        category="户籍",
        region="朝阳区",
        department="公安局",
        extra={"source": "portal"},
        heading_path=("户政", "身份证"),
    ),
]
VECTORS = np.stack([unit(i) for i in range(len(ARTICLES))])


class BackendContract:
    """Subclasses provide ``backend`` (a fresh, empty backend per test)."""

    @pytest.fixture
    def backend(self) -> SearchBackend:  # pragma: no cover - overridden
        raise NotImplementedError

    @pytest.fixture
    def loaded(self, backend: SearchBackend) -> SearchBackend:
        backend.upsert(KB_INDEX, ARTICLES, VECTORS)
        return backend

    def ids(self, hits) -> list[str]:
        return [h.id for h in hits]

    def test_upsert_count_and_get_round_trip(self, loaded):
        assert loaded.count(KB_INDEX) == 4
        got = loaded.get(KB_INDEX, ["a4", "missing"])
        assert list(got) == ["a4"]
        assert got["a4"] == ARTICLES[3]

    def test_keyword_search_uses_synonyms_and_ranks(self, loaded):
        hits = loaded.keyword_search(KB_INDEX, tokenize("医保卡补办"), k=10)
        assert self.ids(hits)[0] == "a1"
        assert all(h.score > 0 for h in hits)
        assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)

    def test_keyword_search_no_match(self, loaded):
        assert loaded.keyword_search(KB_INDEX, ["火星移民"], k=10) == []
        assert loaded.keyword_search(KB_INDEX, [], k=10) == []

    def test_vector_search_nearest_first(self, loaded):
        query = VECTORS[2] + 0.05 * unit(99)
        hits = loaded.vector_search(KB_INDEX, query / np.linalg.norm(query), k=4)
        assert self.ids(hits)[0] == "a3"
        assert hits[0].score == pytest.approx(float(VECTORS[2] @ (query / np.linalg.norm(query))), abs=1e-3)

    @pytest.mark.parametrize(
        ("filters", "expected"),
        [
            (SearchFilters(category="住房"), {"a2", "a3"}),
            (SearchFilters(region=("朝阳区", "西城区")), {"a1", "a4"}),
            (SearchFilters(department="公安局"), {"a4"}),
            (SearchFilters(category="住房", region="朝阳区"), set()),
            (SearchFilters(valid_at=date(2024, 6, 1)), {"a1", "a2", "a4"}),
            (SearchFilters(valid_at=date(2023, 6, 1)), {"a1", "a3", "a4"}),
        ],
    )
    def test_filters_apply_to_both_signals(self, loaded, filters, expected):
        terms = tokenize("社保卡 公积金 身份证 提取 补办 派出所 租房")
        keyword = set(self.ids(loaded.keyword_search(KB_INDEX, terms, filters=filters, k=10)))
        vector = set(self.ids(loaded.vector_search(KB_INDEX, unit(7), filters=filters, k=10)))
        reference = {d.id for d in ARTICLES if filters.matches(d)}
        assert reference == expected
        assert keyword == expected
        assert vector == expected

    def test_filters_do_not_change_keyword_scores(self, loaded):
        terms = tokenize("公积金 提取")
        plain = {h.id: h.score for h in loaded.keyword_search(KB_INDEX, terms, k=10)}
        filtered = loaded.keyword_search(KB_INDEX, terms, filters=SearchFilters(category="住房"), k=10)
        for hit in filtered:
            assert hit.score == pytest.approx(plain[hit.id], rel=1e-5)

    def test_replace_changes_text_and_vector(self, loaded):
        loaded.upsert(KB_INDEX, [Document(id="a1", text="驾驶证到期换证", category="交通")], unit(50)[None, :])
        assert loaded.count(KB_INDEX) == 4
        assert "a1" not in self.ids(loaded.keyword_search(KB_INDEX, tokenize("社保卡"), k=10))
        assert self.ids(loaded.keyword_search(KB_INDEX, tokenize("驾照"), k=10)) == ["a1"]
        assert self.ids(loaded.vector_search(KB_INDEX, unit(50), k=1)) == ["a1"]
        assert loaded.get(KB_INDEX, ["a1"])["a1"].category == "交通"

    def test_delete_removes_from_every_signal(self, loaded):
        loaded.delete(KB_INDEX, ["a2", "never-there"])
        assert loaded.count(KB_INDEX) == 3
        assert "a2" not in self.ids(loaded.keyword_search(KB_INDEX, tokenize("公积金 提取"), k=10))
        assert "a2" not in self.ids(loaded.vector_search(KB_INDEX, VECTORS[1], k=4))
        assert loaded.get(KB_INDEX, ["a2"]) == {}

    def test_drop_empties_one_index_and_forgets_its_dimension(self, loaded):
        loaded.upsert(ORDER_INDEX, [Document(id="o1", text="噪音扰民")])
        loaded.drop(KB_INDEX)
        assert loaded.count(KB_INDEX) == 0
        assert loaded.keyword_search(KB_INDEX, tokenize("公积金"), k=5) == []
        assert loaded.vector_search(KB_INDEX, VECTORS[1], k=5) == []
        assert loaded.get(KB_INDEX, ["a1"]) == {}
        assert loaded.count(ORDER_INDEX) == 1  # other indexes are untouched
        wider = np.ones((1, DIM * 2), dtype=np.float32) / np.sqrt(DIM * 2)
        loaded.upsert(KB_INDEX, [Document(id="z1", text="公积金新文章")], wider)
        assert self.ids(loaded.vector_search(KB_INDEX, wider[0], k=1)) == ["z1"]
        assert self.ids(loaded.keyword_search(KB_INDEX, tokenize("公积金"), k=5)) == ["z1"]

    def test_keyword_only_documents(self, backend):
        backend.upsert(KB_INDEX, [Document(id="t1", text="营业执照办理流程")])
        assert self.ids(backend.keyword_search(KB_INDEX, tokenize("执照"), k=5)) == ["t1"]
        assert backend.vector_search(KB_INDEX, unit(1), k=5) == []

    def test_order_index_is_separate_with_order_filters(self, loaded):
        base = datetime(2025, 3, 1, 9, 0)
        orders = [
            Document(
                id=f"o{i}",
                text=text,
                region=region,
                category="噪音",
                unit=unit_name,
                state=state,
                created_at=base + timedelta(days=i),
            )
            for i, (text, region, unit_name, state) in enumerate(
                [
                    ("夜间施工噪音扰民", "朝阳区", "朝阳区城管委", "dispatched"),
                    ("广场舞噪音扰民", "海淀区", "海淀区城管委", "closed"),
                    ("工地夜间施工太吵", "朝阳区", "朝阳区城管委", "closed"),
                ]
            )
        ]
        loaded.upsert(ORDER_INDEX, orders, np.stack([unit(100 + i) for i in range(3)]))
        assert loaded.count(ORDER_INDEX) == 3 and loaded.count(KB_INDEX) == 4
        terms = tokenize("夜间施工噪音")
        assert set(self.ids(loaded.keyword_search(ORDER_INDEX, terms, k=10))) == {"o0", "o1", "o2"}
        f = SearchFilters(region="朝阳区", unit="朝阳区城管委", state="closed")
        assert self.ids(loaded.keyword_search(ORDER_INDEX, terms, filters=f, k=10)) == ["o2"]
        window = SearchFilters(
            created_from=base + timedelta(hours=1),
            created_to=(base + timedelta(days=1, hours=1)).replace(tzinfo=UTC),
        )
        assert set(self.ids(loaded.keyword_search(ORDER_INDEX, terms, filters=window, k=10))) == {"o1"}
        assert set(self.ids(loaded.vector_search(ORDER_INDEX, unit(1), filters=window, k=10))) == {"o1"}

    def test_vector_dimension_mismatch_is_refused(self, loaded):
        with pytest.raises(ValueError, match="dim"):
            loaded.upsert(KB_INDEX, [Document(id="x", text="x")], np.ones((1, DIM + 1), np.float32))


class TestEmbeddedBackend(BackendContract):
    @pytest.fixture
    def backend(self, tmp_path):
        backend = EmbeddedBackend(tmp_path / "index")
        yield backend
        backend.close()

    def test_reopens_from_disk(self, tmp_path):
        first = EmbeddedBackend(tmp_path / "idx")
        first.upsert(KB_INDEX, ARTICLES, VECTORS)
        first.close()
        again = EmbeddedBackend(tmp_path / "idx")
        assert again.count(KB_INDEX) == 4
        assert self.ids(again.keyword_search(KB_INDEX, tokenize("公积金"), k=1))[0] in {"a2", "a3"}
        assert self.ids(again.vector_search(KB_INDEX, VECTORS[3], k=1)) == ["a4"]
        again.close()

    def test_rebuilds_vectors_after_unclean_shutdown(self, tmp_path):
        first = EmbeddedBackend(tmp_path / "idx")
        first.upsert(KB_INDEX, ARTICLES, VECTORS)
        first.flush()
        # After the last flush: the saved HNSW file lacks a5 and still holds a4.
        first.upsert(KB_INDEX, [Document(id="a5", text="新文章")], unit(60)[None, :])
        first.delete(KB_INDEX, ["a4"])
        del first  # no close(): as after a crash
        again = EmbeddedBackend(tmp_path / "idx")
        assert self.ids(again.vector_search(KB_INDEX, unit(60), k=1)) == ["a5"]
        assert "a4" not in self.ids(again.vector_search(KB_INDEX, VECTORS[3], k=5))
        assert self.ids(again.vector_search(KB_INDEX, VECTORS[1], k=1)) == ["a2"]
        again.close()

    def test_one_writer_and_concurrent_readers(self, loaded):
        errors: list[BaseException] = []
        stop = threading.Event()

        def read() -> None:
            try:
                while not stop.is_set():
                    loaded.keyword_search(KB_INDEX, tokenize("公积金 身份证"), k=5)
                    loaded.vector_search(KB_INDEX, unit(3), filters=SearchFilters(category="住房"), k=2)
                    loaded.get(KB_INDEX, ["a1", "a2"])
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)

        readers = [threading.Thread(target=read) for _ in range(3)]
        for t in readers:
            t.start()
        for i in range(20):
            loaded.upsert(
                KB_INDEX,
                [Document(id=f"n{i}", text=f"第{i}号新文章 公积金", category="住房")],
                unit(200 + i)[None, :],
            )
        stop.set()
        for t in readers:
            t.join()
        assert errors == []
        assert loaded.count(KB_INDEX) == 24

    def test_replaced_document_never_drops_out(self, loaded):
        # Readers racing a stream of replacements of one document must find it on every search:
        # a replacement keeps the row key, so no search falls between the two writes.
        missing: list[str] = []
        stop = threading.Event()
        searches = 0

        def read() -> None:
            nonlocal searches
            while not stop.is_set():
                if "a1" not in self.ids(loaded.keyword_search(KB_INDEX, tokenize("社会保障卡"), k=10)):
                    missing.append("keyword")
                if "a1" not in self.ids(loaded.vector_search(KB_INDEX, unit(0), k=10)):
                    missing.append("vector")
                searches += 1

        reader = threading.Thread(target=read)
        reader.start()
        for i in range(30):
            loaded.upsert(KB_INDEX, [Document(id="a1", text=f"社会保障卡补办 第{i}版")], unit(0)[None, :])
        stop.set()
        reader.join()
        assert searches > 0
        assert missing == []
        assert loaded.get(KB_INDEX, ["a1"])["a1"].text == "社会保障卡补办 第29版"

    def test_rejects_bad_index_name(self, backend):
        with pytest.raises(ValueError, match="'../x'"):
            backend.keyword_search("../x", ["a"])


@pytest.mark.skipif(
    not os.environ.get("HOTLINE_ES_URL"),
    reason="HOTLINE_ES_URL not set: no Elasticsearch server to run the contract against",
)
class TestElasticBackend(BackendContract):
    @pytest.fixture
    def backend(self):
        from kb.search.elastic import ElasticBackend

        backend = ElasticBackend(
            os.environ["HOTLINE_ES_URL"], prefix=f"hotline-test-{uuid.uuid4().hex[:8]}", drop_on_close=True
        )
        yield backend
        backend.close()
