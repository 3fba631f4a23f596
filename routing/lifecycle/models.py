"""Side records of the lifecycle: they overlap any state, so they are rows of their own rather than
states (see ``states.py``). Every one is also an ``order_history`` entry and an event."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from hotline.db import Base, utcnow


class ExtensionRequest(Base):
    """延期: one request per order (configurable), before the deadline, approved or rejected."""

    __tablename__ = "extension_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("work_order.id"), index=True)
    workstation_id: Mapped[int | None] = mapped_column(ForeignKey("workstation.id"))
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    working_days: Mapped[int]
    reason: Mapped[str] = mapped_column(Text)
    deadline_before: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)  # pending|approved|rejected
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    decided_at: Mapped[datetime | None]
    new_deadline: Mapped[datetime | None]
    decision_comment: Mapped[str | None] = mapped_column(Text)


class Supervision(Base):
    """A reminder (催办: recorded, no reply) or a supervision order (督办单: level, deadline, reply)."""

    __tablename__ = "supervision"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("work_order.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # reminder | supervision
    level: Mapped[int | None]
    deadline: Mapped[datetime | None]
    reply_required: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str | None] = mapped_column(Text)
    workstation_id: Mapped[int | None] = mapped_column(ForeignKey("workstation.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    reply: Mapped[str | None] = mapped_column(Text)
    replied_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    replied_at: Mapped[datetime | None]


class FollowUp(Base):
    """One follow-up call (回访) or the rating of a directly resolved call (``direct``, once per call)."""

    __tablename__ = "follow_up"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("work_order.id"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    # satisfied | mostly_satisfied | dissatisfied | unreached | failed
    outcome: Mapped[str] = mapped_column(String(24))
    resolved: Mapped[bool | None] = mapped_column(Boolean)
    cycle: Mapped[int] = mapped_column(default=0)  # the order's reopen count at the time
    direct: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    comment: Mapped[str | None] = mapped_column(Text)


class UnitOpinion(Base):
    """A unit's written opinion: in a consultation (协商定责) or as an assisting unit (协办意见)."""

    __tablename__ = "unit_opinion"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("work_order.id"), index=True)
    workstation_id: Mapped[int] = mapped_column(ForeignKey("workstation.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    kind: Mapped[str] = mapped_column(String(16))  # consultation | assist
    text: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(default=utcnow)


class DeadlineCard(Base):
    """A yellow or red card issued for one deadline; the unique key makes the job idempotent."""

    __tablename__ = "deadline_card"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("work_order.id"), index=True)
    deadline_kind: Mapped[str] = mapped_column(String(16))  # sign | reply
    deadline: Mapped[datetime]
    card: Mapped[str] = mapped_column(String(8))  # yellow | red
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (UniqueConstraint("order_id", "deadline_kind", "deadline", "card"),)
