"""What a citizen can look up with the order number and the lookup code from the SMS receipt."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy import select

from api.deps import SessionDep
from routing.orders.models import WorkOrder
from routing.orders.schemas import PublicStatus
from routing.orders.service import NotFound
from routing.orders.states import label_of

router = APIRouter(prefix="/api", tags=["public"])


@router.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/public/orders/{number}")
def public_status(
    number: str, session: SessionDep, code: Annotated[str, Query(min_length=6, max_length=6, pattern=r"^\d{6}$")]
) -> PublicStatus:
    order = session.scalar(select(WorkOrder).where(WorkOrder.number == number.strip().upper()))
    if order is None or not hmac.compare_digest(order.lookup_code, code):
        raise NotFound("工单编号或查询码不正确")
    return PublicStatus(
        number=order.number,
        state_label=label_of(order.state),
        accepted_at=order.created_at,
        updated_at=order.updated_at,
    )
