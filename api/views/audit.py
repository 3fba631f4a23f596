from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel
from sqlalchemy import select

from api.deps import SessionDep, Supervisor
from hotline.audit import service
from hotline.users.models import User

router = APIRouter(prefix="/api/audit", tags=["audit"])


class AuditOut(BaseModel):
    id: int
    at: datetime
    actor_name: str | None
    action: str
    target_type: str
    target_id: str
    detail: dict[str, object]


@router.get("")
def list_audit(session: SessionDep, _: Supervisor, action: str | None = None) -> list[AuditOut]:
    rows = service.list_entries(session=session, action=action)
    names = dict(session.execute(select(User.id, User.display_name)).all())
    return [
        AuditOut(
            id=r.id,
            at=r.at,
            actor_name=names.get(r.actor_id) if r.actor_id else None,
            action=r.action,
            target_type=r.target_type,
            target_id=r.target_id,
            detail=r.detail,
        )
        for r in rows
    ]
