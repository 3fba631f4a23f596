"""Learning from agents: overrides of a suggestion and upheld returns that led to a reassignment become
labelled examples (``routing_feedback``); the classifier's trainer reads them with ``feedback_examples``.

A reassignment (改派, which the lifecycle only allows after a return was upheld) is picked up from the
order's history as it is written (``install_reassign_listener``): the new lead unit is the label and,
when the dispatch being corrected went to the unit named by the catalogue rule in force at that dispatch
(the rule id and version the dispatch step recorded), that rule gets one more dispute, all in the same
transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import event as sa_event
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from hotline.db import utcnow
from hotline.org.models import Workstation
from routing.catalogue.models import LOCAL, CatalogueRule, CatalogueRuleVersion
from routing.catalogue.service import count_dispute
from routing.orders.models import OrderHistory, WorkOrder
from routing.orders.views_model import masked_fields
from routing.suggest.directory import UnitInfo, county_governments
from routing.suggest.models import RoutingFeedback

FIELDS = ("category", "request_type", "urgency", "lead_unit")


def order_text(order: WorkOrder) -> str:
    """The example's text: what the classifier sees, masked for confidential callers."""
    if order.confidential:
        m = masked_fields(order)
        return f"{m['subject']}\n{m['description']}"
    return f"{order.subject}\n{order.description}"


def record_override(
    *,
    session: Session,
    order: WorkOrder,
    suggested: dict[str, str | None],
    chosen: dict[str, str],
    actor_id: int | None,
) -> list[RoutingFeedback]:
    """One labelled example per field where the agent's choice differs from the suggestion."""
    rows = []
    for name, value in chosen.items():
        if name not in FIELDS:
            raise ValueError(f"未知的字段 {name!r}，可选: {', '.join(FIELDS)}")
        if value and value != suggested.get(name):
            row = RoutingFeedback(
                order_id=order.id,
                source="override",
                field=name,
                suggested=suggested.get(name),
                chosen=value,
                text=order_text(order),
                region_code=order.region_code,
                actor_id=actor_id,
                created_at=utcnow(),
            )
            session.add(row)
            rows.append(row)
    session.flush()
    return rows


def recent_feedback(*, session: Session, order_id: int | None = None, limit: int = 100) -> list[RoutingFeedback]:
    """The newest feedback rows (of one order), newest first: what the centre has learned from agents."""
    stmt = select(RoutingFeedback).order_by(RoutingFeedback.id.desc()).limit(limit)
    if order_id is not None:
        stmt = stmt.where(RoutingFeedback.order_id == order_id)
    return list(session.scalars(stmt))


@dataclass(frozen=True, slots=True)
class FeedbackExample:
    text: str
    label: str
    field: str
    source: str
    suggested: str | None
    created_at: datetime
    order_id: int | None = None
    region_code: str | None = None  # the order's region when the example was recorded


def feedback_examples(
    *, session: Session, field: str = "category", since: datetime | None = None
) -> list[FeedbackExample]:
    """Labelled examples for one field, oldest first; for ``field="category"`` the label is
    ``level1/level2/level3``. Later feedback on the same order supersedes earlier."""
    if field not in FIELDS:
        raise ValueError(f"未知的字段 {field!r}，可选: {', '.join(FIELDS)}")
    stmt = select(RoutingFeedback).where(RoutingFeedback.field == field).order_by(RoutingFeedback.id)
    if since is not None:
        stmt = stmt.where(RoutingFeedback.created_at >= since)
    latest: dict[object, RoutingFeedback] = {}
    for row in session.scalars(stmt):
        latest[row.order_id if row.order_id is not None else f"row{row.id}"] = row
    return [
        FeedbackExample(r.text, r.chosen, r.field, r.source, r.suggested, r.created_at, r.order_id, r.region_code)
        for r in sorted(latest.values(), key=lambda r: r.id)
    ]


def _dispatch_rule(conn: Any, dispatch: dict[str, Any]) -> tuple[int, str] | None:
    """The catalogue rule the corrected dispatch was made under and the lead it named *then*: the
    dispatch step records the rule's id and version, and the version trail keeps that version's
    form, so an edit between dispatch and reassignment does not shift the dispute to another rule."""
    rule_id = dispatch.get("catalogue_rule_id")
    if rule_id is None:
        return None  # no rule matched at dispatch: the catalogue had no say
    then = conn.execute(
        select(CatalogueRuleVersion.data).where(
            CatalogueRuleVersion.rule_id == rule_id,
            CatalogueRuleVersion.version == dispatch.get("catalogue_rule_version"),
        )
    ).scalar_one_or_none()
    lead = (then or {}).get("lead") or conn.execute(
        select(CatalogueRule.lead).where(CatalogueRule.id == rule_id)
    ).scalar_one_or_none()
    return None if lead is None else (int(rule_id), str(lead))


def _rule_lead(conn: Any, lead: str, region_code: str | None) -> int | None:
    """The id of the unit a rule naming ``lead`` sends an order in ``region_code`` to: for ``LOCAL``,
    the region's own government, as the suggestion resolves it (``units_from_rule``)."""
    if lead != LOCAL:
        stmt = select(Workstation.id).where(Workstation.code == lead)
        return conn.execute(stmt).scalar_one_or_none()  # type: ignore[no-any-return]
    if region_code is None:
        return None
    rows = conn.execute(
        select(Workstation.__table__).where(Workstation.region_code == region_code, Workstation.active.is_(True))
    ).mappings()
    units = [
        UnitInfo(r["id"], r["code"], r["name"], r["tier"], r["kind"], r["region_code"], r["parent_id"]) for r in rows
    ]
    county = county_governments(units).get(region_code)
    return None if county is None else county.id


def _on_history(_mapper: Any, conn: Any, entry: OrderHistory) -> None:
    if entry.action != "reassign":
        return
    order = conn.execute(select(WorkOrder.__table__).where(WorkOrder.id == entry.order_id)).mappings().one_or_none()
    if order is None:
        return
    new_lead = (entry.data or {}).get("lead_unit_id") or order["lead_unit_id"]
    previous = conn.execute(
        select(OrderHistory.data)
        .where(
            OrderHistory.order_id == entry.order_id,
            OrderHistory.action.in_(("dispatch", "reassign")),
            OrderHistory.id < entry.id,
        )
        .order_by(OrderHistory.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    old_lead = (previous or {}).get("lead_unit_id")
    codes = dict(
        conn.execute(
            select(Workstation.id, Workstation.code).where(Workstation.id.in_([x for x in (new_lead, old_lead) if x]))
        ).all()
    )
    text = f"{order['subject']}\n{order['description']}"
    if order["confidential"]:
        from routing.orders.masking import mask_text

        names = (order["caller_name"],)
        text = f"{mask_text(order['subject'], names=names)}\n{mask_text(order['description'], names=names)}"
    rule = _dispatch_rule(conn, previous or {})
    if new_lead in codes:
        conn.execute(
            insert(RoutingFeedback).values(
                order_id=order["id"],
                source="reassign",
                field="lead_unit",
                suggested=codes.get(old_lead),
                chosen=codes[new_lead],
                text=text,
                region_code=order["region_code"],
                rule_id=rule[0] if rule else None,
                actor_id=entry.actor_id,
                created_at=utcnow(),
            )
        )
    if rule is not None and old_lead is not None and old_lead == _rule_lead(conn, rule[1], order["region_code"]):
        # Only a dispatch that followed the rule makes the rule disputed: when the dispatcher sent the
        # order elsewhere, or the reassignment goes to the rule's unit, the catalogue was not at fault.
        count_dispute(session=conn, rule_id=rule[0])


_installed = False


def install_reassign_listener() -> None:
    global _installed
    if not _installed:
        sa_event.listen(OrderHistory, "after_insert", _on_history)
        _installed = True
