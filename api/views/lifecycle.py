"""Lifecycle actions, queues, supervision, KPIs and the working calendar. Thin: the work is in
``routing.lifecycle``; writing views commit explicitly."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query, Request
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from sqlalchemy import select

from api.deps import Admin, OrderReader, Policy, SessionDep, Supervisor
from hotline.db import utcnow
from hotline.users.roles import CENTRE_ROLES, Role
from hotline.users.service import Principal
from routing.deadlines import service as deadlines
from routing.deadlines.models import CalendarDay
from routing.lifecycle import flows, kpi, service
from routing.lifecycle.schemas import (
    CalendarIn,
    LifecycleOut,
    OpinionIn,
    QueueItemOut,
    RatingIn,
    SupervisionOut,
    SupervisionReplyIn,
    parse_action,
)
from routing.orders.service import get_visible
from routing.orders.views_model import to_out

router = APIRouter(prefix="/api", tags=["lifecycle"])

# Everyone who takes part in handling orders; whether they may take a given step is the machine's call.
Handler = Annotated[Principal, Depends(Policy(*CENTRE_ROLES, Role.workstation_staff))]
KpiReader = Annotated[Principal, Depends(Policy(Role.supervisor, Role.admin, Role.observer, Role.dispatcher))]
FollowUpAgent = Annotated[
    Principal, Depends(Policy(Role.agent, Role.desk_agent, Role.follow_up_agent, Role.supervisor, Role.admin))
]
UnitStaff = Annotated[Principal, Depends(Policy(Role.workstation_staff))]


def now_of(request: Request) -> datetime:
    """The app's clock: ``app.state.clock`` when set (tests pin time), else the wall clock."""
    clock = getattr(request.app.state, "clock", None)
    return clock() if clock is not None else utcnow()


def _view(request: Request, session: SessionDep, principal: Principal, order_id: int) -> LifecycleOut:
    order = get_visible(session=session, principal=principal, order_id=order_id)
    return service.lifecycle_view(session=session, principal=principal, order=order, now=now_of(request))


def _act(
    request: Request,
    session: SessionDep,
    principal: Principal,
    order_id: int,
    action: str,
    body: dict[str, Any],
) -> LifecycleOut:
    try:
        parsed = parse_action(action, body)
    except ValidationError as exc:
        raise RequestValidationError(exc.errors()) from None
    flows.act(
        session=session,
        principal=principal,
        order_id=order_id,
        action=action,
        body=parsed,
        now=now_of(request),
    )
    session.commit()
    return _view(request, session, principal, order_id)


@router.get("/orders/{order_id}/lifecycle")
def lifecycle(order_id: int, request: Request, session: SessionDep, principal: OrderReader) -> LifecycleOut:
    return _view(request, session, principal, order_id)


@router.get("/orders/{order_id}/actions")
def actions(order_id: int, request: Request, session: SessionDep, principal: OrderReader) -> list[dict[str, str]]:
    return [a.model_dump() for a in _view(request, session, principal, order_id).allowed_actions]


@router.post("/orders/{order_id}/actions/{action}")
def take_action(
    order_id: int,
    action: str,
    request: Request,
    session: SessionDep,
    principal: Handler,
    body: Annotated[dict[str, Any], Body()],
) -> LifecycleOut:
    return _act(request, session, principal, order_id, action, body)


@router.post("/orders/{order_id}/remind")
def remind(
    order_id: int,
    request: Request,
    session: SessionDep,
    principal: Supervisor,
    body: Annotated[dict[str, Any], Body()],
) -> LifecycleOut:
    return _act(request, session, principal, order_id, "remind", body)


@router.post("/orders/{order_id}/supervise")
def supervise(
    order_id: int,
    request: Request,
    session: SessionDep,
    principal: Supervisor,
    body: Annotated[dict[str, Any], Body()],
) -> LifecycleOut:
    return _act(request, session, principal, order_id, "supervise", body)


@router.get("/orders/{order_id}/supervision")
def supervision_list(order_id: int, session: SessionDep, principal: OrderReader) -> list[SupervisionOut]:
    order = get_visible(session=session, principal=principal, order_id=order_id)
    return [service.supervision_out(r) for r in service.list_supervision(session=session, order_id=order.id)]


@router.post("/supervision/{supervision_id}/reply")
def supervision_reply(
    supervision_id: int, body: SupervisionReplyIn, session: SessionDep, principal: UnitStaff
) -> SupervisionOut:
    row = service.reply_supervision(
        session=session, principal=principal, supervision_id=supervision_id, reply=body.reply
    )
    session.commit()
    return service.supervision_out(row)


@router.post("/orders/{order_id}/rating")
def rate(order_id: int, body: RatingIn, session: SessionDep, principal: FollowUpAgent) -> dict[str, Any]:
    row = service.rate_direct(session=session, principal=principal, order_id=order_id, body=body)
    session.commit()
    return {"id": row.id, "order_id": row.order_id, "outcome": row.outcome, "resolved": row.resolved}


@router.post("/orders/{order_id}/consultation-opinions")
def consultation_opinion(order_id: int, body: OpinionIn, session: SessionDep, principal: UnitStaff) -> dict[str, Any]:
    op = service.consultation_opinion(session=session, principal=principal, order_id=order_id, text=body.text)
    session.commit()
    return {"id": op.id, "order_id": op.order_id, "workstation_id": op.workstation_id, "text": op.text}


@router.get("/queues/{name}")
def queue(name: str, request: Request, session: SessionDep, principal: OrderReader) -> dict[str, Any]:
    now = now_of(request)
    rows = service.queue(session=session, principal=principal, name=name, now=now)
    deadlines = service.queue_deadlines(session=session, orders=rows, now=now)
    items = [QueueItemOut(**to_out(o, session=session).model_dump(), deadlines=deadlines[o.id]) for o in rows]
    return {"name": name, "label": service.QUEUES[name], "total": len(items), "items": items}


@router.get("/kpi")
def kpi_figures(
    session: SessionDep,
    principal: KpiReader,
    from_: Annotated[datetime, Query(alias="from")],
    to: Annotated[datetime, Query()],
    workstation_id: int | None = None,
    category_l1: Annotated[str | None, Query(max_length=64)] = None,
    weight_satisfied: Annotated[float, Query(ge=0, le=1)] = 1.0,
    weight_mostly_satisfied: Annotated[float, Query(ge=0, le=1)] = 1.0,
) -> dict[str, Any]:
    weights = {"satisfied": weight_satisfied, "mostly_satisfied": weight_mostly_satisfied}
    figures = kpi.compute(
        session=session,
        start=from_,
        end=to,
        workstation_id=workstation_id,
        category_l1=category_l1,
        weights=weights,
    )
    return {
        "from": from_,
        "to": to,
        "workstation_id": workstation_id,
        "category_l1": category_l1,
        "weights": weights,
        "metrics": {k: v.summary() for k, v in figures.items()},
    }


@router.get("/kpi/orders")
def kpi_orders(
    session: SessionDep,
    principal: KpiReader,
    metric: Annotated[str, Query(max_length=48)],
    from_: Annotated[datetime, Query(alias="from")],
    to: Annotated[datetime, Query()],
    part: Annotated[str, Query(pattern="^(numerator|denominator)$")] = "numerator",
    workstation_id: int | None = None,
    category_l1: Annotated[str | None, Query(max_length=64)] = None,
) -> dict[str, Any]:
    figures = kpi.compute(session=session, start=from_, end=to, workstation_id=workstation_id, category_l1=category_l1)
    fig = kpi.pick(figures, metric)
    ids = sorted(set(fig.numerator if part == "numerator" else fig.denominator))
    return {"metric": metric, "part": part, "order_ids": ids}


@router.get("/calendar/days")
def calendar_days(
    session: SessionDep,
    principal: Admin,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
) -> dict[str, Any]:
    rows = session.scalars(select(CalendarDay).order_by(CalendarDay.day)).all()
    if year is not None:
        rows = [r for r in rows if r.day.year == year]
    cal = deadlines.load_calendar(session=session)
    return {
        "days": [{"day": r.day, "kind": r.kind, "name": r.name} for r in rows],
        "working_hours": [[s.isoformat("minutes"), e.isoformat("minutes")] for s, e in cal.working_hours],
        "timezone": cal.timezone,
    }


@router.put("/calendar/days")
def put_calendar_days(body: CalendarIn, session: SessionDep, principal: Admin) -> dict[str, Any]:
    try:
        for d in body.days:
            deadlines.set_day(session=session, day=d.day, kind=None if d.kind == "normal" else d.kind, name=d.name)
        if body.working_hours is not None:
            deadlines.save_settings(session=session, working_hours=body.working_hours, user_id=principal.id)
        deadlines.load_calendar(session=session)  # refuses a date that ends up both kinds
    except ValueError as exc:
        raise RequestValidationError([{"loc": ("body",), "msg": str(exc), "type": "value_error"}]) from None
    session.commit()
    return calendar_days(session, principal)
