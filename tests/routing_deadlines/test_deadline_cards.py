from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from routing.deadlines.calendar import WorkCalendar
from routing.deadlines.calendar_data import calendar_file, calendar_from_file
from routing.deadlines.cards import Card, card_for

SH = ZoneInfo("Asia/Shanghai")


def at(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=SH)


@pytest.fixture(scope="module")
def cal() -> WorkCalendar:
    return calendar_from_file(calendar_file(2026))


MON_10 = at(2026, 11, 23, 10, 0)


@pytest.mark.parametrize(
    ("now", "card"),
    [
        (at(2026, 11, 19, 10, 0), None),
        (at(2026, 11, 20, 9, 59), None),
        (at(2026, 11, 20, 10, 0), Card.yellow),  # one working day before, across the weekend
        (at(2026, 11, 21, 15, 0), Card.yellow),
        (at(2026, 11, 23, 9, 59), Card.yellow),
        (at(2026, 11, 23, 10, 0), Card.red),
        (at(2026, 11, 24, 10, 0), Card.red),
    ],
)
def test_cards_around_a_monday_deadline(cal: WorkCalendar, now: datetime, card: Card | None) -> None:
    assert card_for(MON_10, now, cal) == card


@pytest.mark.parametrize(
    ("now", "card"),
    [
        (at(2026, 9, 29, 10, 0), None),
        (at(2026, 9, 30, 9, 59), None),
        (at(2026, 9, 30, 10, 0), Card.yellow),  # the whole National Day week is no working time
        (at(2026, 10, 5, 10, 0), Card.yellow),
        (at(2026, 10, 8, 10, 1), Card.red),
    ],
)
def test_cards_across_national_day(cal: WorkCalendar, now: datetime, card: Card | None) -> None:
    assert card_for(at(2026, 10, 8, 10, 0), now, cal) == card


def test_makeup_sunday_counts_towards_the_yellow_card(cal: WorkCalendar) -> None:
    deadline = at(2026, 9, 21, 10, 0)  # Monday after the make-up Sunday
    assert card_for(deadline, at(2026, 9, 18, 10, 0), cal) is None
    assert card_for(deadline, at(2026, 9, 20, 10, 0), cal) == Card.yellow


def test_clock_time_cards_for_urgent_orders(cal: WorkCalendar) -> None:
    deadline = at(2026, 11, 21, 22, 30)  # Saturday night
    warn = timedelta(minutes=15)
    assert card_for(deadline, at(2026, 11, 21, 22, 0), cal, clock_warning=warn) is None
    assert card_for(deadline, at(2026, 11, 21, 22, 15), cal, clock_warning=warn) == Card.yellow
    assert card_for(deadline, at(2026, 11, 21, 22, 30), cal, clock_warning=warn) == Card.red
    # Without clock_warning the whole weekend would be "less than a working day".
    assert card_for(deadline, at(2026, 11, 21, 22, 0), cal) == Card.yellow


def test_no_deadline_no_card(cal: WorkCalendar) -> None:
    assert card_for(None, MON_10, cal) is None


def test_card_labels() -> None:
    assert (Card.yellow.label, Card.red.label) == ("黄牌", "红牌")
    assert Card.red == "red"
