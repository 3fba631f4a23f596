"""Writing events in the same transaction as the change they describe.

``emit`` only queues the event on the session. Right before the session commits, the queued events
take positions from the counter row (``UPDATE ... RETURNING`` holds its lock until commit) and are
inserted. A rolled-back session therefore writes nothing, and a reader that has seen position N
can never later find a committed N-1 it missed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event as sa_event
from sqlalchemy import insert, update
from sqlalchemy.orm import Session

from hotline.db import utcnow
from hotline.events.models import Event, EventCounter

COUNTER = "events"
_PENDING = "hotline_pending_events"

# Called (in the committing thread) with the highest position just committed.
on_commit_listeners: list[Callable[[int], None]] = []


@dataclass(slots=True)
class PendingEvent:
    type: str
    payload: dict[str, Any]
    audience: list[str] = field(default_factory=list)
    workstation_ids: list[int] = field(default_factory=list)


def emit(
    session: Session,
    type: str,
    payload: dict[str, Any],
    *,
    audience: Iterable[str] = ("centre",),
    workstation_ids: Iterable[int] = (),
) -> None:
    session.info.setdefault(_PENDING, []).append(
        PendingEvent(type, payload, sorted(set(audience)), sorted(set(workstation_ids)))
    )


@sa_event.listens_for(Session, "before_commit")
def _write_pending(session: Session) -> None:
    pending: list[PendingEvent] = session.info.pop(_PENDING, [])
    if not pending:
        return
    session.flush()
    top = session.execute(
        update(EventCounter)
        .where(EventCounter.name == COUNTER)
        .values(value=EventCounter.value + len(pending))
        .returning(EventCounter.value)
    ).scalar_one()
    first = top - len(pending) + 1
    now = utcnow()
    session.execute(
        insert(Event),
        [
            {
                "position": first + i,
                "type": ev.type,
                "created_at": now,
                "payload": ev.payload,
                "audience": ev.audience,
                "workstation_ids": ev.workstation_ids,
            }
            for i, ev in enumerate(pending)
        ],
    )
    session.info["hotline_committed_top"] = top


@sa_event.listens_for(Session, "after_commit")
def _notify(session: Session) -> None:
    top = session.info.pop("hotline_committed_top", None)
    if top is None:
        return
    for listener in list(on_commit_listeners):
        listener(top)


@sa_event.listens_for(Session, "after_rollback")
def _discard(session: Session) -> None:
    session.info.pop(_PENDING, None)
    session.info.pop("hotline_committed_top", None)
