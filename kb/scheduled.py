"""Knowledge-base housekeeping: queue articles for review before they expire, flag overdue corrections.

``kb_housekeeping`` is listed in ``hotline.scheduled.jobs()``, so it runs in the app's scheduler and in
``hotline worker``.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from hotline.db import session_scope, utcnow
from hotline.events import emit
from hotline.settings import Settings
from kb.models import KbCorrection
from kb.service import expiring

log = logging.getLogger("hotline.kb")
CHINA = timedelta(hours=8)


def queue_expiring(*, session: Session, today: date, within_days: int, now: datetime | None = None) -> list[int]:
    """Mark articles expiring within ``within_days`` as due for review and tell their owners."""
    now = now or utcnow()
    ids = []
    for article in expiring(session=session, today=today, within_days=within_days):
        article.review_due_at = now
        ids.append(article.id)
        emit(
            session,
            "kb.article.review_due",
            {
                "article_id": article.id,
                "title": article.title,
                "valid_to": article.valid_to.isoformat() if article.valid_to else None,
            },
            audience=["kb"],
            workstation_ids=[article.owner_unit_id] if article.owner_unit_id else [],
        )
    return ids


def flag_overdue_corrections(*, session: Session, now: datetime | None = None) -> list[int]:
    """Open corrections past their deadline: flagged once, and the owner and editors told."""
    now = now or utcnow()
    rows = session.scalars(
        select(KbCorrection).where(
            KbCorrection.state == "open", KbCorrection.overdue.is_(False), KbCorrection.due_at < now
        )
    ).all()
    for row in rows:
        row.overdue = True
        emit(
            session,
            "kb.correction.overdue",
            {"correction_id": row.id, "article_id": row.article_id, "due_at": row.due_at.isoformat()},
            audience=["kb"],
            workstation_ids=[row.owner_unit_id] if row.owner_unit_id else [],
        )
    return [r.id for r in rows]


def kb_housekeeping(factory: sessionmaker[Session], settings: Settings) -> None:
    now = utcnow()
    with session_scope(factory) as session:
        queued = queue_expiring(session=session, today=(now + CHINA).date(), within_days=settings.kb_review_days)
        overdue = flag_overdue_corrections(session=session, now=now)
    if queued or overdue:
        log.info(
            "kb housekeeping: %d articles queued for review, %d corrections overdue",
            len(queued),
            len(overdue),
        )
