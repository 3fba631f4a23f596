"""Order numbers a citizen can quote: ``AREA-YYYYMMDD-C####`` (area of the incident, local date,
channel letter, daily sequence per area and channel), e.g. ``0101-20261124-D0007``."""

from __future__ import annotations

import re
import secrets
from datetime import datetime, timedelta, timezone

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from routing.orders.enums import Channel
from routing.orders.models import SequenceCounter

CHINA = timezone(timedelta(hours=8))
NUMBER_RE = re.compile(r"^\d{4}-\d{8}-[A-Z]\d{4,}$")


def next_value(*, session: Session, key: str) -> int:
    """Atomically increment a named counter (upsert), inside the caller's transaction."""
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    stmt = insert(SequenceCounter).values(key=key, value=1)
    upsert = stmt.on_conflict_do_update(
        index_elements=[SequenceCounter.key], set_={"value": SequenceCounter.value + 1}
    ).returning(SequenceCounter.value)
    return int(session.execute(upsert).scalar_one())


def order_number(*, session: Session, area_code: str, channel: Channel, at: datetime) -> str:
    day = at.astimezone(CHINA).strftime("%Y%m%d")
    seq = next_value(session=session, key=f"order:{area_code}:{day}:{channel.code}")
    return f"{area_code}-{day}-{channel.code}{seq:04d}"


def lookup_code() -> str:
    return f"{secrets.randbelow(10**6):06d}"
