"""Taking one lifecycle action on a stored order: the state machine plus its side effects.

``act`` loads the order in the principal's scope, checks the version the user saw, maps the
principal to an ``Actor``, runs ``apply`` with the order's facts, lets the action's handler write
deadlines, assignments and side records, then records the step in ``order_history`` and queues the
``order.transition`` event, all in the caller's transaction: a refusal anywhere leaves nothing
behind once the caller rolls back (the request session does).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from hotline.db import utcnow
from hotline.events import emit
from hotline.org.models import Workstation
from hotline.users.roles import Role
from hotline.users.service import Principal
from routing.deadlines.calendar import WorkCalendar
from routing.deadlines.policy import DeadlinePolicy
from routing.deadlines.service import load_calendar, load_policy
from routing.lifecycle.records import EVENT_TYPE, TransitionRecord
from routing.lifecycle.rules import LifecycleRules, OrderFacts
from routing.lifecycle.schemas import ActionBase
from routing.lifecycle.states import OrderState
from routing.lifecycle.transitions import TRANSITIONS, Actor, ActorNotAllowed, allowed_actions, apply
from routing.orders.masking import mask_text
from routing.orders.models import Attachment, OrderAssignment, OrderHistory, WorkOrder
from routing.orders.service import InvalidReference, StaleVersion, get_visible, order_audience, order_units

A = Actor

# Centre roles act as these, first match wins (a supervisor reviewing acts as the reviewer).
ROLE_ACTORS: dict[Role, tuple[Actor, ...]] = {
    Role.agent: (A.agent,),
    Role.desk_agent: (A.agent,),
    Role.dispatcher: (A.dispatcher, A.reviewer),
    Role.follow_up_agent: (A.follow_up_agent,),
    Role.supervisor: (A.supervisor, A.reviewer, A.dispatcher),
    Role.admin: (A.dispatcher, A.reviewer, A.supervisor, A.system),
}
# An assignment role of the principal's own workstation on the order → the actor it acts as.
ASSIGNMENT_ACTORS = {"lead": A.lead_unit, "assist": A.assisting_unit, "delegate": A.tier3_unit}


@dataclass
class Step:
    """What a handler sees and fills in for one action."""

    session: Session
    principal: Principal
    order: WorkOrder
    actor: Actor
    action: str
    body: ActionBase
    now: datetime
    calendar: WorkCalendar
    policy: DeadlinePolicy
    rules: LifecycleRules
    data: dict[str, Any] = field(default_factory=dict)
    notify_units: set[int] = field(default_factory=set)


def active_assignments(*, session: Session, order_id: int) -> list[OrderAssignment]:
    return list(
        session.scalars(
            select(OrderAssignment)
            .where(OrderAssignment.order_id == order_id, OrderAssignment.active.is_(True))
            .order_by(OrderAssignment.id)
        )
    )


def candidate_actors(*, session: Session, principal: Principal, order: WorkOrder) -> list[Actor]:
    if principal.role is Role.workstation_staff:
        roles = [
            a.role
            for a in active_assignments(session=session, order_id=order.id)
            if a.workstation_id == principal.workstation_id
        ]
        return [ASSIGNMENT_ACTORS[r] for r in ("lead", "assist", "delegate") if r in roles]
    return list(ROLE_ACTORS.get(principal.role, ()))


def choose_actor(candidates: list[Actor], action: str) -> Actor | None:
    """The first candidate the action admits; else the first candidate (so ``apply`` names who may),
    or None when the principal has no part in the order at all."""
    permitted = TRANSITIONS[action].actors if action in TRANSITIONS else frozenset()
    for c in candidates:
        if c in permitted:
            return c
    return candidates[0] if candidates else None


def dispatch_data(*, session: Session, order_id: int) -> dict[str, Any]:
    """The ``data`` of the order's latest dispatch or reassignment (units, catalogue entry, deadlines)."""
    data = session.scalars(
        select(OrderHistory.data)
        .where(OrderHistory.order_id == order_id, OrderHistory.action.in_(("dispatch", "reassign")))
        .order_by(OrderHistory.id.desc())
    ).first()
    return dict(data or {})


def order_facts(*, session: Session, order: WorkOrder, now: datetime) -> OrderFacts:
    lead = session.get(Workstation, order.lead_unit_id) if order.lead_unit_id else None
    # Functional-department work stays with the department: flagged on the unit or on the
    # catalogue entry the order was dispatched under.
    functional = (lead is not None and lead.functional) or bool(
        dispatch_data(session=session, order_id=order.id).get("catalogue_functional")
    )
    return OrderFacts(
        follow_up_due=not order.anonymous,
        follow_up_attempts=order.follow_up_attempts,
        reopen_count=order.reopen_count,
        tier3_allowed=not functional,
        return_deadline=order.return_by,
        now=now,
    )


def _check_attachments(*, session: Session, order: WorkOrder, ids: list[int]) -> None:
    if not ids:
        return
    found = set(session.scalars(select(Attachment.id).where(Attachment.order_id == order.id, Attachment.id.in_(ids))))
    missing = sorted(set(ids) - found)
    if missing:
        raise InvalidReference(f"附件 {missing} 不属于工单 {order.number}")


def act(
    *,
    session: Session,
    principal: Principal,
    order_id: int,
    action: str,
    body: ActionBase,
    now: datetime | None = None,
    rules: LifecycleRules | None = None,
) -> WorkOrder:
    """Take ``action`` on the order; raises ``StaleVersion`` (409 with the current order),
    ``TransitionError`` subclasses (their ``.status_code``), ``InvalidReference`` (422)."""
    from routing.lifecycle.handlers import HANDLERS

    now = now or utcnow()
    rules = rules or LifecycleRules()
    order = get_visible(session=session, principal=principal, order_id=order_id)
    if body.version != order.version:
        raise StaleVersion(order)
    actor = choose_actor(candidate_actors(session=session, principal=principal, order=order), action)
    if actor is None:
        raise ActorNotAllowed(
            f"您所在单位不是工单 {order.number} 的承办单位，不能执行「{TRANSITIONS[action].label}」({action})",
            action=action,
        )
    from_state = OrderState(order.state)
    to_state = apply(
        from_state, action, actor=actor, facts=order_facts(session=session, order=order, now=now), rules=rules
    )
    _check_attachments(session=session, order=order, ids=body.attachment_ids)
    before_units = set(order_units(session=session, order_id=order.id))
    step = Step(
        session,
        principal,
        order,
        actor,
        action,
        body,
        now,
        load_calendar(session=session),
        load_policy(session=session),
        rules,
    )
    handler = HANDLERS.get(action)
    if handler is not None:
        handler(step)
    order.state = to_state.value
    order.updated_at = now
    record = TransitionRecord(
        order_id=order.id,
        action=action,
        from_state=from_state,
        to_state=to_state,
        actor=actor,
        at=now,
        user_id=principal.id,
        workstation_id=principal.workstation_id,
        comment=body.comment,
        attachment_ids=tuple(body.attachment_ids),
        data=step.data,
    )
    session.add(
        OrderHistory(
            order_id=order.id,
            at=now,
            actor_id=principal.id,
            workstation_id=principal.workstation_id,
            action=action,
            from_state=from_state.value,
            to_state=to_state.value,
            comment=body.comment,
            data={**step.data, "actor": actor.value, "attachment_ids": list(body.attachment_ids)},
        )
    )
    try:
        session.flush()
    except StaleDataError:
        # Someone else's step committed between our read and our write: nothing of ours is kept.
        session.rollback()
        raise StaleVersion(session.get(WorkOrder, order_id) or order) from None
    units = before_units | set(order_units(session=session, order_id=order.id)) | step.notify_units
    emit(
        session,
        EVENT_TYPE,
        {
            **record.event_payload(),
            "comment": event_text(order, body.comment),
            "number": order.number,
            "version": order.version,
        },
        audience=order_audience(order),
        workstation_ids=units,
    )
    if to_state is not from_state and (to_state is OrderState.closed or to_state in _CHILDREN_RETURN):
        follow_parent(session=session, parent=order, parent_action=action, now=now)
    return order


# A parent withdrawn or declined has not handled its merged children's matters: they go back to 待分办.
_CHILDREN_RETURN = {OrderState.withdrawn, OrderState.declined}


def follow_parent(*, session: Session, parent: WorkOrder, parent_action: str, now: datetime) -> int:
    """Orders merged into ``parent`` follow it: closed with it when it is closed (随主单办结), split back
    out to 待分办 when it ends without being handled. Returns how many followed."""
    children = session.scalars(
        select(WorkOrder).where(WorkOrder.parent_id == parent.id, WorkOrder.state == OrderState.merged.value)
    ).all()
    closing = OrderState(parent.state) is OrderState.closed
    for child in children:
        data: dict[str, Any] = {"parent_id": parent.id, "parent_number": parent.number, "parent_action": parent_action}
        if not closing:
            data["former_parent_id"] = child.parent_id
            child.parent_id = None
        system_step(
            session=session, order=child, action="close_with_parent" if closing else "split", now=now, data=data
        )
        if closing:  # an order merged into this child (before the child was merged) closes too
            follow_parent(session=session, parent=child, parent_action="close_with_parent", now=now)
    return len(children)


def system_step(*, session: Session, order: WorkOrder, action: str, now: datetime, data: dict[str, Any]) -> None:
    """A step the system takes, with no user: checked against the table, recorded and emitted like any."""
    from_state = OrderState(order.state)
    to_state = apply(from_state, action, actor=Actor.system)
    order.state, order.updated_at = to_state.value, now
    record = TransitionRecord(
        order_id=order.id,
        action=action,
        from_state=from_state,
        to_state=to_state,
        actor=Actor.system,
        at=now,
        data=data,
    )
    session.add(
        OrderHistory(
            order_id=order.id,
            at=now,
            action=action,
            from_state=from_state.value,
            to_state=to_state.value,
            data={**data, "actor": Actor.system.value},
        )
    )
    session.flush()
    emit(
        session,
        EVENT_TYPE,
        {**record.event_payload(), "number": order.number, "version": order.version},
        audience=order_audience(order),
        workstation_ids=order_units(session=session, order_id=order.id),
    )


def event_text(order: WorkOrder, text: str | None) -> str | None:
    """Events are stored once and fanned out widely: free text of a confidential order is masked
    there (phone and ID numbers, the caller's name); the history keeps it for authorised readers."""
    return mask_text(text, names=(order.caller_name,)) if order.confidential else text


def allowed_for(*, session: Session, principal: Principal, order: WorkOrder) -> list[tuple[str, str, str]]:
    """(action, label, actor) the principal may offer on the order now; guards are not consulted."""
    state = OrderState(order.state)
    out: list[tuple[str, str, str]] = []
    for actor in candidate_actors(session=session, principal=principal, order=order):
        for action in allowed_actions(state, actor=actor):
            if action not in {a for a, _, _ in out}:
                out.append((action, TRANSITIONS[action].label, actor.value))
    return out


def record_side_step(
    *,
    session: Session,
    principal: Principal,
    order: WorkOrder,
    action: str,
    comment: str | None,
    data: dict[str, Any],
    now: datetime | None = None,
) -> None:
    """A recorded step outside the transition table (a direct-call rating, a consultation opinion,
    a reply to a 督办单): history and event, the state untouched."""
    now = now or utcnow()
    session.add(
        OrderHistory(
            order_id=order.id,
            at=now,
            actor_id=principal.id,
            workstation_id=principal.workstation_id,
            action=action,
            from_state=order.state,
            to_state=order.state,
            comment=comment,
            data=data,
        )
    )
    session.flush()
    emit(
        session,
        "order.recorded",
        {
            "order_id": order.id,
            "number": order.number,
            "action": action,
            "state": order.state,
            "user_id": principal.id,
            "at": now.isoformat(),
            "comment": event_text(order, comment),
            "data": data,
        },
        audience=order_audience(order),
        workstation_ids=order_units(session=session, order_id=order.id),
    )
