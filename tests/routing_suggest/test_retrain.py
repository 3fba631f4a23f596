"""Retraining from the database: finished orders plus agents' feedback, feedback winning.

A tiny data set (orders written for this test) so training is deterministic: an override recorded
through the API changes the training data's hash and the retrained model predicts the corrected label.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import typer
from sqlalchemy import update
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from hotline.db import make_sessionmaker
from hotline.settings import get_settings
from routing import cli as routing_cli
from routing.classify import store
from routing.classify.from_db import db_pairs
from routing.classify.model import predict
from routing.orders.models import WorkOrder
from tests.foundation.helpers import order_body

LIGHTS = [
    ("路灯不亮", "幸福路北段路灯一周不亮，夜里走路看不清。"),
    ("路灯损坏", "民主路的路灯灯罩掉了，灯也不亮了。"),
    ("路灯闪烁", "桂花街的路灯一直闪烁，晚上很晃眼。"),
    ("路灯白天亮", "公园旁边的路灯白天也亮着，浪费电。"),
]
ROADS = [
    ("道路坑洼", "幸福路中段路面有大坑，电动车经过容易摔倒。"),
    ("路面塌陷", "民主路人行道塌陷了一块，行人差点踩空。"),
    ("井盖缺失", "桂花街井盖丢了，路面留下一个深坑。"),
    ("道路破损", "公园门口的道路破损严重，下雨全是积水。"),
]
LIGHT, ROAD = "城乡建设/市政设施/路灯故障", "城乡建设/市政设施/道路破损"
# Says nothing of lights or roads: its label is whatever the order (then the agent) says.
ODD = ("桥下涵洞", "青川河桥下的涵洞口有异响，附近居民担心。")


@pytest.fixture
def cli() -> typer.Typer:
    root, eval_app = typer.Typer(), typer.Typer()
    root.add_typer(eval_app, name="eval")
    routing_cli.register(root, eval_app)
    return root


def _order(api, subject: str, description: str, l3: str) -> int:  # type: ignore[no-untyped-def]
    res = api.post(
        "/api/orders",
        json=order_body(category_l3=l3, subject=subject, description=description),
    )
    assert res.status_code in (200, 201), res.text
    return int(res.json()["id"])


def test_override_then_retrain_from_db_learns_the_correction(
    as_user, demo, engine: Engine, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli
) -> None:
    api = as_user("agent")
    ids = [_order(api, s, d, "路灯故障") for s, d in LIGHTS] + [_order(api, s, d, "道路破损") for s, d in ROADS]
    odd = _order(api, *ODD, "路灯故障")
    factory = make_sessionmaker(engine)
    with factory() as session:  # arrangement: these orders went through their lifecycle and closed
        session.execute(update(WorkOrder).where(WorkOrder.id.in_([*ids, odd])).values(state="closed"))
        session.commit()
        before = db_pairs(session=session, task="category")
    assert before.orders == 9 and before.feedback == 0 and dict(before.pairs)[f"{ODD[0]}\n{ODD[1]}"] == LIGHT

    monkeypatch.setenv("HOTLINE_DATABASE_URL", db_url)
    monkeypatch.setenv("HOTLINE_DATA_DIR", str(tmp_path / "cli-data"))
    get_settings.cache_clear()
    runner = CliRunner()
    try:
        args = ["routing", "train", "--task", "category", "--from-db", "--folds", "0", "--serve"]
        first = runner.invoke(cli, args)
        assert first.exit_code == 0, first.output
        assert "已办结工单 9 条" in first.stdout and "覆盖工单原标签 0 条" in first.stdout
        v1 = store.load("category")[1]

        res = api.post(
            "/api/routing/feedback",
            json={"order_id": odd, "suggested": {"category": LIGHT}, "chosen": {"category": ROAD}},
        )
        assert res.status_code == 200, res.text

        second = runner.invoke(cli, args)
        assert second.exit_code == 0, second.output
        assert "话务员反馈样本 1 条（覆盖工单原标签 1 条，新增 0 条）" in second.stdout
        model, v2 = store.load("category")
        assert v2.version != v1.version and v2.data_sha256 != v1.data_sha256 and v2.n_train == v1.n_train
        assert predict(model, f"{ODD[0]}\n{ODD[1]}").label == ROAD
        old, _ = store.load("category", v1.version)
        assert predict(old, f"{ODD[0]}\n{ODD[1]}").label == LIGHT
    finally:
        get_settings.cache_clear()


def test_from_db_needs_exactly_one_source_and_a_known_task(cli, tmp_path: Path) -> None:
    runner = CliRunner()
    res = runner.invoke(cli, ["routing", "train", "--task", "category"])
    assert res.exit_code == 2 and "--jsonl 或 --from-db" in res.stderr
    jsonl = tmp_path / "x.jsonl"
    jsonl.write_text("", encoding="utf-8")
    res = runner.invoke(cli, ["routing", "train", "--task", "category", "--jsonl", str(jsonl), "--from-db"])
    assert res.exit_code == 2 and "--jsonl 或 --from-db" in res.stderr
