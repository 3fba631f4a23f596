"""Hotspots on the database: detect bursts among recent orders, keep them, alert supervisors once per
burst (``alert.hotspot`` with the member orders), and list a day's hotspots by region and category.

Categories: the agent's (``category_l1..3``), else the catalogue rule the order's words match. They
are one way orders link (and name the hotspot in the daily list); uncategorised paraphrases link through
the words bursting in their area (``terms.py``). The rule: docs/hotspots.md.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from hotline.db import session_scope, utcnow
from hotline.events import emit
from hotline.settings import Settings
from routing.catalogue.service import keyword_matches
from routing.deadlines.service import centre_zone
from routing.hotspots.detector import Burst, BurstConfig, Item, find_bursts
from routing.hotspots.models import Hotspot
from routing.orders.models import WorkOrder
from routing.orders.views_model import masked_fields
from routing.suggest.directory import get_directory
from routing.suggest.predict import category_key


def _items(*, session: Session, since: datetime, until: datetime) -> tuple[list[Item], dict[int, WorkOrder]]:
    directory = get_directory(session=session)
    orders = session.scalars(
        select(WorkOrder).where(
            WorkOrder.created_at >= since, WorkOrder.created_at <= until, WorkOrder.parent_id.is_(None)
        )
    ).all()
    items, by_id = [], {}
    for o in orders:
        loc = directory.locality.resolve(o.incident_address)
        region = o.region_code or (loc.region_code if loc else None)
        area = loc.workstation_code if loc else region
        if area is None:
            continue  # nowhere to put it: a hotspot is about a place
        text = f"{o.subject}\n{o.description}"
        category = category_key(o.category_l1, o.category_l2, o.category_l3) or None
        if category is None and (kw := keyword_matches(directory.rules, region_code=region, text=text)):
            category = category_key(*kw[0].rule.category)
        items.append(Item(o.id, area, text, o.created_at, o.caller_phone, category, region))
        by_id[o.id] = o
    return items, by_id


def _member(o: WorkOrder) -> dict[str, Any]:
    subject = masked_fields(o)["subject"] if o.confidential else o.subject
    return {
        "order_id": o.id,
        "number": o.number,
        "subject": subject,
        "incident_address": o.incident_address,
        "created_at": o.created_at.isoformat(),
    }


def _payload(h: Hotspot, orders: dict[int, WorkOrder], area_name: str | None) -> dict[str, Any]:
    members = [_member(orders[i]) for i in h.member_ids if i in orders]
    return {
        "hotspot_id": h.id,
        "area": h.area,
        "area_name": area_name,
        "region_code": h.region_code,
        "category": h.category,
        "title": h.title,
        "terms": h.terms,
        "size": h.size,
        "first_at": h.first_at.isoformat(),
        "last_at": h.last_at.isoformat(),
        "members": members,
        "why": f"{area_name or h.area} {len(members)} 件相似诉求集中出现"
        f"（{h.first_at:%m-%d %H:%M} 至 {h.last_at:%m-%d %H:%M}），共同词：{'、'.join(h.terms) or '无'}",
    }


def detect_hotspots(
    *, session: Session, now: datetime | None = None, config: BurstConfig | None = None
) -> list[tuple[Hotspot, bool]]:
    """Bursts among orders of the last ``config.window``; returns (hotspot, is_new). A burst that
    overlaps a known hotspot in the same area grows it (no second alert); a new one is stored and
    ``alert.hotspot`` goes to supervisors in this transaction."""
    now = now or utcnow()
    config = config or BurstConfig()
    since = now - config.window
    items, orders = _items(session=session, since=since, until=now)
    bursts: Sequence[Burst] = find_bursts(items, config)
    if not bursts:
        return []
    directory = get_directory(session=session)
    known = session.scalars(select(Hotspot).where(Hotspot.last_at >= since - config.window)).all()
    out = []
    for burst in bursts:
        ids = sorted(int(m.id) for m in burst.members)
        first = min(m.created_at for m in burst.members)
        last = max(m.created_at for m in burst.members)
        existing = next((h for h in known if h.area == burst.area and set(h.member_ids) & set(ids)), None)
        if existing is not None:
            merged = sorted(set(existing.member_ids) | set(ids))
            if merged != sorted(existing.member_ids):
                existing.member_ids, existing.size = merged, len(merged)
                existing.last_at = max(existing.last_at, last)
                existing.terms = burst.terms or existing.terms
            out.append((existing, False))
            continue
        first_order = orders[ids[0]]
        title = masked_fields(first_order)["subject"] if first_order.confidential else first_order.subject
        h = Hotspot(
            area=burst.area,
            region_code=burst.region,
            category=burst.category,
            title=title[:200],
            terms=burst.terms,
            member_ids=ids,
            size=len(ids),
            first_at=first,
            last_at=last,
            created_at=now,
        )
        session.add(h)
        session.flush()
        unit = directory.by_code.get(burst.area)
        area_name = unit.name if unit else directory.region_names.get(burst.area)
        emit(session, "alert.hotspot", _payload(h, orders, area_name), audience=["supervisor"])
        known = [*known, h]
        out.append((h, True))
    return out


def daily_hotspots(*, session: Session, day: date | None = None) -> dict[str, Any]:
    """Hotspots active on ``day`` (default today), with totals by region and category.

    A day is the centre's local day: in a UTC+8 city a burst at 23:30 local time (15:30 UTC) belongs to
    that evening's list, not to the next morning's UTC date."""
    zone = centre_zone(session=session)
    day = day or utcnow().astimezone(zone).date()
    start = datetime.combine(day, time.min, tzinfo=zone).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone).astimezone(UTC)
    rows = session.scalars(
        select(Hotspot).where(Hotspot.first_at < end, Hotspot.last_at >= start).order_by(Hotspot.size.desc())
    ).all()
    directory = get_directory(session=session)
    totals: Counter[tuple[str | None, str | None]] = Counter()
    counts: Counter[tuple[str | None, str | None]] = Counter()
    for h in rows:
        totals[(h.region_code, h.category)] += h.size
        counts[(h.region_code, h.category)] += 1
    return {
        "date": day.isoformat(),
        "hotspots": [
            {
                "id": h.id,
                "area": h.area,
                "area_name": (u.name if (u := directory.by_code.get(h.area)) else directory.region_names.get(h.area)),
                "region_code": h.region_code,
                "region_name": directory.region_names.get(h.region_code or ""),
                "category": h.category,
                "title": h.title,
                "terms": h.terms,
                "size": h.size,
                "member_ids": h.member_ids,
                "first_at": h.first_at.isoformat(),
                "last_at": h.last_at.isoformat(),
            }
            for h in rows
        ],
        "by_region_category": [
            {
                "region_code": r,
                "region_name": directory.region_names.get(r or ""),
                "category": c,
                "hotspots": counts[(r, c)],
                "orders": n,
            }
            for (r, c), n in totals.most_common()
        ],
    }


def hotspot_job(factory: sessionmaker[Session], settings: Settings) -> None:
    """Scheduled (``hotline.scheduled.jobs()``): idempotent, alerts only on new bursts."""
    with session_scope(factory) as session:
        detect_hotspots(session=session)
