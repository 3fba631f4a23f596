"""Fan-out of committed events to live subscribers (websocket connections).

One task per process reads new events from the database when woken: at once by a commit in this
process, and every ``poll_seconds`` for commits made by other processes or replicas. Subscribers get
only what their principal may see; a reconnecting client first reads its backlog from the database.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from hotline.events.models import Event
from hotline.events.outbox import on_commit_listeners
from hotline.events.visibility import visible
from hotline.users.service import Principal

log = logging.getLogger("hotline.events")
BATCH = 1000


def envelope(ev: Event) -> dict[str, Any]:
    return {"type": ev.type, "position": ev.position, "at": ev.created_at.isoformat(), "payload": ev.payload}


def encoded(ev: Event) -> tuple[int, str]:
    """(position, JSON text): serialised once per event, however many subscribers receive it."""
    return ev.position, json.dumps(envelope(ev), ensure_ascii=False)


@dataclass(eq=False)
class Subscriber:
    principal: Principal
    queue: asyncio.Queue[tuple[int, str]] = field(default_factory=lambda: asyncio.Queue(maxsize=10_000))
    # Set (and the subscriber dropped from the hub) when the queue was full: events after what is queued
    # were not delivered, so the connection must end and the client resume from its last position.
    overflowed: bool = False


class EventHub:
    def __init__(self, factory: sessionmaker[Session], poll_seconds: float = 0.5) -> None:
        self._factory = factory
        self._poll = poll_seconds
        self._subs: set[Subscriber] = set()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._listener: Callable[[int], None] | None = None
        self.head = 0
        self._stopping = False
        self.queue_size = 10_000  # events waiting for one slow client before it is made to resume

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        self.head = await asyncio.to_thread(self._max_position)

        def on_commit(_top: int) -> None:
            loop.call_soon_threadsafe(self._wake.set)

        self._listener = on_commit
        on_commit_listeners.append(on_commit)
        self._task = asyncio.create_task(self._run(), name="event-hub")

    async def stop(self) -> None:
        if self._listener in on_commit_listeners:
            on_commit_listeners.remove(self._listener)  # type: ignore[arg-type]
        # Not cancelled mid-read: a database read in a worker thread would outlive the engine.
        self._stopping = True
        self._wake.set()
        if self._task:
            await self._task

    def subscribe(self, principal: Principal) -> Subscriber:
        sub = Subscriber(principal, asyncio.Queue(maxsize=self.queue_size))
        self._subs.add(sub)
        return sub

    def unsubscribe(self, sub: Subscriber) -> None:
        self._subs.discard(sub)

    def _max_position(self) -> int:
        with self._factory() as s:
            return int(s.scalar(select(func.coalesce(func.max(Event.position), 0))) or 0)

    def _fetch(self, after: int, upto: int | None = None, limit: int = BATCH) -> list[Event]:
        with self._factory() as s:
            stmt = select(Event).where(Event.position > after).order_by(Event.position).limit(limit)
            if upto is not None:
                stmt = stmt.where(Event.position <= upto)
            return list(s.scalars(stmt))

    def oldest_position(self) -> int:
        with self._factory() as s:
            return int(s.scalar(select(func.coalesce(func.min(Event.position), 0))) or 0)

    def backlog(self, principal: Principal, after: int, upto: int) -> list[tuple[int, str]]:
        """Events in (after, upto] the principal may see, read from the database (runs in a thread)."""
        out: list[tuple[int, str]] = []
        cursor = after
        while cursor < upto:
            batch = self._fetch(cursor, upto)
            if not batch:
                break
            out.extend(encoded(e) for e in batch if visible(principal, e.audience, e.workstation_ids))
            cursor = batch[-1].position
        return out

    async def _run(self) -> None:
        while not self._stopping:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self._poll)
            self._wake.clear()
            if self._stopping:
                break
            try:
                batch = await asyncio.to_thread(self._fetch, self.head)
            except Exception:  # a database hiccup must not kill live delivery; retry next tick
                log.exception("reading the event outbox failed")
                continue
            for ev in batch:
                env = encoded(ev)
                for sub in list(self._subs):
                    if visible(sub.principal, ev.audience, ev.workstation_ids):
                        try:
                            sub.queue.put_nowait(env)
                        except asyncio.QueueFull:
                            # No gaps: stop feeding it; the socket closes once the queue is sent.
                            sub.overflowed = True
                            self._subs.discard(sub)
                self.head = ev.position
            if len(batch) == BATCH:
                self._wake.set()
