"""A small organisation for tests: two counties, a street under the first, a functional department,
desks, a merged line and one user per role (password ``Passw0rd!``)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy.orm import Session

from hotline.org.models import MergedLine, Region, SpecialistDesk, Workstation
from hotline.users.models import User
from hotline.users.security import hash_password

PASSWORD = "Passw0rd!"


@lru_cache(maxsize=1)
def _hash() -> str:
    # Hashed once per run: argon2 is deliberately slow, and every test seeds a dozen users.
    return hash_password(PASSWORD)


@dataclass
class SeedOrg:
    county_a: int
    street_a1: int
    county_b: int
    department: int
    users: dict[str, int]


USERS = [
    ("agent", "agent", None, None),
    ("desk", "desk_agent", None, "business_env"),
    ("dispatcher", "dispatcher", None, None),
    ("followup", "follow_up_agent", None, None),
    ("staff_a", "workstation_staff", "county_a", None),
    ("staff_a1", "workstation_staff", "street_a1", None),
    ("staff_b", "workstation_staff", "county_b", None),
    ("staff_dept", "workstation_staff", "department", None),
    ("supervisor", "supervisor", None, None),
    ("kbeditor", "kb_editor", None, None),
    ("admin", "admin", None, None),
    ("observer", "observer", None, None),
]


def seed_org(session: Session) -> SeedOrg:
    session.add_all([Region(code="0101", name="云城区"), Region(code="0102", name="江北区")])
    session.add_all(
        [
            SpecialistDesk(code="business_env", name="营商环境", can_resolve=True, oversight=True),
            SpecialistDesk(code="legal_aid", name="法律援助", can_resolve=True, oversight=False),
        ]
    )
    session.flush()
    session.add(
        MergedLine(number="12348", name="公共法律服务热线", merge_mode="number_cancelled", desk_code="legal_aid")
    )
    a = Workstation(code="Q0101", name="云城区人民政府", tier=2, kind="county", region_code="0101")
    b = Workstation(code="Q0102", name="江北区人民政府", tier=2, kind="county", region_code="0102")
    d = Workstation(code="D-ZJJ", name="云州市住房和城乡建设局", tier=2, kind="department", functional=True)
    session.add_all([a, b, d])
    session.flush()
    a1 = Workstation(code="Q0101-J01", name="桂花街道办事处", tier=3, kind="street", region_code="0101", parent_id=a.id)
    session.add(a1)
    session.flush()
    units = {"county_a": a.id, "street_a1": a1.id, "county_b": b.id, "department": d.id}
    users: dict[str, int] = {}
    for username, role, unit, desk in USERS:
        user = User(
            username=username,
            display_name=f"测试{username}",
            password_hash=_hash(),
            role=role,
            workstation_id=units[unit] if unit else None,
            desk_code=desk,
        )
        session.add(user)
        session.flush()
        users[username] = user.id
    return SeedOrg(county_a=a.id, street_a1=a1.id, county_b=b.id, department=d.id, users=users)
