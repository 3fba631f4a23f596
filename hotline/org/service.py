"""Queries over the workstation tree."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.org.models import Region, Workstation


def subtree_ids(*, session: Session, root_id: int) -> set[int]:
    """The workstation and every descendant (the tree is two tiers deep, but this does not rely on it)."""
    ids = {root_id}
    frontier = [root_id]
    while frontier:
        children = session.scalars(select(Workstation.id).where(Workstation.parent_id.in_(frontier))).all()
        frontier = [c for c in children if c not in ids]
        ids.update(frontier)
    return ids


def list_workstations(*, session: Session, tier: int | None = None, parent_id: int | None = None) -> list[Workstation]:
    stmt = select(Workstation).where(Workstation.active.is_(True)).order_by(Workstation.tier, Workstation.code)
    if tier is not None:
        stmt = stmt.where(Workstation.tier == tier)
    if parent_id is not None:
        stmt = stmt.where(Workstation.parent_id == parent_id)
    return list(session.scalars(stmt))


def list_regions(*, session: Session) -> list[Region]:
    return list(session.scalars(select(Region).order_by(Region.code)))


def get_region(*, session: Session, code: str) -> Region | None:
    return session.get(Region, code)
