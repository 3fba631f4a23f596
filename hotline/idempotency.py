"""Idempotent creation: a repeated ``Idempotency-Key`` with the same body replays the first answer;
with a different body it is refused."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, ForeignKey, String, delete
from sqlalchemy.orm import Mapped, Session, mapped_column

from hotline.db import Base, utcnow


class IdempotencyRecord(Base):
    __tablename__ = "idempotency_record"

    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), primary_key=True)
    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    endpoint: Mapped[str] = mapped_column(String(128))
    body_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int]
    response: Mapped[dict[str, Any]]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class KeyReused(Exception):
    def __init__(self, key: str) -> None:
        super().__init__(f"Idempotency-Key {key!r} 已用于内容不同的请求，请为新请求使用新的键")


def body_hash(body: Any) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()


def replay(*, session: Session, user_id: int, key: str, endpoint: str, digest: str) -> IdempotencyRecord | None:
    rec = session.get(IdempotencyRecord, (user_id, key))
    if rec is None:
        return None
    if rec.body_hash != digest or rec.endpoint != endpoint:
        raise KeyReused(key)
    return rec


def remember(
    *, session: Session, user_id: int, key: str, endpoint: str, digest: str, status_code: int, response: dict[str, Any]
) -> None:
    session.add(
        IdempotencyRecord(
            user_id=user_id, key=key, endpoint=endpoint, body_hash=digest, status_code=status_code, response=response
        )
    )


def purge_before(*, session: Session, cutoff: datetime) -> int:
    # A DML statement always executes through a cursor, so the result is a CursorResult.
    result = cast(
        CursorResult[Any], session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.created_at < cutoff))
    )
    return result.rowcount or 0
