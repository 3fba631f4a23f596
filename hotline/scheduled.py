"""Periodic housekeeping: event retention and idempotency-key expiry. Idempotent; runs inside the
app on the embedded default and as ``hotline worker`` when scaled out."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, delete
from sqlalchemy.orm import Session, sessionmaker

from hotline.db import session_scope, utcnow
from hotline.events.models import Event
from hotline.idempotency import purge_before
from hotline.settings import Settings

log = logging.getLogger("hotline.scheduled")


def purge_events(*, session: Session, retention_days: int) -> int:
    cutoff = utcnow() - timedelta(days=retention_days)
    # A DML statement always executes through a cursor, so the result is a CursorResult.
    result = cast(CursorResult[Any], session.execute(delete(Event).where(Event.created_at < cutoff)))
    return result.rowcount or 0


def housekeeping(factory: sessionmaker[Session], settings: Settings) -> None:
    with session_scope(factory) as session:
        n = purge_events(session=session, retention_days=settings.event_retention_days)
        m = purge_before(session=session, cutoff=utcnow() - timedelta(hours=settings.idempotency_retention_hours))
    if n or m:
        log.info("housekeeping removed %d events and %d idempotency records", n, m)


Job = Callable[[sessionmaker[Session], Settings], None]


def jobs() -> list[tuple[float, Job]]:
    """Every periodic job with its period in seconds, in one list for the app and ``hotline worker``
    alike. The domain jobs are imported here rather than at the top because the domains import this
    plumbing. All are idempotent, so a worker and an app may both run them."""
    from kb.scheduled import kb_housekeeping
    from routing.hotspots.service import hotspot_job
    from routing.lifecycle.scheduled import lifecycle_jobs

    return [
        (3600.0, housekeeping),
        (300.0, lifecycle_jobs),  # deadline cards, follow-up due list, archiving
        (600.0, hotspot_job),  # bursts of similar orders raise alert.hotspot once per burst
        (3600.0, kb_housekeeping),  # review before expiry, overdue corrections
    ]


async def run_forever(factory: sessionmaker[Session], settings: Settings) -> None:
    async def loop(every: float, job: Job) -> None:
        while True:
            try:
                await asyncio.to_thread(job, factory, settings)
            except Exception:
                log.exception("scheduled job %s failed", job.__name__)
            await asyncio.sleep(every)

    await asyncio.gather(*(loop(every, job) for every, job in jobs()))
