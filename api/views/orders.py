from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, HTTPException, Query, Request
from fastapi.responses import JSONResponse
from sqlalchemy import select

from api.deps import IntakeUser, OrderReader, SessionDep, SettingsDep, Unmasker
from hotline import idempotency
from hotline.users.models import User
from routing.orders import service
from routing.orders.schemas import HistoryOut, Identity, OrderCreate, OrderOut, OrderPage, OrderUpdate
from routing.orders.views_model import to_out

router = APIRouter(prefix="/api/orders", tags=["orders"])

IdemKey = Annotated[str | None, Header(alias="Idempotency-Key", max_length=128)]
MAX_IDS = 200  # one drill-down page


@router.post("", status_code=201, response_model=OrderOut)
def create_order(
    body: OrderCreate,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    principal: IntakeUser,
    idempotency_key: IdemKey = None,
) -> OrderOut | JSONResponse:
    digest = idempotency.body_hash(body.model_dump(mode="json"))
    if idempotency_key:
        previous = idempotency.replay(
            session=session, user_id=principal.id, key=idempotency_key, endpoint="orders.create", digest=digest
        )
        if previous is not None:
            return JSONResponse(previous.response, status_code=previous.status_code)
    order = service.create_order(
        session=session,
        data=body,
        actor=principal,
        city_area_code=settings.city_area_code,
        notifier=request.app.state.notifier,
    )
    out = to_out(order, session=session)
    if idempotency_key:
        idempotency.remember(
            session=session,
            user_id=principal.id,
            key=idempotency_key,
            endpoint="orders.create",
            digest=digest,
            status_code=201,
            response=out.model_dump(mode="json"),
        )
    session.commit()
    return out


@router.get("")
def list_orders(
    session: SessionDep,
    principal: OrderReader,
    number: Annotated[str | None, Query(max_length=32)] = None,
    phone: Annotated[str | None, Query(max_length=32)] = None,
    q: Annotated[str | None, Query(max_length=100)] = None,
    state: Annotated[str | None, Query(max_length=32)] = None,
    ids: Annotated[
        str | None,
        Query(
            max_length=2600, pattern=r"^\d{1,12}(,\d{1,12})*$", description="comma-separated order ids (at most 200)"
        ),
    ] = None,
    page: Annotated[int, Query(ge=1)] = 1,
    page_size: Annotated[int, Query(ge=1, le=200)] = 20,
) -> OrderPage:
    id_list = [int(i) for i in ids.split(",")] if ids else None
    if id_list is not None and len(id_list) > MAX_IDS:
        raise HTTPException(422, f"ids 最多 {MAX_IDS} 个，收到 {len(id_list)} 个")
    rows, total = service.search_orders(
        session=session,
        principal=principal,
        number=number,
        phone=phone,
        q=q,
        state=state,
        ids=id_list,
        page=page,
        page_size=page_size,
    )
    return OrderPage(items=[to_out(o, session=session) for o in rows], total=total, page=page, page_size=page_size)


@router.get("/{order_id}")
def get_order(order_id: int, session: SessionDep, principal: OrderReader) -> OrderOut:
    return to_out(service.get_visible(session=session, principal=principal, order_id=order_id), session=session)


@router.patch("/{order_id}")
def update_order(order_id: int, body: OrderUpdate, session: SessionDep, principal: IntakeUser) -> OrderOut:
    order = service.get_visible(session=session, principal=principal, order_id=order_id)
    service.update_order(session=session, order=order, data=body, actor=principal)
    session.commit()
    return to_out(order, session=session)


@router.post("/{order_id}/unmask")
def unmask(
    order_id: int,
    session: SessionDep,
    principal: Unmasker,
    reason: Annotated[str | None, Query(max_length=200)] = None,
) -> Identity:
    order = service.get_visible(session=session, principal=principal, order_id=order_id)
    identity = service.unmask(session=session, order=order, actor=principal, reason=reason)
    session.commit()
    return identity


@router.get("/{order_id}/events")
def order_history(order_id: int, session: SessionDep, principal: OrderReader) -> list[HistoryOut]:
    order = service.get_visible(session=session, principal=principal, order_id=order_id)
    rows = service.history(session=session, order_id=order.id)
    names = dict(
        session.execute(
            select(User.id, User.display_name).where(User.id.in_({r.actor_id for r in rows if r.actor_id}))
        ).all()
    )
    from routing.orders.states import action_label

    return [
        HistoryOut(
            at=r.at,
            actor_name=names.get(r.actor_id) if r.actor_id else None,
            action=r.action,
            action_label=action_label(r.action),
            from_state=r.from_state,
            to_state=r.to_state,
            comment=r.comment,
            data=r.data,
        )
        for r in rows
    ]
