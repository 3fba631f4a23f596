"""The index-sync consumer: applies knowledge-base and order events to the search indexes.

It reads the event outbox from a persisted cursor (table ``index_cursor``), so whatever was committed
while the process was down — a crash between a database write and its index write included — is applied
when it next starts. Per batch of events:

1. keyword step (synchronous, under the index write lock): affected passages / orders are loaded from the
   database *as they are now* and upserted without vectors, deleted ones removed; the article's
   ``index_status`` becomes ``keyword`` and the cursor advances, in one transaction. Searchable by keyword
   as soon as this returns (well under the 2 s target: one commit wakes the consumer at once).
2. vector step (one background thread, FIFO): the same documents embedded (through the embedding cache)
   and upserted with vectors; the article becomes ``complete`` (or ``failed`` with the error).

Applying an event twice is harmless (upserts by id, deletes of unknown ids are ignored), which is what
makes resuming from the cursor safe. ``drain()`` processes everything pending and waits for the vector
step: tests call it instead of sleeping. ``reindex_all()`` backs ``hotline index rebuild``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import queue
import threading
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from hotline.db import session_scope
from hotline.events.models import Event
from hotline.events.outbox import on_commit_listeners
from hotline.org.models import Workstation
from indexer.documents import ORDER_PREFIX, order_document, passage_doc_id, passage_document
from kb.flows import PUBLISHED, RETIRED
from kb.models import IndexCursor, KbArticle, KbPassage
from kb.search.hybrid import HybridSearcher
from kb.search.types import Document, index_text
from routing.orders.models import WorkOrder

log = logging.getLogger("hotline.indexer")

KB_EVENTS = frozenset({PUBLISHED, RETIRED})
ORDER_EVENTS = frozenset({"order.created", "order.updated", "order.transition", "order.transitioned"})
CURSOR = "search"
BATCH = 500

Job = tuple[str, int, tuple[int, ...]]  # ("kb", article id, passage ids) | ("order", order id, ())


class IndexSync:
    def __init__(
        self,
        factory: sessionmaker[Session],
        *,
        kb: HybridSearcher,
        orders: HybridSearcher,
        vectors: bool = True,
        poll_seconds: float = 0.5,
        name: str = CURSOR,
    ) -> None:
        self._factory = factory
        self.kb = kb
        self.orders = orders
        self.vectors = vectors and kb.embedder is not None
        self.name = name
        self._poll = poll_seconds
        self._apply_lock = threading.Lock()  # one batch at a time: the async loop and drain()
        self._write_lock = threading.Lock()  # index writes: keyword step vs vector step
        self._jobs: queue.Queue[Job | None] = queue.Queue()
        self._outstanding: Counter[int] = Counter()  # article id → queued vector jobs
        self._outstanding_lock = threading.Lock()
        self._worker: threading.Thread | None = None
        self._task: asyncio.Task[None] | None = None
        self._wake: asyncio.Event | None = None
        self._listener: Callable[[int], None] | None = None
        self._stopping = False

    # -- cursor ------------------------------------------------------------------------------------
    def cursor(self) -> int:
        with self._factory() as session:
            row = session.get(IndexCursor, self.name)
            return row.position if row else 0

    def _set_cursor(self, session: Session, position: int) -> None:
        row = session.get(IndexCursor, self.name)
        if row is None:
            session.add(IndexCursor(name=self.name, position=position))
        else:
            row.position = position

    # -- the keyword step ----------------------------------------------------------------------------
    def process_pending(self) -> int:
        """Apply every event after the cursor (keyword step; vectors are queued). Returns how many."""
        total = 0
        with self._apply_lock:
            while True:
                with self._factory() as session:
                    row = session.get(IndexCursor, self.name)
                    after = row.position if row else 0
                    events = list(
                        session.scalars(
                            select(Event).where(Event.position > after).order_by(Event.position).limit(BATCH)
                        )
                    )
                if not events:
                    return total
                self._apply(events)
                total += len(events)

    def _apply(self, events: list[Event]) -> None:
        upsert: dict[int, set[int]] = {}
        deleted: set[int] = set()
        order_ids: set[int] = set()
        for ev in events:
            if ev.type in KB_EVENTS:
                upsert.setdefault(int(ev.payload["article_id"]), set()).update(ev.payload.get("upsert") or ())
                deleted.update(ev.payload.get("delete") or ())
            elif ev.type in ORDER_EVENTS and ev.payload.get("order_id") is not None:
                order_ids.add(int(ev.payload["order_id"]))
        # Reads, index writes and the cursor update in separate short transactions: on SQLite every
        # transaction takes the write lock (BEGIN IMMEDIATE), so none may stay open while indexing.
        statuses: dict[int, str] = {}
        jobs: list[Job] = []
        if upsert:
            jobs += self._kb_keyword(upsert, deleted, statuses)
        if order_ids:
            jobs += self._orders_keyword(order_ids)
        with session_scope(self._factory) as session:
            for article_id, status in statuses.items():
                session.execute(
                    update(KbArticle).where(KbArticle.id == article_id).values(index_status=status, index_error=None)
                )
            self._set_cursor(session, events[-1].position)
        for job in jobs:
            self._enqueue(job)

    def _kb_docs(self, session: Session, passage_ids: Iterable[int]) -> list[Document]:
        """Documents of the given passages that still exist in a published article."""
        ids = sorted(set(passage_ids))
        if not ids:
            return []
        rows = list(session.scalars(select(KbPassage).where(KbPassage.id.in_(ids))))
        articles = {
            a.id: a for a in session.scalars(select(KbArticle).where(KbArticle.id.in_({p.article_id for p in rows})))
        }
        units = dict(
            session.execute(
                select(Workstation.id, Workstation.name).where(
                    Workstation.id.in_({a.owner_unit_id for a in articles.values() if a.owner_unit_id})
                )
            ).all()
        )
        out = []
        for p in rows:
            article = articles[p.article_id]
            if article.state == "published":
                source = article.department or units.get(article.owner_unit_id or -1)
                out.append(passage_document(article, p, source=source))
        return out

    def _kb_keyword(self, upsert: dict[int, set[int]], deleted: set[int], statuses: dict[int, str]) -> list[Job]:
        wanted = set().union(*upsert.values())
        with self._factory() as session:
            docs = self._kb_docs(session, wanted)
        live = {d.id for d in docs}
        stale = [doc_id for doc_id in map(passage_doc_id, sorted(deleted | wanted)) if doc_id not in live]
        with self._write_lock:
            if stale:
                self.kb.backend.delete(self.kb.index, stale)
            if docs:
                self.kb.index_documents(docs, with_vectors=False)
        by_article: dict[int, list[int]] = {}
        for d in docs:
            by_article.setdefault(int(d.extra["article_id"]), []).append(int(d.id.removeprefix("kb:")))
        jobs: list[Job] = []
        for article_id in upsert:
            passage_ids = by_article.get(article_id, [])
            vectors_due = self.vectors and bool(passage_ids)
            statuses[article_id] = "keyword" if vectors_due else "complete"
            if vectors_due:
                jobs.append(("kb", article_id, tuple(passage_ids)))
        return jobs

    def _orders_keyword(self, order_ids: set[int]) -> list[Job]:
        with self._factory() as session:
            orders = list(session.scalars(select(WorkOrder).where(WorkOrder.id.in_(sorted(order_ids)))))
            docs = [order_document(o) for o in orders]
        with self._write_lock:
            if docs:
                self.orders.index_documents(docs, with_vectors=False)
        return [("order", o.id, ()) for o in orders] if self.vectors else []

    # -- the vector step -------------------------------------------------------------------------------
    def _enqueue(self, job: Job) -> None:
        if job[0] == "kb":
            with self._outstanding_lock:
                self._outstanding[job[1]] += 1
        self._ensure_worker()
        self._jobs.put(job)

    def _ensure_worker(self) -> None:
        if self._worker is None or not self._worker.is_alive():
            self._worker = threading.Thread(target=self._work, name="index-vectors", daemon=True)
            self._worker.start()

    def _work(self) -> None:
        while True:
            job = self._jobs.get()
            try:
                if job is None:
                    return
                self._run_job(job)
            except Exception as exc:  # never let one bad document stop the worker
                log.exception("vector indexing failed for %s", job)
                if job is not None and job[0] == "kb":
                    self._set_status(job[1], "failed", f"{type(exc).__name__}: {exc}"[:500])
            finally:
                self._jobs.task_done()

    def _run_job(self, job: Job) -> None:
        kind, key, passage_ids = job
        searcher = self.kb if kind == "kb" else self.orders
        docs = self._job_docs(kind, key, passage_ids)
        if docs and searcher.embedder is not None:
            # Embed outside the write lock (the slow part); the cached embedder makes the second call free.
            searcher.embedder.embed_passages([index_text(d) for d in docs])
        with self._write_lock:
            docs = self._job_docs(kind, key, passage_ids)  # re-read: a newer event may have changed them
            if docs:
                searcher.index_documents(docs, with_vectors=True)
        if kind == "kb":
            with self._outstanding_lock:
                self._outstanding[key] -= 1
                done = self._outstanding[key] <= 0
                if done:
                    del self._outstanding[key]
            if done:
                self._set_status(key, "complete", None, only_if="keyword")

    def _job_docs(self, kind: str, key: int, passage_ids: tuple[int, ...]) -> list[Document]:
        with self._factory() as session:
            if kind == "kb":
                return self._kb_docs(session, passage_ids)
            order = session.get(WorkOrder, key)
            return [order_document(order)] if order is not None else []

    def _set_status(self, article_id: int, status: str, error: str | None, only_if: str | None = None) -> None:
        with session_scope(self._factory) as session:
            stmt = update(KbArticle).where(KbArticle.id == article_id)
            if only_if:
                stmt = stmt.where(KbArticle.index_status == only_if)
            session.execute(stmt.values(index_status=status, index_error=error))

    def wait_vectors(self) -> None:
        if self._worker is not None:
            self._jobs.join()

    def drain(self) -> int:
        """Apply every pending event and finish its vectors. Deterministic replacement for sleeping."""
        n = self.process_pending()
        self.wait_vectors()
        return n

    # -- start-up repair, rebuild -----------------------------------------------------------------------
    def resume(self) -> int:
        """Re-queue the vector step of articles left at ``keyword`` or ``failed`` (crash, model error)."""
        if not self.vectors:
            return 0
        with self._factory() as session:
            rows = session.execute(
                select(KbArticle.id, KbPassage.id)
                .join(KbPassage, KbPassage.article_id == KbArticle.id)
                .where(KbArticle.state == "published", KbArticle.index_status.in_(("keyword", "failed")))
            ).all()
        todo: dict[int, list[int]] = {}
        for article_id, passage_id in rows:
            todo.setdefault(article_id, []).append(passage_id)
        for article_id, ids in todo.items():
            self._set_status(article_id, "keyword", None)
            self._enqueue(("kb", article_id, tuple(ids)))
        return len(todo)

    def reindex_all(self, *, progress: Callable[[int], None] | None = None) -> tuple[int, int]:
        """Index every published passage and every order from the database (into an empty index) and set
        the cursor to the head of the event stream. Returns (passages, orders)."""
        with self._apply_lock, self._write_lock:
            with self._factory() as session:
                head = int(session.scalar(select(func.coalesce(func.max(Event.position), 0))) or 0)
                passage_ids = list(
                    session.scalars(
                        select(KbPassage.id)
                        .join(KbArticle, KbArticle.id == KbPassage.article_id)
                        .where(KbArticle.state == "published")
                    )
                )
                docs = self._kb_docs(session, passage_ids)
            self.kb.index_documents(docs, with_vectors=self.vectors, progress=progress)
            n_orders = 0
            with self._factory() as session:
                last = 0
                while True:
                    batch = list(
                        session.scalars(select(WorkOrder).where(WorkOrder.id > last).order_by(WorkOrder.id).limit(500))
                    )
                    if not batch:
                        break
                    order_docs = [order_document(o) for o in batch]
                    self.orders.index_documents(order_docs, with_vectors=self.vectors, progress=progress)
                    n_orders += len(batch)
                    last = batch[-1].id
            with session_scope(self._factory) as session:
                session.execute(
                    update(KbArticle)
                    .where(KbArticle.published_version.is_not(None))
                    .values(index_status="complete", index_error=None)
                )
                self._set_cursor(session, head)
        return len(docs), n_orders

    # -- running inside the app ---------------------------------------------------------------------------
    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        wake = self._wake

        def on_commit(_top: int) -> None:
            loop.call_soon_threadsafe(wake.set)

        self._listener = on_commit
        on_commit_listeners.append(on_commit)
        await asyncio.to_thread(self.resume)
        self._task = asyncio.create_task(self._run(), name="index-sync")

    async def _run(self) -> None:
        assert self._wake is not None
        while not self._stopping:
            try:
                await asyncio.to_thread(self.process_pending)
            except Exception:  # a database or index hiccup: retried on the next wake-up
                log.exception("index sync failed; retrying")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self._poll)
            self._wake.clear()

    async def stop(self) -> None:
        if self._listener in on_commit_listeners:
            on_commit_listeners.remove(self._listener)  # type: ignore[arg-type]
        self._stopping = True
        if self._wake is not None:
            self._wake.set()
        if self._task is not None:
            await self._task
        if self._worker is not None and self._worker.is_alive():
            # Queued vector jobs are dropped, not worked off: shutdown stays quick, and articles left at
            # "keyword" are re-queued by resume() on the next start (orders keep keyword-only documents
            # until their next event or ``hotline index rebuild``).
            while True:
                try:
                    self._jobs.get_nowait()
                except queue.Empty:
                    break
                self._jobs.task_done()
            self._jobs.put(None)
            await asyncio.to_thread(self._worker.join, 30)

    def status(self) -> dict[str, Any]:
        return {"cursor": self.cursor(), "vector_jobs": self._jobs.unfinished_tasks, "vectors": self.vectors}


def order_doc_id(order_id: int) -> str:
    return f"{ORDER_PREFIX}{order_id}"
