"""Merging and splitting, repeat requests linked to the open order, and two users acting on the
same version at once: one succeeds, the other gets 409 with the current state, nothing half-applied."""

from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import func, select

from hotline.db import make_sessionmaker, utcnow
from routing.orders.models import OrderAssignment, OrderHistory
from tests.lifecycle_api.helpers import (
    act,
    actions_of,
    create,
    events,
    history,
    kpi,
    ratio,
    to_follow_up,
    transitions,
    version,
)


def test_merge_and_split(as_user, seeded, engine) -> None:  # type: ignore[no-untyped-def]
    dispatcher = as_user("dispatcher")
    parent, child = create(as_user("agent")), create(as_user("agent"), caller_phone="13900001111")
    act(dispatcher, parent, "dispatch", lead_unit_id=seeded.county_a)
    assert act(dispatcher, child, "merge", expect=422, parent_id=child)["detail"]
    out = act(dispatcher, child, "merge", parent_id=parent, comment="同一路段路灯问题，并单办理")
    assert out["order"]["state"] == "merged" and out["parent_id"] == parent
    # A merged order waits on its parent: no unit step applies to it.
    assert act(dispatcher, child, "dispatch", expect=409, lead_unit_id=seeded.county_a)["state"] == "merged"
    out = act(dispatcher, child, "split", comment="诉求地点不同，拆单")
    assert out["order"]["state"] == "pending_dispatch" and out["parent_id"] is None
    rows = history(dispatcher, child)
    assert [r["action"] for r in rows] == ["accept", "merge", "split"]
    assert rows[1]["data"]["parent_id"] == parent and rows[2]["data"]["former_parent_id"] == parent
    assert transitions(engine, child) == ["merge", "split"]


def test_merged_orders_follow_their_parent(as_user, seeded, engine) -> None:  # type: ignore[no-untyped-def]
    agent, dispatcher = as_user("agent"), as_user("dispatcher")
    parent, child, grandchild = create(agent), create(agent), create(agent)
    act(dispatcher, grandchild, "merge", parent_id=child)
    act(dispatcher, child, "merge", parent_id=parent)
    to_follow_up(as_user, parent, seeded.county_a)
    assert history(dispatcher, child)[-1]["action"] == "merge"  # still waiting while the parent is open
    act(as_user("followup"), parent, "follow_up_satisfied")
    for order in (child, grandchild):
        rows = history(dispatcher, order)
        assert rows[-1]["action"] == "close_with_parent" and rows[-1]["to_state"] == "closed"
        assert rows[-1]["data"]["actor"] == "system"
        assert transitions(engine, order)[-1] == "close_with_parent"
    assert history(dispatcher, child)[-1]["data"]["parent_id"] == parent
    assert history(dispatcher, grandchild)[-1]["data"]["parent_id"] == child
    # A parent withdrawn without being handled sends its merged orders back to 待分办.
    other_parent, waiting = create(agent), create(agent)
    act(dispatcher, waiting, "merge", parent_id=other_parent)
    act(agent, other_parent, "withdraw", reason="来电人撤回")
    back = history(dispatcher, waiting)[-1]
    assert back["action"] == "split" and back["to_state"] == "pending_dispatch"
    assert back["data"]["former_parent_id"] == other_parent and back["data"]["parent_action"] == "withdraw"


def test_repeat_request_linked_to_open_order(as_user, seeded, engine) -> None:  # type: ignore[no-untyped-def]
    start = utcnow() - timedelta(minutes=1)
    agent, dispatcher = as_user("agent"), as_user("dispatcher")
    first = create(agent)
    act(dispatcher, first, "dispatch", lead_unit_id=seeded.county_a)
    repeat, other = create(agent), create(agent, subject="噪音扰民")
    out = act(agent, repeat, "link_repeat", open_order_id=first, comment="同一诉求人再次来电催问")
    assert out["repeat_of_id"] == first
    assert act(agent, other, "link_repeat", expect=422, open_order_id=999999)["detail"]
    assert history(dispatcher, repeat)[-1]["data"]["open_order_number"]
    m = kpi(as_user("supervisor"), start, utcnow() + timedelta(minutes=1))
    assert ratio(m, "repeat_rate") == (1, 3)
    drill = as_user("supervisor").get(
        "/api/kpi/orders",
        params={
            "metric": "repeat_rate",
            "part": "denominator",
            "from": start.isoformat(),
            "to": (utcnow() + timedelta(minutes=1)).isoformat(),
        },
    )
    assert drill.json()["order_ids"] == sorted([first, repeat, other])
    assert (
        as_user("staff_a").get("/api/kpi", params={"from": start.isoformat(), "to": utcnow().isoformat()}).status_code
        == 403
    )


def test_two_users_at_once_one_wins(as_user, seeded, engine, client) -> None:  # type: ignore[no-untyped-def]
    oid = create(as_user("agent"))
    seen = version(as_user("dispatcher"), oid)
    dispatcher, agent = as_user("dispatcher"), as_user("agent")
    barrier = threading.Barrier(2)
    results: dict[str, object] = {}

    def run(name: str, call) -> None:  # type: ignore[no-untyped-def]
        barrier.wait()
        results[name] = call()

    calls = {
        "dispatch": lambda: dispatcher.post(
            f"/api/orders/{oid}/actions/dispatch", json={"version": seen, "lead_unit_id": seeded.county_a}
        ),
        "withdraw": lambda: agent.post(
            f"/api/orders/{oid}/actions/withdraw", json={"version": seen, "reason": "市民来电撤回诉求"}
        ),
    }
    threads = [threading.Thread(target=run, args=(n, c)) for n, c in calls.items()]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    codes = sorted(r.status_code for r in results.values())  # type: ignore[attr-defined]
    assert codes == [200, 409], {n: r.text for n, r in results.items()}  # type: ignore[attr-defined]
    winner = next(n for n, r in results.items() if r.status_code == 200)  # type: ignore[attr-defined]
    loser = next(r for r in results.values() if r.status_code == 409)  # type: ignore[attr-defined]
    state = {"dispatch": "pending_sign", "withdraw": "withdrawn"}[winner]
    body = loser.json()
    assert body["current"]["state"] == state and body["current"]["version"] == seen + 1
    # Exactly the winner's step is stored and emitted; nothing of the loser's.
    assert actions_of(as_user("dispatcher"), oid) == ["accept", winner]
    assert transitions(engine, oid) == [winner]
    with make_sessionmaker(engine)() as s:
        assigned = s.scalar(select(func.count()).select_from(OrderAssignment).where(OrderAssignment.order_id == oid))
        steps = s.scalar(select(func.count()).select_from(OrderHistory).where(OrderHistory.order_id == oid))
    assert assigned == (1 if winner == "dispatch" else 0) and steps == 2
    # A stale version is refused the same way without any race.
    stale = dispatcher.post(f"/api/orders/{oid}/actions/withdraw", json={"version": seen, "reason": "x"})
    assert stale.status_code == 409 and stale.json()["current"]["state"] == state
    assert len(events(engine, "order.transition", oid)) == 1
