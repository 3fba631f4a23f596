"""Automatic warnings: a yellow card one working day before a deadline, a red card once overdue."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from routing.deadlines.calendar import WorkCalendar


class Card(StrEnum):
    yellow = "yellow"
    red = "red"

    @property
    def label(self) -> str:
        return {"yellow": "黄牌", "red": "红牌"}[self.value]


def card_for(
    deadline: datetime | None,
    now: datetime,
    calendar: WorkCalendar,
    *,
    clock_warning: timedelta | None = None,
) -> Card | None:
    """The card an open order with this deadline carries at ``now``.

    Red from the deadline on. Yellow when one working day or less of working time is left, so a
    deadline at Monday 10:00 turns yellow at the previous working day's 10:00, across weekends and
    holidays. Clock-time deadlines (urgent orders) pass ``clock_warning`` instead: yellow when that
    much clock time or less is left, since "one working day" is longer than their whole span.
    """
    if deadline is None:
        return None
    if calendar.local(now) >= calendar.local(deadline):
        return Card.red
    if clock_warning is not None:
        return Card.yellow if deadline - now <= clock_warning else None
    left = calendar.working_seconds_between(now, deadline)
    return Card.yellow if left <= calendar.day_seconds else None
