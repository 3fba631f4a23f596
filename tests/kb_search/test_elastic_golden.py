"""Golden request bodies of the Elasticsearch adapter (no server runs here; these pin what we send).

Regenerate after an intended change with
``HOTLINE_UPDATE_GOLDEN=1 pytest tests/kb_search/test_elastic_golden.py``
and review the diff.
"""

from __future__ import annotations

import json
import os
from datetime import date, datetime
from pathlib import Path

import elasticsearch
import numpy as np
import pytest

from kb.search import elastic
from kb.search.tokenize import tokenize
from kb.search.types import Document, SearchFilters

GOLDEN = Path(__file__).resolve().parent / "golden"
ROOT = Path(__file__).resolve().parents[2]

DOCS = [
    Document(
        id="kb-1",
        text="社会保障卡丢失后到社保网点挂失补办",
        title="社保卡补办",
        heading_path=("社保", "补卡"),
        category="社会保障",
        region="朝阳区",
        department="人力资源社会保障局",
        valid_from=date(2024, 1, 1),
    ),
    Document(
        id="order-7",
        text="夜间施工噪音扰民",
        region="海淀区",
        unit="海淀区城管委",
        state="dispatched",
        created_at=datetime(2025, 3, 1, 9, 30),
    ),
]
VECTORS = np.array([[0.6, 0.8, 0.0], [0.0, 0.6, 0.8]], dtype=np.float32)
FILTERS = SearchFilters(
    category=("社会保障", "住房"),
    region="朝阳区",
    valid_at=date(2024, 6, 1),
    created_from=datetime(2025, 1, 1),
    created_to=datetime(2025, 12, 31, 23, 59, 59),
)

CASES = {
    "mapping": lambda: elastic.mapping_body(384),
    "mapping_keyword_only": lambda: elastic.mapping_body(None),
    "bulk": lambda: elastic.bulk_body("hotline-kb", DOCS, VECTORS),
    "delete": lambda: elastic.delete_body("hotline-kb", ["kb-1", "order-7"]),
    "keyword_query": lambda: elastic.keyword_query_body(["医保卡", "丢", "补办"], FILTERS, 50),
    "keyword_query_unfiltered": lambda: elastic.keyword_query_body(["公积金", "提取"], None, 10),
    "knn_query": lambda: elastic.knn_query_body(VECTORS[0], FILTERS, 50),
    "knn_query_unfiltered": lambda: elastic.knn_query_body(VECTORS[1], None, 10),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_body_matches_golden(name):
    body = json.loads(json.dumps(CASES[name](), ensure_ascii=False))
    path = GOLDEN / f"{name}.json"
    if os.environ.get("HOTLINE_UPDATE_GOLDEN"):
        path.write_text(json.dumps(body, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    assert body == json.loads(path.read_text(encoding="utf-8"))


def test_mapping_pins_whitespace_analyser_and_hnsw_options():
    props = elastic.mapping_body(384)["mappings"]["properties"]
    assert props["body"]["analyzer"] == "whitespace"
    assert props["vector"]["index_options"] == {"type": "hnsw", "m": 16, "ef_construction": 100}


def test_bulk_sends_pre_segmented_text():
    source = elastic.bulk_body("i", DOCS[:1], None)[1]
    assert source["body"].split(" ") == tokenize("社保卡补办 社保 补卡\n" + DOCS[0].text)
    assert "vector" not in source


def test_client_major_version_matches_server_image():
    image_major = int(elastic.ES_IMAGE.rsplit(":", 1)[1].split(".")[0])
    assert elasticsearch.__versionstr__.startswith(f"{image_major}.")
    compose = ROOT / "docker-compose.yml"
    if compose.is_file() and "elasticsearch" in compose.read_text(encoding="utf-8"):
        assert elastic.ES_IMAGE in compose.read_text(encoding="utf-8")
