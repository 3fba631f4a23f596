from __future__ import annotations

import json

from fastapi import APIRouter, HTTPException

from api.deps import IntakeUser, SessionDep
from routing.orders import service
from routing.orders.schemas import DraftIn, DraftOut

router = APIRouter(prefix="/api/drafts", tags=["drafts"])
MAX_DRAFT_BYTES = 64 * 1024


@router.get("/intake")
def get_draft(session: SessionDep, principal: IntakeUser) -> DraftOut:
    draft = service.get_draft(session=session, user_id=principal.id)
    return DraftOut(data=draft.data if draft else None, updated_at=draft.updated_at if draft else None)


@router.put("/intake")
def put_draft(body: DraftIn, session: SessionDep, principal: IntakeUser) -> DraftOut:
    size = len(json.dumps(body.data, ensure_ascii=False).encode())
    if size > MAX_DRAFT_BYTES:
        raise HTTPException(413, f"草稿 {size} 字节，超过上限 {MAX_DRAFT_BYTES} 字节")
    draft = service.save_draft(session=session, user_id=principal.id, data=body.data)
    session.commit()
    return DraftOut(data=draft.data, updated_at=draft.updated_at)


@router.delete("/intake", status_code=204)
def delete_draft(session: SessionDep, principal: IntakeUser) -> None:
    service.delete_draft(session=session, user_id=principal.id)
    session.commit()
