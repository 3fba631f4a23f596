"""The counters and windows that guard some transitions, with the centre's configurable values."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from routing.deadlines.calendar import WorkCalendar

# Standard reasons a reviewer gives when sending a reply back (审核退回); the centre edits the list.
DEFAULT_REVIEW_REASONS: tuple[str, ...] = (
    "未联系诉求人",
    "答非所问",
    "推诿",
    "超范围",
    "证据不足",
    "答复不规范",
    "办理结果不明确",
)


@dataclass(frozen=True, slots=True)
class LifecycleRules:
    max_reopens: int = 2
    max_follow_up_attempts: int = 3
    # A unit may return (退单) an order this long after dispatch, in working days.
    return_window_working_days: int = 1
    review_reasons: tuple[str, ...] = DEFAULT_REVIEW_REASONS


@dataclass(frozen=True, slots=True)
class OrderFacts:
    """What the guarded transitions need to know about the order; the caller reads it from the row.

    Defaults describe a plain order with nothing counted yet and no window set.
    """

    follow_up_due: bool = True  # False for anonymous orders
    follow_up_attempts: int = 0  # unreached follow-up calls recorded so far
    reopen_count: int = 0
    tier3_allowed: bool = True  # False when the catalogue entry is for a functional department
    return_deadline: datetime | None = None  # from ``return_deadline``; None: no window recorded
    now: datetime | None = None


def return_deadline(dispatched_at: datetime, *, calendar: WorkCalendar, rules: LifecycleRules) -> datetime:
    """Until when the unit may return an order dispatched at ``dispatched_at``."""
    return calendar.add_working_days(dispatched_at, rules.return_window_working_days)


class InvalidReason(ValueError):
    status_code = 422


def check_reason(reason: str | None, *, allowed: tuple[str, ...] | None = None) -> str:
    """A send-back must cite one of ``allowed``; a return needs any non-empty reason."""
    text = (reason or "").strip()
    if not text:
        raise InvalidReason("必须填写原因")
    if allowed is not None and text not in allowed:
        raise InvalidReason(f"原因「{text}」不在标准原因中，可选：{'、'.join(allowed)}")
    return text
