from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from routing.deadlines.calendar import WorkCalendar, parse_hours
from routing.deadlines.calendar_data import calendar_file, calendar_from_file, read_calendar_file

SH = ZoneInfo("Asia/Shanghai")


def at(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=SH)


@pytest.fixture(scope="module")
def cal() -> WorkCalendar:
    return calendar_from_file(calendar_file(2026))


def test_2026_data_file_matches_the_published_notice() -> None:
    doc = read_calendar_file(calendar_file(2026))
    holidays = [date.fromisoformat(e["date"]) for e in doc["days"] if e["kind"] == "holiday"]
    makeups = [date.fromisoformat(e["date"]) for e in doc["days"] if e["kind"] == "makeup_workday"]
    # 元旦 3 + 春节 9 + 清明 3 + 劳动节 5 + 端午 3 + 中秋 3 + 国庆 7
    assert len(holidays) == 33
    assert sorted(makeups) == [
        date(2026, 1, 4),
        date(2026, 2, 14),
        date(2026, 2, 28),
        date(2026, 5, 9),
        date(2026, 9, 20),
        date(2026, 10, 10),
    ]
    # Every make-up working day is a weekend day, otherwise it would change nothing.
    assert all(d.weekday() >= 5 for d in makeups)
    assert len(set(holidays)) == len(holidays)


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2026, 11, 20), True),  # Friday
        (date(2026, 11, 21), False),  # Saturday
        (date(2026, 11, 22), False),  # Sunday
        (date(2026, 10, 1), False),  # National Day, Thursday
        (date(2026, 10, 7), False),  # National Day, Wednesday
        (date(2026, 10, 8), True),
        (date(2026, 9, 20), True),  # make-up working Sunday
        (date(2026, 10, 10), True),  # make-up working Saturday
        (date(2026, 10, 11), False),  # ordinary Sunday
        (date(2026, 1, 4), True),  # make-up working Sunday after 元旦
        (date(2026, 2, 23), False),  # 春节, Monday
        (date(2026, 4, 6), False),  # 清明, Monday
    ],
)
def test_is_working_day(cal: WorkCalendar, day: date, working: bool) -> None:
    assert cal.is_working_day(day) is working


def test_day_name(cal: WorkCalendar) -> None:
    assert cal.day_name(date(2026, 10, 3)) == "国庆节"
    assert cal.day_name(date(2026, 9, 20)) == "国庆节调休上班"
    assert cal.day_name(date(2026, 11, 20)) is None


@pytest.mark.parametrize(
    ("moment", "inside"),
    [
        (at(2026, 11, 20, 8, 59), False),
        (at(2026, 11, 20, 9, 0), True),
        (at(2026, 11, 20, 11, 59), True),
        (at(2026, 11, 20, 12, 0), False),
        (at(2026, 11, 20, 12, 30), False),
        (at(2026, 11, 20, 13, 0), True),
        (at(2026, 11, 20, 17, 29), True),
        (at(2026, 11, 20, 17, 30), False),
        (at(2026, 11, 21, 10, 0), False),  # Saturday
        (at(2026, 10, 2, 10, 0), False),  # holiday
        (at(2026, 9, 20, 10, 0), True),  # make-up Sunday
        (datetime(2026, 11, 20, 1, 0, tzinfo=UTC), True),  # 09:00 in Shanghai
        (datetime(2026, 11, 20, 0, 59, tzinfo=UTC), False),
    ],
)
def test_is_working_time(cal: WorkCalendar, moment: datetime, inside: bool) -> None:
    assert cal.is_working_time(moment) is inside


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (at(2026, 11, 20, 10, 15), at(2026, 11, 20, 10, 15)),
        (at(2026, 11, 20, 7, 0), at(2026, 11, 20, 9, 0)),
        (at(2026, 11, 20, 12, 10), at(2026, 11, 20, 13, 0)),
        (at(2026, 11, 20, 17, 30), at(2026, 11, 23, 9, 0)),  # Friday close → Monday
        (at(2026, 9, 30, 18, 0), at(2026, 10, 8, 9, 0)),  # across National Day
        (at(2026, 9, 18, 18, 0), at(2026, 9, 20, 9, 0)),  # to the make-up Sunday
    ],
)
def test_next_working_moment(cal: WorkCalendar, moment: datetime, expected: datetime) -> None:
    assert cal.next_working_moment(moment) == expected


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (at(2026, 9, 18, 10, 0), at(2026, 9, 18, 12, 0)),  # in the morning period: its close
        (at(2026, 9, 18, 12, 30), at(2026, 9, 18, 13, 0)),  # lunch: the afternoon opening
        (at(2026, 9, 18, 17, 30), at(2026, 9, 20, 9, 0)),  # Friday close: the make-up Sunday
        (at(2026, 9, 30, 20, 0), at(2026, 10, 8, 9, 0)),  # before National Day: after the holiday
    ],
)
def test_next_change(cal: WorkCalendar, moment: datetime, expected: datetime) -> None:
    assert cal.next_change(moment) == expected
    assert cal.is_working_time(expected) != cal.is_working_time(moment)


def test_add_working_days_crosses_a_weekend(cal: WorkCalendar) -> None:
    assert cal.add_working_days(at(2026, 11, 20, 15, 0), 1) == at(2026, 11, 23, 15, 0)
    assert cal.add_working_days(at(2026, 11, 20, 15, 0), 3) == at(2026, 11, 25, 15, 0)


def test_add_working_days_crosses_national_day_and_makeup_saturday(cal: WorkCalendar) -> None:
    # Wed 30 Sep + 5: Thu 8, Fri 9, Sat 10 (make-up), Mon 12, Tue 13 Oct.
    assert cal.add_working_days(at(2026, 9, 30, 16, 0), 5) == at(2026, 10, 13, 16, 0)


def test_add_working_days_counts_the_makeup_sunday(cal: WorkCalendar) -> None:
    # Fri 18 Sep + 1 lands on Sun 20 Sep, a working day; Sat 19 is not.
    assert cal.add_working_days(at(2026, 9, 18, 10, 0), 1) == at(2026, 9, 20, 10, 0)
    assert cal.add_working_days(at(2026, 9, 18, 10, 0), 2) == at(2026, 9, 21, 10, 0)


def test_add_working_days_crosses_spring_festival(cal: WorkCalendar) -> None:
    # Fri 13 Feb + 1 is the make-up Saturday 14 Feb; + 2 skips the 9-day holiday to Tue 24 Feb.
    assert cal.add_working_days(at(2026, 2, 13, 11, 0), 1) == at(2026, 2, 14, 11, 0)
    assert cal.add_working_days(at(2026, 2, 13, 11, 0), 2) == at(2026, 2, 24, 11, 0)


def test_add_working_days_from_out_of_hours_ends_at_close(cal: WorkCalendar) -> None:
    assert cal.add_working_days(at(2026, 11, 20, 20, 0), 1) == at(2026, 11, 23, 17, 30)
    assert cal.add_working_days(at(2026, 11, 23, 9, 0), 1) == at(2026, 11, 23, 17, 30)
    assert cal.add_working_days(at(2026, 11, 22, 3, 0), 0) == at(2026, 11, 23, 9, 0)


def test_add_working_hours_skips_lunch_and_night(cal: WorkCalendar) -> None:
    assert cal.add_working_hours(at(2026, 11, 23, 11, 30), 1) == at(2026, 11, 23, 13, 30)
    assert cal.add_working_hours(at(2026, 11, 20, 17, 0), 1) == at(2026, 11, 23, 9, 30)
    assert cal.add_working_hours(at(2026, 11, 20, 12, 15), 0.5) == at(2026, 11, 20, 13, 30)
    assert cal.add_working_hours(at(2026, 11, 23, 9, 0), 3) == at(2026, 11, 23, 12, 0)


def test_results_come_back_in_calendar_zone_from_utc_input(cal: WorkCalendar) -> None:
    out = cal.add_working_hours(datetime(2026, 11, 20, 1, 0, tzinfo=UTC), 2)  # 09:00 local
    assert out == at(2026, 11, 20, 11, 0)
    assert out.utcoffset() == timedelta(hours=8)


def test_naive_datetimes_are_refused_by_value(cal: WorkCalendar) -> None:
    with pytest.raises(ValueError, match=r"naive datetime datetime\.datetime\(2026, 11, 20, 9, 0\)"):
        cal.add_working_days(datetime(2026, 11, 20, 9, 0), 1)


def test_negative_amounts_are_refused(cal: WorkCalendar) -> None:
    with pytest.raises(ValueError, match="-1"):
        cal.add_working_days(at(2026, 11, 20, 9), -1)


@pytest.mark.parametrize(
    ("start", "end", "hours"),
    [
        (at(2026, 11, 20, 9, 0), at(2026, 11, 20, 17, 30), 7.5),
        (at(2026, 11, 20, 11, 0), at(2026, 11, 20, 14, 0), 2.0),
        (at(2026, 11, 20, 16, 0), at(2026, 11, 23, 10, 0), 2.5),
        (at(2026, 9, 30, 0, 0), at(2026, 10, 9, 0, 0), 15.0),  # Sep 30 + Oct 8 only
        (at(2026, 9, 19, 0, 0), at(2026, 9, 21, 0, 0), 7.5),  # the make-up Sunday only
        (at(2026, 11, 21, 9, 0), at(2026, 11, 22, 18, 0), 0.0),
    ],
)
def test_working_seconds_between(cal: WorkCalendar, start: datetime, end: datetime, hours: float) -> None:
    assert cal.working_seconds_between(start, end) == hours * 3600
    assert cal.working_seconds_between(end, start) == -hours * 3600


@pytest.mark.parametrize("hours", [0.25, 1, 3, 7.5, 8, 22.5, 40, 100])
@pytest.mark.parametrize(
    "start",
    [at(2026, 9, 17, 10, 40), at(2026, 9, 30, 12, 30), at(2026, 2, 12, 17, 0), at(2026, 12, 31, 23, 0)],
)
def test_working_seconds_between_inverts_add(cal: WorkCalendar, start: datetime, hours: float) -> None:
    end = cal.add_working_hours(start, hours)
    assert cal.working_seconds_between(start, end) == pytest.approx(hours * 3600)
    assert cal.is_working_day(end.date())


def test_long_spans_skip_whole_days(cal: WorkCalendar) -> None:
    start = at(2026, 1, 5, 9, 0)  # Monday
    end = cal.add_working_days(start, 200)
    assert cal.working_seconds_between(start, end) == 200 * cal.day_seconds


def test_configurable_hours() -> None:
    cal = WorkCalendar(working_hours=parse_hours([["08:30", "17:00"]]))
    assert cal.day_seconds == 8.5 * 3600
    assert cal.add_working_hours(at(2026, 11, 20, 16, 0), 2) == at(2026, 11, 23, 9, 30)
    assert cal.is_working_time(at(2026, 11, 20, 12, 30))


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ([["12:00", "09:00"]], "must start before it ends"),
        ([["09:00", "12:00"], ["11:00", "14:00"]], "overlap at 11:00"),
        ([], "at least one"),
        ([["09:00"]], "must be \\[start, end\\]"),
        ([["9am", "12:00"]], "9am"),
    ],
)
def test_bad_working_hours_are_refused(spec: list[list[str]], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_hours(spec)


def test_periods_are_sorted() -> None:
    assert parse_hours([["13:00", "17:30"], ["09:00", "12:00"]])[0] == (time(9), time(12))


def test_a_date_cannot_be_both_holiday_and_makeup() -> None:
    with pytest.raises(ValueError, match="2026-10-01"):
        WorkCalendar(holidays={date(2026, 10, 1): "x"}, makeup_workdays={date(2026, 10, 1): "y"})
