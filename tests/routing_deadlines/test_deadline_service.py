from collections.abc import Iterator
from datetime import date, time
from pathlib import Path

import pytest

import hotline.db

# Importing the models adds their tables to ``Base.metadata``, which the PostgreSQL fixture truncates;
# until a migration creates them that would break every database test, so wait for it here.
_MIGRATIONS = Path(hotline.db.__file__).parent / "migrations" / "versions"
if not any("calendar_day" in p.read_text(encoding="utf-8") for p in _MIGRATIONS.glob("*.py")):
    pytest.skip(
        "no Alembic migration creates calendar_day/deadline_settings yet (the lead generates it)",
        allow_module_level=True,
    )

from sqlalchemy import func, select  # noqa: E402
from sqlalchemy.engine import Engine  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from hotline.db import make_sessionmaker  # noqa: E402
from routing.deadlines.calendar import DEFAULT_WORKING_HOURS  # noqa: E402
from routing.deadlines.models import CalendarDay  # noqa: E402
from routing.deadlines.policy import DeadlinePolicy, UrgentRule  # noqa: E402
from routing.deadlines.service import (  # noqa: E402
    calendar_file,
    calendar_from_file,
    import_calendar_file,
    load_calendar,
    load_policy,
    save_settings,
    set_day,
)


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with make_sessionmaker(engine)() as s:
        yield s


def test_empty_database_gives_defaults(session: Session) -> None:
    cal = load_calendar(session=session)
    assert cal.working_hours == DEFAULT_WORKING_HOURS
    assert not cal.holidays and not cal.makeup_workdays
    assert load_policy(session=session) == DeadlinePolicy()


def test_import_and_load_matches_the_file(session: Session) -> None:
    assert import_calendar_file(calendar_file(2026), session=session) == 39
    session.commit()
    loaded = load_calendar(session=session)
    direct = calendar_from_file(calendar_file(2026))
    assert loaded.holidays == direct.holidays
    assert loaded.makeup_workdays == direct.makeup_workdays
    assert not loaded.is_working_day(date(2026, 10, 1))
    assert loaded.is_working_day(date(2026, 9, 20))


def test_reimport_is_idempotent(session: Session) -> None:
    import_calendar_file(calendar_file(2026), session=session)
    import_calendar_file(calendar_file(2026), session=session)
    session.commit()
    assert session.scalar(select(func.count()).select_from(CalendarDay)) == 39


def test_set_day_adds_changes_and_removes(session: Session) -> None:
    day = date(2026, 11, 20)  # an ordinary Friday
    set_day(session=session, day=day, kind="holiday", name="防汛停工")
    assert not load_calendar(session=session).is_working_day(day)
    set_day(session=session, day=date(2026, 11, 21), kind="makeup_workday", name="补班")
    assert load_calendar(session=session).is_working_day(date(2026, 11, 21))
    set_day(session=session, day=day, kind=None)
    assert load_calendar(session=session).is_working_day(day)
    with pytest.raises(ValueError, match="'vacation'"):
        set_day(session=session, day=day, kind="vacation")


def test_settings_store_hours_and_policy(session: Session) -> None:
    policy = DeadlinePolicy(urgent=UrgentRule(sign_minutes=20), extension_max_working_days=3)
    save_settings(session=session, working_hours=[["08:30", "12:00"], ["14:00", "18:00"]], policy=policy)
    session.commit()
    session.expire_all()
    cal = load_calendar(session=session)
    assert cal.working_hours == ((time(8, 30), time(12)), (time(14), time(18)))
    assert load_policy(session=session) == policy
    # Changing only the hours keeps the stored policy.
    save_settings(session=session, working_hours=[["09:00", "17:00"]])
    assert load_policy(session=session) == policy
    assert load_calendar(session=session).day_seconds == 8 * 3600


def test_bad_hours_are_not_stored(session: Session) -> None:
    with pytest.raises(ValueError, match="must start before it ends"):
        save_settings(session=session, working_hours=[["18:00", "09:00"]])
