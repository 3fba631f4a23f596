"""The supervisor board's series (``GET /api/kpi/board``) and the orders behind a county on its map
(``GET /api/kpi/board/orders``). Thin: the counting is in ``routing.lifecycle.board``. Same readers as
/api/kpi."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.exceptions import RequestValidationError

from api.deps import SessionDep
from api.views.lifecycle import KpiReader
from routing.lifecycle import board as series
from routing.orders.auth import visible_clause
from routing.orders.views_model import to_out

router = APIRouter(prefix="/api/kpi/board", tags=["lifecycle"])

RegionCode = Annotated[str | None, Query(max_length=8, pattern=r"^\d{4}$")]


@router.get("")
def board(
    session: SessionDep,
    principal: KpiReader,
    from_: Annotated[datetime, Query(alias="from")],
    to: Annotated[datetime, Query()],
    region: RegionCode = None,
    weight_satisfied: Annotated[float, Query(ge=0, le=1)] = 1.0,
    weight_mostly_satisfied: Annotated[float, Query(ge=0, le=1)] = 1.0,
) -> dict[str, Any]:
    weights = {"satisfied": weight_satisfied, "mostly_satisfied": weight_mostly_satisfied}
    try:
        return series.board(session=session, start=from_, end=to, region=region, weights=weights)
    except ValueError as exc:
        raise RequestValidationError([{"loc": ("query", "to"), "msg": str(exc), "type": "value_error"}]) from None


@router.get("/orders")
def region_orders(
    session: SessionDep,
    principal: KpiReader,
    from_: Annotated[datetime, Query(alias="from")],
    to: Annotated[datetime, Query()],
    region: RegionCode = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 200,
) -> dict[str, Any]:
    """Orders accepted in the period in ``region`` (without one: those no county could be given)."""
    rows, total = series.region_orders(
        session=session, start=from_, end=to, region=region, visible=visible_clause(principal), limit=limit
    )
    return {"region": region, "total": total, "items": [to_out(o, session=session) for o in rows]}
