"""The centre's organisation: regions, the workstation tree, merged lines, specialist desks, duty rosters."""

from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hotline.db import Base


class Region(Base):
    __tablename__ = "region"

    code: Mapped[str] = mapped_column(String(8), primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16), default="district")


class Workstation(Base):
    """A tier-2 (county government or municipal department) or tier-3 (township, street, community,
    subordinate unit) workstation. The centre itself is not a workstation."""

    __tablename__ = "workstation"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(128))
    tier: Mapped[int]
    kind: Mapped[str] = mapped_column(String(16))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("workstation.id"), index=True)
    region_code: Mapped[str | None] = mapped_column(ForeignKey("region.code"))
    functional: Mapped[bool] = mapped_column(Boolean, default=False)
    phone: Mapped[str | None] = mapped_column(String(32))
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    children: Mapped[list[Workstation]] = relationship(back_populates="parent")
    parent: Mapped[Workstation | None] = relationship(back_populates="children", remote_side=[id])


class MergedLine(Base):
    __tablename__ = "merged_line"

    number: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    merge_mode: Mapped[str] = mapped_column(String(24))  # number_cancelled | both_kept | sub_centre
    desk_code: Mapped[str | None] = mapped_column(ForeignKey("specialist_desk.code"))


class SpecialistDesk(Base):
    __tablename__ = "specialist_desk"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    can_resolve: Mapped[bool] = mapped_column(Boolean, default=True)
    oversight: Mapped[bool] = mapped_column(Boolean, default=False)


class DutyRosterEntry(Base):
    __tablename__ = "duty_roster"

    id: Mapped[int] = mapped_column(primary_key=True)
    workstation_id: Mapped[int] = mapped_column(ForeignKey("workstation.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # night | weekend | holiday
    contact: Mapped[str] = mapped_column(String(64))
    phone: Mapped[str] = mapped_column(String(32))
