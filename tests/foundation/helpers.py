from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.engine import Engine

from hotline.db import make_sessionmaker
from routing.orders.models import OrderAssignment


def order_body(**over: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "channel": "phone",
        "request_type": "complaint",
        "urgency": "normal",
        "caller_name": "张建国",
        "caller_phone": "13812345678",
        "caller_address": "云城区桂花街道幸福小区3栋2单元",
        "incident_address": "云城区桂花街道幸福路与民主路交叉口",
        "region_code": "0101",
        "category_l1": "城乡建设",
        "category_l2": "市政设施",
        "subject": "幸福路路灯不亮",
        "description": "幸福路北段路灯已经一周不亮，夜间行人很不安全，请尽快维修。",
    }
    body.update(over)
    return body


def idem() -> dict[str, str]:
    return {"Idempotency-Key": str(uuid.uuid4())}


def assign(engine: Engine, order_id: int, workstation_id: int, role: str = "lead") -> None:
    """Test arrangement only: gives a unit its part in an order, as dispatch does."""
    with make_sessionmaker(engine)() as s:
        s.add(OrderAssignment(order_id=order_id, workstation_id=workstation_id, role=role))
        s.commit()
