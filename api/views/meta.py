"""Vocabularies, the organisation and the taxonomy, for the console's selects and trees."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel
from sqlalchemy import select

from api.deps import AnyUser, SessionDep
from hotline.org import service as org
from hotline.org.models import DutyRosterEntry, MergedLine, SpecialistDesk, Workstation
from hotline.users.roles import Role
from routing.catalogue import taxonomy as tax
from routing.orders.enums import Channel, HandoffTarget, RequestType, Urgency
from routing.orders.states import all_states

router = APIRouter(prefix="/api", tags=["meta"])


class WorkstationOut(BaseModel):
    id: int
    code: str
    name: str
    tier: int
    kind: str
    parent_id: int | None
    region_code: str | None
    functional: bool


@router.get("/meta/enums")
def enums(_: AnyUser) -> dict[str, list[dict[str, str]]]:
    def pairs(items: list[tuple[str, str]]) -> list[dict[str, str]]:
        return [{"value": v, "label": label} for v, label in items]

    return {
        "channels": pairs([(c.value, c.label) for c in Channel]),
        "request_types": pairs([(t.value, t.label) for t in RequestType]),
        "urgencies": pairs([(u.value, u.label) for u in Urgency]),
        "handoff_targets": pairs([(h.value, h.label) for h in HandoffTarget]),
        "roles": pairs([(r.value, r.label) for r in Role]),
        "order_states": pairs(all_states()),
    }


@router.get("/taxonomy")
def taxonomy(_: AnyUser) -> list[dict[str, str]]:
    return list(tax.taxonomy())


@router.get("/regions")
def regions(_: AnyUser, session: SessionDep) -> list[dict[str, str]]:
    return [{"code": r.code, "name": r.name} for r in org.list_regions(session=session)]


@router.get("/workstations")
def workstations(
    _: AnyUser, session: SessionDep, tier: int | None = None, parent_id: int | None = None
) -> list[WorkstationOut]:
    return [
        WorkstationOut.model_validate(w, from_attributes=True)
        for w in org.list_workstations(session=session, tier=tier, parent_id=parent_id)
    ]


@router.get("/merged-lines")
def merged_lines(_: AnyUser, session: SessionDep) -> list[dict[str, str | None]]:
    return [
        {"number": m.number, "name": m.name, "merge_mode": m.merge_mode, "desk_code": m.desk_code}
        for m in session.scalars(select(MergedLine).order_by(MergedLine.number))
    ]


@router.get("/desks")
def desks(_: AnyUser, session: SessionDep) -> list[dict[str, object]]:
    return [
        {"code": d.code, "name": d.name, "can_resolve": d.can_resolve, "oversight": d.oversight}
        for d in session.scalars(select(SpecialistDesk).order_by(SpecialistDesk.code))
    ]


@router.get("/workstations/{workstation_id}/duty-roster")
def duty_roster(workstation_id: int, _: AnyUser, session: SessionDep) -> list[dict[str, str]]:
    """Who takes urgent orders for this unit at night, at weekends and on holidays."""
    if session.get(Workstation, workstation_id) is None:
        raise HTTPException(404, f"工作站 {workstation_id} 不存在")
    rows = session.scalars(
        select(DutyRosterEntry).where(DutyRosterEntry.workstation_id == workstation_id).order_by(DutyRosterEntry.id)
    )
    return [{"kind": r.kind, "contact": r.contact, "phone": r.phone} for r in rows]
