"""Reading the lifecycle (views, queues) and the recorded steps outside the transition table:
direct-call ratings, consultation opinions, replies to supervision orders."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.db import utcnow
from hotline.org.models import Workstation
from hotline.users.service import Principal
from routing.deadlines.calendar import WorkCalendar
from routing.deadlines.cards import card_for
from routing.deadlines.policy import DeadlinePolicy
from routing.deadlines.service import load_calendar, load_policy
from routing.lifecycle.flows import active_assignments, allowed_for, record_side_step
from routing.lifecycle.models import ExtensionRequest, FollowUp, Supervision, UnitOpinion
from routing.lifecycle.schemas import ActionOut, Countdown, Deadlines, LifecycleOut, RatingIn, SupervisionOut
from routing.lifecycle.states import UNIT_STATES, OrderState
from routing.lifecycle.transitions import ActorNotAllowed, RuleViolation
from routing.orders.auth import visible_clause
from routing.orders.enums import Urgency
from routing.orders.models import OrderHistory, WorkOrder
from routing.orders.service import NotFound, get_visible
from routing.orders.views_model import to_out

S = OrderState

QUEUES: dict[str, str] = {
    "pending_dispatch": "待分办",
    "pending_sign": "待签收",
    "handling": "办理中",
    "tier2_review": "待二级审核",
    "pending_review": "待审核",
    "sent_back": "被退回",
    "due_soon": "即将超期",
    "overdue": "已超期",
    "follow_up": "待回访",
    "returns": "退单待审核",
    "extensions": "延期待审核",
    "verifications": "核实中",
    "supervision": "督办待回复",
}
_BY_STATE = {
    "pending_dispatch": {S.pending_dispatch},
    "pending_sign": {S.pending_sign},
    "handling": {S.handling, S.delegated, S.tier2_review},
    "tier2_review": {S.tier2_review},
    "pending_review": {S.pending_review},
    "follow_up": {S.follow_up},
    "returns": {S.return_review},
    "verifications": {S.verifying},
}


class UnknownQueue(LookupError):
    pass


_DEADLINE_FIELDS = ("sign_by", "first_response_by", "reply_by", "return_by")


def countdowns(
    order: WorkOrder, *, now: datetime, calendar: WorkCalendar, policy: DeadlinePolicy
) -> dict[str, Countdown]:
    """Time left to each of the order's deadlines as of ``now``: working seconds on ``calendar``, or
    clock seconds for the deadlines ``compute_deadlines`` counts on the clock (an urgent order's
    signing and first response, and its reply when the centre sets ``urgent.reply_hours``)."""
    urgent = order.urgency == Urgency.urgent.value
    clock_fields = {"sign_by", "first_response_by"} if urgent else set()
    if urgent and policy.urgent.reply_hours is not None:
        clock_fields.add("reply_by")
    working_now = calendar.is_working_time(now)
    changes_at = calendar.next_change(now)
    out: dict[str, Countdown] = {}
    for name in _DEADLINE_FIELDS:
        deadline = getattr(order, name)
        if deadline is None:
            continue
        if name in clock_fields:
            out[name] = Countdown(seconds=round((deadline - now).total_seconds()), ticking=True, basis="clock")
        else:
            out[name] = Countdown(
                seconds=round(calendar.working_seconds_between(now, deadline)),
                ticking=working_now,
                basis="working",
                changes_at=changes_at,
            )
    return out


def deadlines_of(order: WorkOrder, *, now: datetime, calendar: WorkCalendar, policy: DeadlinePolicy) -> Deadlines:
    """An order's deadlines, card and countdowns as of ``now`` (for the lifecycle view and queue rows)."""
    return Deadlines(
        dispatched_at=order.dispatched_at,
        sign_by=order.sign_by,
        first_response_by=order.first_response_by,
        reply_by=order.reply_by,
        return_by=order.return_by,
        out_of_hours=order.out_of_hours,
        card=order.card,
        as_of=now,
        remaining=countdowns(order, now=now, calendar=calendar, policy=policy),
    )


def queue_deadlines(*, session: Session, orders: Sequence[WorkOrder], now: datetime) -> dict[int, Deadlines]:
    """Deadlines of every row of a queue with one calendar and policy load, so a list needs no
    per-row lifecycle request."""
    calendar, policy = load_calendar(session=session), load_policy(session=session)
    return {o.id: deadlines_of(o, now=now, calendar=calendar, policy=policy) for o in orders}


def lifecycle_view(
    *, session: Session, principal: Principal, order: WorkOrder, now: datetime | None = None
) -> LifecycleOut:
    now = now or utcnow()
    calendar = load_calendar(session=session)
    policy = load_policy(session=session)
    assignments = active_assignments(session=session, order_id=order.id)
    ids = {a.workstation_id for a in assignments}
    names = dict(session.execute(select(Workstation.id, Workstation.name).where(Workstation.id.in_(ids))).all())
    units = [
        {"workstation_id": a.workstation_id, "name": names.get(a.workstation_id), "role": a.role} for a in assignments
    ]
    return LifecycleOut(
        order=to_out(order, session=session),
        deadlines=deadlines_of(order, now=now, calendar=calendar, policy=policy),
        reopen_count=order.reopen_count,
        follow_up_attempts=order.follow_up_attempts,
        escalated=order.escalated,
        excluded=order.excluded,
        parent_id=order.parent_id,
        repeat_of_id=order.repeat_of_id,
        units=units,
        allowed_actions=[
            ActionOut(action=a, label=lbl, actor=who)
            for a, lbl, who in allowed_for(session=session, principal=principal, order=order)
        ],
    )


def queue(*, session: Session, principal: Principal, name: str, now: datetime | None = None) -> Sequence[WorkOrder]:
    """The orders in queue ``name`` within the principal's scope, oldest first."""
    if name not in QUEUES:
        raise UnknownQueue(f"未知队列 {name!r}；可用队列：{', '.join(QUEUES)}")
    now = now or utcnow()
    stmt = select(WorkOrder).where(visible_clause(principal)).order_by(WorkOrder.created_at, WorkOrder.id)
    if name in _BY_STATE:
        return session.scalars(stmt.where(WorkOrder.state.in_([s.value for s in _BY_STATE[name]]))).all()
    if name == "extensions":
        pending = select(ExtensionRequest.order_id).where(ExtensionRequest.status == "pending")
        return session.scalars(stmt.where(WorkOrder.id.in_(pending))).all()
    if name == "supervision":
        open_sup = select(Supervision.order_id).where(
            Supervision.reply_required.is_(True), Supervision.replied_at.is_(None)
        )
        return session.scalars(stmt.where(WorkOrder.id.in_(open_sup))).all()
    unit_orders = session.scalars(stmt.where(WorkOrder.state.in_([s.value for s in UNIT_STATES]))).all()
    if name == "sent_back":
        out = []
        for o in unit_orders:
            last = session.scalars(
                select(OrderHistory.action)
                .where(OrderHistory.order_id == o.id, OrderHistory.from_state != OrderHistory.to_state)
                .order_by(OrderHistory.id.desc())
            ).first()
            if last in ("send_back", "tier2_send_back"):
                out.append(o)
        return out
    calendar = load_calendar(session=session)
    wanted = "red" if name == "overdue" else "yellow"
    return [o for o in unit_orders if (c := card_for(o.reply_by, now, calendar)) is not None and c.value == wanted]


def rate_direct(*, session: Session, principal: Principal, order_id: int, body: RatingIn) -> FollowUp:
    """一次一评: the caller rates a directly resolved call once."""
    order = get_visible(session=session, principal=principal, order_id=order_id)
    direct = session.scalar(
        select(OrderHistory.id).where(OrderHistory.order_id == order.id, OrderHistory.action == "resolve_directly")
    )
    if direct is None:
        raise RuleViolation(
            "not_resolved_directly",
            f"工单 {order.number} 不是直办工单，满意度通过回访记录",
            state=order.state,
            state_label=OrderState(order.state).label,
        )
    if session.scalar(select(FollowUp.id).where(FollowUp.order_id == order.id, FollowUp.direct.is_(True))):
        raise RuleViolation("already_rated", f"工单 {order.number} 已评价（一次一评），不能重复评价")
    resolved = body.resolved if body.resolved is not None else body.outcome != "dissatisfied"
    row = FollowUp(
        order_id=order.id,
        at=utcnow(),
        agent_id=principal.id,
        outcome=body.outcome,
        resolved=resolved,
        direct=True,
        comment=body.comment,
    )
    session.add(row)
    # Touching the row bumps its version, so two ratings racing on one call cannot both land.
    order.updated_at = row.at
    session.flush()
    record_side_step(
        session=session,
        principal=principal,
        order=order,
        action="rate",
        comment=body.comment,
        data={"outcome": body.outcome, "resolved": resolved, "follow_up_id": row.id, "direct": True},
    )
    return row


def consultation_opinion(*, session: Session, principal: Principal, order_id: int, text: str) -> UnitOpinion:
    order = get_visible(session=session, principal=principal, order_id=order_id)
    invited = any(
        a.role == "consult" and a.workstation_id == principal.workstation_id
        for a in active_assignments(session=session, order_id=order.id)
    )
    if order.state != S.consulting.value or not invited:
        raise ActorNotAllowed(
            f"工单 {order.number} 当前为「{OrderState(order.state).label}」，或您所在单位未被邀请协商",
            state=order.state,
        )
    assert principal.workstation_id is not None
    op = UnitOpinion(
        order_id=order.id,
        workstation_id=principal.workstation_id,
        author_id=principal.id,
        kind="consultation",
        text=text,
    )
    session.add(op)
    session.flush()
    record_side_step(
        session=session,
        principal=principal,
        order=order,
        action="consult_opinion",
        comment=text,
        data={"opinion_id": op.id},
    )
    return op


def supervision_out(row: Supervision) -> SupervisionOut:
    return SupervisionOut(
        id=row.id,
        order_id=row.order_id,
        kind=row.kind,
        kind_label="督办单" if row.kind == "supervision" else "催办",
        level=row.level,
        deadline=row.deadline,
        reply_required=row.reply_required,
        note=row.note,
        workstation_id=row.workstation_id,
        created_at=row.created_at,
        reply=row.reply,
        replied_at=row.replied_at,
    )


def list_supervision(*, session: Session, order_id: int) -> Sequence[Supervision]:
    return session.scalars(select(Supervision).where(Supervision.order_id == order_id).order_by(Supervision.id)).all()


def reply_supervision(*, session: Session, principal: Principal, supervision_id: int, reply: str) -> Supervision:
    row = session.get(Supervision, supervision_id)
    if row is None:
        raise NotFound(f"督办单 {supervision_id} 不存在")
    order = get_visible(session=session, principal=principal, order_id=row.order_id)
    if not row.reply_required:
        raise RuleViolation("reply_not_required", "催办无需回复", status_code=422)
    if row.replied_at is not None:
        raise RuleViolation("already_replied", f"督办单 {row.id} 已于 {row.replied_at.isoformat()} 回复")
    if principal.workstation_id is None or principal.workstation_id != order.lead_unit_id:
        raise ActorNotAllowed("只有主办单位可以回复督办单")
    row.reply, row.replied_by_id, row.replied_at = reply, principal.id, utcnow()
    record_side_step(
        session=session,
        principal=principal,
        order=order,
        action="supervision_reply",
        comment=reply,
        data={"supervision_id": row.id, "on_time": row.deadline is None or row.replied_at <= row.deadline},
    )
    return row
