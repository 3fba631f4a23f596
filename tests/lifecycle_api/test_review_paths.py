"""Centre review, returns, consultation and extensions over HTTP, with the stored history, the
events and the KPI figures that follow."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from hotline.db import make_sessionmaker, utcnow
from routing.deadlines.calendar import WorkCalendar
from routing.deadlines.policy import DeadlinePolicy, extend_deadline, send_back_deadline
from routing.lifecycle.models import ExtensionRequest, UnitOpinion
from tests.lifecycle_api.helpers import act, actions_of, create, events, history, kpi, ratio, transitions


def _t(value: str) -> datetime:
    return datetime.fromisoformat(value)


def test_send_back_with_standard_reason_gives_new_deadline(as_user, seeded, engine) -> None:  # type: ignore[no-untyped-def]
    dispatcher, staff = as_user("dispatcher"), as_user("staff_a")
    oid = create(as_user("agent"))
    act(dispatcher, oid, "dispatch", lead_unit_id=seeded.county_a)
    act(staff, oid, "sign")
    act(staff, oid, "reply", comment="已处理")
    refused = act(dispatcher, oid, "send_back", expect=422, reason="不太好")
    assert refused["error"] == "invalid_reason" and "答非所问" in refused["allowed"]
    out = act(dispatcher, oid, "send_back", reason="答非所问", days=3, comment="请说明具体维修时间")
    assert out["order"]["state"] == "handling"
    sent = history(dispatcher, oid)[-1]
    assert sent["action"] == "send_back" and sent["data"]["reason"] == "答非所问"
    # Nothing is in the calendar table, so the weekday rule applies.
    expected = send_back_deadline(_t(sent["at"]), calendar=WorkCalendar(), policy=DeadlinePolicy(), working_days=3)
    assert _t(out["deadlines"]["reply_by"]) == expected == _t(sent["data"]["reply_by"])
    assert [o["id"] for o in staff.get("/api/queues/sent_back").json()["items"]] == [oid]
    ev = events(engine, "order.transition", oid)[-1]
    assert ev.payload["data"]["reason"] == "答非所问" and seeded.county_a in ev.workstation_ids
    up = staff.post(
        f"/api/orders/{oid}/attachments",
        files={"file": ("现场照片.pdf", b"%PDF-1.4 test", "application/pdf")},
    )
    assert up.status_code == 201, up.text
    att = up.json()["id"]
    act(staff, oid, "reply", expect=422, comment="已完成维修", attachment_ids=[att + 1000])
    act(staff, oid, "reply", comment="已于周三完成维修", attachment_ids=[att])
    assert history(dispatcher, oid)[-1]["data"]["attachment_ids"] == [att]
    assert events(engine, "order.transition", oid)[-1].payload["attachment_ids"] == [att]
    act(dispatcher, oid, "approve")
    assert staff.get("/api/queues/sent_back").json()["total"] == 0


def test_return_reassigned_and_return_rejected(as_user, seeded, engine) -> None:  # type: ignore[no-untyped-def]
    start = utcnow() - timedelta(minutes=1)
    dispatcher, staff_a, staff_b = as_user("dispatcher"), as_user("staff_a"), as_user("staff_b")
    # Dispatched to the wrong county: the return is upheld and the order reassigned.
    first = create(as_user("agent"))
    act(dispatcher, first, "dispatch", lead_unit_id=seeded.county_b)
    act(staff_b, first, "return", expect=422)  # a reason is required
    act(staff_b, first, "return", reason="事发地属云城区，非我区辖区")
    assert [o["id"] for o in dispatcher.get("/api/queues/returns").json()["items"]] == [first]
    out = act(dispatcher, first, "reassign", lead_unit_id=seeded.county_a, comment="改派云城区")
    assert out["order"]["state"] == "pending_sign" and out["order"]["lead_unit"]["id"] == seeded.county_a
    assert staff_b.get(f"/api/orders/{first}").status_code == 404  # no longer the county's order
    act(staff_a, first, "sign")
    # Dispatched correctly: the return is not upheld and the unit keeps the order.
    second = create(as_user("agent"))
    act(dispatcher, second, "dispatch", lead_unit_id=seeded.county_a)
    act(staff_a, second, "sign")
    act(staff_a, second, "return", reason="不属于我单位职责")
    out = act(dispatcher, second, "keep_dispatch", comment="属地管理，维持原派")
    assert out["order"]["state"] == "handling"

    assert actions_of(dispatcher, first) == ["accept", "dispatch", "return", "reassign", "sign"]
    assert history(dispatcher, first)[3]["data"]["return_upheld"] is True
    assert history(dispatcher, second)[-1]["data"]["return_upheld"] is False
    reassign = events(engine, "order.transition", first)[2]
    # Both the unit that lost the order and the one that got it are told.
    assert {seeded.county_a, seeded.county_b} <= set(reassign.workstation_ids)

    m = kpi(as_user("supervisor"), start, utcnow() + timedelta(minutes=1))
    assert ratio(m, "return_rate_requested") == (2, 3)  # three dispatches: two first, one reassignment
    assert ratio(m, "return_rate_upheld") == (1, 3)
    assert ratio(m, "dispatch_accuracy") == (2, 3)
    assert abs(m["dispatch_accuracy"]["value"] - (1 - 1 / 3)) < 1e-3


def test_return_after_window_is_refused(as_user, seeded, client) -> None:  # type: ignore[no-untyped-def]
    oid = create(as_user("agent"))
    out = act(as_user("dispatcher"), oid, "dispatch", lead_unit_id=seeded.county_a)
    client.app.state.clock = lambda: _t(out["deadlines"]["return_by"]) + timedelta(minutes=1)
    res = act(as_user("staff_a"), oid, "return", expect=409, reason="不属于我单位职责")
    assert res["error"] == "return_window_closed"
    assert actions_of(as_user("dispatcher"), oid) == ["accept", "dispatch"]


def test_consultation_with_assisting_opinions(as_user, seeded, engine) -> None:  # type: ignore[no-untyped-def]
    dispatcher, staff_a, staff_b = as_user("dispatcher"), as_user("staff_a"), as_user("staff_b")
    oid = create(as_user("agent"), subject="两区交界处垃圾堆放无人清理")
    act(dispatcher, oid, "consult", unit_ids=[seeded.county_a, seeded.county_b], comment="交界处，请协商定责")
    for api, text in ((staff_a, "该地块属江北区管辖"), (staff_b, "道路红线内属云城区，我区可协助清运")):
        res = api.post(f"/api/orders/{oid}/consultation-opinions", json={"text": text})
        assert res.status_code == 200, res.text
    # A unit not invited to the consultation cannot give an opinion.
    assert (
        as_user("staff_dept").post(f"/api/orders/{oid}/consultation-opinions", json={"text": "无"}).status_code == 404
    )
    out = act(
        dispatcher,
        oid,
        "dispatch",
        lead_unit_id=seeded.county_a,
        assisting_unit_ids=[seeded.county_b],
        comment="协商确定：云城区主办，江北区协办",
    )
    assert sorted((u["workstation_id"], u["role"]) for u in out["units"]) == sorted(
        [(seeded.county_a, "lead"), (seeded.county_b, "assist")]
    )
    assert act(staff_b, oid, "sign", expect=403)["error"] == "actor_not_allowed"
    act(staff_a, oid, "sign")
    act(staff_b, oid, "assist_opinion", comment="江北区已于周二派车清运交界处垃圾")
    act(staff_a, oid, "reply", comment="会同江北区完成清理，并设置禁止堆放标识")

    assert actions_of(dispatcher, oid) == [
        "accept",
        "consult",
        "consult_opinion",
        "consult_opinion",
        "dispatch",
        "sign",
        "assist_opinion",
        "reply",
    ]
    with make_sessionmaker(engine)() as s:
        ops = s.scalars(select(UnitOpinion).where(UnitOpinion.order_id == oid).order_by(UnitOpinion.id)).all()
    assert [(o.workstation_id, o.kind) for o in ops] == [
        (seeded.county_a, "consultation"),
        (seeded.county_b, "consultation"),
        (seeded.county_b, "assist"),
    ]
    assist = [e for e in events(engine, "order.transition", oid) if e.payload["action"] == "assist_opinion"][0]
    assert assist.payload["actor"] == "assisting_unit" and seeded.county_a in assist.workstation_ids
    assert [e.payload["action"] for e in events(engine, "order.recorded", oid)] == ["consult_opinion"] * 2


def test_extension_approved_and_rejected(as_user, seeded, engine) -> None:  # type: ignore[no-untyped-def]
    start = utcnow() - timedelta(minutes=1)
    dispatcher, staff = as_user("dispatcher"), as_user("staff_a")
    approved, rejected = create(as_user("agent")), create(as_user("agent"))
    for oid in (approved, rejected):
        act(dispatcher, oid, "dispatch", lead_unit_id=seeded.county_a)
        act(staff, oid, "sign")
    before = _t(as_user("dispatcher").get(f"/api/orders/{approved}/lifecycle").json()["deadlines"]["reply_by"])
    too_long = act(staff, approved, "request_extension", expect=422, days=6, reason="需协调多部门")
    assert "1 至 5" in too_long["detail"]
    act(staff, approved, "request_extension", days=3, reason="需协调供电部门更换线路")
    act(staff, rejected, "request_extension", days=2, reason="施工单位排期")
    assert {o["id"] for o in dispatcher.get("/api/queues/extensions").json()["items"]} == {approved, rejected}
    # The unit keeps handling while its request waits: the state is unchanged.
    assert dispatcher.get(f"/api/orders/{approved}").json()["state"] == "handling"
    out = act(dispatcher, approved, "approve_extension", comment="同意延期")
    assert _t(out["deadlines"]["reply_by"]) == extend_deadline(before, 3, calendar=WorkCalendar())
    rejected_before = dispatcher.get(f"/api/orders/{rejected}/lifecycle").json()["deadlines"]["reply_by"]
    out = act(dispatcher, rejected, "reject_extension", reason="理由不充分")
    assert out["deadlines"]["reply_by"] == rejected_before
    again = act(staff, approved, "request_extension", expect=422, days=1, reason="再延一天")
    assert again["error"] == "extension_not_allowed"
    assert act(dispatcher, approved, "approve_extension", expect=409)["error"] == "no_pending_extension"

    with make_sessionmaker(engine)() as s:
        rows = s.scalars(select(ExtensionRequest).order_by(ExtensionRequest.id)).all()
    assert [(r.order_id, r.status, r.working_days) for r in rows] == [
        (approved, "approved", 3),
        (rejected, "rejected", 2),
    ]
    assert transitions(engine, approved)[-2:] == ["request_extension", "approve_extension"]
    m = kpi(as_user("supervisor"), start, utcnow() + timedelta(minutes=1))
    assert ratio(m, "extension_rate") == (1, 2)
