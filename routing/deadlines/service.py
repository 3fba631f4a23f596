"""Loading and saving the calendar and the deadline policy."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from routing.deadlines.calendar import (
    DEFAULT_TIMEZONE,
    DEFAULT_WORKING_HOURS,
    WorkCalendar,
    format_hours,
    parse_hours,
)
from routing.deadlines.calendar_data import (
    HOLIDAY,
    MAKEUP_WORKDAY,
    calendar_file,
    calendar_from_file,
    read_calendar_file,
)
from routing.deadlines.models import CalendarDay, DeadlineSettings
from routing.deadlines.policy import DeadlinePolicy


def import_calendar_file(path: Path, *, session: Session) -> int:
    """Upsert the file's days (by date); returns how many were written. Working hours stay as set."""
    doc = read_calendar_file(path)
    existing = {
        row.day: row
        for row in session.scalars(
            select(CalendarDay).where(CalendarDay.day.in_([date.fromisoformat(e["date"]) for e in doc["days"]]))
        )
    }
    for e in doc["days"]:
        d = date.fromisoformat(e["date"])
        row = existing.get(d)
        if row is None:
            session.add(CalendarDay(day=d, kind=e["kind"], name=e["name"]))
        else:
            row.kind, row.name = e["kind"], e["name"]
    session.flush()
    return len(doc["days"])


def get_settings_row(*, session: Session) -> DeadlineSettings | None:
    return session.get(DeadlineSettings, 1)


def _timezone(settings: DeadlineSettings | None) -> str:
    return settings.timezone if settings else DEFAULT_TIMEZONE


def centre_zone(*, session: Session) -> ZoneInfo:
    """The centre's own time zone (its deadline settings; Asia/Shanghai by default): what a "day" means
    for deadlines and for daily lists alike."""
    return ZoneInfo(_timezone(get_settings_row(session=session)))


def load_calendar(*, session: Session) -> WorkCalendar:
    rows = session.scalars(select(CalendarDay)).all()
    settings = get_settings_row(session=session)
    return WorkCalendar(
        holidays={r.day: r.name for r in rows if r.kind == HOLIDAY},
        makeup_workdays={r.day: r.name for r in rows if r.kind == MAKEUP_WORKDAY},
        working_hours=parse_hours(settings.working_hours) if settings else DEFAULT_WORKING_HOURS,
        timezone=_timezone(settings),
    )


def load_policy(*, session: Session) -> DeadlinePolicy:
    settings = get_settings_row(session=session)
    return DeadlinePolicy.model_validate(settings.policy if settings else {})


def save_settings(
    *,
    session: Session,
    working_hours: list[list[str]] | None = None,
    policy: DeadlinePolicy | None = None,
    user_id: int | None = None,
) -> DeadlineSettings:
    """Validate and store the centre's working hours and/or policy; unspecified parts are kept."""
    row = get_settings_row(session=session)
    if row is None:
        row = DeadlineSettings(id=1, working_hours=format_hours(DEFAULT_WORKING_HOURS), policy={})
        session.add(row)
    if working_hours is not None:
        row.working_hours = format_hours(parse_hours(working_hours))
    if policy is not None:
        row.policy = policy.model_dump(mode="json")
    row.updated_by_id = user_id
    session.flush()
    return row


def set_day(*, session: Session, day: date, kind: str | None, name: str = "") -> None:
    """Mark ``day`` as a holiday or make-up working day, or (``kind=None``) back to the weekday rule."""
    if kind not in (HOLIDAY, MAKEUP_WORKDAY, None):
        raise ValueError(f"unknown day kind {kind!r}; use {HOLIDAY!r}, {MAKEUP_WORKDAY!r} or None")
    row = session.scalar(select(CalendarDay).where(CalendarDay.day == day))
    if kind is None:
        if row is not None:
            session.delete(row)
    elif row is None:
        session.add(CalendarDay(day=day, kind=kind, name=name))
    else:
        row.kind, row.name = kind, name
    session.flush()


__all__ = [
    "calendar_file",
    "calendar_from_file",
    "get_settings_row",
    "import_calendar_file",
    "load_calendar",
    "load_policy",
    "save_settings",
    "set_day",
]
