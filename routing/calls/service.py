"""Calls that do not become orders, harassment marks, and the incoming-call card."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.db import utcnow
from hotline.events import emit
from hotline.org.models import SpecialistDesk
from routing.calls.models import CallLog, HarassmentMark
from routing.orders.models import WorkOrder
from routing.orders.schemas import HandoffIn, HarassmentIn, InvalidCallIn, TransferIn
from routing.orders.service import normalise_phone


def log_invalid(*, session: Session, data: InvalidCallIn, agent_id: int) -> CallLog:
    entry = CallLog(
        kind="invalid",
        caller_phone=normalise_phone(data.caller_phone) if data.caller_phone else None,
        reason=data.reason,
        agent_id=agent_id,
    )
    session.add(entry)
    session.flush()
    return entry


def log_handoff(*, session: Session, data: HandoffIn, agent_id: int) -> CallLog:
    entry = CallLog(
        kind="handoff",
        caller_phone=normalise_phone(data.caller_phone) if data.caller_phone else None,
        target=data.target.value,
        summary=data.summary,
        agent_id=agent_id,
    )
    session.add(entry)
    session.flush()
    # Supervisors see emergency hand-offs live; the summary stays in the log, not in the event.
    emit(session, "call.handoff", {"call_id": entry.id, "target": entry.target}, audience=["supervisor"])
    return entry


class UnknownDesk(ValueError):
    pass


def log_transfer(*, session: Session, data: TransferIn, agent_id: int) -> CallLog:
    desk = session.get(SpecialistDesk, data.desk_code)
    if desk is None:
        raise UnknownDesk(f"未知的专席 desk_code={data.desk_code!r}")
    entry = CallLog(
        kind="transfer",
        caller_phone=normalise_phone(data.caller_phone) if data.caller_phone else None,
        desk_code=desk.code,
        summary=data.summary,
        agent_id=agent_id,
    )
    session.add(entry)
    session.flush()
    # The desk's agents pick the call up from the live stream; the summary stays in the log.
    emit(
        session,
        "call.transfer",
        {"call_id": entry.id, "desk_code": desk.code, "desk_name": desk.name},
        audience=["centre"],
    )
    return entry


def list_calls(*, session: Session, kind: str | None = None, limit: int = 100) -> Sequence[CallLog]:
    stmt = select(CallLog).order_by(CallLog.id.desc()).limit(limit)
    if kind:
        stmt = stmt.where(CallLog.kind == kind)
    return session.scalars(stmt).all()


def mark_harassment(*, session: Session, data: HarassmentIn, actor_id: int) -> HarassmentMark:
    if data.expires_at.tzinfo is None:
        raise ValueError("expires_at 须带时区，例如 2026-12-31T00:00:00+08:00")
    if data.expires_at <= utcnow():
        raise ValueError(f"到期时间 {data.expires_at.isoformat()} 已过")
    mark = HarassmentMark(
        phone=normalise_phone(data.phone), reason=data.reason, expires_at=data.expires_at, created_by_id=actor_id
    )
    session.add(mark)
    session.flush()
    return mark


def active_mark(*, session: Session, phone: str) -> HarassmentMark | None:
    return session.scalar(
        select(HarassmentMark)
        .where(HarassmentMark.phone == normalise_phone(phone), HarassmentMark.expires_at > utcnow())
        .order_by(HarassmentMark.expires_at.desc())
    )


def list_marks(*, session: Session) -> Sequence[HarassmentMark]:
    return session.scalars(
        select(HarassmentMark).where(HarassmentMark.expires_at > utcnow()).order_by(HarassmentMark.id.desc())
    ).all()


def earlier_orders(*, session: Session, phone: str, days: int = 365) -> Sequence[WorkOrder]:
    since = utcnow() - timedelta(days=days)
    return session.scalars(
        select(WorkOrder)
        .where(WorkOrder.caller_phone == normalise_phone(phone), WorkOrder.created_at >= since)
        .order_by(WorkOrder.created_at.desc())
        .limit(20)
    ).all()
