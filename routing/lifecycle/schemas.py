"""Request bodies per action (each forbids unknown fields) and the lifecycle views of an order."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from routing.lifecycle.transitions import TRANSITIONS, UnknownAction
from routing.orders.schemas import OrderOut

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class ActionBase(BaseModel):
    """Every action carries the ``version`` the user saw (optimistic locking)."""

    model_config = ConfigDict(extra="forbid")

    version: int = Field(ge=1)
    comment: Text | None = None
    attachment_ids: list[int] = Field(default_factory=list, max_length=20)


class WithReason(ActionBase):
    reason: Reason


class WithText(ActionBase):
    comment: Text


class ResolveDirectlyIn(ActionBase):
    passage_id: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]


class ConsultIn(ActionBase):
    unit_ids: list[int] = Field(min_length=1, max_length=10)


class DispatchIn(ActionBase):
    lead_unit_id: int
    assisting_unit_ids: list[int] = Field(default_factory=list, max_length=10)


class DelegateIn(ActionBase):
    delegate_to: int


class MergeIn(ActionBase):
    parent_id: int


class SendBackIn(ActionBase):
    reason: Reason
    days: int | None = Field(default=None, ge=1, le=30)


class FollowUpIn(ActionBase):
    # Asked separately from satisfaction (问题是否解决); unset: counted as resolved when satisfied.
    resolved: bool | None = None


class ExtensionIn(ActionBase):
    days: int = Field(ge=1, le=30)
    reason: Reason


class ExtensionDecisionIn(ActionBase):
    reason: Reason | None = None


class SuperviseIn(ActionBase):
    level: int = Field(ge=1, le=3)
    days: int = Field(ge=1, le=30, description="working days the unit has to reply")
    comment: Text


class LinkRepeatIn(ActionBase):
    open_order_id: int


_BODIES: dict[str, type[ActionBase]] = {
    "resolve_directly": ResolveDirectlyIn,
    "decline": WithReason,
    "withdraw": WithReason,
    "consult": ConsultIn,
    "dispatch": DispatchIn,
    "reassign": DispatchIn,
    "merge": MergeIn,
    "return": WithReason,
    "delegate": DelegateIn,
    "tier3_reply": WithText,
    "tier2_send_back": WithReason,
    "reply": WithText,
    "send_back": SendBackIn,
    "follow_up_satisfied": FollowUpIn,
    "follow_up_mostly_satisfied": FollowUpIn,
    "follow_up_dissatisfied": FollowUpIn,
    "exclude": WithText,
    "assist_opinion": WithText,
    "request_extension": ExtensionIn,
    "reject_extension": ExtensionDecisionIn,
    "approve_extension": ExtensionDecisionIn,
    "supervise": SuperviseIn,
    "link_repeat": LinkRepeatIn,
}


def parse_action(action: str, body: dict[str, Any]) -> ActionBase:
    """Validate ``body`` with the model for ``action``; raises ``UnknownAction`` or ``ValidationError``."""
    if action not in TRANSITIONS:
        raise UnknownAction(f"未知操作 {action!r}；可用操作：{', '.join(TRANSITIONS)}", action=action)
    return _BODIES.get(action, ActionBase).model_validate(body)


class RatingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    outcome: Annotated[str, StringConstraints(pattern="^(satisfied|mostly_satisfied|dissatisfied)$")]
    resolved: bool | None = None
    comment: Text | None = None


class OpinionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: Text


class SupervisionReplyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reply: Text


class ActionOut(BaseModel):
    action: str
    label: str
    actor: str


class Countdown(BaseModel):
    """Time left to one deadline as of ``Deadlines.as_of``: working seconds on the centre's calendar,
    or clock seconds (``basis="clock"``) for urgent orders' signing and first response. Negative when
    overdue. ``ticking``: whether that time is running right now (false outside working hours), so a
    client counts down between refreshes only while it is true."""

    seconds: int
    ticking: bool
    basis: Literal["working", "clock"]
    # When ``ticking`` next flips (end of the working period, or the next one's opening); None on the clock.
    changes_at: datetime | None = None


class Deadlines(BaseModel):
    dispatched_at: datetime | None
    sign_by: datetime | None
    first_response_by: datetime | None
    reply_by: datetime | None
    return_by: datetime | None
    out_of_hours: bool
    card: str | None
    as_of: datetime
    # Keyed by deadline name (sign_by, first_response_by, reply_by, return_by); only the deadlines set.
    remaining: dict[str, Countdown] = Field(default_factory=dict)


class QueueItemOut(OrderOut):
    """A queue row: the order and what its row shows (countdown, card) without a lifecycle request."""

    deadlines: Deadlines


class LifecycleOut(BaseModel):
    order: OrderOut
    deadlines: Deadlines
    reopen_count: int
    follow_up_attempts: int
    escalated: bool
    excluded: bool
    parent_id: int | None
    repeat_of_id: int | None
    units: list[dict[str, Any]]
    allowed_actions: list[ActionOut]


class SupervisionOut(BaseModel):
    id: int
    order_id: int
    kind: str
    kind_label: str
    level: int | None
    deadline: datetime | None
    reply_required: bool
    note: str | None
    workstation_id: int | None
    created_at: datetime
    reply: str | None
    replied_at: datetime | None


class CalendarDayIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    day: date
    kind: Annotated[str, StringConstraints(pattern="^(holiday|makeup_workday|normal)$")]
    name: Annotated[str, StringConstraints(max_length=64)] = ""


class CalendarIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    days: list[CalendarDayIn] = Field(default_factory=list, max_length=400)
    working_hours: list[list[str]] | None = None
