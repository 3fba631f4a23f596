"""The suggestion over HTTP and the websocket: rule precedence, locality, explanations, choices, errors."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine

from hotline.db import make_sessionmaker
from routing.catalogue.service import keyword_matches, snapshot_rules
from routing.suggest import schemas as s
from routing.suggest.predict import Prediction
from routing.suggest.service import Predictors, suggest
from tests.foundation.helpers import order_body
from tests.routing_suggest.conftest import index_orders, set_lead

WATER = {"category_l1": "城乡建设", "category_l2": "供水供气供暖", "category_l3": "停水"}


def _past_water_orders(api, engine, ids, searcher) -> list[int]:
    """Three closed-looking 停水 orders in 白石县 that the dispatchers sent to the water bureau."""
    made = []
    for i, (addr, text) in enumerate(
        [
            ("石门镇老街", "石门镇老街一带从昨晚开始停水，到现在还没有来水。"),
            ("温泉镇中学旁边", "温泉镇中学附近停水一整天了，学生宿舍没水洗漱。"),
            ("白石街道", "白石街道这两天老是停水，水压也很低，能不能查一下原因。"),
        ]
    ):
        res = api.post(
            "/api/orders",
            json=order_body(
                incident_address=addr,
                region_code="0108",
                subject=text[:12],
                description=text,
                caller_phone=f"1370000000{i}",
                request_type="help_request",
                **WATER,
            ),
        )
        assert res.status_code == 201, res.text
        made.append(res.json()["id"])
        set_lead(engine, made[-1], "D-SWJ", ids)
    index_orders(searcher, engine, made)
    return made


def test_a_catalogue_rule_decides_over_the_units_of_similar_orders(
    client, as_user, demo, engine, order_searcher
) -> None:
    agent, admin = as_user("agent"), as_user("admin")
    _past_water_orders(agent, engine, demo, order_searcher)
    client.app.state.order_searcher = order_searcher
    body = {
        "subject": "温泉镇停水",
        "description": "我家在温泉镇上，停水两天了还没来水，一直没有通知。",
        "incident_address": "泡温泉那个镇的菜市场后面",
    }

    out = agent.post("/api/routing/suggest", json=body).json()
    assert out["locality"]["workstation_code"] == "Q0108-Z02" and out["locality"]["region_code"] == "0108"
    units = out["units"]
    # The similar orders went to the water bureau, but 白石县 has its own rule for 停水: the rule decides.
    assert units["source"] == "rule" and units["lead"]["code"] == "Q0108"
    assert [u["code"] for u in units["assist"]] == ["D-SWJ"]
    assert units["delegate"]["code"] == "Q0108-Z02"  # tier 3 may handle it, and the locality is theirs
    assert any("区域 0108 专用" in e and "停水" in e for e in units["evidence"])
    assert {s["unit"] for s in out["explanation"]["similar_orders"]} == {"云州市水务局"}

    # Without the catalogue's 停水 rules, the units of the most similar past orders are ranked instead.
    for rule in admin.get("/api/catalogue/rules").json():
        if rule["level3"] == "停水":
            assert admin.delete(f"/api/catalogue/rules/{rule['id']}").status_code == 200
    out = agent.post("/api/routing/suggest", json=body).json()
    assert out["units"]["source"] == "similar_orders" and out["units"]["lead"]["code"] == "D-SWJ"
    assert out["units"]["rule_id"] is None and "相似历史工单" in out["units"]["evidence"][0]


def test_local_lead_is_the_county_of_the_fuzzy_incident_address(as_user, demo) -> None:
    out = (
        as_user("agent")
        .post(
            "/api/routing/suggest",
            json={
                "subject": "物业不管事",
                "description": "小区物业保洁很久没来了，楼道垃圾没人清理。",
                "incident_address": "云城区桂华街道金桂小区",
            },
        )
        .json()
    )
    assert out["locality"]["workstation_code"] == "Q0101-J01-S03"
    assert out["units"]["source"] == "rule" and out["units"]["lead"]["code"] == "Q0101"  # LOCAL → 云城区
    assert any("属地" in e for e in out["units"]["evidence"])


def test_explanation_shows_similar_orders_masked_with_their_category_and_unit(
    client, as_user, demo, engine, order_searcher
) -> None:
    agent = as_user("agent")
    res = agent.post(
        "/api/orders",
        json=order_body(
            confidential=True,
            caller_name="李秀英",
            incident_address="石门镇",
            region_code="0108",
            subject="石门镇停水，李秀英 13912345678 反映",
            description="李秀英反映石门镇停水，联系电话 13912345678。",
            **WATER,
        ),
    )
    assert res.status_code == 201, res.text
    set_lead(engine, res.json()["id"], "Q0108", demo)
    index_orders(order_searcher, engine, [res.json()["id"]])
    client.app.state.order_searcher = order_searcher

    out = agent.post("/api/routing/suggest", json={"subject": "石门镇停水", "description": "石门镇停水了"}).json()
    [similar] = out["explanation"]["similar_orders"]
    assert similar["category"] == "城乡建设/供水供气供暖/停水" and similar["unit"] == "白石县人民政府"
    assert "13912345678" not in similar["subject"] and "139****5678" in similar["subject"]
    assert "李秀英" not in similar["subject"]
    assert "停水" in out["explanation"]["top_words"]


def test_vague_text_asks_the_agent_to_choose(as_user, demo) -> None:
    out = as_user("agent").post("/api/routing/suggest", json={"description": "你好，我有个事情想反映一下。"}).json()
    assert out["needs_choice"] is True
    assert out["category"]["needs_choice"] is True and out["category"]["value"] is None
    assert out["units"]["lead"] is None


def test_choices_already_made_by_the_agent_are_kept(as_user, demo) -> None:
    out = (
        as_user("agent")
        .post(
            "/api/routing/suggest",
            json={
                "description": "路灯不亮",
                "request_type": "complaint",
                "urgency": "normal",
                "category_l1": "城乡建设",
                "category_l2": "市政设施",
                "category_l3": "路灯故障",
            },
        )
        .json()
    )
    assert out["request_type"]["source"] == "agent" and out["request_type"]["value"] == "complaint"
    assert out["category"]["value"] == "城乡建设/市政设施/路灯故障"
    assert out["units"]["lead"]["code"] == "D-CG"  # the city-wide rule (no region given)


def test_missing_text_is_a_clear_error(client, as_user, demo) -> None:
    api = as_user("agent")
    res = api.post("/api/routing/suggest", json={"incident_address": "桂花街道"})
    assert res.status_code == 422
    assert "subject" in res.json()["detail"] and "description" in res.json()["detail"]
    res = api.post("/api/routing/suggest", json={"description": "停水", "request_type": "gossip"})
    assert res.status_code == 422 and "request_type" in res.json()["detail"]
    assert as_user("kbeditor").post("/api/routing/suggest", json={"description": "停水"}).status_code == 403


def test_suggest_over_the_websocket(client, as_user, demo) -> None:
    api = as_user("agent")
    with client.websocket_connect(f"/api/ws?token={api.token}") as ws:
        assert ws.receive_json()["type"] == "hello"
        ws.send_json(
            {
                "type": "suggest",
                "id": "a1",
                "description": "金桂家园物业保洁不到位",
                "incident_address": "金桂家园",
            }
        )
        reply = ws.receive_json()
        assert reply["type"] == "suggest.result" and reply["id"] == "a1"
        assert reply["payload"]["units"]["lead"]["code"] == "Q0101"
        ws.send_json({"type": "suggest", "id": "a2", "incident_address": "金桂家园"})
        error = ws.receive_json()
        assert error["type"] == "error" and error["id"] == "a2"
        assert "subject" in error["payload"]["detail"] and "description" in error["payload"]["detail"]


class _CategoryOnly:
    """A category model that is sure or unsure of 停水, as asked."""

    def __init__(self, confidence: float) -> None:
        self.confidence = confidence

    def predict(self, text: str) -> Prediction:
        label = "城乡建设/供水供气供暖/停水"
        return Prediction(label, self.confidence, [(label, self.confidence)], calibrated=True)


@pytest.mark.parametrize(("confidence", "rule_decides"), [(0.9, True), (0.3, False)])
def test_only_a_confident_category_selects_a_catalogue_rule(
    demo, engine: Engine, confidence: float, rule_decides: bool
) -> None:
    """A category the agent must still choose (below the threshold) pre-fills no rule's lead unit."""
    text = "家里的水龙头拧开什么都流不出来，已经两天了。"
    with make_sessionmaker(engine)() as session:
        assert keyword_matches(snapshot_rules(session=session), region_code=None, text=text) == []
        out = suggest(
            session=session,
            data=s.SuggestIn(description=text),
            predictors=Predictors(category=_CategoryOnly(confidence)),
        )
    assert out.category.needs_choice is not rule_decides
    if rule_decides:
        assert out.units.source == "rule" and out.units.lead and out.units.lead.code == "D-SWJ"
    else:
        assert out.units.source != "rule" and out.units.rule_id is None and out.units.lead is None
