"""The supervisor board's series in one answer: volume by hour, satisfaction by day, on-time completion
by workstation, categories and orders and hotspots per county. Counted in SQL (GROUP BY) with the same
definitions as ``kpi.compute`` (docs/kpi.md), so every series adds up to the matching /api/kpi figure:

- volume, categories and counties count ``accept`` steps in the period (the denominator of 直办率);
- satisfaction counts valid follow-ups (考核剔除 left out) with the configured weights;
- on-time completion needs each order's handling cycles rebuilt step by step, which SQL cannot do
  cleanly, so it runs ``kpi.due_cycles`` over the orders that can count in the period
  (``kpi.load_history``, the same selection as /api/kpi) and groups them by tier-2 unit.

Buckets (hours, days) are counted from ``start``: a console that asks from local midnight gets local
hours and days without the database knowing the time zone.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Integer, and_, case, cast, exists, func, literal, select
from sqlalchemy.orm import Session, aliased

from hotline.db import UTCDateTime
from hotline.org.models import Region, Workstation
from routing.hotspots.models import Hotspot
from routing.lifecycle import kpi
from routing.orders.models import OrderHistory, WorkOrder

HOUR = 3600
DAY = 86400
MAX_SPAN = timedelta(days=92)  # a quarter: enough for any board, bounded hourly buckets
TOP_HOTSPOTS = 3

_lead = aliased(Workstation)


def _aware(t: datetime) -> datetime:
    return t.replace(tzinfo=UTC) if t.tzinfo is None else t.astimezone(UTC)


def region_of() -> ColumnElement[str | None]:
    """An order's county: the one recorded at intake, else its lead unit's (needs the ``_lead`` join)."""
    return func.coalesce(WorkOrder.region_code, _lead.region_code)


def _bucket(session: Session, col: Any, origin: datetime, width: int) -> ColumnElement[int]:
    """Whole ``width``-second steps from ``origin`` to ``col``, per dialect (exact to the second)."""
    if session.get_bind().dialect.name == "postgresql":
        since = col - literal(origin, UTCDateTime())
        return cast(func.floor(func.extract("epoch", since) / width), Integer)
    # SQLite keeps naive UTC text; strftime('%s') reads it as UTC seconds, integers so nothing rounds.
    origin_s = int(origin.timestamp())
    return cast((cast(func.strftime("%s", col), Integer) - origin_s) / width, Integer)


def _steps(start: datetime, end: datetime, region: str | None, *actions: str) -> Any:
    stmt = (
        select(OrderHistory.id)
        .join(WorkOrder, WorkOrder.id == OrderHistory.order_id)
        .outerjoin(_lead, _lead.id == WorkOrder.lead_unit_id)
        .where(OrderHistory.action.in_(actions), OrderHistory.at >= start, OrderHistory.at < end)
    )
    return stmt.where(region_of() == region) if region else stmt


def _volume(session: Session, start: datetime, end: datetime, region: str | None) -> list[dict[str, Any]]:
    b = _bucket(session, OrderHistory.at, start, HOUR).label("b")
    stmt = _steps(start, end, region, "accept").with_only_columns(b, func.count()).group_by(b)
    counts = {int(k): int(n) for k, n in session.execute(stmt)}
    hours = int((end - start).total_seconds() // HOUR) + (1 if (end - start).total_seconds() % HOUR else 0)
    return [{"start": start + timedelta(hours=i), "count": counts.get(i, 0)} for i in range(hours)]


def _satisfaction(
    session: Session, start: datetime, end: datetime, region: str | None, weights: dict[str, float]
) -> list[dict[str, Any]]:
    excl = aliased(OrderHistory)
    follow_up = OrderHistory.data["follow_up_id"].as_integer()
    excluded = exists().where(
        excl.order_id == OrderHistory.order_id,
        excl.action == "exclude",
        excl.at < end,
        excl.data["follow_up_id"].as_integer() == follow_up,
    )
    outcome = OrderHistory.data["outcome"].as_string()
    weight = case(
        (outcome == "satisfied", weights["satisfied"]),
        (outcome == "mostly_satisfied", weights["mostly_satisfied"]),
        else_=0.0,
    )
    b = _bucket(session, OrderHistory.at, start, DAY).label("b")
    stmt = (
        _steps(start, end, region, *kpi.VALID_VERDICTS)
        .where(~and_(outcome == "dissatisfied", excluded))  # 考核剔除
        .with_only_columns(b, func.count(), func.sum(weight))
        .group_by(b)
    )
    got = {int(k): (int(n), float(w or 0)) for k, n, w in session.execute(stmt)}
    days = -(-int((end - start).total_seconds()) // DAY)
    out = []
    for i in range(days):
        n, w = got.get(i, (0, 0.0))
        value = round(w / n, 4) if n else None
        out.append({"start": start + timedelta(days=i), "numerator": w, "denominator": n, "value": value})
    return out


def _grouped(session: Session, start: datetime, end: datetime, region: str | None, key: Any) -> dict[Any, int]:
    k = key.label("k")
    stmt = _steps(start, end, region, "accept").with_only_columns(k, func.count()).group_by(k)
    return {r: int(n) for r, n in session.execute(stmt)}


def _on_time(session: Session, start: datetime, end: datetime, region: str | None) -> list[dict[str, Any]]:
    units = session.scalars(
        select(Workstation).where(Workstation.active.is_(True)).order_by(Workstation.tier, Workstation.code)
    ).all()
    parent = {u.id: u.parent_id for u in units}

    def tier2(uid: int | None) -> int | None:
        seen = set()
        while uid is not None and parent.get(uid) is not None and uid not in seen:
            seen.add(uid)
            uid = parent[uid]
        return uid

    # Grouped by the order's lead unit (what /api/kpi's workstation_id filter uses); only the orders that
    # can count in the period are read (``kpi.candidates``), a county's through a subquery so the read
    # needs no list of ids however many orders there are.
    where = []
    if region:
        in_region = (
            select(WorkOrder.id).outerjoin(_lead, _lead.id == WorkOrder.lead_unit_id).where(region_of() == region)
        )
        where.append(WorkOrder.id.in_(in_region))
    by_order = kpi.load_history(session=session, start=start, end=end, where=where)
    num: dict[int, int] = defaultdict(int)
    den: dict[int, int] = defaultdict(int)
    for hist in by_order.values():
        unit = tier2(hist[0].lead_unit_id)
        for c in kpi.due_cycles(hist, start, end):
            if c.reopen or unit is None:
                continue  # 按时办结率 counts first cycles; reopen cycles have their own figure
            den[unit] += 1
            num[unit] += int(c.accepted_on_time)
    return [
        {
            "workstation_id": u.id,
            "name": u.name,
            "kind": u.kind,
            "numerator": num[u.id],
            "denominator": den[u.id],
            "value": round(num[u.id] / den[u.id], 4) if den[u.id] else None,
        }
        for u in units
        if u.tier == 2
    ]


def _hotspots(session: Session, start: datetime, end: datetime) -> dict[str | None, dict[str, Any]]:
    active = and_(Hotspot.first_at < end, Hotspot.last_at >= start)
    stmt = select(Hotspot.region_code, func.count(), func.sum(Hotspot.size)).where(active).group_by(Hotspot.region_code)
    out: dict[str | None, dict[str, Any]] = {
        r: {"hotspots": int(n), "hotspot_orders": int(s or 0), "top_hotspots": []} for r, n, s in session.execute(stmt)
    }
    for h in session.scalars(select(Hotspot).where(active).order_by(Hotspot.size.desc(), Hotspot.id)):
        top = out[h.region_code]["top_hotspots"]
        if len(top) < TOP_HOTSPOTS:
            top.append({"id": h.id, "title": h.title, "size": h.size, "category": h.category})
    return out


def board(
    *,
    session: Session,
    start: datetime,
    end: datetime,
    region: str | None = None,
    weights: dict[str, float] | None = None,
) -> dict[str, Any]:
    """Every series of the board for ``[start, end)``, optionally for one county (region code)."""
    start, end = _aware(start), _aware(end)
    if not start < end or end - start > MAX_SPAN:
        raise ValueError(f"时间范围须在 0 到 {MAX_SPAN.days} 天之间")
    w = {**kpi.DEFAULT_WEIGHTS, **(weights or {})}
    categories = _grouped(session, start, end, region, WorkOrder.category_l1)
    per_region = _grouped(session, start, end, region, region_of())
    hot = _hotspots(session, start, end)
    regions = session.execute(select(Region.code, Region.name).order_by(Region.code)).all()
    empty = {"hotspots": 0, "hotspot_orders": 0, "top_hotspots": []}
    return {
        "from": start,
        "to": end,
        "region": region,
        "accepted": sum(per_region.values()),
        "volume_by_hour": _volume(session, start, end, region),
        "satisfaction_by_day": _satisfaction(session, start, end, region, w),
        "on_time_by_workstation": _on_time(session, start, end, region),
        "categories": sorted(
            ({"category_l1": c, "count": n} for c, n in categories.items()), key=lambda x: -int(x["count"])
        ),
        # Every county, with zeros where nothing happened, so the map never has a gap.
        "regions": [
            {"region_code": code, "name": name, "orders": per_region.get(code, 0), **hot.get(code, empty)}
            for code, name in regions
            if region is None or code == region
        ],
        "unlocated": per_region.get(None, 0),
    }


def region_orders(
    *, session: Session, start: datetime, end: datetime, region: str | None, visible: ColumnElement[bool], limit: int
) -> tuple[list[WorkOrder], int]:
    """The orders behind one county's figure (accepted in the period), within the reader's scope."""
    start, end = _aware(start), _aware(end)
    ids = _steps(start, end, None, "accept").with_only_columns(OrderHistory.order_id)
    where = [WorkOrder.id.in_(ids), visible, region_of() == region if region else region_of().is_(None)]
    base = select(WorkOrder).outerjoin(_lead, _lead.id == WorkOrder.lead_unit_id).where(*where)
    total = session.scalar(select(func.count()).select_from(base.subquery())) or 0
    rows = session.scalars(base.order_by(WorkOrder.created_at.desc(), WorkOrder.id.desc()).limit(limit)).all()
    return list(rows), int(total)
