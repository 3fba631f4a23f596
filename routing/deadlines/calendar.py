"""Working-time arithmetic over a calendar of public holidays, make-up working days and working hours.

All inputs and outputs are timezone-aware datetimes; arithmetic happens in the calendar's own zone
(Asia/Shanghai by default) and results come back in that zone. One set of working periods applies to
every working day, which is what centres publish ("09:00–12:00, 13:00–17:30").

Working-day deadlines are working-time arithmetic: ``add_working_days(t, n)`` adds ``n`` full working
days of working seconds. From inside working hours this lands on the same clock time ``n`` working days
later; from outside it counts from the next opening, and a deadline that uses up a day exactly ends at
that day's close (17:30) rather than the next morning's opening, which is the same instant in working
time but what people expect to read.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

DEFAULT_TIMEZONE = "Asia/Shanghai"
DEFAULT_WORKING_HOURS: tuple[tuple[time, time], ...] = (
    (time(9, 0), time(12, 0)),
    (time(13, 0), time(17, 30)),
)

# A calendar with no working day for this long is misconfigured; stop rather than loop forever.
_MAX_SCAN_DAYS = 3660


def parse_hours(spec: Iterable[Sequence[str] | Sequence[time]]) -> tuple[tuple[time, time], ...]:
    """``[["09:00", "12:00"], ["13:00", "17:30"]]`` → validated, sorted, non-overlapping periods."""
    periods: list[tuple[time, time]] = []
    for item in spec:
        if len(item) != 2:
            raise ValueError(f"working period {item!r} must be [start, end]")
        start, end = (v if isinstance(v, time) else time.fromisoformat(v) for v in item)
        if start.tzinfo is not None or end.tzinfo is not None:
            raise ValueError(f"working period {item!r} must be local wall-clock times without a zone")
        if not start < end:
            raise ValueError(f"working period {item!r} must start before it ends")
        periods.append((start, end))
    if not periods:
        raise ValueError("at least one working period is required")
    periods.sort()
    for (_, prev_end), (start, _) in zip(periods, periods[1:], strict=False):
        if start < prev_end:
            raise ValueError(f"working periods overlap at {start.isoformat('minutes')}")
    return tuple(periods)


def format_hours(periods: Sequence[tuple[time, time]]) -> list[list[str]]:
    return [[s.isoformat("minutes"), e.isoformat("minutes")] for s, e in periods]


@dataclass(frozen=True)
class WorkCalendar:
    """Holidays and make-up working days by date (value: the name shown, e.g. 国庆节)."""

    holidays: Mapping[date, str] = field(default_factory=dict)
    makeup_workdays: Mapping[date, str] = field(default_factory=dict)
    working_hours: tuple[tuple[time, time], ...] = DEFAULT_WORKING_HOURS
    timezone: str = DEFAULT_TIMEZONE

    def __post_init__(self) -> None:
        both = set(self.holidays) & set(self.makeup_workdays)
        if both:
            raise ValueError(f"dates both holiday and make-up working day: {', '.join(map(str, sorted(both)))}")
        object.__setattr__(self, "working_hours", parse_hours(self.working_hours))
        object.__setattr__(self, "_tz", ZoneInfo(self.timezone))

    # ---- days -------------------------------------------------------------------------------------
    @property
    def tz(self) -> ZoneInfo:
        return self._tz  # type: ignore[attr-defined,no-any-return]

    @property
    def day_seconds(self) -> float:
        """Working seconds in one working day."""
        return sum(_seconds(s, e) for s, e in self.working_hours)

    def is_working_day(self, day: date) -> bool:
        if isinstance(day, datetime):
            day = self.local(day).date()
        if day in self.makeup_workdays:
            return True
        if day in self.holidays:
            return False
        return day.weekday() < 5

    def day_name(self, day: date) -> str | None:
        """The holiday or make-up day's name, for the console."""
        return self.holidays.get(day) or self.makeup_workdays.get(day)

    def next_working_day(self, day: date) -> date:
        """The first working day strictly after ``day``."""
        for i in range(1, _MAX_SCAN_DAYS):
            d = day + timedelta(days=i)
            if self.is_working_day(d):
                return d
        raise ValueError(f"no working day within {_MAX_SCAN_DAYS} days after {day}")

    # ---- moments ----------------------------------------------------------------------------------
    def local(self, moment: datetime) -> datetime:
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise ValueError(f"naive datetime {moment!r} given; use an aware datetime")
        return moment.astimezone(self.tz)

    def _periods(self, day: date) -> list[tuple[datetime, datetime]]:
        if not self.is_working_day(day):
            return []
        return [
            (datetime.combine(day, s, tzinfo=self.tz), datetime.combine(day, e, tzinfo=self.tz))
            for s, e in self.working_hours
        ]

    def is_working_time(self, moment: datetime) -> bool:
        """True inside a working period (start inclusive, end exclusive)."""
        m = self.local(moment)
        return any(s <= m < e for s, e in self._periods(m.date()))

    def next_working_moment(self, moment: datetime) -> datetime:
        """``moment`` itself when inside working hours, else the next period's opening."""
        m = self.local(moment)
        day = m.date()
        for s, e in self._periods(day):
            if m < e:
                return max(m, s)
        day = self.next_working_day(day)
        return self._periods(day)[0][0]

    def next_change(self, moment: datetime) -> datetime:
        """When working time next starts or stops after ``moment``: the close of the period ``moment`` is
        in, else the opening of the next one (so a countdown knows when to pause or resume)."""
        m = self.local(moment)
        for s, e in self._periods(m.date()):
            if s <= m < e:
                return e
        return self.next_working_moment(m)

    def add_working_time(self, start: datetime, amount: timedelta) -> datetime:
        """``start`` plus ``amount`` of working time. An amount that ends exactly at a period's
        close returns the close; a zero amount returns ``next_working_moment(start)``."""
        remaining = amount.total_seconds()
        if remaining < 0:
            raise ValueError(f"working time to add must not be negative, got {amount}")
        m = self.next_working_moment(start)
        day = m.date()
        # Whole days are skipped in one step each, so long spans stay cheap.
        while True:
            for s, e in self._periods(day):
                if e <= m:
                    continue
                begin = max(m, s)
                avail = (e - begin).total_seconds()
                if remaining <= avail:
                    return begin + timedelta(seconds=remaining)
                remaining -= avail
            day = self.next_working_day(day)
            m = self._periods(day)[0][0]
            while remaining > self.day_seconds:
                remaining -= self.day_seconds
                day = self.next_working_day(day)
                m = self._periods(day)[0][0]

    def add_working_hours(self, start: datetime, hours: float) -> datetime:
        return self.add_working_time(start, timedelta(hours=hours))

    def add_working_days(self, start: datetime, days: int) -> datetime:
        if days < 0:
            raise ValueError(f"working days to add must not be negative, got {days}")
        return self.add_working_time(start, timedelta(seconds=days * self.day_seconds))

    def working_seconds_between(self, start: datetime, end: datetime) -> float:
        """Working seconds from ``start`` to ``end``; negative when ``end`` is earlier (overdue)."""
        a, b = self.local(start), self.local(end)
        if b < a:
            return -self.working_seconds_between(b, a)
        total = 0.0
        day = a.date()
        while day <= b.date():
            for s, e in self._periods(day):
                lo, hi = max(s, a), min(e, b)
                if hi > lo:
                    total += (hi - lo).total_seconds()
            day += timedelta(days=1)
        return total


def _seconds(start: time, end: time) -> float:
    return (datetime.combine(date.min, end) - datetime.combine(date.min, start)).total_seconds()
