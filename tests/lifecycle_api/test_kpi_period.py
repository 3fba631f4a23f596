"""The KPIs read only the orders that can count in the period (``kpi.candidates``) and stay exact: over
a history driven through the API at set times (orders whose only fact in a period is a deadline,
deadlines moved by an extension or a send-back, a reopened order, orders finished long ago, other
units and categories), every figure and the board's on-time series equal the same computation over
every order's whole history, for many periods, including ones that start exactly at a deadline."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.db import make_sessionmaker
from routing.deadlines.policy import DeadlinePolicy
from routing.lifecycle import board, kpi
from routing.orders.models import OrderHistory, WorkOrder
from tests.lifecycle_api.helpers import act, create

CST = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 3, 2, 10, 0, tzinfo=CST)  # a Monday; nothing is in the calendar table
DAY = timedelta(days=1)


def _every_order(**_: Any) -> Any:
    """The reference selection: every order, so ``compute`` reads the centre's whole history."""
    return select(WorkOrder.id.label("order_id")).subquery()


def _story(client: Any, as_user: Any, seeded: Any, engine: Any) -> dict[str, int]:
    agent, dispatcher, followup = as_user("agent"), as_user("dispatcher"), as_user("followup")
    staff_a, staff_b = as_user("staff_a"), as_user("staff_b")
    ids: dict[str, int] = {}

    def at(when: datetime) -> None:
        client.app.state.clock = lambda: when

    def start(key: str, when: datetime, lead: int = seeded.county_a, staff: Any = staff_a, **order: Any) -> int:
        at(when)
        ids[key] = oid = create(agent, **order)
        at(when + timedelta(minutes=10))
        act(dispatcher, oid, "dispatch", lead_unit_id=lead)
        at(when + timedelta(minutes=30))
        act(staff, oid, "sign")
        return oid

    def finish(oid: int, when: datetime, staff: Any = staff_a, verdict: str = "follow_up_satisfied") -> None:
        at(when)
        act(staff, oid, "reply", comment="已处理完毕")
        at(when + timedelta(hours=1))
        act(dispatcher, oid, "approve")
        at(when + timedelta(hours=3))
        act(followup, oid, verdict)

    day = DAY
    old = start("finished_long_ago", datetime(2026, 1, 5, 10, 0, tzinfo=CST))
    finish(old, datetime(2026, 1, 6, 10, 0, tzinfo=CST))
    # Overdue: nothing happens after signing; its deadline (Monday 9 March) is its only fact later on.
    start("overdue", T0)
    start("overdue_other_unit", T0, lead=seeded.county_b, staff=staff_b)
    start("overdue_other_category", T0 + timedelta(hours=1), category_l1="交通运输", category_l2="公共交通")
    done = start("done_early", T0)
    finish(done, T0 + day)  # all its steps before the week its deadline falls in
    late = start("late", T0 - 2 * day)
    finish(late, T0 + 8 * day, verdict="follow_up_dissatisfied")
    ext = start("extended", T0)
    at(T0 + 2 * day)
    act(staff_a, ext, "request_extension", days=3, reason="需协调供电部门更换线路")
    at(T0 + 2 * day + timedelta(hours=2))
    act(dispatcher, ext, "approve_extension", comment="同意延期")
    finish(ext, T0 + 3 * day)
    back = start("sent_back", T0 - 3 * day)
    at(T0 - 2 * day)
    act(staff_a, back, "reply", comment="已处理")
    at(T0 - 2 * day + timedelta(hours=1))
    act(dispatcher, back, "send_back", reason="答非所问", days=5)
    finish(back, T0 - day)
    reopened = start("reopened", T0 - 20 * day)
    finish(reopened, T0 - 18 * day, verdict="follow_up_dissatisfied")
    at(T0 - 17 * day)
    act(dispatcher, reopened, "reopen", comment="核实诉求合理，重办")
    finish(reopened, T0 - 16 * day)
    at(T0 - 2 * day)
    ids["returned"] = ret = create(agent)
    act(dispatcher, ret, "dispatch", lead_unit_id=seeded.county_b)
    at(T0 - 2 * day + timedelta(hours=1))
    act(staff_b, ret, "return", reason="事发地属云城区，非我区辖区")
    at(T0 - 2 * day + timedelta(hours=2))
    act(dispatcher, ret, "reassign", lead_unit_id=seeded.county_a, comment="改派云城区")
    start("later", T0 + 30 * day)
    # Intake stamps the wall clock; test arrangement: each accept step goes back to just before the
    # order's first step, so the periods see the intake figures too.
    with make_sessionmaker(engine)() as s:
        for oid in ids.values():
            rows = s.scalars(select(OrderHistory).where(OrderHistory.order_id == oid).order_by(OrderHistory.id)).all()
            accept = next(r for r in rows if r.action == "accept")
            accept.at = min(r.at for r in rows if r.action != "accept") - timedelta(minutes=5)
        s.commit()
    return ids


def _summary(figures: dict[str, kpi.Figure]) -> dict[str, tuple[Any, ...]]:
    return {
        k: (sorted(f.numerator), sorted(f.denominator), f.weighted_numerator, f.summary()["value"])
        for k, f in figures.items()
    }


def _periods(s: Session) -> list[tuple[datetime, datetime]]:
    days = [datetime(2026, 1, 1, tzinfo=UTC) + timedelta(days=i) for i in range(0, 100)]
    out = [(d, d + timedelta(days=1)) for d in days] + [(d, d + timedelta(days=7)) for d in days[::3]]
    out += [(datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 4, 1, tzinfo=UTC))]
    # Periods that start or end exactly at a recorded deadline (the bound of the selection).
    for (value,) in s.execute(select(OrderHistory.data["reply_by"].as_string()).where(OrderHistory.action != "sign")):
        if value:
            t = datetime.fromisoformat(value)
            out += [(t, t + timedelta(hours=1)), (t - timedelta(hours=1), t), (t + timedelta(microseconds=1), t + DAY)]
    return out


def test_period_selection_equals_the_whole_history(client, as_user, seeded, engine, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    ids = _story(client, as_user, seeded, engine)
    scopes: list[dict[str, Any]] = [
        {},
        {"workstation_id": seeded.county_a},
        {"workstation_id": seeded.county_b},
        {"category_l1": "交通运输"},
    ]
    with make_sessionmaker(engine)() as s:
        periods = _periods(s)
        fast = [_summary(kpi.compute(session=s, start=a, end=b, **sc)) for a, b in periods for sc in scopes]
        boards = [board._on_time(s, a, b, r) for a, b in periods for r in (None, "0101")]
        # The overdue orders count in the week of their deadline through the deadline alone.
        week = kpi.compute(session=s, start=datetime(2026, 3, 9, tzinfo=CST), end=datetime(2026, 3, 10, tzinfo=CST))
        assert {ids["overdue"], ids["overdue_other_unit"], ids["overdue_other_category"]} <= set(
            week["overdue_count"].numerator
        )
        assert ids["done_early"] in week["on_time_completion_rate"].numerator
        with monkeypatch.context() as m:
            m.setattr(kpi, "candidates", _every_order)
            full = [_summary(kpi.compute(session=s, start=a, end=b, **sc)) for a, b in periods for sc in scopes]
            full_boards = [board._on_time(s, a, b, r) for a, b in periods for r in (None, "0101")]
            # The check can fail: a selection that drops the orders due in the period differs.
            m.setattr(kpi, "candidates", _in_period_only)
            dropped = _summary(
                kpi.compute(session=s, start=datetime(2026, 3, 9, tzinfo=CST), end=datetime(2026, 3, 10, tzinfo=CST))
            )
    assert dropped != _summary(week)
    assert sum(bool(f["overdue_count"][0]) for f in full) > 10  # the periods do exercise deadlines
    for (a, b), got, want in zip([(a, b) for a, b in periods for _ in scopes], fast, full, strict=True):
        assert got == want, (a, b)
    assert boards == full_boards


def _in_period_only(*, session: Session, start: datetime, end: datetime) -> Any:
    return select(OrderHistory.order_id).where(OrderHistory.at >= start, OrderHistory.at < end).subquery()


@pytest.mark.parametrize(
    "recorded",
    ["2026-03-09T10:00:00+08:00", "2026-03-09T02:00:00.250000+00:00", "2026-03-09T10:00:00.999999+08:00"],
)
def test_recorded_deadlines_are_read_in_sql_with_their_offset(as_user, engine, recorded: str) -> None:  # type: ignore[no-untyped-def]
    oid = create(as_user("agent"))
    deadline = datetime.fromisoformat(recorded)
    set_at = deadline - timedelta(days=40)
    with make_sessionmaker(engine)() as s:
        s.add(OrderHistory(order_id=oid, at=set_at, action="dispatch", data={"reply_by": recorded, "cycle": 0}))
        s.commit()

        def selected(start: datetime) -> bool:
            ids = kpi.candidates(session=s, start=start, end=start + timedelta(days=1))
            return oid in set(s.scalars(select(ids.c.order_id)))

        assert selected(deadline)  # a deadline at the very start of the period counts
        assert selected(deadline - timedelta(hours=9))
        assert not selected(deadline + timedelta(seconds=2))  # a superset by at most a second
        assert not selected(set_at - timedelta(days=200))  # neither in the period nor due in it


def test_lookback_covers_the_policy_and_the_request_bounds() -> None:
    default = kpi.deadline_lookback(DeadlinePolicy())
    # 60 working days (a catalogue entry's bound) plus one extension of 5: well over four months.
    assert default >= timedelta(days=65 * 7 / 5)
    longer = DeadlinePolicy(extension_max_requests=3, extension_max_working_days=10)
    assert kpi.deadline_lookback(longer) - default >= timedelta(days=20 * 7 / 5)
    assert kpi.deadline_lookback(DeadlinePolicy(), catalogue_max_days=200) >= timedelta(days=205 * 7 / 5)
    urgent = DeadlinePolicy.model_validate({"urgent": {"reply_hours": 24 * 400}})
    assert kpi.deadline_lookback(urgent) >= timedelta(days=400)
