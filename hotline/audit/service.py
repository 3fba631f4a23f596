from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.audit.models import AuditLog
from hotline.events import emit


def record(
    *,
    session: Session,
    actor_id: int | None,
    action: str,
    target_type: str,
    target_id: str | int,
    detail: dict[str, Any] | None = None,
    announce: bool = True,
) -> AuditLog:
    entry = AuditLog(
        actor_id=actor_id, action=action, target_type=target_type, target_id=str(target_id), detail=detail or {}
    )
    session.add(entry)
    if announce:
        # Supervisors watch unmasking and exports live; the payload carries no personal data.
        emit(
            session,
            f"audit.{action}",
            {"actor_id": actor_id, "target_type": target_type, "target_id": str(target_id), **(detail or {})},
            audience=["supervisor"],
        )
    return entry


def list_entries(*, session: Session, action: str | None = None, limit: int = 200) -> list[AuditLog]:
    stmt = select(AuditLog).order_by(AuditLog.id.desc()).limit(limit)
    if action:
        stmt = stmt.where(AuditLog.action == action)
    return list(session.scalars(stmt))
