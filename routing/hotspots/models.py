from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from hotline.db import Base, utcnow


class Hotspot(Base):
    """One burst of similar orders in one area; members grow while the burst goes on."""

    __tablename__ = "hotspot"

    id: Mapped[int] = mapped_column(primary_key=True)
    area: Mapped[str] = mapped_column(String(32))  # tier-3 workstation code, else region code
    region_code: Mapped[str | None] = mapped_column(String(8), index=True)
    category: Mapped[str | None] = mapped_column(String(200))  # most common l1/l2 of the members
    title: Mapped[str] = mapped_column(String(200))
    terms: Mapped[list[Any]] = mapped_column(default=list)  # the words the members share
    member_ids: Mapped[list[Any]] = mapped_column(default=list)
    size: Mapped[int]
    first_at: Mapped[datetime]
    last_at: Mapped[datetime] = mapped_column(index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
