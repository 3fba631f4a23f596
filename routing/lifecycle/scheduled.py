"""Periodic lifecycle jobs: yellow/red deadline cards and the follow-up due list.

Both are idempotent: a ``deadline_card`` row is written once per (order, deadline kind, deadline,
card), under a unique key, and the event goes out only with a new row — so the in-app loop and a
separately run ``hotline worker`` can both run them. ``now`` is injectable for tests.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from hotline.db import session_scope, utcnow
from hotline.events import emit
from hotline.settings import Settings
from routing.deadlines.calendar import WorkCalendar
from routing.deadlines.cards import card_for
from routing.deadlines.service import load_calendar
from routing.lifecycle.flows import system_step
from routing.lifecycle.models import DeadlineCard
from routing.lifecycle.states import UNIT_STATES, OrderState
from routing.orders.models import OrderHistory, WorkOrder
from routing.orders.service import order_units

log = logging.getLogger("routing.lifecycle.scheduled")

# Clock-time deadlines (urgent orders) warn this long before, since a working day is longer than them.
URGENT_WARNING = timedelta(minutes=10)
CARD_EVENT = "alert.card"
# Finished orders stay in the working lists this long (calendar time) before the system archives them.
ARCHIVE_AFTER = timedelta(days=7)
FOLLOW_UP_EVENT = "follow_up.due"


def _claim(session: Session, *, order_id: int, kind: str, deadline: datetime, card: str, now: datetime) -> bool:
    """Insert the card row once; False when it already exists (this or another worker issued it)."""
    exists = session.scalar(
        select(DeadlineCard.id).where(
            DeadlineCard.order_id == order_id,
            DeadlineCard.deadline_kind == kind,
            DeadlineCard.deadline == deadline,
            DeadlineCard.card == card,
        )
    )
    if exists is not None:
        return False
    try:
        with session.begin_nested():
            session.add(
                DeadlineCard(order_id=order_id, deadline_kind=kind, deadline=deadline, card=card, issued_at=now)
            )
    except IntegrityError:
        return False
    return True


def _deadlines(order: WorkOrder) -> list[tuple[str, datetime, timedelta | None]]:
    urgent = order.urgency == "urgent"
    out: list[tuple[str, datetime, timedelta | None]] = []
    if order.state == OrderState.pending_sign.value and order.sign_by is not None:
        out.append(("sign", order.sign_by, URGENT_WARNING if urgent else None))
    if order.reply_by is not None:
        out.append(("reply", order.reply_by, None))
    return out


def issue_cards(*, session: Session, now: datetime | None = None, calendar: WorkCalendar | None = None) -> int:
    """Issue every yellow/red card due at ``now``; returns how many were newly issued."""
    now = now or utcnow()
    calendar = calendar or load_calendar(session=session)
    orders = session.scalars(select(WorkOrder).where(WorkOrder.state.in_([s.value for s in UNIT_STATES]))).all()
    issued = 0
    for order in orders:
        for kind, deadline, warning in _deadlines(order):
            card = card_for(deadline, now, calendar, clock_warning=warning)
            if card is None or not _claim(
                session, order_id=order.id, kind=kind, deadline=deadline, card=card.value, now=now
            ):
                continue
            issued += 1
            if kind == "reply":
                # A Core update: the card is a derived flag and must not bump the order's version,
                # or a user acting on what they saw would get a spurious conflict.
                session.execute(update(WorkOrder).where(WorkOrder.id == order.id).values(card=card.value))
            emit(
                session,
                CARD_EVENT,
                {
                    "order_id": order.id,
                    "number": order.number,
                    "card": card.value,
                    "card_label": card.label,
                    "deadline_kind": kind,
                    "deadline": deadline.isoformat(),
                    "state": order.state,
                    "state_label": OrderState(order.state).label,
                    "lead_unit_id": order.lead_unit_id,
                    "at": now.isoformat(),
                },
                audience=["supervision"],
                workstation_ids=order_units(session=session, order_id=order.id),
            )
    session.flush()
    return issued


def follow_up_due(*, session: Session) -> list[WorkOrder]:
    """Orders waiting for a follow-up call, oldest approval first (anonymous ones never get here)."""
    return list(
        session.scalars(
            select(WorkOrder).where(WorkOrder.state == OrderState.follow_up.value).order_by(WorkOrder.updated_at)
        )
    )


def announce_follow_ups(*, session: Session, now: datetime | None = None) -> int:
    """Announce each order once per approval on the follow-up agents' list."""
    now = now or utcnow()
    announced = 0
    for order in follow_up_due(session=session):
        approved_at = session.scalar(
            select(OrderHistory.at)
            .where(OrderHistory.order_id == order.id, OrderHistory.action == "approve")
            .order_by(OrderHistory.id.desc())
        )
        if approved_at is None or not _claim(
            session, order_id=order.id, kind="follow_up", deadline=approved_at, card="due", now=now
        ):
            continue
        announced += 1
        emit(
            session,
            FOLLOW_UP_EVENT,
            {
                "order_id": order.id,
                "number": order.number,
                "approved_at": approved_at.isoformat(),
                "attempts": order.follow_up_attempts,
                "at": now.isoformat(),
            },
            audience=["centre"],
        )
    session.flush()
    return announced


def archive_finished(*, session: Session, now: datetime | None = None, after: timedelta = ARCHIVE_AFTER) -> int:
    """归档: finished orders untouched for ``after`` are archived by the system, recorded and emitted
    like any step. Archived orders are never selected again, so repeated runs do nothing more."""
    now = now or utcnow()
    finished = [s.value for s in OrderState if s.is_final and s is not OrderState.archived]
    orders = session.scalars(
        select(WorkOrder).where(WorkOrder.state.in_(finished), WorkOrder.updated_at <= now - after)
    ).all()
    for order in orders:
        system_step(session=session, order=order, action="archive", now=now, data={"after_days": after.days})
    return len(orders)


def lifecycle_jobs(factory: sessionmaker[Session], settings: Settings) -> None:
    with session_scope(factory) as session:
        cards = issue_cards(session=session)
        due = announce_follow_ups(session=session)
        archived = archive_finished(session=session)
    if cards or due or archived:
        log.info("issued %d deadline cards, announced %d follow-ups, archived %d orders", cards, due, archived)
