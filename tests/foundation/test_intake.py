from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from hotline.db import make_sessionmaker
from hotline.notify import RecordingNotifier
from routing.calls.models import CallLog
from routing.orders.models import WorkOrder
from tests.foundation.helpers import idem, order_body

CHANNEL_LETTERS = {
    "phone": "D",
    "web": "W",
    "wechat": "X",
    "sms": "S",
    "provincial": "P",
    "police_110": "J",
    "app": "A",
    "letter": "L",
}


def test_intake_on_each_channel_numbers_orders(as_user) -> None:  # type: ignore[no-untyped-def]
    agent = as_user("agent")
    numbers = []
    for channel, letter in CHANNEL_LETTERS.items():
        res = agent.post("/api/orders", json=order_body(channel=channel), headers=idem())
        assert res.status_code == 201, res.text
        order = res.json()
        assert order["state"] == "pending_dispatch" and order["state_label"] == "待分办"
        assert re.fullmatch(rf"0101-\d{{8}}-{letter}0001", order["number"]), order["number"]
        numbers.append(order["number"])
    again = agent.post("/api/orders", json=order_body(channel="phone"), headers=idem()).json()
    assert again["number"].endswith("D0002")
    # Without a region the city's own area code is used.
    city = agent.post("/api/orders", json=order_body(region_code=None), headers=idem()).json()
    assert city["number"].startswith("0100-")
    assert len(set(numbers)) == len(numbers)


def test_sms_receipt_carries_number_and_lookup_code(as_user, client, notifier: RecordingNotifier) -> None:  # type: ignore[no-untyped-def]
    order = as_user("agent").post("/api/orders", json=order_body(), headers=idem()).json()
    assert len(notifier.sent) == 1
    phone, text = notifier.sent[0]
    assert phone == "13812345678" and order["number"] in text
    code = re.search(r"查询码 (\d{6})", text)
    assert code, text
    public = client.get(f"/api/public/orders/{order['number']}", params={"code": code.group(1)})
    assert public.status_code == 200 and public.json()["state_label"] == "待分办"
    assert "caller_name" not in public.json()
    wrong = "000000" if code.group(1) != "000000" else "111111"
    assert client.get(f"/api/public/orders/{order['number']}", params={"code": wrong}).status_code == 404


def test_anonymous_caller_identity_is_never_stored(as_user, engine, notifier: RecordingNotifier) -> None:  # type: ignore[no-untyped-def]
    agent = as_user("agent")
    refused = agent.post("/api/orders", json=order_body(anonymous=True), headers=idem())
    assert refused.status_code == 422 and "匿名" in refused.json()["detail"]
    body = order_body(anonymous=True, caller_name=None, caller_phone=None, caller_address=None)
    res = agent.post("/api/orders", json=body, headers=idem())
    assert res.status_code == 201
    with make_sessionmaker(engine)() as s:
        row = s.get(WorkOrder, res.json()["id"])
        assert row is not None and (row.caller_name, row.caller_phone, row.caller_address) == (None, None, None)
    assert notifier.sent == []


def test_lookup_by_number_phone_and_keyword(as_user) -> None:  # type: ignore[no-untyped-def]
    agent = as_user("agent")
    a = agent.post("/api/orders", json=order_body(), headers=idem()).json()
    agent.post(
        "/api/orders",
        json=order_body(caller_phone="13900001111", subject="噪音扰民", description="楼下烧烤店每晚噪音到凌晨"),
        headers=idem(),
    )
    by_number = agent.get("/api/orders", params={"number": a["number"]}).json()
    assert [o["id"] for o in by_number["items"]] == [a["id"]]
    by_phone = agent.get("/api/orders", params={"phone": "138-1234-5678"}).json()
    assert by_phone["total"] == 1 and by_phone["items"][0]["id"] == a["id"]
    by_kw = agent.get("/api/orders", params={"q": "烧烤"}).json()
    assert by_kw["total"] == 1 and by_kw["items"][0]["subject"] == "噪音扰民"
    page = agent.get("/api/orders", params={"page_size": 1, "page": 2}).json()
    assert page["total"] == 2 and len(page["items"]) == 1
    # A KPI drill-down fetches the orders behind a figure in one request.
    both = agent.get("/api/orders", params={"ids": f"{a['id']},{by_kw['items'][0]['id']},999999"}).json()
    assert both["total"] == 2 and {o["id"] for o in both["items"]} == {a["id"], by_kw["items"][0]["id"]}
    for bad in ("1,,2", "x", ",".join(["1"] * 201)):
        res = agent.get("/api/orders", params={"ids": bad})
        assert res.status_code == 422 and "ids" in res.text, bad


def test_invalid_call_and_handoff_are_logged_not_orders(as_user, engine) -> None:  # type: ignore[no-untyped-def]
    agent = as_user("agent")
    inv = agent.post("/api/calls/invalid", json={"caller_phone": "13700000000", "reason": "无声电话"})
    assert inv.status_code == 201 and inv.json()["kind"] == "invalid"
    ho = agent.post(
        "/api/calls/handoff",
        json={"caller_phone": "13700000001", "target": "110", "summary": "来电人称家中被盗，已转 110"},
    )
    assert ho.status_code == 201
    assert ho.json()["target_label"] == "110 报警" and ho.json()["agent_name"] == "测试agent"
    assert agent.post("/api/calls/handoff", json={"target": "999", "summary": "x"}).status_code == 422
    with make_sessionmaker(engine)() as s:
        assert s.scalar(select(func.count()).select_from(WorkOrder)) == 0
        assert s.scalar(select(func.count()).select_from(CallLog)) == 2
    logged = as_user("supervisor").get("/api/calls").json()
    assert {c["kind"] for c in logged} == {"invalid", "handoff"}


def test_harassment_mark_shows_on_incoming_call(as_user) -> None:  # type: ignore[no-untyped-def]
    sup = as_user("supervisor")
    assert (
        as_user("agent")
        .post(
            "/api/harassment-marks",
            json={"phone": "13600000000", "reason": "x", "expires_at": "2099-01-01T00:00:00+08:00"},
        )
        .status_code
        == 403
    )
    past = sup.post(
        "/api/harassment-marks",
        json={"phone": "13600000000", "reason": "反复辱骂话务员", "expires_at": "2001-01-01T00:00:00+08:00"},
    )
    assert past.status_code == 422 and "已过" in past.json()["detail"]
    ok = sup.post(
        "/api/harassment-marks",
        json={"phone": "136-0000-0000", "reason": "反复辱骂话务员", "expires_at": "2099-01-01T00:00:00+08:00"},
    )
    assert ok.status_code == 201
    card = as_user("agent").post("/api/calls/incoming", json={"caller_phone": "13600000000"}).json()
    assert card["harassment"]["reason"] == "反复辱骂话务员"
    other = as_user("agent").post("/api/calls/incoming", json={"caller_phone": "13600000009"}).json()
    assert other["harassment"] is None


def test_incoming_call_shows_earlier_orders(as_user) -> None:  # type: ignore[no-untyped-def]
    agent = as_user("agent")
    agent.post("/api/orders", json=order_body(), headers=idem())
    agent.post("/api/orders", json=order_body(subject="又一次路灯不亮"), headers=idem())
    card = agent.post("/api/calls/incoming", json={"caller_phone": "13812345678"}).json()
    assert card["repeat_count"] == 2 and {o["subject"] for o in card["orders"]} == {"幸福路路灯不亮", "又一次路灯不亮"}


def test_draft_survives_reload(as_user, client) -> None:  # type: ignore[no-untyped-def]
    agent = as_user("agent")
    assert agent.get("/api/drafts/intake").json()["data"] is None
    form = {"caller_phone": "13812345678", "description": "话说到一半电话断了"}
    assert agent.put("/api/drafts/intake", json={"data": form}).status_code == 200
    # A new login (a reload on another tab, or after the call dropped) finds the same draft.
    from tests.conftest import login

    again = login(client, "agent")
    assert again.get("/api/drafts/intake").json()["data"] == form
    assert as_user("dispatcher").get("/api/drafts/intake").json()["data"] is None
    assert again.delete("/api/drafts/intake").status_code == 204
    assert again.get("/api/drafts/intake").json()["data"] is None


@pytest.mark.parametrize(
    ("change", "needle"),
    [
        ({"unknown_field": 1}, "未知字段"),
        ({"channel": "pigeon"}, "channel"),
        ({"urgency": 5}, "urgency"),
        ({"subject": "长" * 201}, "subject"),
        ({"description": ""}, "description"),
        ({"caller_phone": "call me maybe"}, "caller_phone"),
        ({"region_code": "9999"}, "region_code"),
        ({"category_l2": "市政设施", "category_l1": None}, "分类"),
    ],
)
def test_bad_intake_is_refused_and_stores_nothing(as_user, engine, change, needle) -> None:  # type: ignore[no-untyped-def]
    res = as_user("agent").post("/api/orders", json=order_body(**change), headers=idem())
    assert res.status_code == 422, res.text
    assert needle in res.json()["detail"]
    with make_sessionmaker(engine)() as s:
        assert s.scalar(select(func.count()).select_from(WorkOrder)) == 0


def test_idempotent_creation(as_user, engine, notifier: RecordingNotifier) -> None:  # type: ignore[no-untyped-def]
    agent = as_user("agent")
    key = idem()
    first = agent.post("/api/orders", json=order_body(), headers=key)
    second = agent.post("/api/orders", json=order_body(), headers=key)
    assert first.status_code == second.status_code == 201
    assert first.json()["number"] == second.json()["number"]
    different = agent.post("/api/orders", json=order_body(subject="别的事"), headers=key)
    assert different.status_code == 422 and "Idempotency-Key" in different.json()["detail"]
    with make_sessionmaker(engine)() as s:
        assert s.scalar(select(func.count()).select_from(WorkOrder)) == 1
    assert len(notifier.sent) == 1


def test_stale_version_gets_409_with_current_state(as_user) -> None:  # type: ignore[no-untyped-def]
    agent, dispatcher = as_user("agent"), as_user("dispatcher")
    order = agent.post("/api/orders", json=order_body(), headers=idem()).json()
    ok = dispatcher.patch(f"/api/orders/{order['id']}", json={"version": order["version"], "subject": "路灯坏了"})
    assert ok.status_code == 200 and ok.json()["version"] == order["version"] + 1
    stale = agent.patch(f"/api/orders/{order['id']}", json={"version": order["version"], "subject": "别改"})
    assert stale.status_code == 409
    assert stale.json()["current"]["subject"] == "路灯坏了"
    assert agent.get(f"/api/orders/{order['id']}").json()["subject"] == "路灯坏了"


def test_role_without_intake_right_gets_403(as_user) -> None:  # type: ignore[no-untyped-def]
    res = as_user("kbeditor").post("/api/orders", json=order_body(), headers=idem())
    assert res.status_code == 403 and "知识库编辑" in res.json()["detail"]
