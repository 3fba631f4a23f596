"""Catalogue rules with an immutable version trail, per-rule dispute counters, and the gazetteer."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hotline.db import Base, utcnow

#: ``lead`` value meaning "the county government of the incident's locality".
LOCAL = "LOCAL"


class CatalogueRule(Base):
    """The current form of one rule. ``active = False`` is a deleted rule (kept so that versions and
    dispute counts stay attributable)."""

    __tablename__ = "catalogue_rule"

    id: Mapped[int] = mapped_column(primary_key=True)
    level1: Mapped[str] = mapped_column(String(64), index=True)
    level2: Mapped[str] = mapped_column(String(64))
    level3: Mapped[str] = mapped_column(String(64))
    region_code: Mapped[str | None] = mapped_column(ForeignKey("region.code"), default=None)
    keywords: Mapped[list[Any]] = mapped_column(default=list)
    lead: Mapped[str] = mapped_column(String(32))  # LOCAL or a workstation code
    assist: Mapped[list[Any]] = mapped_column(default=list)  # workstation codes
    tier3_allowed: Mapped[bool] = mapped_column(Boolean, default=False)
    functional: Mapped[bool] = mapped_column(Boolean, default=False)
    reply_days: Mapped[int | None] = mapped_column(default=None)  # None: the policy's default
    active: Mapped[bool] = mapped_column(Boolean, default=True, index=True)
    version: Mapped[int] = mapped_column(default=1)
    disputes: Mapped[int] = mapped_column(default=0)  # 派单异议 counted against this rule
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), default=None)


class CatalogueRuleVersion(Base):
    __tablename__ = "catalogue_rule_version"
    __table_args__ = (UniqueConstraint("rule_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    rule_id: Mapped[int] = mapped_column(ForeignKey("catalogue_rule.id"), index=True)
    version: Mapped[int]
    change: Mapped[str] = mapped_column(String(16))  # create | update | delete
    data: Mapped[dict[str, Any]]
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), default=None)


class GazetteerPlace(Base):
    """A place callers name (street, township, village, estate, road, landmark) → its tier-3 unit."""

    __tablename__ = "gazetteer_place"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    aliases: Mapped[list[Any]] = mapped_column(default=list)
    kind: Mapped[str] = mapped_column(String(16))
    workstation_code: Mapped[str] = mapped_column(String(32))
    region_code: Mapped[str] = mapped_column(ForeignKey("region.code"))
