from __future__ import annotations

from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import APIRouter, Query
from fastapi.responses import Response

from api.deps import Exporter, WriteSessionDep
from hotline import exporting
from hotline.audit import service as audit
from routing.orders import service
from routing.orders.views_model import to_out

router = APIRouter(prefix="/api/exports", tags=["exports"])

COLUMNS = [
    ("number", "工单编号"),
    ("state_label", "状态"),
    ("channel_label", "渠道"),
    ("request_type_label", "诉求类型"),
    ("urgency_label", "紧急程度"),
    ("caller_name", "来电人"),
    ("caller_phone", "来电号码"),
    ("caller_address", "来电人地址"),
    ("incident_address", "事发地址"),
    ("region_name", "区域"),
    ("category_l1", "一级分类"),
    ("category_l2", "二级分类"),
    ("category_l3", "三级分类"),
    ("subject", "标题"),
    ("description", "诉求内容"),
    ("created_at", "受理时间"),
]


@router.get("/orders")
def export_orders(
    session: WriteSessionDep,
    principal: Exporter,
    format: Annotated[Literal["csv", "xlsx"], Query()] = "xlsx",
    state: Annotated[str | None, Query(max_length=32)] = None,
    q: Annotated[str | None, Query(max_length=100)] = None,
) -> Response:
    rows, total = service.search_orders(
        session=session, principal=principal, state=state, q=q, page=1, page_size=10_000
    )
    outs = [to_out(o, session=session).model_dump() for o in rows]
    data = [[o[key] if key != "created_at" else o[key].isoformat() for key, _ in COLUMNS] for o in outs]
    headers = [label for _, label in COLUMNS]
    audit.record(
        session=session,
        actor_id=principal.id,
        action="export",
        target_type="orders",
        target_id="list",
        detail={"rows": total, "format": format, "state": state or "", "q": q or ""},
    )
    session.commit()
    if format == "csv":
        body, media = exporting.to_csv(headers, data), "text/csv; charset=utf-8"
    else:
        body = exporting.to_xlsx(headers, data, title="工单")
        media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    name = quote(f"工单导出.{format}")
    return Response(body, media_type=media, headers={"Content-Disposition": f"attachment; filename*=UTF-8''{name}"})
