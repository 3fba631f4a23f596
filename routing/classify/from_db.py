"""Training pairs from the database: finished orders' final labels, corrected by agents' feedback.

``db_pairs(session=…, task=…)`` reads the orders that finished (closed, archived, or resolved directly on
the call) with their final label, then every feedback example of that field (``routing_feedback``:
overrides of a suggestion, upheld returns). Feedback wins: where an order's example says otherwise, the
order's own label is replaced (counted as ``conflicts``); examples of orders that are not finished yet
are added. Texts are masked for confidential callers (``feedback.order_text``).

Labels per task: ``category`` — ``level1/level2/level3`` (the suggestion's category key);
``request_type`` — the data set's three-way label (咨询, 投诉/求助, 建言) that the request-type model
learns, mapped back from the product's types (举报 and 表扬 come from rules and are not learned: such
orders are left out and counted); ``urgency`` — the order's final urgency (一般 / 紧急) as the agents
and the centre set it, so a centre can learn its own practice (the shared data has no urgency label;
see ``docs/request-types.md``); ``lead_unit`` — the lead unit's ``Workstation.code`` (orders without a
lead unit, and labels naming a unit that is inactive or gone, are left out and counted), the text
carrying the incident's region (``routing.suggest.unit_model.unit_text``, as at prediction time).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

TASKS = ("category", "request_type", "urgency", "lead_unit")
URGENCIES = ("normal", "urgent")  # routing.orders.enums.Urgency
FINISHED_STATES = ("closed", "archived", "resolved_directly")
# Product request type -> the learned three-way label (the inverse of rules.DATA_TYPE_MAP).
LEARNED_TYPE = {
    "enquiry": "咨询",
    "complaint": "投诉/求助",
    "help_request": "投诉/求助",
    "suggestion": "建言",
}


@dataclass(slots=True)
class DbTrainingSet:
    pairs: list[tuple[str, str]]
    orders: int = 0  # finished orders with a label
    feedback: int = 0  # feedback examples used
    conflicts: int = 0  # orders whose label a feedback example replaced
    added: int = 0  # feedback examples for orders not (yet) finished, added as new pairs
    skipped: dict[str, int] = field(default_factory=dict)  # why rows were left out, and how many

    def summary(self) -> str:
        """One line for the console (Chinese: administrators read it)."""
        parts = [
            f"已办结工单 {self.orders} 条",
            f"话务员反馈样本 {self.feedback} 条（覆盖工单原标签 {self.conflicts} 条，新增 {self.added} 条）",
            f"共 {len(self.pairs)} 条训练样本",
        ]
        if self.skipped:
            parts.append("未使用: " + "，".join(f"{k} {v} 条" for k, v in self.skipped.items()))
        return "；".join(parts)


def _learned(task: str, value: str) -> str | None:
    """The label ``task`` learns for a product value (an order's or an agent's choice); None when it
    learns none (举报/表扬 are rules, an unknown urgency is not a label)."""
    if task == "category":
        return value or None
    if task == "urgency":
        return value if value in URGENCIES else None
    return LEARNED_TYPE.get(value)


def _label(task: str, order: object) -> str | None:
    from routing.suggest.predict import category_key

    if task == "category":
        value = category_key(
            getattr(order, "category_l1", None),
            getattr(order, "category_l2", None),
            getattr(order, "category_l3", None),
        )
    else:
        value = str(getattr(order, task, "") or "")
    return _learned(task, value)


def _skip(out: DbTrainingSet, reason: str) -> None:
    out.skipped[reason] = out.skipped.get(reason, 0) + 1


class _Units:
    """What ``lead_unit`` labels and texts need: the active units' codes and the regions' names."""

    def __init__(self, session: Session) -> None:
        from hotline.org.models import Region, Workstation

        rows = session.execute(select(Workstation.id, Workstation.code).where(Workstation.active.is_(True)))
        self.code_of: dict[int, str] = dict(rows.all())
        self.codes = set(self.code_of.values())
        self.region_names: dict[str, str] = dict(session.execute(select(Region.code, Region.name)).all())

    def text(self, text: str, region_code: str | None) -> str:
        from routing.suggest.unit_model import unit_text

        return unit_text(text, region_code, self.region_names)


def _order_label(task: str, order: Any, units: _Units | None, out: DbTrainingSet) -> str | None:
    """The finished order's label for ``task``; None (counted in ``out.skipped``) when it has none."""
    if units is not None:
        if order.lead_unit_id is None:
            _skip(out, "无主办单位（如直办）")
            return None
        code = units.code_of.get(order.lead_unit_id)
        if code is None:
            _skip(out, "主办单位已停用或删除")
        return code
    label = _label(task, order)
    if label is None:
        _skip(out, {"category": "无分类", "urgency": "无紧急程度"}.get(task, "举报/表扬（规则判断，不学习）"))
    return label


def db_pairs(*, session: Session, task: str) -> DbTrainingSet:
    """(text, label) pairs for ``task`` from finished orders and feedback, feedback winning."""
    from routing.orders.models import WorkOrder
    from routing.suggest.feedback import feedback_examples, order_text

    if task not in TASKS:
        raise ValueError(f"任务 {task!r} 不能从数据库训练，可选: {', '.join(TASKS)}")
    units = _Units(session) if task == "lead_unit" else None
    out = DbTrainingSet(pairs=[])
    by_order: dict[int, int] = {}  # order id -> index in out.pairs
    orders = session.scalars(select(WorkOrder).where(WorkOrder.state.in_(FINISHED_STATES)).order_by(WorkOrder.id))
    for order in orders:
        label = _order_label(task, order, units, out)
        if label is None:
            continue
        text = order_text(order) if units is None else units.text(order_text(order), order.region_code)
        by_order[order.id] = len(out.pairs)
        out.pairs.append((text, label))
        out.orders += 1
    for ex in feedback_examples(session=session, field=task):  # the latest example per order
        if units is not None:
            label = ex.label if ex.label in units.codes else None
            if label is None:
                _skip(out, "反馈的单位已停用或删除")
                continue
        else:
            label = _learned(task, ex.label)
            if label is None:
                _skip(out, "反馈的紧急程度无效" if task == "urgency" else "反馈为举报/表扬")
                continue
        out.feedback += 1
        if ex.order_id is not None and ex.order_id in by_order:
            i = by_order[ex.order_id]
            if out.pairs[i][1] != label:
                out.conflicts += 1
            # The order's current text and the agent's label (the example's text is the same, masked
            # the same way, unless the order was edited since).
            out.pairs[i] = (out.pairs[i][0], label)
        else:
            out.added += 1
            out.pairs.append((ex.text if units is None else units.text(ex.text, ex.region_code), label))
    return out
