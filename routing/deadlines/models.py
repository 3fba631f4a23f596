from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import CheckConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from hotline.db import Base, utcnow
from routing.deadlines.calendar_data import HOLIDAY, MAKEUP_WORKDAY


class CalendarDay(Base):
    """A date that differs from the Monday–Friday rule: a public holiday or a make-up working day."""

    __tablename__ = "calendar_day"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(unique=True)
    kind: Mapped[str] = mapped_column(String(16))  # holiday | makeup_workday
    name: Mapped[str] = mapped_column(String(64), default="")

    __table_args__ = (CheckConstraint(f"kind IN ('{HOLIDAY}', '{MAKEUP_WORKDAY}')", name="kind"),)


class DeadlineSettings(Base):
    """The centre's single settings row: working hours and the deadline policy (JSON of
    ``DeadlinePolicy``). Per-catalogue overrides live on the catalogue entry as ``DeadlineOverride``."""

    __tablename__ = "deadline_settings"

    id: Mapped[int] = mapped_column(primary_key=True, default=1)
    working_hours: Mapped[list[Any]]  # [["09:00", "12:00"], ["13:00", "17:30"]]
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Shanghai")
    policy: Mapped[dict[str, Any]] = mapped_column(default=dict)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(default=None)

    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)
