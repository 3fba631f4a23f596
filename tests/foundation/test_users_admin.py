from __future__ import annotations

from tests.conftest import login


def test_admin_creates_changes_and_deactivates_users(as_user, client, seeded) -> None:  # type: ignore[no-untyped-def]
    adm = as_user("admin")
    assert as_user("supervisor").get("/api/users").status_code == 403
    bad = adm.post(
        "/api/users",
        json={"username": "ws_new", "display_name": "新人", "password": "Passw0rd!", "role": "workstation_staff"},
    )
    assert bad.status_code == 422 and "工作站" in bad.json()["detail"]
    dup = adm.post(
        "/api/users", json={"username": "agent", "display_name": "重名", "password": "Passw0rd!", "role": "agent"}
    )
    assert dup.status_code == 422 and "已存在" in dup.json()["detail"]
    created = adm.post(
        "/api/users",
        json={
            "username": "ws_new",
            "display_name": "新人",
            "password": "Passw0rd!",
            "role": "workstation_staff",
            "workstation_id": seeded.county_b,
        },
    )
    assert created.status_code == 201 and created.json()["workstation_name"] == "江北区人民政府"
    newbie = login(client, "ws_new")
    assert newbie.get("/api/auth/me").json()["workstation_id"] == seeded.county_b
    moved = adm.patch(f"/api/users/{created.json()['id']}", json={"workstation_id": seeded.county_a})
    assert moved.status_code == 200
    # A change of unit revokes tokens issued before it.
    assert newbie.get("/api/auth/me").status_code == 401
    off = adm.patch(f"/api/users/{created.json()['id']}", json={"active": False})
    assert off.json()["active"] is False
    res = client.post("/api/auth/login", json={"username": "ws_new", "password": "Passw0rd!"})
    assert res.status_code == 401
    self_off = adm.patch(f"/api/users/{seeded.users['admin']}", json={"active": False})
    assert self_off.status_code == 422
    actions = [e["action"] for e in adm.get("/api/audit").json()]
    assert actions.count("user_update") == 2 and "user_create" in actions


def test_admin_unlocks_a_locked_account(as_user, client, seeded) -> None:  # type: ignore[no-untyped-def]
    for _ in range(5):
        client.post("/api/auth/login", json={"username": "agent", "password": "wrong-pass"})
    assert client.post("/api/auth/login", json={"username": "agent", "password": "Passw0rd!"}).status_code == 423
    listed = {u["username"]: u for u in as_user("admin").get("/api/users").json()}
    assert listed["agent"]["locked_until"] is not None
    as_user("admin").patch(f"/api/users/{seeded.users['agent']}", json={"unlock": True})
    assert client.post("/api/auth/login", json={"username": "agent", "password": "Passw0rd!"}).status_code == 200


def test_call_transfer_to_a_specialist_desk(as_user) -> None:  # type: ignore[no-untyped-def]
    agent = as_user("agent")
    res = agent.post(
        "/api/calls/transfer",
        json={"caller_phone": "13800000000", "desk_code": "legal_aid", "summary": "劳动合同纠纷，需要法律援助"},
    )
    assert res.status_code == 201 and res.json()["kind"] == "transfer" and res.json()["desk_code"] == "legal_aid"
    bad = agent.post("/api/calls/transfer", json={"desk_code": "nowhere", "summary": "x"})
    assert bad.status_code == 422 and "nowhere" in bad.json()["detail"]
    assert [c["kind"] for c in as_user("supervisor").get("/api/calls").json()] == ["transfer"]


def test_duty_roster_of_a_unit(as_user, engine, seeded) -> None:  # type: ignore[no-untyped-def]
    from hotline.db import make_sessionmaker
    from hotline.org.models import DutyRosterEntry

    with make_sessionmaker(engine)() as s:
        s.add(DutyRosterEntry(workstation_id=seeded.county_a, kind="night", contact="值班员甲", phone="13800001111"))
        s.commit()
    roster = as_user("dispatcher").get(f"/api/workstations/{seeded.county_a}/duty-roster")
    assert roster.json() == [{"kind": "night", "contact": "值班员甲", "phone": "13800001111"}]
    assert as_user("dispatcher").get("/api/workstations/99999/duty-roster").status_code == 404
