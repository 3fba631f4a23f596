"""Handlers for follow-up, verification and the side records (extensions, opinions, supervision)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from hotline.audit import service as audit
from routing.deadlines.policy import (
    DeadlineOverride,
    ExtensionNotAllowed,
    check_extension,
    extend_deadline,
    reopen_deadline,
)
from routing.lifecycle import schemas as s
from routing.lifecycle.flows import Step, dispatch_data
from routing.lifecycle.handlers import deactivate, handles, iso
from routing.lifecycle.models import ExtensionRequest, FollowUp, Supervision, UnitOpinion
from routing.lifecycle.transitions import RuleViolation


# ---- follow-up and verification -------------------------------------------------------------------
def _follow_up(step: Step, outcome: str, resolved: bool | None = None) -> None:
    row = FollowUp(
        order_id=step.order.id,
        at=step.now,
        agent_id=step.principal.id,
        outcome=outcome,
        resolved=resolved,
        cycle=step.order.reopen_count,
        comment=step.body.comment,
    )
    step.session.add(row)
    step.session.flush()
    step.data.update(outcome=outcome, resolved=resolved, follow_up_id=row.id, cycle=step.order.reopen_count)


@handles("follow_up_satisfied", "follow_up_mostly_satisfied", "follow_up_dissatisfied")
def _verdict(step: Step) -> None:
    assert isinstance(step.body, s.FollowUpIn)
    outcome = step.action.removeprefix("follow_up_")
    resolved = step.body.resolved if step.body.resolved is not None else outcome != "dissatisfied"
    _follow_up(step, outcome, resolved)


@handles("follow_up_unreached")
def _unreached(step: Step) -> None:
    step.order.follow_up_attempts += 1
    _follow_up(step, "unreached")
    step.data["attempts"] = step.order.follow_up_attempts


@handles("follow_up_failed")
def _failed(step: Step) -> None:
    _follow_up(step, "failed")


@handles("reopen")
def _reopen(step: Step) -> None:
    order = step.order
    order.reopen_count += 1
    order.follow_up_attempts = 0
    days = dispatch_data(session=step.session, order_id=order.id).get("reply_days_override")
    override = DeadlineOverride(reply_working_days=days) if days else None
    order.reply_by = reopen_deadline(
        step.now, order.request_type, calendar=step.calendar, policy=step.policy, override=override
    )
    order.card = None
    step.data.update(
        verdict="reasonable",
        reopen_count=order.reopen_count,
        reply_by=iso(order.reply_by),
        cycle=order.reopen_count,
        lead_unit_id=order.lead_unit_id,
    )


@handles("escalate")
def _escalate(step: Step) -> None:
    order = step.order
    order.escalated = True
    deactivate(step)
    sup = Supervision(
        order_id=order.id,
        kind="supervision",
        level=2,
        reply_required=True,
        deadline=step.calendar.add_working_days(step.now, step.policy.send_back_working_days),
        note=step.body.comment or "重办两次仍不满意，提级办理",
        created_by_id=step.principal.id,
        created_at=step.now,
    )
    step.session.add(sup)
    step.session.flush()
    step.data.update(verdict="reasonable", escalated=True, supervision_id=sup.id)


@handles("exclude")
def _exclude(step: Step) -> None:
    order = step.order
    order.excluded = True
    last = step.session.scalars(
        select(FollowUp)
        .where(FollowUp.order_id == order.id, FollowUp.outcome == "dissatisfied")
        .order_by(FollowUp.id.desc())
    ).first()
    detail: dict[str, Any] = {
        "number": order.number,
        "verdict": "unreasonable",
        "comment": step.body.comment,
        "follow_up_id": None if last is None else last.id,
    }
    audit.record(
        session=step.session,
        actor_id=step.principal.id,
        action="assessment_exclusion",
        target_type="work_order",
        target_id=order.id,
        detail=detail,
    )
    step.data.update(verdict="unreasonable", excluded=True, follow_up_id=detail["follow_up_id"])


# ---- side records ---------------------------------------------------------------------------------
@handles("assist_opinion")
def _assist(step: Step) -> None:
    assert step.principal.workstation_id is not None and step.body.comment
    op = UnitOpinion(
        order_id=step.order.id,
        workstation_id=step.principal.workstation_id,
        author_id=step.principal.id,
        kind="assist",
        text=step.body.comment,
        at=step.now,
    )
    step.session.add(op)
    step.session.flush()
    step.data["opinion_id"] = op.id


@handles("request_extension")
def _request_extension(step: Step) -> None:
    assert isinstance(step.body, s.ExtensionIn)
    previous = (
        step.session.scalar(
            select(func.count()).select_from(ExtensionRequest).where(ExtensionRequest.order_id == step.order.id)
        )
        or 0
    )
    try:
        check_extension(
            deadline=step.order.reply_by,
            requested_at=step.now,
            working_days=step.body.days,
            previous_requests=previous,
            policy=step.policy,
        )
    except ExtensionNotAllowed as exc:
        raise RuleViolation("extension_not_allowed", str(exc), status_code=422) from None
    req = ExtensionRequest(
        order_id=step.order.id,
        workstation_id=step.principal.workstation_id,
        requested_by_id=step.principal.id,
        requested_at=step.now,
        working_days=step.body.days,
        reason=step.body.reason,
        deadline_before=step.order.reply_by,
    )
    step.session.add(req)
    step.session.flush()
    step.data.update(extension_id=req.id, days=step.body.days, reason=step.body.reason)


@handles("approve_extension", "reject_extension")
def _decide_extension(step: Step) -> None:
    assert isinstance(step.body, s.ExtensionDecisionIn)
    req = step.session.scalars(
        select(ExtensionRequest).where(ExtensionRequest.order_id == step.order.id, ExtensionRequest.status == "pending")
    ).first()
    if req is None:
        raise RuleViolation("no_pending_extension", f"工单 {step.order.number} 没有待审核的延期申请")
    req.decided_by_id, req.decided_at, req.decision_comment = step.principal.id, step.now, step.body.reason
    if step.action == "approve_extension":
        assert step.order.reply_by is not None
        req.status = "approved"
        req.new_deadline = step.order.reply_by = extend_deadline(
            step.order.reply_by, req.working_days, calendar=step.calendar
        )
        step.order.card = None
    else:
        req.status = "rejected"
    step.data.update(
        extension_id=req.id,
        days=req.working_days,
        reply_by=iso(step.order.reply_by),
        reason=step.body.reason,
    )


@handles("remind", "supervise")
def _supervision(step: Step) -> None:
    order = step.order
    if step.action == "supervise":
        assert isinstance(step.body, s.SuperviseIn)
        sup = Supervision(
            order_id=order.id,
            kind="supervision",
            level=step.body.level,
            reply_required=True,
            deadline=step.calendar.add_working_days(step.now, step.body.days),
            note=step.body.comment,
            workstation_id=order.lead_unit_id,
            created_by_id=step.principal.id,
            created_at=step.now,
        )
    else:
        sup = Supervision(
            order_id=order.id,
            kind="reminder",
            reply_required=False,
            note=step.body.comment,
            workstation_id=order.lead_unit_id,
            created_by_id=step.principal.id,
            created_at=step.now,
        )
    step.session.add(sup)
    step.session.flush()
    step.data.update(
        supervision_id=sup.id,
        kind=sup.kind,
        level=sup.level,
        deadline=iso(sup.deadline),
        reply_required=sup.reply_required,
    )
