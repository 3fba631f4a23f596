"""Countdowns in the lifecycle view: time left to each deadline as of the server's clock, in working
seconds on the centre's calendar (clock seconds for an urgent order's signing and first response), with
``ticking`` telling the console whether that time runs right now."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from routing.deadlines.calendar_data import calendar_file, read_calendar_file
from tests.lifecycle_api.helpers import act, create

CST = ZoneInfo("Asia/Shanghai")
HOUR = 3600
DAY = int(7.5 * HOUR)  # 09:00–12:00 and 13:00–17:30


def _at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=CST)  # type: ignore[arg-type,misc]


@pytest.fixture
def calendar_2026(as_user) -> None:  # type: ignore[no-untyped-def]
    days = [
        {"day": d["date"], "kind": d["kind"], "name": d["name"]}
        for d in read_calendar_file(calendar_file(2026))["days"]
    ]
    assert as_user("admin").put("/api/calendar/days", json={"days": days}).status_code == 200


def _dispatch(client, as_user, when: datetime, lead: int, **order: Any) -> int:  # type: ignore[no-untyped-def]
    client.app.state.clock = lambda: when
    oid = create(as_user("agent"), **order)
    act(as_user("dispatcher"), oid, "dispatch", lead_unit_id=lead)
    return oid


def _deadlines_at(client, as_user, oid: int, when: datetime) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    client.app.state.clock = lambda: when
    res = as_user("dispatcher").get(f"/api/orders/{oid}/lifecycle")
    assert res.status_code == 200, res.text
    d: dict[str, Any] = res.json()["deadlines"]
    assert datetime.fromisoformat(d["as_of"]) == when
    return d


def _left(d: dict[str, Any], key: str) -> dict[str, Any]:
    """The countdown to ``key`` without ``changes_at`` (asserted on its own)."""
    return {k: v for k, v in d["remaining"][key].items() if k != "changes_at"}


def _changes_at(d: dict[str, Any], key: str) -> datetime | None:
    at = d["remaining"][key]["changes_at"]
    return None if at is None else datetime.fromisoformat(at)


def test_friday_afternoon_order_counts_working_time_over_the_weekend(  # type: ignore[no-untyped-def]
    client, as_user, seeded, calendar_2026
) -> None:
    # Friday 12 June 2026, 16:00: an enquiry is due in 3 working days, Wednesday 17 June 16:00.
    oid = _dispatch(client, as_user, _at(2026, 6, 12, 16, 0), seeded.county_a, request_type="enquiry")
    d = _deadlines_at(client, as_user, oid, _at(2026, 6, 12, 16, 30))
    assert datetime.fromisoformat(d["reply_by"]) == _at(2026, 6, 17, 16, 0)
    # Friday 16:30–17:30, Monday and Tuesday in full, Wednesday 09:00–12:00 and 13:00–16:00; not the weekend.
    assert _left(d, "reply_by") == {"seconds": HOUR + 2 * DAY + 6 * HOUR, "ticking": True, "basis": "working"}
    assert d["remaining"]["reply_by"]["seconds"] == 79200
    # Signing within 1 working hour: Friday 17:00, half an hour from now.
    assert _left(d, "sign_by") == {"seconds": 1800, "ticking": True, "basis": "working"}
    assert "first_response_by" not in d["remaining"]
    # Working time stops at 17:30 today; the console pauses its countdown then.
    assert _changes_at(d, "reply_by") == _at(2026, 6, 12, 17, 30)
    # The return window (1 working day) ends Monday 16:00: Friday 16:30–17:30, Monday 09:00–12:00, 13:00–16:00.
    assert d["remaining"]["return_by"]["seconds"] == HOUR + 6 * HOUR


def test_at_night_working_time_is_paused_and_an_overdue_deadline_is_negative(  # type: ignore[no-untyped-def]
    client, as_user, seeded, calendar_2026
) -> None:
    oid = _dispatch(client, as_user, _at(2026, 6, 12, 16, 0), seeded.county_a, request_type="enquiry")
    night = _deadlines_at(client, as_user, oid, _at(2026, 6, 12, 22, 0))
    assert _left(night, "reply_by") == {"seconds": 2 * DAY + 6 * HOUR, "ticking": False, "basis": "working"}
    # Signing was due Friday 17:00; working time ran on to 17:30, so it is half a working hour overdue.
    assert _left(night, "sign_by") == {"seconds": -1800, "ticking": False, "basis": "working"}
    # It resumes on Monday morning.
    assert _changes_at(night, "reply_by") == _at(2026, 6, 15, 9, 0)
    # Saturday afternoon: nothing has moved.
    saturday = _deadlines_at(client, as_user, oid, _at(2026, 6, 13, 15, 0))
    assert saturday["remaining"]["reply_by"]["seconds"] == 2 * DAY + 6 * HOUR
    assert saturday["remaining"]["reply_by"]["ticking"] is False
    # Thursday after the deadline: overdue by Wednesday 16:00–17:30 and Thursday 09:00–10:00.
    late = _deadlines_at(client, as_user, oid, _at(2026, 6, 18, 10, 0))
    assert _changes_at(late, "reply_by") == _at(2026, 6, 18, 12, 0)
    assert _left(late, "reply_by") == {"seconds": -int(2.5 * HOUR), "ticking": True, "basis": "working"}


def test_urgent_order_signing_counts_clock_seconds(client, as_user, seeded, calendar_2026) -> None:  # type: ignore[no-untyped-def]
    # Saturday night: signing (30 min) and first response (2 h) run on the clock; the reply on working time.
    oid = _dispatch(
        client,
        as_user,
        _at(2026, 6, 13, 22, 0),
        seeded.county_a,
        request_type="help_request",
        urgency="urgent",
        subject="小区主供水管爆裂",
        description="幸福小区3栋门口水管爆裂，大量积水",
    )
    d = _deadlines_at(client, as_user, oid, _at(2026, 6, 13, 22, 10))
    assert _left(d, "sign_by") == {"seconds": 20 * 60, "ticking": True, "basis": "clock"}
    assert _left(d, "first_response_by") == {"seconds": 110 * 60, "ticking": True, "basis": "clock"}
    assert _changes_at(d, "sign_by") is None
    # 3 working days from Saturday night: Monday, Tuesday, Wednesday in full.
    assert _left(d, "reply_by") == {"seconds": 3 * DAY, "ticking": False, "basis": "working"}
    late = _deadlines_at(client, as_user, oid, _at(2026, 6, 13, 23, 0))
    assert _left(late, "sign_by") == {"seconds": -30 * 60, "ticking": True, "basis": "clock"}
