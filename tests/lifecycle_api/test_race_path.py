"""The race that passes the version check: the loser's write meets the newer row and is undone whole.
PostgreSQL only — SQLite takes the write lock at BEGIN IMMEDIATE, so its transactions cannot overlap."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from hotline.db import make_sessionmaker
from hotline.events.models import Event
from hotline.users.models import User
from hotline.users.service import principal_for
from routing.lifecycle import flows
from routing.lifecycle.schemas import DispatchIn, WithReason
from routing.orders.models import OrderAssignment, OrderHistory, WorkOrder
from routing.orders.service import StaleVersion
from tests.lifecycle_api.helpers import create


def test_overlapping_writers_loser_gets_stale_version(as_user, seeded, engine, backend) -> None:  # type: ignore[no-untyped-def]
    if backend == "sqlite":
        pytest.skip("SQLite takes the write lock at BEGIN IMMEDIATE, so transactions cannot overlap")
    oid = create(as_user("agent"))
    factory = make_sessionmaker(engine)
    loser, winner = factory(), factory()
    try:
        lp = principal_for(session=loser, user=loser.get(User, seeded.users["agent"]))
        seen = loser.get(WorkOrder, oid)
        assert seen is not None and seen.version == 1  # read before the winner commits
        wp = principal_for(session=winner, user=winner.get(User, seeded.users["dispatcher"]))
        flows.act(
            session=winner,
            principal=wp,
            order_id=oid,
            action="dispatch",
            body=DispatchIn(version=1, lead_unit_id=seeded.county_a),
        )
        winner.commit()
        with pytest.raises(StaleVersion) as err:
            flows.act(
                session=loser,
                principal=lp,
                order_id=oid,
                action="withdraw",
                body=WithReason(version=1, reason="撤回"),
            )
        assert err.value.order.version == 2 and err.value.order.state == "pending_sign"
        loser.commit()  # whatever the loser queued is gone with its rollback
    finally:
        loser.close()
        winner.close()
    with factory() as s:
        steps = s.scalars(select(OrderHistory.action).where(OrderHistory.order_id == oid).order_by(OrderHistory.id))
        assert list(steps) == ["accept", "dispatch"]
        assert s.scalar(select(func.count()).select_from(OrderAssignment).where(OrderAssignment.order_id == oid)) == 1
        types = [e.payload.get("action") for e in s.scalars(select(Event).where(Event.type == "order.transition"))]
        assert types == ["dispatch"]
