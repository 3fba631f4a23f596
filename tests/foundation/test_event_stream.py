"""The outbox and ``/api/ws`` with real websocket clients against a real server."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from hotline.db import make_sessionmaker
from hotline.events import emit
from hotline.events.models import Event
from tests.conftest import LiveServer
from tests.foundation.helpers import assign, idem, order_body


def ws(server: LiveServer, token: str, after: int | None = None) -> tuple[ClientConnection, dict[str, Any]]:
    url = f"{server.ws_url}?token={token}" + (f"&after={after}" if after is not None else "")
    conn = connect(url, open_timeout=10, legacy=True)
    hello = json.loads(conn.recv(timeout=10))
    assert hello["type"] == "hello"
    return conn, hello


def recv_until(conn: ClientConnection, pred, timeout: float = 10.0) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    seen = []
    while True:
        msg = json.loads(conn.recv(timeout=timeout))
        seen.append(msg)
        if pred(msg):
            return seen


def drain(conn: ClientConnection, quiet: float = 0.8) -> list[dict[str, Any]]:
    """Everything that arrives until the stream is quiet for ``quiet`` seconds (the hub polls every 0.2 s)."""
    out = []
    while True:
        try:
            out.append(json.loads(conn.recv(timeout=quiet)))
        except TimeoutError:
            return out


def http(server: LiveServer, username: str) -> httpx.Client:
    client = server.http_client()
    res = client.post("/api/auth/login", json={"username": username, "password": "Passw0rd!"})
    client.headers["Authorization"] = f"Bearer {res.json()['access_token']}"
    return client


def test_each_workstation_sees_only_its_scope(live_server: LiveServer, engine: Engine, seeded) -> None:  # type: ignore[no-untyped-def]
    agent = http(live_server, "agent")
    a_tok = agent.post("/api/auth/login", json={"username": "staff_a", "password": "Passw0rd!"}).json()["access_token"]
    b_tok = agent.post("/api/auth/login", json={"username": "staff_b", "password": "Passw0rd!"}).json()["access_token"]
    conn_a, _ = ws(live_server, a_tok)
    conn_b, _ = ws(live_server, b_tok)
    try:
        order_a = agent.post("/api/orders", json=order_body(subject="甲区的事"), headers=idem()).json()
        order_b = agent.post(
            "/api/orders", json=order_body(subject="乙区的事", region_code="0102"), headers=idem()
        ).json()
        # Dispatch is the lifecycle's job; here the units are given their part directly, then an edit emits.
        assign(engine, order_a["id"], seeded.street_a1)
        assign(engine, order_b["id"], seeded.county_b)
        for o in (order_a, order_b):
            r = agent.patch(f"/api/orders/{o['id']}", json={"version": o["version"], "urgency": "urgent"})
            assert r.status_code == 200
        got_a = [m for m in drain(conn_a) if m["type"].startswith("order.")]
        got_b = [m for m in drain(conn_b) if m["type"].startswith("order.")]
    finally:
        conn_a.close()
        conn_b.close()
    # staff_a is at county A; the order went to a street under it, which is in A's scope.
    assert [(m["type"], m["payload"]["order_id"]) for m in got_a] == [("order.updated", order_a["id"])]
    assert [(m["type"], m["payload"]["order_id"]) for m in got_b] == [("order.updated", order_b["id"])]
    positions = [m["position"] for m in got_a + got_b]
    assert len(set(positions)) == 2


def test_centre_client_gets_live_events_and_resumes_without_gaps(live_server: LiveServer) -> None:
    agent = http(live_server, "agent")
    token = agent.headers["Authorization"].split()[1]
    conn, hello = ws(live_server, token)
    start = hello["position"]
    first = agent.post("/api/orders", json=order_body(subject="第一件"), headers=idem()).json()
    live = recv_until(conn, lambda m: m["type"] == "order.created")
    assert live[-1]["payload"]["number"] == first["number"]
    seen = live[-1]["position"]
    conn.close()
    # While disconnected, two more orders arrive.
    for subject in ("第二件", "第三件"):
        agent.post("/api/orders", json=order_body(subject=subject), headers=idem())
    conn2, _ = ws(live_server, token, after=seen)
    try:
        backlog = recv_until(conn2, lambda m: m.get("payload", {}).get("subject") == "第三件")
    finally:
        conn2.close()
    created = [m for m in backlog if m["type"] == "order.created"]
    assert [m["payload"]["subject"] for m in created] == ["第二件", "第三件"]
    assert [m["position"] for m in created] == [seen + 1, seen + 2]
    assert start < seen


def test_slow_client_whose_queue_overflows_is_closed_and_resumes_without_gaps(  # type: ignore[no-untyped-def]
    live_server: LiveServer, engine: Engine
) -> None:
    live_server.app.state.hub.queue_size = 2
    token = http(live_server, "agent").headers["Authorization"].split()[1]
    conn, hello = ws(live_server, token)
    factory = make_sessionmaker(engine)
    with factory() as s:  # one commit: the hub reads all five in one batch, more than the queue holds
        for n in range(5):
            emit(s, "test.burst", {"n": n})
        s.commit()
    got = []
    with pytest.raises(ConnectionClosed) as closed:
        while True:
            got.append(json.loads(conn.recv(timeout=10)))
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4408
    assert [m["payload"]["n"] for m in got] == [0, 1]
    conn2, _ = ws(live_server, token, after=got[-1]["position"])
    try:
        rest = recv_until(conn2, lambda m: m.get("payload", {}).get("n") == 4)
    finally:
        conn2.close()
    assert [m["payload"]["n"] for m in rest if m["type"] == "test.burst"] == [2, 3, 4]
    assert [m["position"] for m in got + rest] == list(range(hello["position"] + 1, hello["position"] + 6))


def test_rolled_back_change_emits_nothing(engine: Engine, seeded) -> None:  # type: ignore[no-untyped-def]
    factory = make_sessionmaker(engine)
    with factory() as s:
        emit(s, "test.rolled_back", {"n": 1})
        s.flush()
        s.rollback()
    with factory() as s:
        emit(s, "test.committed", {"n": 2})
        s.commit()
    with factory() as s:
        rows = s.scalars(select(Event).order_by(Event.position)).all()
    assert [(e.type, e.position) for e in rows] == [("test.committed", 1)]


def test_unauthenticated_websocket_is_refused(live_server: LiveServer) -> None:
    from websockets.exceptions import InvalidStatus

    with pytest.raises((InvalidStatus, ConnectionError, Exception)) as info:
        conn = connect(f"{live_server.ws_url}?token=forged", open_timeout=5, legacy=True)
        conn.recv(timeout=5)
    assert "4401" in str(info.value) or "403" in str(info.value)


def test_unknown_message_type_gets_an_error(live_server: LiveServer) -> None:
    agent = http(live_server, "agent")
    conn, _ = ws(live_server, agent.headers["Authorization"].split()[1])
    try:
        conn.send(json.dumps({"type": "teleport", "id": 7}))
        msg = recv_until(conn, lambda m: m["type"] == "error")[-1]
        conn.send(json.dumps({"type": "ping", "id": 8}))
        pong = recv_until(conn, lambda m: m["type"] == "ping.result")[-1]
    finally:
        conn.close()
    assert msg["id"] == 7 and "teleport" in msg["payload"]["detail"]
    assert pong["id"] == 8


def test_event_committed_before_a_crash_is_delivered_after_restart(settings, seeded, engine: Engine) -> None:  # type: ignore[no-untyped-def]
    server = LiveServer(settings).start()
    agent = http(server, "agent")
    token = agent.headers["Authorization"].split()[1]
    conn, hello = ws(server, token)
    conn.close()
    # The server dies; meanwhile another process commits an order (its event sits in the outbox).
    server.stop()
    from hotline.users.models import User
    from hotline.users.service import principal_for
    from routing.orders.schemas import OrderCreate
    from routing.orders.service import create_order

    factory = make_sessionmaker(engine)
    with factory() as s:
        user = s.get(User, seeded.users["agent"])
        assert user is not None
        create_order(
            session=s,
            data=OrderCreate(**order_body(subject="宕机前提交")),
            actor=principal_for(session=s, user=user),
            city_area_code="0100",
        )
        s.commit()
    restarted = LiveServer(settings).start()
    try:
        conn2, _ = ws(restarted, token, after=hello["position"])
        got = recv_until(conn2, lambda m: m["type"] == "order.created")
        conn2.close()
    finally:
        restarted.stop()
    assert got[-1]["payload"]["subject"] == "宕机前提交"
    assert got[-1]["position"] == hello["position"] + 1


def test_overlapping_transactions_committing_out_of_order_are_both_delivered(  # type: ignore[no-untyped-def]
    backend: str, live_server: LiveServer, engine: Engine, seeded
) -> None:
    """A starts first and takes the lower order id; B commits first. A client that resumes between the
    two commits must still get A's event afterwards. SQLite serialises writers (BEGIN IMMEDIATE), so
    only PostgreSQL can interleave the two transactions."""
    if backend != "postgresql":
        pytest.skip("SQLite takes the write lock at BEGIN IMMEDIATE, so transactions cannot overlap")
    from hotline.users.models import User
    from hotline.users.service import principal_for
    from routing.orders.schemas import OrderCreate
    from routing.orders.service import create_order

    agent = http(live_server, "agent")
    token = agent.headers["Authorization"].split()[1]
    factory = make_sessionmaker(engine)
    conn0, hello = ws(live_server, token)
    conn0.close()
    tx_a, tx_b = factory(), factory()
    try:

        def new_order(s, subject: str) -> int:  # type: ignore[no-untyped-def]
            user = s.get(User, seeded.users["agent"])
            order = create_order(
                session=s,
                data=OrderCreate(**order_body(subject=subject, channel="web" if subject == "A" else "wechat")),
                actor=principal_for(session=s, user=user),
                city_area_code="0100",
            )
            return order.id

        id_a = new_order(tx_a, "A")
        id_b = new_order(tx_b, "B")
        assert id_a < id_b
        tx_b.commit()
        conn, _ = ws(live_server, token, after=hello["position"])
        first = recv_until(conn, lambda m: m["type"] == "order.created")
        tx_a.commit()
        second = recv_until(conn, lambda m: m["type"] == "order.created")
        conn.close()
    finally:
        tx_a.close()
        tx_b.close()
    assert first[-1]["payload"]["order_id"] == id_b
    assert second[-1]["payload"]["order_id"] == id_a
    assert second[-1]["position"] == first[-1]["position"] + 1
