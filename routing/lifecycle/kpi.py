"""KPIs computed only from the recorded steps (``order_history``), with numerator and denominator
as lists of order ids so every figure can be drilled down to its orders. Definitions: docs/kpi.md."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.org.service import subtree_ids
from routing.orders.models import OrderHistory, WorkOrder

VALID_VERDICTS = ("follow_up_satisfied", "follow_up_mostly_satisfied", "follow_up_dissatisfied", "rate")
DISPATCHES = ("dispatch", "reassign")
DEFAULT_WEIGHTS = {"satisfied": 1.0, "mostly_satisfied": 1.0}


@dataclass
class Figure:
    label: str
    numerator: list[int] = field(default_factory=list)
    denominator: list[int] = field(default_factory=list)
    # For weighted figures (满意率) the numerator's value differs from its count.
    weighted_numerator: float | None = None
    count_only: bool = False  # a count (超期数), not a ratio

    def summary(self) -> dict[str, Any]:
        num = self.weighted_numerator if self.weighted_numerator is not None else len(self.numerator)
        if self.count_only:
            return {
                "label": self.label,
                "value": len(self.numerator),
                "numerator": len(self.numerator),
                "denominator": None,
            }
        den = len(self.denominator)
        return {
            "label": self.label,
            "numerator": num,
            "denominator": den,
            "value": None if den == 0 else round(num / den, 4),
        }


class UnknownMetric(LookupError):
    pass


@dataclass
class _Cycle:
    order_id: int
    reopen: bool
    deadline: datetime | None
    submissions: list[bool] = field(default_factory=list)  # on-time flag of each submitted reply
    accepted_on_time: bool = False
    dropped: bool = False  # reassigned away, withdrawn or merged before a reply was accepted
    closed: bool = False


def _aware(t: datetime) -> datetime:
    return t.replace(tzinfo=UTC) if t.tzinfo is None else t


def _parse(v: object) -> datetime | None:
    return datetime.fromisoformat(v) if isinstance(v, str) else None


def _cycles(rows: Sequence[OrderHistory]) -> list[_Cycle]:
    """Handling cycles of one order: the first from dispatch, another per reopening or re-dispatch.
    Each keeps the reply deadline in force (moved by send-backs and approved extensions)."""
    cycles: list[_Cycle] = []
    cur: _Cycle | None = None
    for r in rows:
        d = r.data or {}
        if r.action in DISPATCHES or r.action == "reopen":
            if cur is not None and not cur.closed:
                cur.dropped = True
            reopen = r.action == "reopen" or int(d.get("cycle") or 0) > 0
            cur = _Cycle(r.order_id, reopen, _parse(d.get("reply_by")))
            cycles.append(cur)
        elif cur is None:
            continue
        elif r.action in ("send_back", "approve_extension") and d.get("reply_by"):
            cur.deadline = _parse(d["reply_by"])
        elif r.action in ("reply", "tier2_approve"):
            cur.submissions.append(bool(d.get("on_time")))
        elif r.action in ("approve", "approve_and_close"):
            cur.accepted_on_time, cur.closed = bool(d.get("on_time")), True
        elif r.action in ("withdraw", "merge") and not cur.closed:
            cur.dropped = True
    return cycles


def due_cycles(rows: Sequence[OrderHistory], start: datetime, end: datetime) -> list[_Cycle]:
    """The handling cycles of one order that the on-time completion figures count for ``[start, end)``:
    not dropped, with their deadline in force inside the period."""
    return [c for c in _cycles(rows) if not c.dropped and c.deadline is not None and start <= c.deadline < end]


def _load(
    *, session: Session, end: datetime, workstation_id: int | None, category_l1: str | None
) -> dict[int, list[OrderHistory]]:
    stmt = (
        select(OrderHistory)
        .join(WorkOrder, WorkOrder.id == OrderHistory.order_id)
        .where(OrderHistory.at < end)
        .order_by(OrderHistory.order_id, OrderHistory.id)
    )
    if workstation_id is not None:
        stmt = stmt.where(WorkOrder.lead_unit_id.in_(subtree_ids(session=session, root_id=workstation_id)))
    if category_l1 is not None:
        stmt = stmt.where(WorkOrder.category_l1 == category_l1)
    by_order: dict[int, list[OrderHistory]] = defaultdict(list)
    for r in session.scalars(stmt):
        by_order[r.order_id].append(r)
    return by_order


def compute(
    *,
    session: Session,
    start: datetime,
    end: datetime,
    workstation_id: int | None = None,
    category_l1: str | None = None,
    weights: dict[str, float] | None = None,
) -> dict[str, Figure]:
    """Every KPI for events in ``[start, end)`` (UTC when naive) over orders led by ``workstation_id``'s
    subtree and/or of ``category_l1``."""
    start, end = _aware(start), _aware(end)
    w = {**DEFAULT_WEIGHTS, **(weights or {})}
    f = {
        "direct_resolution_rate": Figure("直办率"),
        "on_time_sign_rate": Figure("按时签收率"),
        "on_time_completion_rate": Figure("按时办结率"),
        "on_time_completion_rate_reopened": Figure("按时办结率（重办）"),
        "resolution_rate": Figure("解决率"),
        "follow_up_rate": Figure("回访率"),
        "satisfaction_rate": Figure("满意率", weighted_numerator=0.0),
        "return_rate_requested": Figure("退单率（申请）"),
        "return_rate_upheld": Figure("退单率（成立）"),
        "dispatch_accuracy": Figure("派单准确率"),
        "extension_rate": Figure("延期率"),
        "overdue_count": Figure("超期数", count_only=True),
        "repeat_rate": Figure("重复诉求率"),
    }
    for order_id, rows in _load(
        session=session, end=end, workstation_id=workstation_id, category_l1=category_l1
    ).items():
        excluded = {r.data.get("follow_up_id") for r in rows if r.action == "exclude"}
        verdict_cycles = {int(r.data.get("cycle") or 0) for r in rows if r.action in VALID_VERDICTS[:3]}
        for r in rows:
            if r.at < start:
                continue
            d = r.data or {}
            a = r.action
            if a == "accept":
                f["direct_resolution_rate"].denominator.append(order_id)
                f["repeat_rate"].denominator.append(order_id)
            elif a == "resolve_directly":
                f["direct_resolution_rate"].numerator.append(order_id)
            elif a == "link_repeat":
                f["repeat_rate"].numerator.append(order_id)
            elif a == "sign":
                f["on_time_sign_rate"].denominator.append(order_id)
                if d.get("on_time"):
                    f["on_time_sign_rate"].numerator.append(order_id)
            elif a in DISPATCHES:
                for key in (
                    "return_rate_requested",
                    "return_rate_upheld",
                    "dispatch_accuracy",
                    "extension_rate",
                ):
                    f[key].denominator.append(order_id)
                if a == "reassign":
                    f["return_rate_upheld"].numerator.append(order_id)
            elif a == "return":
                f["return_rate_requested"].numerator.append(order_id)
            elif a == "approve_extension":
                f["extension_rate"].numerator.append(order_id)
            elif a == "approve":
                f["follow_up_rate"].denominator.append(order_id)
                if int(d.get("cycle") or 0) in verdict_cycles:
                    f["follow_up_rate"].numerator.append(order_id)
            if a in VALID_VERDICTS:
                outcome = d.get("outcome")
                if outcome == "dissatisfied" and d.get("follow_up_id") in excluded:
                    continue  # 考核剔除: the verdict is kept on the order but not assessed
                f["satisfaction_rate"].denominator.append(order_id)
                f["resolution_rate"].denominator.append(order_id)
                if outcome in w:
                    f["satisfaction_rate"].numerator.append(order_id)
                    f["satisfaction_rate"].weighted_numerator = (f["satisfaction_rate"].weighted_numerator or 0.0) + w[
                        outcome
                    ]
                if d.get("resolved"):
                    f["resolution_rate"].numerator.append(order_id)
        for c in due_cycles(rows, start, end):
            key = "on_time_completion_rate_reopened" if c.reopen else "on_time_completion_rate"
            f[key].denominator.append(order_id)
            if c.accepted_on_time:
                f[key].numerator.append(order_id)
            if not any(c.submissions):
                f["overdue_count"].numerator.append(order_id)
    acc = f["dispatch_accuracy"]
    upheld = list(f["return_rate_upheld"].numerator)
    acc.numerator = list(acc.denominator)
    for oid in upheld:  # 派单准确率 = 1 − upheld returns ÷ dispatches
        acc.numerator.remove(oid)
    return f


def pick(figures: dict[str, Figure], metric: str) -> Figure:
    try:
        return figures[metric]
    except KeyError:
        raise UnknownMetric(f"未知指标 {metric!r}；可用指标：{', '.join(figures)}") from None
