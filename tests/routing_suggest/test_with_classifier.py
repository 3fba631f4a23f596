"""The suggestion with a real trained category model serving (the production classifier and store)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from hotline.demo.load import city
from hotline.settings import Settings
from routing.classify import store, train_pairs

PHRASES = ("{}的问题好几天了", "反映一下{}", "这边{}一直没人管")


@pytest.fixture(scope="module")
def category_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A level-1 category model, trained on sentences we write from the demo catalogue's keywords (the
    shared data labels only the top level, as this does)."""
    pairs = [(p.format(kw), r["level1"]) for r in city()["catalogue"] for kw in r["keywords"] for p in PHRASES]
    root = tmp_path_factory.mktemp("models")
    store.save("category", train_pairs(pairs, progress=False), serve=True, root=root)
    return root


def test_model_level1_is_refined_by_a_catalogue_rule_and_stays_calibrated(
    client, as_user, demo, settings: Settings, category_store: Path
) -> None:
    shutil.copytree(category_store, settings.data_dir / "models")
    out = (
        as_user("agent")
        .post(
            "/api/routing/suggest",
            json={"description": "温泉镇这两天老是停水，什么时候恢复？", "incident_address": "温泉镇"},
        )
        .json()
    )
    category = out["category"]
    assert category["source"] == "model+rule" and category["calibrated"] is True
    assert category["value"] == "城乡建设/供水供气供暖/停水" and category["needs_choice"] is False
    assert any("模型判断「城乡建设」" in e for e in category["evidence"])
    assert out["units"]["lead"]["code"] == "Q0108"  # 白石县's own rule for its locality
    assert "停水" in out["explanation"]["top_words"]


def test_without_a_serving_model_the_fallback_says_it_is_not_calibrated(as_user, demo) -> None:
    out = as_user("agent").post("/api/routing/suggest", json={"description": "温泉镇停水了"}).json()
    assert out["category"]["calibrated"] is False and out["category"]["source"] in (
        "keywords",
        "similar_orders",
    )
