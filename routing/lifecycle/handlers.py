"""Side effects per action: deadlines, assignments and side records. Each handler runs after the
state machine has admitted the step and before it is recorded; it may still refuse (4xx) and fills
``step.data``, which goes into the history entry and the event."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select

from hotline.org.models import DutyRosterEntry, Workstation
from routing.catalogue.service import RuleSnapshot, match_rule, snapshot_rules
from routing.deadlines.policy import (
    DeadlineOverride,
    compute_deadlines,
    send_back_deadline,
)
from routing.lifecycle import schemas as s
from routing.lifecycle.flows import Step, active_assignments
from routing.lifecycle.rules import InvalidReason, check_reason, return_deadline
from routing.lifecycle.states import OrderState
from routing.lifecycle.transitions import RuleViolation
from routing.orders.models import OrderAssignment, OrderHistory, WorkOrder
from routing.orders.service import InvalidReference

Handler = Callable[[Step], None]
HANDLERS: dict[str, Handler] = {}


def handles(*actions: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        for a in actions:
            HANDLERS[a] = fn
        return fn

    return register


def iso(t: datetime | None) -> str | None:
    return None if t is None else t.isoformat()


def _unit(step: Step, unit_id: int, *, what: str) -> Workstation:
    ws = step.session.get(Workstation, unit_id)
    if ws is None or not ws.active:
        raise InvalidReference(f"{what} {unit_id} 不存在或已停用")
    return ws


def deactivate(step: Step, *roles: str) -> None:
    for a in active_assignments(session=step.session, order_id=step.order.id):
        if not roles or a.role in roles:
            a.active = False
            step.notify_units.add(a.workstation_id)


def _assign(step: Step, unit_id: int, role: str) -> None:
    step.session.add(OrderAssignment(order_id=step.order.id, workstation_id=unit_id, role=role, created_at=step.now))


# ---- intake and dispatch ----------------------------------------------------------------------------
@handles("resolve_directly")
def _resolve_directly(step: Step) -> None:
    assert isinstance(step.body, s.ResolveDirectlyIn)
    step.data["passage_id"] = step.body.passage_id  # the KB passage the agent answered from


@handles("decline", "withdraw")
def _decline(step: Step) -> None:
    assert isinstance(step.body, s.WithReason)
    # The units keep their assignment: a withdrawn order stays readable to whoever handled it.
    step.data["reason"] = step.body.reason


@handles("consult")
def _consult(step: Step) -> None:
    assert isinstance(step.body, s.ConsultIn)
    deactivate(step)
    for uid in dict.fromkeys(step.body.unit_ids):
        _unit(step, uid, what="协商单位")
        _assign(step, uid, "consult")
    step.data["unit_ids"] = list(dict.fromkeys(step.body.unit_ids))


def catalogue_entry(step: Step) -> RuleSnapshot | None:
    """The dispatch-catalogue entry for the order's category (the same match dispatch suggestion uses)."""
    o = step.order
    if not o.category_l1:
        return None
    match = match_rule(
        snapshot_rules(session=step.session),
        category=(o.category_l1, o.category_l2, o.category_l3),
        region_code=o.region_code,
        text=f"{o.subject}\n{o.description}",
    )
    return None if match is None else match.rule


@handles("dispatch", "reassign")
def _dispatch(step: Step) -> None:
    assert isinstance(step.body, s.DispatchIn)
    order, body = step.order, step.body
    lead = _unit(step, body.lead_unit_id, what="主办单位")
    if lead.tier != 2:
        raise InvalidReference(f"主办单位 {lead.name} 是 {lead.tier} 级工作站；中心只派单到二级工作站")
    if step.action == "reassign" and lead.id == order.lead_unit_id:
        raise InvalidReference(f"改派须换一个主办单位，{lead.name} 已是本单主办单位")
    assisting = list(dict.fromkeys(u for u in body.assisting_unit_ids if u != lead.id))
    for uid in assisting:
        _unit(step, uid, what="协办单位")
    deactivate(step)
    _assign(step, lead.id, "lead")
    for uid in assisting:
        _assign(step, uid, "assist")
    entry = catalogue_entry(step)
    override = None
    if entry is not None and entry.reply_days is not None:
        override = DeadlineOverride(reply_working_days=entry.reply_days)
    d = compute_deadlines(
        step.now,
        order.request_type,
        order.urgency,
        calendar=step.calendar,
        policy=step.policy,
        override=override,
    )
    order.lead_unit_id = lead.id
    order.dispatched_at = step.now
    order.sign_by, order.first_response_by, order.reply_by = d.sign_by, d.first_response_by, d.reply_by
    order.out_of_hours = d.out_of_hours
    order.return_by = return_deadline(step.now, calendar=step.calendar, rules=step.rules)
    order.card = None
    step.data.update(
        lead_unit_id=lead.id,
        assisting_unit_ids=assisting,
        sign_by=iso(d.sign_by),
        first_response_by=iso(d.first_response_by),
        reply_by=iso(d.reply_by),
        out_of_hours=d.out_of_hours,
        cycle=order.reopen_count,
    )
    if entry is not None:
        # Kept on the step: the tier-3 guard and a reopening read the entry in force at dispatch.
        step.data.update(
            catalogue_rule_id=entry.id,
            catalogue_rule_version=entry.version,
            catalogue_functional=entry.functional,
            reply_days_override=entry.reply_days,
        )
    if step.action == "reassign":
        step.data["return_upheld"] = True  # the centre agreed with the unit: the dispatch was wrong
    if d.out_of_hours:
        duty = step.session.scalars(select(DutyRosterEntry).where(DutyRosterEntry.workstation_id == lead.id)).first()
        step.data["duty_contact"] = None if duty is None else {"contact": duty.contact, "phone": duty.phone}


@handles("keep_dispatch")
def _keep_dispatch(step: Step) -> None:
    step.data["return_upheld"] = False


@handles("merge")
def _merge(step: Step) -> None:
    assert isinstance(step.body, s.MergeIn)
    parent = step.session.get(WorkOrder, step.body.parent_id)
    if parent is None or parent.id == step.order.id:
        raise InvalidReference(f"并单目标工单 {step.body.parent_id} 无效")
    if not OrderState(parent.state).is_open:
        raise InvalidReference(
            f"并单目标 {parent.number} 当前为「{OrderState(parent.state).label}」，只能并入未办结工单"
        )
    step.order.parent_id = parent.id
    deactivate(step)
    step.data.update(parent_id=parent.id, parent_number=parent.number)


@handles("split")
def _split(step: Step) -> None:
    step.data["former_parent_id"] = step.order.parent_id
    step.order.parent_id = None


@handles("link_repeat")
def _link_repeat(step: Step) -> None:
    assert isinstance(step.body, s.LinkRepeatIn)
    target = step.session.get(WorkOrder, step.body.open_order_id)
    if target is None or target.id == step.order.id or not OrderState(target.state).is_open:
        raise InvalidReference(f"重复诉求须关联到另一张未办结工单，{step.body.open_order_id} 不符合")
    step.order.repeat_of_id = target.id
    step.data.update(open_order_id=target.id, open_order_number=target.number)


# ---- the unit -------------------------------------------------------------------------------------
@handles("sign")
def _sign(step: Step) -> None:
    deadline = step.order.sign_by
    step.data.update(sign_by=iso(deadline), on_time=deadline is None or step.now <= deadline)


@handles("return", "tier2_send_back")
def _reason(step: Step) -> None:
    assert isinstance(step.body, s.WithReason)
    step.data["reason"] = step.body.reason


@handles("delegate")
def _delegate(step: Step) -> None:
    assert isinstance(step.body, s.DelegateIn)
    target = _unit(step, step.body.delegate_to, what="三级工作站")
    if target.tier != 3 or target.parent_id != step.order.lead_unit_id:
        raise InvalidReference(f"{target.name} 不是本单主办单位下属的三级工作站，不能下派")
    _assign(step, target.id, "delegate")
    step.data["delegate_to"] = target.id


@handles("recall")
def _recall(step: Step) -> None:
    deactivate(step, "delegate")


@handles("tier2_approve", "reply")
def _submit(step: Step) -> None:
    deadline = step.order.reply_by
    step.data.update(
        reply_by=iso(deadline),
        on_time=deadline is None or step.now <= deadline,
        cycle=step.order.reopen_count,
    )
    if step.action == "tier2_approve":
        deactivate(step, "delegate")


# ---- centre review --------------------------------------------------------------------------------
def _last_submission(step: Step) -> OrderHistory | None:
    return step.session.scalars(
        select(OrderHistory)
        .where(OrderHistory.order_id == step.order.id, OrderHistory.action.in_(("reply", "tier2_approve")))
        .order_by(OrderHistory.id.desc())
    ).first()


@handles("approve", "approve_and_close")
def _approve(step: Step) -> None:
    sub = _last_submission(step)
    step.data.update(
        submitted_at=None if sub is None else sub.at.isoformat(),
        reply_by=None if sub is None else sub.data.get("reply_by"),
        on_time=bool(sub is not None and sub.data.get("on_time")),
        lead_unit_id=step.order.lead_unit_id,
        cycle=step.order.reopen_count,
    )


@handles("send_back")
def _send_back(step: Step) -> None:
    assert isinstance(step.body, s.SendBackIn)
    try:
        reason = check_reason(step.body.reason, allowed=step.rules.review_reasons)
    except InvalidReason as exc:
        raise RuleViolation(
            "invalid_reason", str(exc), status_code=422, allowed=list(step.rules.review_reasons)
        ) from None
    step.order.reply_by = send_back_deadline(
        step.now, calendar=step.calendar, policy=step.policy, working_days=step.body.days
    )
    step.order.card = None
    step.data.update(reason=reason, reply_by=iso(step.order.reply_by))


# Follow-up, verification and side records register themselves on import.
from routing.lifecycle import handlers_side as _side  # noqa: E402,F401
