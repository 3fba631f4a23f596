"""Risk signals raise an immediate supervisor alert that says why; look-alikes do not."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine

from hotline.db import make_sessionmaker
from hotline.events.models import Event
from routing.risk import detect_risk
from tests.foundation.helpers import order_body


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("再拖着不解决，我就从楼上跳下去，反正也不想活了。", "self_harm"),
        ("他再来我家闹，我就拿刀砍死他。", "violence"),
        ("拖欠工资半年，我们三十多个工友明天准备集体去区政府讨薪。", "group_incident"),
        ("业主们说周末要去售楼处拉横幅。", "group_incident"),
        ("楼道里闻到很大的煤气味，怀疑燃气泄漏。", "public_safety"),
        ("隔壁天天传来孩子哭喊声，怀疑家暴。", "vulnerable"),
    ],
)
def test_rules_fire_and_say_why(text: str, code: str) -> None:
    flags = detect_risk(text)
    assert code in [f.code for f in flags]
    flag = next(f for f in flags if f.code == code)
    assert flag.matched and flag.matched in text and flag.matched in flag.reason


@pytest.mark.parametrize(
    "text",
    [
        "商场跳楼价大甩卖，噪音太大。",
        "小区什么时候统一杀虫？",
        "请问社保卡怎么补办？",
        "楼下餐馆炸鸡油烟太大。",
    ],
)
def test_look_alikes_do_not_fire(text: str) -> None:
    assert detect_risk(text) == []


def test_a_risky_order_alerts_supervisors_at_intake_with_the_reason(as_user, engine: Engine, seeded) -> None:
    api = as_user("agent")
    api.post("/api/orders", json=order_body(subject="物业纠纷", description="物业费的事一直没人管。"))
    res = api.post(
        "/api/orders",
        json=order_body(
            confidential=True,
            caller_name="赵大勇",
            subject="赵大勇 13912345678 欠薪",
            description="拖欠工资半年，再不给钱我就从楼上跳下去，不想活了。",
        ),
    )
    assert res.status_code == 201, res.text
    with make_sessionmaker(engine)() as session:
        [alert] = session.scalars(select(Event).where(Event.type == "alert.risk")).all()
    assert alert.audience == ["supervisor"]
    assert alert.payload["order_id"] == res.json()["id"]
    assert "自伤自杀风险" in alert.payload["why"] and "从楼上跳下" in alert.payload["why"]
    assert "13912345678" not in alert.payload["subject"] and "赵大勇" not in alert.payload["subject"]
    # The suggestion shows the same flag while the agent types (and raises no second alert).
    out = api.post("/api/routing/suggest", json={"description": "不想活了"}).json()
    assert [f["code"] for f in out["risk_flags"]] == ["self_harm"] and out["urgency"]["value"] == "urgent"
