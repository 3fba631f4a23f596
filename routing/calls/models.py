from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from hotline.db import Base, utcnow


class CallLog(Base):
    """Calls that are not orders: invalid calls (kept out of KPIs) and emergency hand-offs (联动)."""

    __tablename__ = "call_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # invalid | handoff | transfer
    caller_phone: Mapped[str | None] = mapped_column(String(32), index=True)
    reason: Mapped[str | None] = mapped_column(String(200))
    target: Mapped[str | None] = mapped_column(String(8))  # 110 | 119 | 120 | 122
    desk_code: Mapped[str | None] = mapped_column(String(32))  # transfer to a specialist desk
    summary: Mapped[str | None] = mapped_column(Text)
    agent_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class HarassmentMark(Base):
    __tablename__ = "harassment_mark"

    id: Mapped[int] = mapped_column(primary_key=True)
    phone: Mapped[str] = mapped_column(String(32), index=True)
    reason: Mapped[str] = mapped_column(String(200))
    expires_at: Mapped[datetime]
    created_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
