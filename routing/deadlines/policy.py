"""Deadline defaults by request type × urgency, the centre's configuration of them, per-catalogue
overrides, and the helpers that move a deadline (extension, send-back, reopen).

Normal orders run on working time from the calendar; urgent (紧急) orders run on clock time for signing
and the first response, because a burst main at 22:00 cannot wait for Monday — out of hours they go
to the unit's duty contact (``Deadlines.out_of_hours``). Their final reply keeps the type's
working-day deadline unless the centre sets ``urgent.reply_hours`` (clock hours).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from pydantic import BaseModel, ConfigDict, Field

from routing.deadlines.calendar import WorkCalendar
from routing.orders.enums import RequestType, Urgency


class TypeRule(BaseModel):
    """``None`` means no deadline of that kind (表扬 by default)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    reply_working_days: int | None = Field(default=None, ge=1)
    sign_working_hours: float | None = Field(default=None, gt=0)


class UrgentRule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    sign_minutes: int = Field(default=30, ge=1)
    first_response_minutes: int = Field(default=120, ge=1)
    reply_hours: float | None = Field(default=None, gt=0)


def _default_rules() -> dict[RequestType, TypeRule]:
    three = TypeRule(reply_working_days=3, sign_working_hours=1)
    five = TypeRule(reply_working_days=5, sign_working_hours=1)
    return {
        RequestType.enquiry: three,
        RequestType.help_request: three,
        RequestType.complaint: five,
        RequestType.tip_off: five,
        RequestType.suggestion: five,
        RequestType.praise: TypeRule(),
    }


class DeadlinePolicy(BaseModel):
    """The centre's deadline configuration; stored as JSON (``DeadlineSettings.policy``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    rules: dict[RequestType, TypeRule] = Field(default_factory=_default_rules)
    urgent: UrgentRule = Field(default_factory=UrgentRule)
    extension_max_working_days: int = Field(default=5, ge=1)
    extension_max_requests: int = Field(default=1, ge=0)
    send_back_working_days: int = Field(default=2, ge=1)
    # None: a reopened order gets the type's full reply deadline again.
    reopen_working_days: int | None = Field(default=None, ge=1)

    def rule(self, request_type: RequestType | str) -> TypeRule:
        rt = RequestType(request_type)
        # A centre config that leaves a type out keeps the product default for it.
        return self.rules.get(rt) or _default_rules()[rt]


class DeadlineOverride(BaseModel):
    """A dispatch-catalogue entry's deadlines; ``None`` fields inherit the centre policy."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    reply_working_days: int | None = Field(default=None, ge=1)
    sign_working_hours: float | None = Field(default=None, gt=0)
    urgent_sign_minutes: int | None = Field(default=None, ge=1)
    urgent_first_response_minutes: int | None = Field(default=None, ge=1)


@dataclass(frozen=True, slots=True)
class Deadlines:
    sign_by: datetime | None
    first_response_by: datetime | None
    reply_by: datetime | None
    # An urgent order accepted outside working hours goes to the unit's duty contact (值班).
    out_of_hours: bool = False


def compute_deadlines(
    accepted_at: datetime,
    request_type: RequestType | str,
    urgency: Urgency | str,
    *,
    calendar: WorkCalendar,
    policy: DeadlinePolicy,
    override: DeadlineOverride | None = None,
) -> Deadlines:
    """Deadlines counted from ``accepted_at`` (pass the dispatch time when re-dispatching)."""
    start = calendar.local(accepted_at)
    rule = policy.rule(request_type)
    ov = override or DeadlineOverride()
    reply_days = ov.reply_working_days if ov.reply_working_days is not None else rule.reply_working_days
    sign_hours = ov.sign_working_hours if ov.sign_working_hours is not None else rule.sign_working_hours
    if sign_hours is None and reply_days is not None:
        sign_hours = 1.0  # a type given a reply deadline by an override must also be signed for
    reply_by = calendar.add_working_days(start, reply_days) if reply_days is not None else None

    if Urgency(urgency) is Urgency.urgent:
        sign_min = ov.urgent_sign_minutes or policy.urgent.sign_minutes
        first_min = ov.urgent_first_response_minutes or policy.urgent.first_response_minutes
        if policy.urgent.reply_hours is not None:
            reply_by = start + timedelta(hours=policy.urgent.reply_hours)
        return Deadlines(
            sign_by=start + timedelta(minutes=sign_min),
            first_response_by=start + timedelta(minutes=first_min),
            reply_by=reply_by,
            out_of_hours=not calendar.is_working_time(start),
        )
    sign_by = calendar.add_working_hours(start, sign_hours) if sign_hours is not None else None
    return Deadlines(sign_by=sign_by, first_response_by=None, reply_by=reply_by)


class ExtensionNotAllowed(ValueError):
    """A 延期 request the rules refuse; the message names the offending value."""


def check_extension(
    *,
    deadline: datetime | None,
    requested_at: datetime,
    working_days: int,
    previous_requests: int,
    policy: DeadlinePolicy,
) -> None:
    if deadline is None:
        raise ExtensionNotAllowed("该工单没有办理时限，无需延期")
    if previous_requests >= policy.extension_max_requests:
        raise ExtensionNotAllowed(f"已申请延期 {previous_requests} 次，最多 {policy.extension_max_requests} 次")
    if requested_at >= deadline:
        raise ExtensionNotAllowed(
            f"延期须在时限 {deadline.isoformat()} 之前申请，申请时间 {requested_at.isoformat()} 已超期"
        )
    if not 1 <= working_days <= policy.extension_max_working_days:
        raise ExtensionNotAllowed(
            f"延期天数 {working_days} 无效：须为 1 至 {policy.extension_max_working_days} 个工作日"
        )


def extend_deadline(deadline: datetime, working_days: int, *, calendar: WorkCalendar) -> datetime:
    """An approved extension moves the deadline in force by ``working_days`` of working time."""
    return calendar.add_working_days(deadline, working_days)


def send_back_deadline(
    sent_back_at: datetime,
    *,
    calendar: WorkCalendar,
    policy: DeadlinePolicy,
    working_days: int | None = None,
) -> datetime:
    """New reply deadline after a reviewer sends a reply back (the reviewer may set the days)."""
    days = policy.send_back_working_days if working_days is None else working_days
    if days < 1:
        raise ValueError(f"send-back deadline must be at least 1 working day, got {days}")
    return calendar.add_working_days(sent_back_at, days)


def reopen_deadline(
    reopened_at: datetime,
    request_type: RequestType | str,
    *,
    calendar: WorkCalendar,
    policy: DeadlinePolicy,
    override: DeadlineOverride | None = None,
) -> datetime | None:
    """New reply deadline for a reopened (重办) order, counted from the reopening."""
    days = policy.reopen_working_days
    if days is None:
        days = override.reply_working_days if override and override.reply_working_days else None
    if days is None:
        days = policy.rule(request_type).reply_working_days
    return calendar.add_working_days(reopened_at, days) if days is not None else None
