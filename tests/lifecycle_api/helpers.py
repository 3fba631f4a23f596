"""Driving orders through the lifecycle over HTTP, and reading back what was stored and emitted."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Engine

from hotline.db import make_sessionmaker
from hotline.events.models import Event
from tests.conftest import Api
from tests.foundation.helpers import idem, order_body


def create(api: Api, **over: Any) -> int:
    res = api.post("/api/orders", json=order_body(**over), headers=idem())
    assert res.status_code == 201, res.text
    return int(res.json()["id"])


def version(api: Api, order_id: int) -> int:
    res = api.get(f"/api/orders/{order_id}")
    assert res.status_code == 200, res.text
    return int(res.json()["version"])


def act(api: Api, order_id: int, action: str, *, expect: int = 200, **body: Any) -> dict[str, Any]:
    """Take ``action`` with the version the user currently sees; asserts the status."""
    body.setdefault("version", version(api, order_id))
    res = api.post(f"/api/orders/{order_id}/actions/{action}", json=body)
    assert res.status_code == expect, f"{action}: {res.status_code} {res.text}"
    return res.json()  # type: ignore[no-any-return]


def history(api: Api, order_id: int) -> list[dict[str, Any]]:
    res = api.get(f"/api/orders/{order_id}/events")
    assert res.status_code == 200, res.text
    return res.json()  # type: ignore[no-any-return]


def actions_of(api: Api, order_id: int) -> list[str]:
    return [h["action"] for h in history(api, order_id)]


def events(engine: Engine, type: str | None = None, order_id: int | None = None) -> list[Event]:
    with make_sessionmaker(engine)() as s:
        rows = s.scalars(select(Event).order_by(Event.position)).all()
    return [
        e
        for e in rows
        if (type is None or e.type == type) and (order_id is None or e.payload.get("order_id") == order_id)
    ]


def transitions(engine: Engine, order_id: int) -> list[str]:
    return [e.payload["action"] for e in events(engine, "order.transition", order_id)]


def kpi(api: Api, start: datetime, end: datetime, **params: Any) -> dict[str, dict[str, Any]]:
    res = api.get("/api/kpi", params={"from": start.isoformat(), "to": end.isoformat(), **params})
    assert res.status_code == 200, res.text
    return res.json()["metrics"]  # type: ignore[no-any-return]


def ratio(metrics: dict[str, dict[str, Any]], name: str) -> tuple[float, int]:
    m = metrics[name]
    return m["numerator"], m["denominator"]


def to_follow_up(as_user: Any, order_id: int, lead: int, staff: str = "staff_a") -> None:
    """dispatch → sign → reply → approve: the order waits for its follow-up call."""
    act(as_user("dispatcher"), order_id, "dispatch", lead_unit_id=lead)
    act(as_user(staff), order_id, "sign")
    act(as_user(staff), order_id, "reply", comment="已安排维修，路灯已恢复照明。")
    act(as_user("dispatcher"), order_id, "approve")
