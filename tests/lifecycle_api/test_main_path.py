"""The main closed loop over HTTP: dispatch → sign → delegate → tier-3 reply → tier-2 review →
centre review → follow-up → close → archive, and a directly resolved call with its one rating."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from hotline.db import make_sessionmaker, utcnow
from routing.catalogue.models import CatalogueRule
from routing.deadlines.calendar import WorkCalendar
from routing.lifecycle.models import FollowUp
from routing.orders.models import OrderAssignment
from tests.lifecycle_api.helpers import (
    act,
    actions_of,
    create,
    events,
    history,
    kpi,
    ratio,
    transitions,
    version,
)


def test_dispatch_to_archive_through_tier3(as_user, seeded, engine) -> None:  # type: ignore[no-untyped-def]
    start = utcnow() - timedelta(minutes=1)
    oid = create(as_user("agent"))
    dispatcher, staff_a, staff_a1 = as_user("dispatcher"), as_user("staff_a"), as_user("staff_a1")
    # The unit cannot see the order before it is dispatched to it.
    assert staff_a.get(f"/api/orders/{oid}").status_code == 404

    out = act(dispatcher, oid, "dispatch", lead_unit_id=seeded.county_a, comment="请云城区办理")
    assert out["order"]["state"] == "pending_sign"
    assert out["deadlines"]["reply_by"] and out["deadlines"]["sign_by"]
    assert [u["role"] for u in out["units"]] == ["lead"]
    queue = staff_a.get("/api/queues/pending_sign").json()
    assert [o["id"] for o in queue["items"]] == [oid] and queue["label"] == "待签收"

    # A tier-3 station of the lead unit has no part yet: it sees nothing.
    assert staff_a1.get(f"/api/orders/{oid}").status_code == 404
    listed = {a["action"] for a in staff_a.get(f"/api/orders/{oid}/actions").json()}
    assert {"sign", "return"} <= listed and "reply" not in listed
    act(staff_a, oid, "sign")
    act(staff_a, oid, "delegate", delegate_to=seeded.street_a1, comment="请桂花街道核实处理")
    act(staff_a1, oid, "tier3_reply", comment="街道已联系供电所，路灯已修复。")
    # The tier-3 reply goes up only through its tier-2 unit's review.
    refused = act(staff_a1, oid, "tier2_approve", expect=403)
    assert refused["error"] == "actor_not_allowed" and refused["allowed_actors"] == ["lead_unit"]
    act(staff_a, oid, "tier2_approve", comment="核实无误")
    assert dispatcher.get("/api/queues/pending_review").json()["total"] == 1
    act(dispatcher, oid, "approve")
    act(as_user("followup"), oid, "follow_up_satisfied", comment="市民表示满意")
    out = act(dispatcher, oid, "archive")
    assert out["order"]["state"] == "archived" and out["allowed_actions"] == []

    assert actions_of(dispatcher, oid) == [
        "accept",
        "dispatch",
        "sign",
        "delegate",
        "tier3_reply",
        "tier2_approve",
        "approve",
        "follow_up_satisfied",
        "archive",
    ]
    rows = history(dispatcher, oid)
    tier3 = rows[4]
    assert (tier3["from_state"], tier3["to_state"]) == ("delegated", "tier2_review")
    assert tier3["actor_name"] == "测试staff_a1" and tier3["comment"] == "街道已联系供电所，路灯已修复。"
    assert rows[2]["data"]["on_time"] is True and rows[2]["action_label"] == "签收"
    assert transitions(engine, oid) == [r["action"] for r in rows[1:]]
    sign = events(engine, "order.transition", oid)[1]
    assert sign.payload["to_label"] == "办理中" and seeded.county_a in sign.workstation_ids
    delegate = events(engine, "order.transition", oid)[2]
    assert seeded.street_a1 in delegate.workstation_ids

    with make_sessionmaker(engine)() as s:
        active = s.scalars(
            select(OrderAssignment).where(OrderAssignment.order_id == oid, OrderAssignment.active.is_(True))
        ).all()
    assert [(a.workstation_id, a.role) for a in active] == [(seeded.county_a, "lead")]

    m = kpi(as_user("supervisor"), start, utcnow() + timedelta(days=30))
    assert ratio(m, "on_time_sign_rate") == (1, 1)
    assert ratio(m, "on_time_completion_rate") == (1, 1)
    assert ratio(m, "follow_up_rate") == (1, 1)
    assert ratio(m, "satisfaction_rate") == (1, 1)
    assert ratio(m, "direct_resolution_rate") == (0, 1)
    assert m["overdue_count"]["value"] == 0
    other = kpi(as_user("supervisor"), start, utcnow() + timedelta(days=30), workstation_id=seeded.county_b)
    assert ratio(other, "on_time_completion_rate") == (0, 0) and ratio(other, "on_time_sign_rate") == (0, 0)
    street = kpi(as_user("supervisor"), start, utcnow() + timedelta(days=30), workstation_id=seeded.street_a1)
    assert ratio(street, "on_time_sign_rate") == (0, 0)  # led by the county, not by its street
    assert as_user("observer").post(f"/api/orders/{oid}/actions/archive", json={"version": 1}).status_code == 403
    drill = (
        as_user("supervisor")
        .get(
            "/api/kpi/orders",
            params={
                "metric": "on_time_completion_rate",
                "from": start.isoformat(),
                "to": (utcnow() + timedelta(days=30)).isoformat(),
            },
        )
        .json()
    )
    assert drill["order_ids"] == [oid]


def test_invalid_transition_names_state_and_allowed(as_user, seeded) -> None:  # type: ignore[no-untyped-def]
    oid = create(as_user("agent"))
    res = as_user("dispatcher").post(
        f"/api/orders/{oid}/actions/approve", json={"version": version(as_user("dispatcher"), oid)}
    )
    assert res.status_code == 409
    body = res.json()
    assert body["state"] == "pending_dispatch" and "dispatch" in body["allowed"]
    assert "待分办" in body["detail"] and "派单 (dispatch)" in body["detail"]
    unknown = as_user("dispatcher").post(f"/api/orders/{oid}/actions/fly", json={"version": 1})
    assert unknown.status_code == 422 and unknown.json()["error"] == "unknown_action"
    extra = as_user("dispatcher").post(
        f"/api/orders/{oid}/actions/dispatch",
        json={"version": 1, "lead_unit_id": seeded.county_a, "colour": "red"},
    )
    assert extra.status_code == 422 and "colour" in extra.text
    assert actions_of(as_user("dispatcher"), oid) == ["accept"]


def test_functional_department_cannot_delegate_to_tier3(as_user, seeded) -> None:  # type: ignore[no-untyped-def]
    oid = create(as_user("agent"))
    act(as_user("dispatcher"), oid, "dispatch", lead_unit_id=seeded.department)
    act(as_user("staff_dept"), oid, "sign")
    res = act(as_user("staff_dept"), oid, "delegate", expect=422, delegate_to=seeded.street_a1)
    assert res["error"] == "tier3_not_allowed"
    assert actions_of(as_user("dispatcher"), oid) == ["accept", "dispatch", "sign"]


def test_direct_resolution_rated_once(as_user, engine) -> None:  # type: ignore[no-untyped-def]
    start = utcnow() - timedelta(minutes=1)
    agent = as_user("agent")
    oid = create(agent, request_type="enquiry")
    act(agent, oid, "resolve_directly", expect=422)  # the KB passage is required
    out = act(agent, oid, "resolve_directly", passage_id="kb-0042#3", comment="按知识库答复办理流程")
    assert out["order"]["state"] == "resolved_directly"
    res = agent.post(f"/api/orders/{oid}/rating", json={"outcome": "satisfied"})
    assert res.status_code == 200, res.text
    again = agent.post(f"/api/orders/{oid}/rating", json={"outcome": "dissatisfied"})
    assert again.status_code == 409 and again.json()["error"] == "already_rated"
    rows = history(agent, oid)
    assert [r["action"] for r in rows] == ["accept", "resolve_directly", "rate"]
    assert rows[1]["data"]["passage_id"] == "kb-0042#3"
    with make_sessionmaker(engine)() as s:
        ratings = s.scalars(select(FollowUp).where(FollowUp.order_id == oid)).all()
    assert [(r.outcome, r.direct) for r in ratings] == [("satisfied", True)]
    assert [e.payload["action"] for e in events(engine, "order.recorded", oid)] == ["rate"]
    m = kpi(as_user("supervisor"), start, utcnow() + timedelta(minutes=1))
    assert ratio(m, "direct_resolution_rate") == (1, 1)
    assert ratio(m, "satisfaction_rate") == (1, 1)


def test_catalogue_entry_for_functional_department_blocks_tier3(as_user, seeded, engine) -> None:  # type: ignore[no-untyped-def]
    with make_sessionmaker(engine)() as s:
        rule = CatalogueRule(
            level1="城乡建设", level2="市政设施", level3="路灯", lead="LOCAL", functional=True, reply_days=2
        )
        s.add(rule)
        s.commit()
        rule_id = rule.id
    oid = create(as_user("agent"), category_l3="路灯")
    out = act(as_user("dispatcher"), oid, "dispatch", lead_unit_id=seeded.county_a)
    dispatch = history(as_user("dispatcher"), oid)[-1]
    assert dispatch["data"]["catalogue_rule_id"] == rule_id
    # The entry's own reply deadline overrides the complaint default of 5 working days.
    expected = WorkCalendar().add_working_days(datetime.fromisoformat(dispatch["at"]), 2)
    assert datetime.fromisoformat(out["deadlines"]["reply_by"]) == expected
    act(as_user("staff_a"), oid, "sign")
    res = act(as_user("staff_a"), oid, "delegate", expect=422, delegate_to=seeded.street_a1)
    assert res["error"] == "tier3_not_allowed"


def test_confidential_order_text_is_masked_in_events(as_user, seeded, engine) -> None:  # type: ignore[no-untyped-def]
    oid = create(as_user("agent"), confidential=True)
    act(as_user("dispatcher"), oid, "dispatch", lead_unit_id=seeded.county_a)
    act(as_user("staff_a"), oid, "sign")
    act(as_user("staff_a"), oid, "reply", comment="已电话联系张建国（13812345678），路灯已修复")
    sent = events(engine, "order.transition", oid)[-1].payload["comment"]
    assert "13812345678" not in sent and "张建国" not in sent and "路灯已修复" in sent
    assert "13812345678" in history(as_user("dispatcher"), oid)[-1]["comment"]
