"""KPIs computed only from the recorded steps (``order_history``), with numerator and denominator
as lists of order ids so every figure can be drilled down to its orders. Definitions: docs/kpi.md."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from math import ceil
from typing import Any, NamedTuple

from annotated_types import Le
from pydantic import BaseModel
from sqlalchemy import TIMESTAMP, ColumnElement, cast, func, select, union
from sqlalchemy.orm import Session

from hotline.org.service import subtree_ids
from routing.catalogue.models import CatalogueRule
from routing.catalogue.schemas import RuleIn
from routing.deadlines.policy import DeadlinePolicy
from routing.deadlines.service import load_policy
from routing.lifecycle.schemas import ExtensionIn, SendBackIn
from routing.orders.models import OrderHistory, WorkOrder

VALID_VERDICTS = ("follow_up_satisfied", "follow_up_mostly_satisfied", "follow_up_dissatisfied", "rate")
DISPATCHES = ("dispatch", "reassign")
# The steps whose ``reply_by`` sets a handling cycle's deadline in force (``_cycles``); every one of
# them records the deadline it set in its data.
DEADLINE_ACTIONS = (*DISPATCHES, "reopen", "send_back", "approve_extension")
DEFAULT_WEIGHTS = {"satisfied": 1.0, "mostly_satisfied": 1.0}


class HistoryRow(NamedTuple):
    """The columns of ``order_history`` the figures read (plain tuples: no ORM identity map at scale),
    with the order's lead unit, which the board groups by."""

    order_id: int
    action: str
    at: datetime
    data: dict[str, Any]
    lead_unit_id: int | None


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


def _cycles(rows: Sequence[HistoryRow]) -> list[_Cycle]:
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


def due_cycles(rows: Sequence[HistoryRow], start: datetime, end: datetime) -> list[_Cycle]:
    """The handling cycles of one order that the on-time completion figures count for ``[start, end)``:
    not dropped, with their deadline in force inside the period."""
    return [c for c in _cycles(rows) if not c.dropped and c.deadline is not None and start <= c.deadline < end]


def _schema_max(model: type[BaseModel], name: str) -> int:
    """The ``le`` bound a request schema puts on a field (also inside ``Annotated[...] | None``)."""
    info = model.model_fields[name]
    metadata = list(info.metadata)
    for arg in getattr(info.annotation, "__args__", ()):
        metadata.extend(getattr(arg, "__metadata__", ()))
    for m in metadata:
        metadata.extend(getattr(m, "metadata", ()))  # a Field(...) nested in Annotated
    bounds = [m.le for m in metadata if isinstance(m, Le) and isinstance(m.le, int)]
    assert bounds, f"{model.__name__}.{name} has no upper bound; the KPI period selection needs one"
    return max(bounds)


def deadline_lookback(policy: DeadlinePolicy, catalogue_max_days: int | None = None) -> timedelta:
    """How long before a handling cycle's deadline in force the step that set it can lie.

    The step is a dispatch/reassign/reopen (the type's reply days, a catalogue entry's ``reply_days``, or
    ``urgent.reply_hours`` of clock time), a send-back (reviewer's days) or an approved extension. An
    extension moves a deadline that was set before it was requested, so the chain adds up: the base
    deadline plus every extension allowed. Working days become calendar days at 7 per 5, plus 30 days of
    holidays per 250 working days (China's statutory holidays are 13 days a year, the longest break 9).
    Where the days come from a request schema, its bound is read from the schema itself, so raising a
    bound there widens this window."""
    base = max(
        *(r.reply_working_days or 0 for r in policy.rules.values()),
        policy.reopen_working_days or 0,
        policy.send_back_working_days,
        _schema_max(SendBackIn, "days"),
        _schema_max(RuleIn, "reply_days"),
        catalogue_max_days or 0,
    )
    extensions = policy.extension_max_requests * min(
        policy.extension_max_working_days, _schema_max(ExtensionIn, "days")
    )
    urgent = timedelta(hours=policy.urgent.reply_hours or 0) + _calendar(extensions)
    return max(_calendar(base + extensions), urgent)


def _calendar(working_days: int) -> timedelta:
    return timedelta(days=7 * ceil(working_days / 5) + 30 * ceil(working_days / 250))


def _deadline_from(session: Session, t: datetime) -> ColumnElement[bool]:
    """The step's recorded ``reply_by`` (ISO 8601 with its offset) is at or after ``t``, in SQL."""
    text = OrderHistory.data["reply_by"].as_string()
    if session.get_bind().dialect.name == "postgresql":
        return cast(text, TIMESTAMP(timezone=True)) >= t
    # SQLite's julianday() reads the offset and keeps milliseconds; a second earlier keeps the
    # selection a superset whatever the rounding (the cycle logic decides exactly afterwards).
    return func.julianday(text) >= 2440587.5 + (t.timestamp() - 1) / 86400


def candidates(*, session: Session, start: datetime, end: datetime) -> Any:
    """The ids of the orders that can contribute to a figure for ``[start, end)`` — a superset, exact
    for every figure ``compute`` and the board return:

    - orders with a step in the period (every count but on-time completion and 超期数 counts a step);
    - orders with a handling cycle whose deadline in force falls in the period. That deadline is the
      ``reply_by`` recorded by the cycle's last deadline-setting step; if that step is in the period the
      order is in the first set, otherwise it lies before ``start`` and at most ``deadline_lookback``
      before its deadline, so ``[start − lookback, start)`` holds it, and its ``reply_by`` is ≥ ``start``.
    """
    catalogue_max = session.scalar(select(func.max(CatalogueRule.reply_days)))
    lookback = deadline_lookback(load_policy(session=session), catalogue_max)
    in_period = select(OrderHistory.order_id).where(OrderHistory.at >= start, OrderHistory.at < end)
    due = select(OrderHistory.order_id).where(
        OrderHistory.action.in_(DEADLINE_ACTIONS), OrderHistory.at < start, _deadline_from(session, start)
    )
    if start - datetime.min.replace(tzinfo=UTC) > lookback:
        due = due.where(OrderHistory.at >= start - lookback)
    return union(in_period, due).subquery()


def load_history(
    *, session: Session, start: datetime, end: datetime, where: Sequence[ColumnElement[bool]] = ()
) -> dict[int, list[HistoryRow]]:
    """Every step before ``end`` of the ``candidates`` for ``[start, end)`` among the orders matching
    ``where`` (conditions on ``WorkOrder``): the cycle logic needs each selected order's whole history."""
    ids = candidates(session=session, start=start, end=end)
    stmt = (
        select(OrderHistory.order_id, OrderHistory.action, OrderHistory.at, OrderHistory.data, WorkOrder.lead_unit_id)
        .join(WorkOrder, WorkOrder.id == OrderHistory.order_id)
        .where(OrderHistory.order_id.in_(select(ids.c.order_id)), OrderHistory.at < end, *where)
        .order_by(OrderHistory.order_id, OrderHistory.id)
    )
    by_order: dict[int, list[HistoryRow]] = defaultdict(list)
    # Through the session's connection: the ORM's result layer adds nothing to plain columns but time
    # (a year's 590,000 rows: 6.2 s → 4.5 s, bench/kpi_latency.py).
    for r in session.connection().execute(stmt):
        by_order[r[0]].append(HistoryRow(*r))
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
    where: list[ColumnElement[bool]] = []
    if workstation_id is not None:
        where.append(WorkOrder.lead_unit_id.in_(subtree_ids(session=session, root_id=workstation_id)))
    if category_l1 is not None:
        where.append(WorkOrder.category_l1 == category_l1)
    for order_id, rows in load_history(session=session, start=start, end=end, where=where).items():
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
    # 派单准确率 = 1 − upheld returns ÷ dispatches: each upheld return takes one of its order's dispatches
    # out of the numerator (a multiset difference; list.remove per return was quadratic, 2.9 s of a year).
    acc = f["dispatch_accuracy"]
    upheld = Counter(f["return_rate_upheld"].numerator)
    acc.numerator = []
    for oid in acc.denominator:
        if upheld[oid]:
            upheld[oid] -= 1
        else:
            acc.numerator.append(oid)
    return f


def pick(figures: dict[str, Figure], metric: str) -> Figure:
    try:
        return figures[metric]
    except KeyError:
        raise UnknownMetric(f"未知指标 {metric!r}；可用指标：{', '.join(figures)}") from None
