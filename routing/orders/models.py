from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hotline.db import Base, utcnow


class WorkOrder(Base):
    __tablename__ = "work_order"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    lookup_code: Mapped[str] = mapped_column(String(8))
    state: Mapped[str] = mapped_column(String(32), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    request_type: Mapped[str] = mapped_column(String(16))
    urgency: Mapped[str] = mapped_column(String(8), default="normal")

    # Identity: NULL for anonymous callers; masked in every output for confidential ones.
    caller_name: Mapped[str | None] = mapped_column(String(64))
    caller_phone: Mapped[str | None] = mapped_column(String(32), index=True)
    caller_address: Mapped[str | None] = mapped_column(String(256))
    confidential: Mapped[bool] = mapped_column(Boolean, default=False)
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)

    incident_address: Mapped[str] = mapped_column(String(256))
    region_code: Mapped[str | None] = mapped_column(ForeignKey("region.code"), index=True)
    category_l1: Mapped[str | None] = mapped_column(String(64))
    category_l2: Mapped[str | None] = mapped_column(String(64))
    category_l3: Mapped[str | None] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)

    line_number: Mapped[str | None] = mapped_column(ForeignKey("merged_line.number"))
    desk_code: Mapped[str | None] = mapped_column(ForeignKey("specialist_desk.code"))
    oversight: Mapped[bool] = mapped_column(Boolean, default=False)
    lead_unit_id: Mapped[int | None] = mapped_column(ForeignKey("workstation.id"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("work_order.id"))

    # Lifecycle: the deadlines in force and the counters the state machine's guards read.
    dispatched_at: Mapped[datetime | None] = mapped_column(default=None)
    sign_by: Mapped[datetime | None] = mapped_column(default=None)
    first_response_by: Mapped[datetime | None] = mapped_column(default=None)
    reply_by: Mapped[datetime | None] = mapped_column(default=None, index=True)
    return_by: Mapped[datetime | None] = mapped_column(default=None)
    out_of_hours: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    reopen_count: Mapped[int] = mapped_column(default=0, server_default="0")
    follow_up_attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    card: Mapped[str | None] = mapped_column(String(8), default=None)  # yellow | red, for queues
    escalated: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    excluded: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())  # 考核剔除
    repeat_of_id: Mapped[int | None] = mapped_column(ForeignKey("work_order.id"), default=None)

    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    attachments: Mapped[list[Attachment]] = relationship(back_populates="order", order_by="Attachment.id")

    __mapper_args__ = {"version_id_col": version}


class OrderAssignment(Base):
    """A unit's part in an order (lead, assisting, delegated tier-3); drives workstation scope."""

    __tablename__ = "order_assignment"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("work_order.id"), index=True)
    workstation_id: Mapped[int] = mapped_column(ForeignKey("workstation.id"), index=True)
    role: Mapped[str] = mapped_column(String(16))  # lead | assist | delegate
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class OrderHistory(Base):
    """Every recorded step of an order: who, when, from, to, comment, attachments."""

    __tablename__ = "order_history"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("work_order.id"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    workstation_id: Mapped[int | None] = mapped_column(ForeignKey("workstation.id"))
    action: Mapped[str] = mapped_column(String(32))
    from_state: Mapped[str | None] = mapped_column(String(32))
    to_state: Mapped[str | None] = mapped_column(String(32))
    comment: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)


class Attachment(Base):
    __tablename__ = "attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("work_order.id"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(64), unique=True)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)

    order: Mapped[WorkOrder] = relationship(back_populates="attachments")


class IntakeDraft(Base):
    """An agent's unsaved intake form, so a dropped call or a reload loses nothing."""

    __tablename__ = "intake_draft"

    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), primary_key=True)
    data: Mapped[dict[str, Any]]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class SequenceCounter(Base):
    __tablename__ = "sequence_counter"

    key: Mapped[str] = mapped_column(String(48), primary_key=True)
    value: Mapped[int]


Index("ix_work_order_subject", WorkOrder.subject)
