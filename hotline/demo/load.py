"""Load the demo city (organisation, desks, merged lines, duty rosters, users) into an empty database.

Idempotent: rows are matched by their natural keys (codes, numbers, usernames) and only missing ones
are added, so a restart with ``HOTLINE_DEMO_DATA=1`` changes nothing.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from hotline.db import session_scope
from hotline.org.models import DutyRosterEntry, MergedLine, Region, SpecialistDesk, Workstation
from hotline.users.models import User
from hotline.users.roles import Role
from hotline.users.service import create_user

DATA = Path(__file__).parent / "data"


def city() -> dict[str, Any]:
    return json.loads((DATA / "city.json").read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def load_org(*, session: Session, data: dict[str, Any]) -> dict[str, int]:
    for r in data["regions"]:
        if session.get(Region, r["code"]) is None:
            session.add(Region(code=r["code"], name=r["name"], kind=r.get("kind", "district")))
    for d in data["specialist_desks"]:
        if session.get(SpecialistDesk, d["code"]) is None:
            session.add(
                SpecialistDesk(
                    code=d["code"],
                    name=d["name"],
                    can_resolve=d.get("can_resolve", True),
                    oversight=d.get("oversight", False),
                )
            )
    session.flush()
    for m in data["merged_lines"]:
        if session.get(MergedLine, m["number"]) is None:
            session.add(
                MergedLine(number=m["number"], name=m["name"], merge_mode=m["merge_mode"], desk_code=m.get("desk"))
            )
    ids: dict[str, int] = dict(session.execute(select(Workstation.code, Workstation.id)).all())
    # Parents first: tier-2 rows have no parent, tier-3 rows name a tier-2 code.
    for w in sorted(data["workstations"], key=lambda w: w["tier"]):
        if w["code"] in ids:
            continue
        ws = Workstation(
            code=w["code"],
            name=w["name"],
            tier=w["tier"],
            kind=w["kind"],
            parent_id=ids[w["parent"]] if w.get("parent") else None,
            region_code=w.get("region"),
            functional=w.get("functional", False),
            phone=w.get("phone"),
        )
        session.add(ws)
        session.flush()
        ids[w["code"]] = ws.id
        for duty in w.get("duty_roster", []):
            session.add(
                DutyRosterEntry(workstation_id=ws.id, kind=duty["kind"], contact=duty["contact"], phone=duty["phone"])
            )
    return ids


def load_users(*, session: Session, data: dict[str, Any], ids: dict[str, int]) -> None:
    existing = set(session.scalars(select(User.username)))
    for u in data["users"]:
        if u["username"] in existing:
            continue
        create_user(
            session=session,
            username=u["username"],
            password=u["password"],
            display_name=u["display_name"],
            role=Role(u["role"]),
            workstation_id=ids[u["workstation"]] if u.get("workstation") else None,
            desk_code=u.get("desk"),
        )


def load_demo(factory: sessionmaker[Session]) -> None:
    data = city()
    with session_scope(factory) as session:
        ids = load_org(session=session, data=data)
        load_users(session=session, data=data, ids=ids)
        from routing.catalogue.service import load_demo_catalogue

        load_demo_catalogue(session=session, data=data)  # gazetteer and dispatch catalogue


def demo_logins() -> list[tuple[str, str, str]]:
    """(role label, username, password) for the README and the start-up banner."""
    return [(Role(u["role"]).label, u["username"], u["password"]) for u in city()["users"]]
