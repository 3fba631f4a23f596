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


JOBS: list[tuple[float, Callable[[sessionmaker[Session], Settings], None]]] = [(3600.0, housekeeping)]

# Deadline cards and the follow-up due list (idempotent, so a worker and the app may both run them).
from routing.lifecycle.scheduled import lifecycle_jobs  # noqa: E402

JOBS.append((300.0, lifecycle_jobs))

# Hotspots: bursts of similar orders in one area raise alert.hotspot once per burst.
from routing.hotspots.service import hotspot_job  # noqa: E402

JOBS.append((600.0, hotspot_job))


async def run_forever(factory: sessionmaker[Session], settings: Settings) -> None:
    async def loop(every: float, job: Callable[[sessionmaker[Session], Settings], None]) -> None:
        while True:
            try:
                await asyncio.to_thread(job, factory, settings)
            except Exception:
                log.exception("scheduled job %s failed", job.__name__)
            await asyncio.sleep(every)

    await asyncio.gather(*(loop(every, job) for every, job in JOBS))
