"""Lifecycle events reach the right people over a real websocket: the lead unit sees its order's
steps and cards, another county sees nothing of them."""

from __future__ import annotations

from datetime import timedelta

from hotline.db import make_sessionmaker, utcnow
from routing.lifecycle.scheduled import issue_cards
from tests.conftest import LiveServer
from tests.foundation.helpers import idem, order_body
from tests.foundation.test_event_stream import drain, http, ws


def test_lead_unit_gets_steps_and_cards_live(live_server: LiveServer, engine, seeded) -> None:  # type: ignore[no-untyped-def]
    agent, dispatcher, staff_a = (http(live_server, u) for u in ("agent", "dispatcher", "staff_a"))
    a_tok = staff_a.headers["Authorization"].removeprefix("Bearer ")
    b_tok = http(live_server, "staff_b").headers["Authorization"].removeprefix("Bearer ")
    conn_a, _ = ws(live_server, a_tok)
    conn_b, _ = ws(live_server, b_tok)
    try:
        order = agent.post("/api/orders", json=order_body(), headers=idem()).json()
        res = dispatcher.post(
            f"/api/orders/{order['id']}/actions/dispatch",
            json={"version": order["version"], "lead_unit_id": seeded.county_a},
        )
        assert res.status_code == 200, res.text
        res = staff_a.post(f"/api/orders/{order['id']}/actions/sign", json={"version": res.json()["order"]["version"]})
        assert res.status_code == 200, res.text
        with make_sessionmaker(engine)() as s:
            assert issue_cards(session=s, now=utcnow() + timedelta(days=30)) == 1  # long overdue: red
            s.commit()
        got_a = [
            (m["type"], m["payload"].get("action") or m["payload"].get("card"))
            for m in drain(conn_a)
            if m["type"] in ("order.transition", "alert.card")
        ]
        got_b = [m for m in drain(conn_b) if m["type"] in ("order.transition", "alert.card")]
    finally:
        conn_a.close()
        conn_b.close()
    assert got_a == [("order.transition", "dispatch"), ("order.transition", "sign"), ("alert.card", "red")]
    assert got_b == []
