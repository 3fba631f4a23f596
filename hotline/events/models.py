from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from hotline.db import Base, utcnow


class Event(Base):
    """One entry of the outbox. ``position`` is assigned at commit time, so it is gap-free and in
    commit order on both SQLite and PostgreSQL (see ``outbox``)."""

    __tablename__ = "event"

    position: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    type: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    payload: Mapped[dict[str, Any]]
    # Who may receive it: audience tags for centre roles, workstation ids for workstation staff.
    audience: Mapped[list[Any]]
    workstation_ids: Mapped[list[Any]]

    __table_args__ = (Index("ix_event_created_at", "created_at"),)


class EventCounter(Base):
    """A single-row counter. Taking its row lock right before commit serialises only the commit
    step of event-writing transactions, which is what makes positions follow commit order."""

    __tablename__ = "event_counter"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0)
