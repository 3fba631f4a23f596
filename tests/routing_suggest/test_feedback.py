"""Learning from agents: overrides and upheld returns that lead to a reassignment become examples."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine

from hotline.db import make_sessionmaker
from routing.catalogue.models import CatalogueRule
from routing.orders.models import OrderHistory, WorkOrder
from routing.suggest.feedback import feedback_examples
from routing.suggest.models import RoutingFeedback
from tests.foundation.helpers import order_body
from tests.lifecycle_api.helpers import act


def test_overrides_are_recorded_field_by_field(as_user, demo, engine: Engine) -> None:
    api = as_user("agent")
    oid = api.post(
        "/api/orders",
        json=order_body(confidential=True, caller_name="王小明", description="王小明反映路灯坏了，电话13812345678"),
    ).json()["id"]
    res = api.post(
        "/api/routing/feedback",
        json={
            "order_id": oid,
            "suggested": {
                "category": "城乡建设/市政设施/道路破损",
                "request_type": "complaint",
                "lead_unit": "D-CG",
            },
            "chosen": {
                "category": "城乡建设/市政设施/路灯故障",
                "request_type": "complaint",
                "lead_unit": "D-CG",
            },
        },
    )
    assert res.status_code == 200, res.text
    assert res.json() == {"recorded": 1, "fields": ["category"]}
    with make_sessionmaker(engine)() as session:
        [example] = feedback_examples(session=session, field="category")
        assert example.label == "城乡建设/市政设施/路灯故障" and example.suggested == "城乡建设/市政设施/道路破损"
        # Confidential callers' details never reach training data.
        assert "13812345678" not in example.text and "王小明" not in example.text and "路灯" in example.text
        assert feedback_examples(session=session, field="request_type") == []


def test_override_errors_name_the_offending_field(as_user, demo) -> None:
    api = as_user("agent")
    res = api.post("/api/routing/feedback", json={"order_id": 1, "suggested": {}, "chosen": {"colour": "red"}})
    assert res.status_code == 422 and "colour" in res.json()["detail"]
    res = api.post("/api/routing/feedback", json={"order_id": 999999, "suggested": {}, "chosen": {}})
    assert res.status_code == 404 and "999999" in res.json()["detail"]
    res = api.post("/api/routing/feedback", json={"suggested": {}, "chosen": {}})
    assert res.status_code == 422 and "order_id" in res.json()["detail"]


def test_a_reassignment_is_an_example_and_a_dispute_against_the_rule(as_user, demo, engine: Engine) -> None:
    api = as_user("agent")
    oid = api.post(
        "/api/orders",
        json=order_body(
            region_code="0108",
            category_l1="城乡建设",
            category_l2="供水供气供暖",
            category_l3="停水",
            subject="石门镇停水",
            description="石门镇停水两天",
        ),
    ).json()["id"]
    factory = make_sessionmaker(engine)
    with factory() as session:
        rule = session.scalars(
            select(CatalogueRule).where(CatalogueRule.level3 == "停水", CatalogueRule.region_code == "0108")
        ).one()
    _dispatch_then_reassign(as_user, engine, oid, demo["Q0108"], demo["D-SWJ"])
    with factory() as session:
        [row] = session.scalars(select(RoutingFeedback)).all()
        assert (row.source, row.field, row.suggested, row.chosen, row.rule_id) == (
            "reassign",
            "lead_unit",
            "Q0108",
            "D-SWJ",
            rule.id,
        )
        assert session.get(CatalogueRule, rule.id).disputes == 1  # type: ignore[union-attr]
        [example] = feedback_examples(session=session, field="lead_unit")
        assert example.label == "D-SWJ" and "停水" in example.text


def test_the_centre_lists_what_it_learned_from_agents(as_user, demo, engine: Engine) -> None:
    agent = as_user("agent")
    a, b = (agent.post("/api/orders", json=order_body(description=d)).json()["id"] for d in ("路灯坏了", "井盖丢了"))
    for oid, chosen in ((a, "urgent"), (b, "normal")):
        body = {"order_id": oid, "suggested": {"urgency": "normal"}, "chosen": {"urgency": chosen}}
        assert agent.post("/api/routing/feedback", json=body).status_code == 200
    rows = agent.get("/api/routing/feedback").json()
    assert [(r["order_id"], r["field"], r["source"], r["suggested"], r["chosen"]) for r in rows] == [
        (a, "urgency", "override", "normal", "urgent")
    ]  # b's choice equalled the suggestion: nothing learned
    assert agent.get("/api/routing/feedback", params={"order_id": b}).json() == []
    assert agent.get("/api/routing/feedback", params={"limit": 0}).status_code == 422


def _reassign(engine: Engine, oid: int, then: int) -> None:
    """What the lifecycle writes after an upheld return: the order reassigned to ``then``."""
    with make_sessionmaker(engine)() as session:
        order = session.get(WorkOrder, oid)
        assert order is not None
        order.lead_unit_id = then
        session.add(
            OrderHistory(
                order_id=oid,
                action="reassign",
                from_state="return_review",
                to_state="pending_sign",
                data={"lead_unit_id": then, "return_upheld": True},
            )
        )
        session.commit()


def _dispatch_then_reassign(as_user, engine: Engine, oid: int, first: int, then: int) -> None:  # type: ignore[no-untyped-def]
    """The dispatch to ``first`` through the lifecycle (which records the catalogue rule in force),
    then the reassignment to ``then``."""
    act(as_user("dispatcher"), oid, "dispatch", lead_unit_id=first)
    _reassign(engine, oid, then)


@pytest.mark.parametrize(
    ("region", "category", "first", "then", "disputed"),
    [
        # 白石县's own 停水 rule names 白石县: a dispatch that ignored it (to the water bureau, or to
        # another county) is not the rule's fault, nor is a reassignment *to* the rule's unit.
        ("0108", ("供水供气供暖", "停水"), "D-SWJ", "Q0108", []),
        ("0108", ("供水供气供暖", "停水"), "Q0101", "D-SWJ", []),
        # 物业服务 is LOCAL: the rule names the county of the order's region (0107 → Q0107).
        ("0107", ("物业管理", "物业服务"), "Q0107", "D-ZJJ", [("物业服务", None, 1)]),
        ("0107", ("物业管理", "物业服务"), "Q0101", "Q0107", []),
        ("0107", ("物业管理", "物业服务"), "D-ZJJ", "Q0101", []),
    ],
)
def test_a_dispute_counts_only_against_the_rule_the_dispatch_followed(
    as_user,
    demo,
    engine: Engine,
    region: str,
    category: tuple[str, str],
    first: str,
    then: str,
    disputed: list[tuple[str, str | None, int]],
) -> None:
    api = as_user("agent")
    l2, l3 = category
    body = order_body(region_code=region, category_l1="城乡建设", category_l2=l2, category_l3=l3)
    oid = api.post("/api/orders", json=body).json()["id"]
    _dispatch_then_reassign(as_user, engine, oid, demo[first], demo[then])
    with make_sessionmaker(engine)() as session:
        rows = session.execute(
            select(CatalogueRule.level3, CatalogueRule.region_code, CatalogueRule.disputes).where(
                CatalogueRule.disputes > 0
            )
        ).all()
        assert [tuple(r) for r in rows] == disputed
        # The labelled example is recorded either way: the new lead unit is what the centre learned.
        [row] = session.scalars(select(RoutingFeedback)).all()
        assert (row.source, row.suggested, row.chosen) == ("reassign", first, then)


def test_a_dispute_goes_to_the_rule_in_force_at_dispatch_not_to_todays(as_user, demo, engine: Engine) -> None:
    """The 物业服务 rule sent 0107's order to its county; before the upheld return an administrator
    moves the rule to the housing bureau and adds a county rule that names the bureau too. The dispute
    is still the old rule's: the dispatch followed that rule as it stood."""
    admin = as_user("admin")
    body = order_body(region_code="0107", category_l1="城乡建设", category_l2="物业管理", category_l3="物业服务")
    oid = as_user("agent").post("/api/orders", json=body).json()["id"]
    act(as_user("dispatcher"), oid, "dispatch", lead_unit_id=demo["Q0107"])
    [old] = [r for r in admin.get("/api/catalogue/rules").json() if r["level3"] == "物业服务"]
    edited = {k: old[k] for k in ("level1", "level2", "level3", "region_code", "keywords", "assist")}
    res = admin.put(f"/api/catalogue/rules/{old['id']}", json={**edited, "lead": "D-ZJJ", "version": old["version"]})
    assert res.status_code == 200, res.text
    res = admin.post("/api/catalogue/rules", json={**edited, "region_code": "0107", "lead": "D-ZJJ"})
    assert res.status_code == 201, res.text
    _reassign(engine, oid, demo["D-SWJ"])
    with make_sessionmaker(engine)() as session:
        disputed = session.execute(select(CatalogueRule.id, CatalogueRule.disputes).where(CatalogueRule.disputes > 0))
        assert [tuple(r) for r in disputed] == [(old["id"], 1)]
        [row] = session.scalars(select(RoutingFeedback)).all()
        assert row.rule_id == old["id"]


def test_no_rule_at_dispatch_means_no_dispute(as_user, demo, engine: Engine) -> None:
    """An order dispatched with no category (so no rule in force) and categorised later: the
    reassignment is still an example, but no rule matched when the dispatch was made."""
    oid = as_user("agent").post("/api/orders", json=order_body(region_code="0107")).json()["id"]
    with make_sessionmaker(engine)() as session:
        order = session.get(WorkOrder, oid)
        assert order is not None
        order.category_l1, order.category_l2, order.category_l3 = None, None, None
        session.commit()
    act(as_user("dispatcher"), oid, "dispatch", lead_unit_id=demo["Q0107"])
    with make_sessionmaker(engine)() as session:
        order = session.get(WorkOrder, oid)
        assert order is not None
        order.category_l1, order.category_l2, order.category_l3 = "城乡建设", "物业管理", "物业服务"
        session.commit()  # categorised after the dispatch, before the reassignment
    _reassign(engine, oid, demo["D-ZJJ"])
    with make_sessionmaker(engine)() as session:
        assert session.scalar(select(CatalogueRule.id).where(CatalogueRule.disputes > 0)) is None
        [row] = session.scalars(select(RoutingFeedback)).all()
        assert (row.suggested, row.chosen, row.rule_id) == ("Q0107", "D-ZJJ", None)
