from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from routing.deadlines.calendar import WorkCalendar
from routing.deadlines.calendar_data import calendar_file, calendar_from_file
from routing.deadlines.policy import (
    DeadlineOverride,
    DeadlinePolicy,
    Deadlines,
    ExtensionNotAllowed,
    TypeRule,
    UrgentRule,
    check_extension,
    compute_deadlines,
    extend_deadline,
    reopen_deadline,
    send_back_deadline,
)
from routing.orders.enums import RequestType, Urgency

SH = ZoneInfo("Asia/Shanghai")


def at(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=SH)


@pytest.fixture(scope="module")
def cal() -> WorkCalendar:
    return calendar_from_file(calendar_file(2026))


POLICY = DeadlinePolicy()
FRI_3PM = at(2026, 11, 20, 15, 0)


@pytest.mark.parametrize(
    ("request_type", "reply_by"),
    [
        (RequestType.enquiry, at(2026, 11, 25, 15, 0)),
        (RequestType.help_request, at(2026, 11, 25, 15, 0)),
        (RequestType.complaint, at(2026, 11, 27, 15, 0)),
        (RequestType.tip_off, at(2026, 11, 27, 15, 0)),
        (RequestType.suggestion, at(2026, 11, 27, 15, 0)),
    ],
)
def test_default_deadlines_by_type(cal: WorkCalendar, request_type: RequestType, reply_by: datetime) -> None:
    d = compute_deadlines(FRI_3PM, request_type, Urgency.normal, calendar=cal, policy=POLICY)
    assert d == Deadlines(sign_by=at(2026, 11, 20, 16, 0), first_response_by=None, reply_by=reply_by)


def test_praise_has_no_deadline_by_default(cal: WorkCalendar) -> None:
    d = compute_deadlines(FRI_3PM, "praise", "normal", calendar=cal, policy=POLICY)
    assert (d.sign_by, d.first_response_by, d.reply_by) == (None, None, None)


def test_sign_within_one_working_hour_crosses_the_weekend(cal: WorkCalendar) -> None:
    d = compute_deadlines(at(2026, 11, 20, 17, 10), "enquiry", "normal", calendar=cal, policy=POLICY)
    assert d.sign_by == at(2026, 11, 23, 9, 40)


def test_complaint_accepted_before_national_day(cal: WorkCalendar) -> None:
    d = compute_deadlines(at(2026, 9, 30, 16, 0), "complaint", "normal", calendar=cal, policy=POLICY)
    assert d.sign_by == at(2026, 9, 30, 17, 0)
    assert d.reply_by == at(2026, 10, 13, 16, 0)


def test_enquiry_accepted_friday_night_uses_the_makeup_sunday(cal: WorkCalendar) -> None:
    d = compute_deadlines(at(2026, 9, 18, 20, 0), "enquiry", "normal", calendar=cal, policy=POLICY)
    assert d.sign_by == at(2026, 9, 20, 10, 0)
    assert d.reply_by == at(2026, 9, 22, 17, 30)  # Sun 20, Mon 21, Tue 22


def test_urgent_out_of_hours_runs_on_clock_time(cal: WorkCalendar) -> None:
    d = compute_deadlines(at(2026, 11, 21, 22, 0), "help_request", "urgent", calendar=cal, policy=POLICY)
    assert d.sign_by == at(2026, 11, 21, 22, 30)
    assert d.first_response_by == at(2026, 11, 22, 0, 0)
    assert d.out_of_hours is True
    # The final reply keeps the working-day deadline: Mon, Tue, Wed.
    assert d.reply_by == at(2026, 11, 25, 17, 30)


def test_urgent_during_a_holiday_goes_to_duty(cal: WorkCalendar) -> None:
    d = compute_deadlines(at(2026, 10, 2, 10, 0), "complaint", "urgent", calendar=cal, policy=POLICY)
    assert d.out_of_hours is True
    assert d.sign_by == at(2026, 10, 2, 10, 30)
    assert d.first_response_by == at(2026, 10, 2, 12, 0)


def test_urgent_in_hours_is_not_out_of_hours(cal: WorkCalendar) -> None:
    d = compute_deadlines(at(2026, 11, 20, 11, 45), "complaint", "urgent", calendar=cal, policy=POLICY)
    assert d.out_of_hours is False
    # Clock time, not working time: the lunch break does not stop the clock.
    assert d.sign_by == at(2026, 11, 20, 12, 15)
    assert d.first_response_by == at(2026, 11, 20, 13, 45)


def test_urgent_reply_hours_when_configured(cal: WorkCalendar) -> None:
    policy = DeadlinePolicy(urgent=UrgentRule(reply_hours=24))
    d = compute_deadlines(at(2026, 11, 21, 22, 0), "complaint", "urgent", calendar=cal, policy=policy)
    assert d.reply_by == at(2026, 11, 22, 22, 0)


def test_catalogue_override_beats_the_policy(cal: WorkCalendar) -> None:
    ov = DeadlineOverride(reply_working_days=10, sign_working_hours=3, urgent_sign_minutes=15)
    d = compute_deadlines(FRI_3PM, "enquiry", "normal", calendar=cal, policy=POLICY, override=ov)
    assert d.reply_by == at(2026, 12, 4, 15, 0)
    assert d.sign_by == at(2026, 11, 23, 9, 30)
    u = compute_deadlines(FRI_3PM, "enquiry", "urgent", calendar=cal, policy=POLICY, override=ov)
    assert u.sign_by == at(2026, 11, 20, 15, 15)
    assert u.first_response_by == at(2026, 11, 20, 17, 0)  # not overridden: policy's 2 hours


def test_override_gives_praise_a_deadline(cal: WorkCalendar) -> None:
    d = compute_deadlines(
        FRI_3PM,
        "praise",
        "normal",
        calendar=cal,
        policy=POLICY,
        override=DeadlineOverride(reply_working_days=2),
    )
    assert d.reply_by == at(2026, 11, 24, 15, 0)
    assert d.sign_by == at(2026, 11, 20, 16, 0)


def test_centre_configures_praise_and_enquiry(cal: WorkCalendar) -> None:
    policy = DeadlinePolicy(
        rules={
            RequestType.praise: TypeRule(reply_working_days=7, sign_working_hours=4),
            RequestType.enquiry: TypeRule(reply_working_days=2, sign_working_hours=1),
        }
    )
    assert compute_deadlines(FRI_3PM, "praise", "normal", calendar=cal, policy=policy).reply_by == at(
        2026, 12, 1, 15, 0
    )
    assert compute_deadlines(FRI_3PM, "enquiry", "normal", calendar=cal, policy=policy).reply_by == at(
        2026, 11, 24, 15, 0
    )
    # Types the centre left out keep the product default.
    assert compute_deadlines(FRI_3PM, "complaint", "normal", calendar=cal, policy=policy).reply_by == at(
        2026, 11, 27, 15, 0
    )


def test_policy_round_trips_through_json() -> None:
    policy = DeadlinePolicy(urgent=UrgentRule(sign_minutes=20), extension_max_working_days=10)
    stored = policy.model_dump(mode="json")
    assert stored["rules"]["complaint"] == {"reply_working_days": 5, "sign_working_hours": 1.0}
    assert DeadlinePolicy.model_validate(stored) == policy


@pytest.mark.parametrize(
    "bad",
    [
        {"rules": {"complaint": {"reply_working_days": 0}}},
        {"rules": {"gossip": {"reply_working_days": 3}}},
        {"urgent": {"sign_minutes": -5}},
        {"extension_max_days": 3},
    ],
)
def test_bad_policy_is_refused(bad: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        DeadlinePolicy.model_validate(bad)


def test_unknown_request_type_is_refused(cal: WorkCalendar) -> None:
    with pytest.raises(ValueError, match="'gossip'"):
        compute_deadlines(FRI_3PM, "gossip", "normal", calendar=cal, policy=POLICY)


# ---- extensions, send-backs, reopenings ------------------------------------------------------------
def test_extension_moves_the_deadline_across_national_day(cal: WorkCalendar) -> None:
    deadline = at(2026, 9, 29, 16, 0)
    check_extension(
        deadline=deadline,
        requested_at=at(2026, 9, 29, 10, 0),
        working_days=3,
        previous_requests=0,
        policy=POLICY,
    )
    assert extend_deadline(deadline, 3, calendar=cal) == at(2026, 10, 9, 16, 0)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"requested_at": at(2026, 9, 29, 16, 0)}, "已超期"),
        ({"requested_at": at(2026, 9, 30, 9, 0)}, "2026-09-30T09:00:00\\+08:00"),
        ({"working_days": 6}, "延期天数 6 无效：须为 1 至 5"),
        ({"working_days": 0}, "延期天数 0 无效"),
        ({"previous_requests": 1}, "已申请延期 1 次，最多 1 次"),
        ({"deadline": None}, "没有办理时限"),
    ],
)
def test_extension_refusals_name_the_value(kwargs: dict[str, object], message: str) -> None:
    args: dict[str, object] = {
        "deadline": at(2026, 9, 29, 16, 0),
        "requested_at": at(2026, 9, 28, 10, 0),
        "working_days": 2,
        "previous_requests": 0,
        "policy": POLICY,
    }
    args.update(kwargs)
    with pytest.raises(ExtensionNotAllowed, match=message):
        check_extension(**args)  # type: ignore[arg-type]


def test_send_back_gives_a_new_deadline(cal: WorkCalendar) -> None:
    assert send_back_deadline(FRI_3PM, calendar=cal, policy=POLICY) == at(2026, 11, 24, 15, 0)
    assert send_back_deadline(FRI_3PM, calendar=cal, policy=POLICY, working_days=1) == at(2026, 11, 23, 15, 0)
    with pytest.raises(ValueError, match="got 0"):
        send_back_deadline(FRI_3PM, calendar=cal, policy=POLICY, working_days=0)


def test_reopen_restarts_the_type_deadline(cal: WorkCalendar) -> None:
    reopened = at(2026, 9, 30, 10, 0)
    assert reopen_deadline(reopened, "complaint", calendar=cal, policy=POLICY) == at(2026, 10, 13, 10, 0)
    assert reopen_deadline(
        reopened, "complaint", calendar=cal, policy=POLICY, override=DeadlineOverride(reply_working_days=1)
    ) == at(2026, 10, 8, 10, 0)
    fixed = DeadlinePolicy(reopen_working_days=2)
    assert reopen_deadline(reopened, "complaint", calendar=cal, policy=fixed) == at(2026, 10, 9, 10, 0)
    assert reopen_deadline(reopened, "praise", calendar=cal, policy=POLICY) is None


def test_extension_then_reopen_each_move_the_deadline_forward(cal: WorkCalendar) -> None:
    d = compute_deadlines(FRI_3PM, "complaint", "normal", calendar=cal, policy=POLICY)
    assert d.reply_by is not None
    extended = extend_deadline(d.reply_by, 2, calendar=cal)
    assert cal.working_seconds_between(d.reply_by, extended) == 2 * cal.day_seconds
    reopened = reopen_deadline(extended + timedelta(days=3), "complaint", calendar=cal, policy=POLICY)
    assert reopened is not None and reopened > extended
