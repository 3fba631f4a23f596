"""An urgency model the centre trains from its own orders and agents' corrections: it decides where no
urgency rule fires, a rule's 紧急 always wins, and when it is confident it adds the ``model_urgent``
risk flag — in the suggestion and in the supervisors' alert at intake.

The texts are written for this test: winter heating failures and missing manhole covers (urgent by
this centre's practice, yet no urgency or risk rule names them) against everyday requests.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select, update
from sqlalchemy.engine import Engine

from hotline.db import make_sessionmaker
from hotline.events.models import Event
from hotline.settings import Settings
from routing.classify import rules, store
from routing.classify.from_db import db_pairs
from routing.orders.models import WorkOrder
from routing.risk import detect_risk
from tests.foundation.helpers import order_body
from tests.routing_suggest.conftest import train_from_db

URGENT = [
    ("暖气不热", "家里暖气片一点都不热，屋里只有八度，晚上冻得睡不着。"),
    ("供暖中断", "我们整栋楼从昨天开始没有供暖了，室内冷得像冰窖。"),
    ("暖气停了", "寒潮来了小区暖气却停了，家里冷得坐不住。"),
    ("暖气片冰凉", "暖气片摸上去冰凉冰凉的，屋里温度不到十度。"),
    ("供热停了", "小区供热突然停了，零下十几度家里根本待不住。"),
    ("没有暖气", "入冬以来一直没有暖气，家里冷得穿着棉袄睡觉。"),
    ("暖气不来", "大降温了暖气还不来，屋里温度只有六七度。"),
    ("供暖不达标", "家里供暖温度只有九度，晚上冻得直哆嗦。"),
    ("井盖丢了", "大马路中间的井盖丢了，车来车往特别吓人。"),
    ("井盖没了", "路口的井盖被人偷了，下面的深坑黑乎乎的。"),
    ("井盖缺失", "学校门口井盖没了，孩子放学经过很容易掉下去。"),
    ("井口敞开", "人行道上的井口敞开着没有盖子，晚上看不见。"),
    ("窨井盖被偷", "主干道上的窨井盖被偷了，已经有车轮陷进去了。"),
    ("井盖破损", "小区门口井盖碎成几块，一踩就往下掉。"),
]
NORMAL = [
    ("公园长椅", "建议公园里多放几把长椅，老人散步累了可以歇歇脚。"),
    ("居住证办理", "请问办理居住证需要带哪些材料，在哪里办？"),
    ("广场舞噪音", "晚上广场舞音乐声音有点大，希望能小一点。"),
    ("公交线路", "建议增加一条通往开发区的公交线路。"),
    ("社保查询", "想咨询一下社保缴费记录在哪里可以查到。"),
    ("小区绿化", "小区绿化带的草很久没修剪了，希望物业管一管。"),
    ("图书馆开放", "请问市图书馆周末几点开门？"),
    ("路灯建议", "建议在河边步道多装几盏路灯，晚上散步更方便。"),
    ("快递柜", "小区快递柜太少，经常放不下，希望增加。"),
    ("停车收费", "想问一下医院门口的停车费怎么收的。"),
    ("垃圾分类", "垃圾分类的桶颜色不太好分辨，建议贴上说明。"),
    ("学区咨询", "请问孩子上小学的学区是怎么划分的？"),
    ("宠物登记", "养狗需要去哪里登记，要带什么材料？"),
    ("菜市场", "菜市场周末人太多，建议延长营业时间。"),
]
# Closed as 一般, but the agent had marked it 紧急 against the suggestion (an override).
OVERRIDDEN = ("暖气冰凉", "这几天暖气一直是凉的，家里冷得孩子都感冒了。")
# Says it another way than every training text.
QUERY = "楼里的暖气突然不供了，屋子里冷得不行，晚上根本没法睡。"


def _closed(api, engine: Engine, subject: str, description: str, urgency: str) -> int:  # type: ignore[no-untyped-def]
    res = api.post("/api/orders", json=order_body(subject=subject, description=description))
    assert res.status_code == 201, res.text
    oid = int(res.json()["id"])
    with make_sessionmaker(engine)() as session:
        session.execute(update(WorkOrder).where(WorkOrder.id == oid).values(state="closed", urgency=urgency))
        session.commit()
    return oid


def _alerts(engine: Engine) -> list[Event]:
    with make_sessionmaker(engine)() as session:
        return list(session.scalars(select(Event).where(Event.type == "alert.risk").order_by(Event.position)))


def _train(db_url: str, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> str:
    return train_from_db("urgency", db_url=db_url, settings=settings, monkeypatch=monkeypatch)


def test_the_texts_fire_no_urgency_or_risk_rule() -> None:
    """What the other tests rely on: only a model can call these texts urgent."""
    for subject, description in [*URGENT, *NORMAL, OVERRIDDEN]:
        text = f"{subject}\n{description}"
        assert rules.urgency(text).value == "normal" and detect_risk(text) == [], text
    assert rules.urgency(QUERY).value == "normal" and detect_risk(QUERY) == []


def test_a_trained_urgency_model_decides_where_no_rule_fires_and_alerts_when_confident(
    as_user,  # type: ignore[no-untyped-def]
    engine: Engine,
    db_url: str,
    settings: Settings,
    seeded,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    agent = as_user("agent")
    for subject, description in URGENT:
        _closed(agent, engine, subject, description, "urgent")
    for subject, description in NORMAL:
        _closed(agent, engine, subject, description, "normal")
    overridden = _closed(agent, engine, *OVERRIDDEN, "normal")
    res = agent.post(
        "/api/routing/feedback",
        json={"order_id": overridden, "suggested": {"urgency": "normal"}, "chosen": {"urgency": "urgent"}},
    )
    assert res.status_code == 200 and res.json()["fields"] == ["urgency"], res.text
    with make_sessionmaker(engine)() as session:
        found = db_pairs(session=session, task="urgency")
    assert (found.orders, found.feedback, found.conflicts, found.added) == (
        len(URGENT) + len(NORMAL) + 1,
        1,
        1,
        0,
    )
    assert dict(found.pairs)[f"{OVERRIDDEN[0]}\n{OVERRIDDEN[1]}"] == "urgent"  # the agent's label wins

    # Without a model: the rules, and no rule fires, so 一般 is a guess the console asks about.
    before = agent.post("/api/routing/suggest", json={"description": QUERY}).json()
    assert before["urgency"]["value"] is None or before["urgency"]["source"] != "model"
    assert before["risk_flags"] == []

    out = _train(db_url, settings, monkeypatch)
    assert "话务员反馈样本 1 条（覆盖工单原标签 1 条，新增 0 条）" in out
    [info] = store.list_versions("urgency", root=settings.data_dir / "models")
    assert info.serving and set(info.labels) == {"normal", "urgent"}

    after = agent.post("/api/routing/suggest", json={"description": QUERY}).json()
    urgency = after["urgency"]
    assert urgency["value"] == "urgent" and urgency["source"] == "model", urgency
    assert urgency["confidence"] >= 0.9, "arrangement: the model must be confident for the flag"
    [flag] = after["risk_flags"]
    assert flag["code"] == "model_urgent" and flag["severity"] == "medium"
    assert f"{urgency['confidence']:.2f}" in flag["reason"]
    # An everyday question stays 一般 and raises nothing.
    calm = agent.post("/api/routing/suggest", json={"description": "请问社区医院周六上午开门吗？"}).json()
    assert calm["urgency"]["alternatives"][0]["value"] == "normal" and calm["risk_flags"] == []
    # A rule's 紧急 wins whatever the model says.
    ruled = agent.post("/api/routing/suggest", json={"description": "楼下水管爆裂，大量冒水。"}).json()
    assert ruled["urgency"]["value"] == "urgent" and ruled["urgency"]["source"] == "rule"

    # At intake the same flag alerts supervisors, saying why.
    assert _alerts(engine) == []
    res = agent.post("/api/orders", json=order_body(subject="暖气不供", description=QUERY))
    assert res.status_code == 201, res.text
    [alert] = _alerts(engine)
    assert alert.audience == ["supervisor"] and alert.payload["order_id"] == res.json()["id"]
    assert [f["code"] for f in alert.payload["flags"]] == ["model_urgent"]
    assert "模型判断为紧急诉求" in alert.payload["why"]


def test_an_urgency_model_that_cannot_load_never_blocks_intake(
    as_user,  # type: ignore[no-untyped-def]
    engine: Engine,
    db_url: str,
    settings: Settings,
    seeded,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    agent = as_user("agent")
    for i, (subject, description) in enumerate([*URGENT[:4], *NORMAL[:4]]):
        _closed(agent, engine, subject, description, "urgent" if i < 4 else "normal")
    _train(db_url, settings, monkeypatch)
    [info] = store.list_versions("urgency", root=settings.data_dir / "models")
    model_file: Path = settings.data_dir / "models" / "urgency" / info.version / "model.joblib"
    model_file.write_bytes(b"not the model that was stored")  # its sha256 no longer matches
    res = agent.post("/api/orders", json=order_body(subject="暖气不供", description=QUERY))
    assert res.status_code == 201, res.text
    assert _alerts(engine) == []
    assert "urgency model failed" in caplog.text
