"""An agent dispatches the order it has just taken, as 12345 centres let agents do when the routing
suggestion is clear; consultation and reassignment stay with the dispatcher, a unit cannot dispatch."""

from __future__ import annotations

from tests.lifecycle_api.helpers import act, create, history


def test_agent_dispatches_own_order(as_user, seeded) -> None:  # type: ignore[no-untyped-def]
    agent = as_user("agent")
    oid = create(agent)
    out = act(
        agent,
        oid,
        "dispatch",
        lead_unit_id=seeded.county_a,
        assisting_unit_ids=[seeded.county_b],
        comment="话务员直接派单",
    )
    assert out["order"]["state"] == "pending_sign"
    assert sorted((u["workstation_id"], u["role"]) for u in out["units"]) == sorted(
        [(seeded.county_a, "lead"), (seeded.county_b, "assist")]
    )
    rows = history(agent, oid)
    assert [r["action"] for r in rows] == ["accept", "dispatch"]
    assert rows[1]["actor_name"] == "测试agent" and rows[1]["to_state"] == "pending_sign"
    # The unit now sees the order in its queue.
    queue = as_user("staff_a").get("/api/queues/pending_sign").json()
    assert oid in [o["id"] for o in queue["items"]]


def test_agent_may_not_consult_and_unit_may_not_dispatch(as_user, seeded) -> None:  # type: ignore[no-untyped-def]
    agent = as_user("agent")
    oid = create(agent)
    assert act(agent, oid, "consult", expect=403, unit_ids=[seeded.county_a])["error"] == "actor_not_allowed"
    res = as_user("staff_a").post(
        f"/api/orders/{oid}/actions/dispatch", json={"version": 1, "lead_unit_id": seeded.county_a}
    )
    assert 400 <= res.status_code < 500 and res.status_code != 422, res.text
