from __future__ import annotations

from fastapi import APIRouter, HTTPException
from sqlalchemy import select

from api.deps import CallLogger, CentreUser, SessionDep, Supervisor
from hotline.users.models import User
from routing.calls import service
from routing.calls.models import CallLog, HarassmentMark
from routing.orders.enums import HandoffTarget
from routing.orders.schemas import (
    CallLogOut,
    HandoffIn,
    HarassmentIn,
    HarassmentOut,
    IncomingCallIn,
    IncomingCallOut,
    InvalidCallIn,
    TransferIn,
)
from routing.orders.views_model import to_out

router = APIRouter(prefix="/api", tags=["calls"])


def _out(c: CallLog, name: str | None) -> CallLogOut:
    return CallLogOut(
        id=c.id,
        kind=c.kind,
        caller_phone=c.caller_phone,
        reason=c.reason,
        target=c.target,
        target_label=HandoffTarget(c.target).label if c.target else None,
        desk_code=c.desk_code,
        summary=c.summary,
        agent_name=name,
        at=c.at,
    )


def _mark_out(m: HarassmentMark) -> HarassmentOut:
    return HarassmentOut(id=m.id, phone=m.phone, reason=m.reason, expires_at=m.expires_at, created_at=m.created_at)


@router.post("/calls/invalid", status_code=201)
def invalid_call(body: InvalidCallIn, session: SessionDep, principal: CallLogger) -> CallLogOut:
    entry = service.log_invalid(session=session, data=body, agent_id=principal.id)
    session.commit()
    return _out(entry, principal.display_name)


@router.post("/calls/handoff", status_code=201)
def handoff(body: HandoffIn, session: SessionDep, principal: CallLogger) -> CallLogOut:
    entry = service.log_handoff(session=session, data=body, agent_id=principal.id)
    session.commit()
    return _out(entry, principal.display_name)


@router.post("/calls/transfer", status_code=201)
def transfer(body: TransferIn, session: SessionDep, principal: CallLogger) -> CallLogOut:
    try:
        entry = service.log_transfer(session=session, data=body, agent_id=principal.id)
    except service.UnknownDesk as exc:
        raise HTTPException(422, str(exc)) from exc
    session.commit()
    return _out(entry, principal.display_name)


@router.get("/calls")
def list_calls(session: SessionDep, _: Supervisor, kind: str | None = None) -> list[CallLogOut]:
    rows = service.list_calls(session=session, kind=kind)
    names = dict(session.execute(select(User.id, User.display_name)).all())
    return [_out(c, names.get(c.agent_id)) for c in rows]


@router.post("/calls/incoming")
def incoming(body: IncomingCallIn, session: SessionDep, _: CentreUser) -> IncomingCallOut:
    orders = service.earlier_orders(session=session, phone=body.caller_phone)
    mark = service.active_mark(session=session, phone=body.caller_phone)
    return IncomingCallOut(
        caller_phone=body.caller_phone,
        orders=[to_out(o, session=session) for o in orders],
        repeat_count=len(orders),
        satisfaction_history=[],
        confidential=any(o.confidential for o in orders),
        harassment=_mark_out(mark) if mark else None,
    )


@router.get("/harassment-marks")
def list_marks(session: SessionDep, _: CentreUser) -> list[HarassmentOut]:
    return [_mark_out(m) for m in service.list_marks(session=session)]


@router.post("/harassment-marks", status_code=201)
def mark(body: HarassmentIn, session: SessionDep, principal: Supervisor) -> HarassmentOut:
    try:
        m = service.mark_harassment(session=session, data=body, actor_id=principal.id)
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from exc
    session.commit()
    return _mark_out(m)
