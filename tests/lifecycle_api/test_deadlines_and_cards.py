"""Deadlines over HTTP on the 2026 calendar (weekend, public holiday, make-up working day, urgent
orders out of hours), reminders versus supervision orders, and the yellow/red card job."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from hotline.db import make_sessionmaker, utcnow
from hotline.org.models import DutyRosterEntry
from routing.deadlines.calendar_data import calendar_file, read_calendar_file
from routing.lifecycle.scheduled import announce_follow_ups, archive_finished, issue_cards
from tests.lifecycle_api.helpers import act, create, events, history, kpi, ratio, to_follow_up, version

CST = ZoneInfo("Asia/Shanghai")


def _at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=CST)  # type: ignore[misc]


@pytest.fixture
def calendar_2026(as_user) -> None:  # type: ignore[no-untyped-def]
    """The State Council's 2026 holidays, entered through the admin calendar endpoint."""
    days = [
        {"day": d["date"], "kind": d["kind"], "name": d["name"]}
        for d in read_calendar_file(calendar_file(2026))["days"]
    ]
    res = as_user("admin").put("/api/calendar/days", json={"days": days})
    assert res.status_code == 200, res.text
    assert {"day": "2026-09-20", "kind": "makeup_workday", "name": "国庆节调休上班"} in res.json()["days"]
    assert as_user("dispatcher").get("/api/calendar/days").status_code == 403


def _dispatch_at(client, as_user, when: datetime, lead: int, **order) -> dict:  # type: ignore[no-untyped-def]
    client.app.state.clock = lambda: when
    oid = create(as_user("agent"), **order)
    return act(as_user("dispatcher"), oid, "dispatch", lead_unit_id=lead)


def test_deadline_crosses_weekend_and_makeup_sunday(client, as_user, seeded, calendar_2026) -> None:  # type: ignore[no-untyped-def]
    # Friday 16:00 + 5 working days: Saturday off, Sunday 20 Sep is a make-up working day.
    out = _dispatch_at(client, as_user, _at(2026, 9, 18, 16, 0), seeded.county_a, request_type="complaint")
    d = out["deadlines"]
    assert datetime.fromisoformat(d["reply_by"]) == _at(2026, 9, 24, 16, 0)
    assert datetime.fromisoformat(d["sign_by"]) == _at(2026, 9, 18, 17, 0)
    assert d["out_of_hours"] is False


def test_deadline_crosses_national_day(client, as_user, seeded, calendar_2026) -> None:  # type: ignore[no-untyped-def]
    # Wednesday 30 Sep + 3 working days: 1–7 Oct are holidays, Saturday 10 Oct is a make-up day.
    out = _dispatch_at(client, as_user, _at(2026, 9, 30, 10, 0), seeded.county_a, request_type="enquiry")
    assert datetime.fromisoformat(out["deadlines"]["reply_by"]) == _at(2026, 10, 10, 10, 0)


def test_urgent_order_out_of_hours_runs_on_clock_time(client, as_user, seeded, engine, calendar_2026) -> None:  # type: ignore[no-untyped-def]
    with make_sessionmaker(engine)() as s:
        s.add(
            DutyRosterEntry(workstation_id=seeded.county_a, kind="holiday", contact="值班员李明", phone="0871-12345678")
        )
        s.commit()
    night = _at(2026, 10, 3, 22, 0)  # a National Day holiday, at night
    out = _dispatch_at(
        client,
        as_user,
        night,
        seeded.county_a,
        request_type="help_request",
        urgency="urgent",
        subject="小区主供水管爆裂",
        description="幸福小区3栋门口水管爆裂，大量积水",
    )
    d = out["deadlines"]
    assert datetime.fromisoformat(d["sign_by"]) == _at(2026, 10, 3, 22, 30)
    assert datetime.fromisoformat(d["first_response_by"]) == _at(2026, 10, 4, 0, 0)
    assert d["out_of_hours"] is True
    dispatch = history(as_user("dispatcher"), out["order"]["id"])[-1]
    assert dispatch["data"]["duty_contact"] == {"contact": "值班员李明", "phone": "0871-12345678"}


def test_reminder_versus_supervision(as_user, seeded, engine) -> None:  # type: ignore[no-untyped-def]
    supervisor, staff = as_user("supervisor"), as_user("staff_a")
    oid = create(as_user("agent"))
    act(as_user("dispatcher"), oid, "dispatch", lead_unit_id=seeded.county_a)
    act(staff, oid, "sign")
    res = supervisor.post(
        f"/api/orders/{oid}/remind", json={"version": version(supervisor, oid), "comment": "请加快办理"}
    )
    assert res.status_code == 200, res.text
    res = supervisor.post(
        f"/api/orders/{oid}/supervise",
        json={
            "version": version(supervisor, oid),
            "level": 2,
            "days": 2,
            "comment": "群众反映强烈，请两日内回复",
        },
    )
    assert res.status_code == 200, res.text
    assert staff.post(f"/api/orders/{oid}/remind", json={"version": 1}).status_code == 403
    rows = supervisor.get(f"/api/orders/{oid}/supervision").json()
    assert [(r["kind_label"], r["reply_required"], r["level"]) for r in rows] == [
        ("催办", False, None),
        ("督办单", True, 2),
    ]
    reminder, order_sup = rows
    assert order_sup["deadline"] is not None and reminder["deadline"] is None
    assert [o["id"] for o in staff.get("/api/queues/supervision").json()["items"]] == [oid]
    bad = staff.post(f"/api/supervision/{reminder['id']}/reply", json={"reply": "收到"})
    assert bad.status_code == 422 and bad.json()["error"] == "reply_not_required"
    ok = staff.post(f"/api/supervision/{order_sup['id']}/reply", json={"reply": "已督促施工队，周五前完成"})
    assert ok.status_code == 200 and ok.json()["replied_at"]
    assert staff.post(f"/api/supervision/{order_sup['id']}/reply", json={"reply": "再次"}).status_code == 409
    assert staff.get("/api/queues/supervision").json()["total"] == 0
    steps = [(h["action"], h["data"].get("kind")) for h in history(supervisor, oid)][-3:]
    assert steps == [("remind", "reminder"), ("supervise", "supervision"), ("supervision_reply", None)]
    # Both are recorded and emitted, and the state is untouched.
    assert [e.payload["action"] for e in events(engine, "order.transition", oid)][-2:] == [
        "remind",
        "supervise",
    ]
    assert all(h["to_state"] == "handling" for h in history(supervisor, oid)[-3:])


def test_yellow_and_red_cards_once_each(client, as_user, seeded, engine, calendar_2026) -> None:  # type: ignore[no-untyped-def]
    out = _dispatch_at(client, as_user, _at(2026, 9, 14, 10, 0), seeded.county_a)
    oid = out["order"]["id"]
    assert datetime.fromisoformat(out["deadlines"]["reply_by"]) == _at(2026, 9, 20, 10, 0)  # make-up Sunday
    act(as_user("staff_a"), oid, "sign")
    seen = version(as_user("staff_a"), oid)
    factory = make_sessionmaker(engine)

    def run(now: datetime) -> int:
        with factory() as s:
            n = issue_cards(session=s, now=now)
            s.commit()
        return n

    assert run(_at(2026, 9, 17, 10, 0)) == 0
    assert run(_at(2026, 9, 18, 10, 30)) == 1  # one working day before (Friday, across the weekend)
    assert run(_at(2026, 9, 18, 11, 0)) == 0  # idempotent
    assert run(_at(2026, 9, 19, 12, 0)) == 0  # Saturday: still yellow, nothing new
    client.app.state.clock = lambda: _at(2026, 9, 18, 11, 0)
    assert [o["id"] for o in as_user("staff_a").get("/api/queues/due_soon").json()["items"]] == [oid]
    assert run(_at(2026, 9, 20, 10, 1)) == 1
    assert run(_at(2026, 9, 21, 9, 0)) == 0
    client.app.state.clock = lambda: _at(2026, 9, 21, 9, 0)
    assert [o["id"] for o in as_user("dispatcher").get("/api/queues/overdue").json()["items"]] == [oid]
    cards = events(engine, "alert.card", oid)
    assert [(e.payload["card"], e.payload["card_label"]) for e in cards] == [
        ("yellow", "黄牌"),
        ("red", "红牌"),
    ]
    assert all(seeded.county_a in e.workstation_ids for e in cards)
    assert as_user("dispatcher").get(f"/api/orders/{oid}/lifecycle").json()["deadlines"]["card"] == "red"
    # The card is a derived flag: the unit acting on what it saw gets no spurious conflict.
    assert version(as_user("staff_a"), oid) == seen
    act(as_user("staff_a"), oid, "reply", version=seen, comment="已处理")
    act(as_user("dispatcher"), oid, "approve")
    m = kpi(as_user("supervisor"), _at(2026, 9, 1, 0, 0), _at(2026, 10, 1, 0, 0))
    assert m["overdue_count"]["value"] == 1  # replied a day after the deadline
    assert ratio(m, "on_time_completion_rate") == (0, 1)
    assert ratio(m, "on_time_sign_rate") == (1, 1)


def test_follow_up_due_list_announced_once(as_user, seeded, engine) -> None:  # type: ignore[no-untyped-def]
    oid = create(as_user("agent"))
    to_follow_up(as_user, oid, seeded.county_a)
    assert [o["id"] for o in as_user("followup").get("/api/queues/follow_up").json()["items"]] == [oid]
    factory = make_sessionmaker(engine)
    for expected in (1, 0):
        with factory() as s:
            assert announce_follow_ups(session=s) == expected
            s.commit()
    assert [e.payload["order_id"] for e in events(engine, "follow_up.due")] == [oid]


def test_admin_sets_working_hours_and_days(as_user) -> None:  # type: ignore[no-untyped-def]
    admin = as_user("admin")
    hours = [["08:30", "12:00"], ["14:00", "18:00"]]
    res = admin.put(
        "/api/calendar/days",
        json={"working_hours": hours, "days": [{"day": "2026-12-31", "kind": "holiday", "name": "测试假日"}]},
    )
    assert res.status_code == 200, res.text
    assert res.json()["working_hours"] == hours
    assert res.json()["days"] == [{"day": "2026-12-31", "kind": "holiday", "name": "测试假日"}]
    bad = admin.put("/api/calendar/days", json={"working_hours": [["09:00", "12:00"], ["11:00", "17:00"]]})
    assert bad.status_code == 422 and "overlap" in bad.text
    res = admin.put("/api/calendar/days", json={"days": [{"day": "2026-12-31", "kind": "normal"}]})
    assert res.json()["days"] == [] and res.json()["working_hours"] == hours


def test_finished_orders_archived_by_the_system_once(as_user, engine) -> None:  # type: ignore[no-untyped-def]
    agent = as_user("agent")
    done, open_ = create(agent, request_type="enquiry"), create(agent)
    act(agent, done, "resolve_directly", passage_id="kb-1#1")
    factory = make_sessionmaker(engine)
    for when, expected in (
        (utcnow() + timedelta(days=1), 0),
        (utcnow() + timedelta(days=8), 1),
        (utcnow() + timedelta(days=9), 0),
    ):
        with factory() as s:
            assert archive_finished(session=s, now=when) == expected
            s.commit()
    last = history(agent, done)[-1]
    assert (last["action"], last["from_state"], last["to_state"]) == (
        "archive",
        "resolved_directly",
        "archived",
    )
    assert last["data"]["actor"] == "system" and last["actor_name"] is None
    assert [e.payload["actor"] for e in events(engine, "order.transition", done)][-1] == "system"
    assert as_user("dispatcher").get(f"/api/orders/{open_}").json()["state"] == "pending_dispatch"
