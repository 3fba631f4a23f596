"""Labelled examples learned from agents (overrides of a suggestion; upheld returns that led to a
reassignment). The classifier's trainer reads them through ``feedback_examples``."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from hotline.db import Base, utcnow


class RoutingFeedback(Base):
    __tablename__ = "routing_feedback"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("work_order.id"), index=True, default=None)
    source: Mapped[str] = mapped_column(String(16))  # override | reassign
    field: Mapped[str] = mapped_column(String(16))  # category | request_type | urgency | lead_unit
    suggested: Mapped[str | None] = mapped_column(String(200))
    chosen: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)  # masked when the order is confidential
    region_code: Mapped[str | None] = mapped_column(String(8), default=None)
    rule_id: Mapped[int | None] = mapped_column(ForeignKey("catalogue_rule.id"), default=None)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
