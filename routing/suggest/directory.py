"""What the suggestion needs from the database that rarely changes — units, regions, the gazetteer's
locality index, the active catalogue rules — built once and rebuilt only when a cheap stamp (row counts,
the active units and the newest rule change) moves, so an administrator's edit is seen on the next suggestion."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from hotline.org.models import Region, Workstation
from routing.catalogue.locality import LocalityIndex
from routing.catalogue.models import CatalogueRule, GazetteerPlace
from routing.catalogue.service import RuleSnapshot, snapshot_rules


@dataclass(frozen=True, slots=True)
class UnitInfo:
    id: int
    code: str
    name: str
    tier: int
    kind: str
    region_code: str | None
    parent_id: int | None


def county_governments(units: Iterable[UnitInfo]) -> dict[str, UnitInfo]:
    """Region code → the region's own government (the tier-2 unit of the region that is not a city
    department, ``D-*``): what a catalogue rule's ``LOCAL`` lead names for an incident in that region."""
    return {u.region_code: u for u in units if u.tier == 2 and u.region_code and not u.code.startswith("D-")}


class Directory:
    def __init__(self, *, session: Session) -> None:
        units = session.scalars(select(Workstation).where(Workstation.active.is_(True))).all()
        self.by_code = {
            w.code: UnitInfo(w.id, w.code, w.name, w.tier, w.kind, w.region_code, w.parent_id) for w in units
        }
        self.by_id = {u.id: u for u in self.by_code.values()}
        self.county_of_region = county_governments(self.by_code.values())
        self.region_names = dict(session.execute(select(Region.code, Region.name)).all())
        self.locality = LocalityIndex.from_db(session=session)
        self.rules: list[RuleSnapshot] = snapshot_rules(session=session)

    def tier2_of(self, unit: UnitInfo) -> UnitInfo:
        while unit.tier > 2 and unit.parent_id in self.by_id:
            unit = self.by_id[unit.parent_id]
        return unit


_cache: dict[str, tuple[tuple[object, ...], Directory]] = {}
_lock = threading.Lock()


def _stamp(session: Session) -> tuple[object, ...]:
    row = session.execute(
        select(
            select(func.count(CatalogueRule.id)).scalar_subquery(),
            select(func.max(CatalogueRule.updated_at)).scalar_subquery(),
            select(func.count(GazetteerPlace.id)).scalar_subquery(),
            select(func.count(Workstation.id)).scalar_subquery(),
            # Deactivating a unit keeps the row: the active units' count and id sum see it, so a unit
            # taken out of service is never suggested again.
            select(func.count(Workstation.id)).where(Workstation.active.is_(True)).scalar_subquery(),
            select(func.coalesce(func.sum(Workstation.id), 0)).where(Workstation.active.is_(True)).scalar_subquery(),
        )
    ).one()
    return tuple(row)


def get_directory(*, session: Session) -> Directory:
    bind = session.get_bind()
    key = str((bind if isinstance(bind, Engine) else bind.engine).url)
    stamp = _stamp(session)
    with _lock:
        hit = _cache.get(key)
        if hit and hit[0] == stamp:
            return hit[1]
    directory = Directory(session=session)
    with _lock:
        _cache[key] = (stamp, directory)
    return directory
