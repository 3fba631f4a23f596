"""Follow-up and verification over HTTP: dissatisfied → reopen (twice, then escalation), dissatisfied →
closed with the exclusion audited, 回访失败 after three unreached calls, anonymous orders."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from hotline.audit.models import AuditLog
from hotline.db import make_sessionmaker, utcnow
from routing.lifecycle.models import FollowUp
from tests.lifecycle_api.helpers import act, actions_of, create, events, history, kpi, ratio, to_follow_up


def test_dissatisfied_reopened_twice_then_escalated(as_user, seeded, engine) -> None:  # type: ignore[no-untyped-def]
    start = utcnow() - timedelta(minutes=1)
    dispatcher, staff, followup = as_user("dispatcher"), as_user("staff_a"), as_user("followup")
    oid = create(as_user("agent"))
    to_follow_up(as_user, oid, seeded.county_a)
    act(followup, oid, "follow_up_dissatisfied", comment="路灯仍时亮时灭")
    assert [o["id"] for o in dispatcher.get("/api/queues/verifications").json()["items"]] == [oid]
    assert act(dispatcher, oid, "escalate", expect=409)["error"] == "reopen_limit_not_reached"
    for n in (1, 2):
        out = act(dispatcher, oid, "reopen", comment="核实诉求合理，重办")
        assert out["order"]["state"] == "handling" and out["reopen_count"] == n
        act(staff, oid, "reply", comment=f"第{n}次重办：已更换灯具")
        act(dispatcher, oid, "approve")
        act(followup, oid, "follow_up_dissatisfied")
    refused = act(dispatcher, oid, "reopen", expect=409)
    assert refused["error"] == "reopen_limit_reached" and "提级办理" in refused["detail"]
    out = act(dispatcher, oid, "escalate", comment="重办两次仍不满意，提级至市级部门")
    assert out["order"]["state"] == "pending_dispatch" and out["escalated"] is True and out["units"] == []
    sup = as_user("supervisor").get(f"/api/orders/{oid}/supervision").json()
    assert [(s["kind"], s["level"], s["reply_required"]) for s in sup] == [("supervision", 2, True)]
    reopen = [h for h in history(dispatcher, oid) if h["action"] == "reopen"]
    assert [h["data"]["verdict"] for h in reopen] == ["reasonable", "reasonable"]
    assert [h["data"]["reopen_count"] for h in reopen] == [1, 2]
    with make_sessionmaker(engine)() as s:
        outcomes = s.scalars(select(FollowUp.outcome).where(FollowUp.order_id == oid).order_by(FollowUp.id)).all()
    assert outcomes == ["dissatisfied"] * 3
    assert events(engine, "order.transition", oid)[-1].payload["to_state"] == "pending_dispatch"

    m = kpi(as_user("supervisor"), start, utcnow() + timedelta(days=30))
    assert ratio(m, "satisfaction_rate") == (0, 3)
    assert ratio(m, "resolution_rate") == (0, 3)
    assert ratio(m, "follow_up_rate") == (3, 3)
    # The first cycle and the two reopen cycles are counted apart.
    assert ratio(m, "on_time_completion_rate") == (1, 1)
    assert ratio(m, "on_time_completion_rate_reopened") == (2, 2)


def test_dissatisfied_unreasonable_closed_with_exclusion(as_user, seeded, engine) -> None:  # type: ignore[no-untyped-def]
    start = utcnow() - timedelta(minutes=1)
    dispatcher, followup = as_user("dispatcher"), as_user("followup")
    excluded, satisfied = create(as_user("agent")), create(as_user("agent"))
    for oid in (excluded, satisfied):
        to_follow_up(as_user, oid, seeded.county_a)
    act(followup, satisfied, "follow_up_mostly_satisfied")
    act(followup, excluded, "follow_up_dissatisfied", resolved=True, comment="对政策本身不满意")
    act(dispatcher, excluded, "exclude", expect=422)  # the verdict needs its grounds
    out = act(dispatcher, excluded, "exclude", comment="诉求人要求超出政策规定，已依法依规答复")
    assert out["order"]["state"] == "closed" and out["excluded"] is True
    last = history(dispatcher, excluded)[-1]
    assert last["data"]["verdict"] == "unreasonable" and last["to_state"] == "closed"
    with make_sessionmaker(engine)() as s:
        audits = s.scalars(select(AuditLog).where(AuditLog.action == "assessment_exclusion")).all()
        kept = s.scalars(select(FollowUp.outcome).where(FollowUp.order_id == excluded)).all()
    assert [(a.target_type, a.target_id, a.detail["verdict"]) for a in audits] == [
        ("work_order", str(excluded), "unreasonable")
    ]
    assert kept == ["dissatisfied"]  # the verdict is kept on the order
    assert [e.payload["target_id"] for e in events(engine, "audit.assessment_exclusion")] == [str(excluded)]
    m = kpi(as_user("supervisor"), start, utcnow() + timedelta(minutes=1))
    # The excluded dissatisfied verdict is left out of the assessment; the other counts.
    assert ratio(m, "satisfaction_rate") == (1, 1)
    m = kpi(as_user("supervisor"), start, utcnow() + timedelta(minutes=1), weight_mostly_satisfied=0.5)
    assert ratio(m, "satisfaction_rate") == (0.5, 1)  # the one valid verdict was "mostly satisfied"
    m = kpi(as_user("supervisor"), start, utcnow() + timedelta(minutes=1), category_l1="不存在的类别")
    assert ratio(m, "satisfaction_rate") == (0, 0) and m["satisfaction_rate"]["value"] is None


def test_follow_up_failed_after_three_unreached(as_user, seeded, engine) -> None:  # type: ignore[no-untyped-def]
    followup = as_user("followup")
    oid = create(as_user("agent"))
    to_follow_up(as_user, oid, seeded.county_a)
    assert act(followup, oid, "follow_up_failed", expect=409)["error"] == "follow_up_attempts_left"
    for n in (1, 2, 3):
        assert act(followup, oid, "follow_up_unreached")["follow_up_attempts"] == n
    assert act(followup, oid, "follow_up_unreached", expect=409)["error"] == "follow_up_attempts_used"
    out = act(followup, oid, "follow_up_failed")
    assert out["order"]["state"] == "closed"
    assert actions_of(followup, oid)[-4:] == ["follow_up_unreached"] * 3 + ["follow_up_failed"]
    with make_sessionmaker(engine)() as s:
        outcomes = s.scalars(select(FollowUp.outcome).where(FollowUp.order_id == oid).order_by(FollowUp.id)).all()
    assert outcomes == ["unreached"] * 3 + ["failed"]


def test_anonymous_order_is_not_due_a_follow_up(as_user, seeded) -> None:  # type: ignore[no-untyped-def]
    dispatcher, staff = as_user("dispatcher"), as_user("staff_a")
    oid = create(as_user("agent"), anonymous=True, caller_name=None, caller_phone=None, caller_address=None)
    act(dispatcher, oid, "dispatch", lead_unit_id=seeded.county_a)
    act(staff, oid, "sign")
    act(staff, oid, "reply", comment="已处理")
    assert act(dispatcher, oid, "approve", expect=409)["error"] == "follow_up_not_due"
    assert act(dispatcher, oid, "approve_and_close")["order"]["state"] == "closed"
