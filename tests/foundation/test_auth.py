from __future__ import annotations

from fastapi.testclient import TestClient

from tests.conftest import login
from tests.seed import PASSWORD


def test_login_returns_expiring_token_and_user(client: TestClient) -> None:
    res = client.post("/api/auth/login", json={"username": "agent", "password": PASSWORD})
    assert res.status_code == 200
    body = res.json()
    assert body["token_type"] == "bearer"
    assert body["user"]["role"] == "agent" and body["user"]["role_label"] == "话务员"
    me = client.get("/api/auth/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.status_code == 200 and me.json()["username"] == "agent"


def test_wrong_password_and_unknown_user_look_the_same(client: TestClient) -> None:
    a = client.post("/api/auth/login", json={"username": "agent", "password": "nope-nope"})
    b = client.post("/api/auth/login", json={"username": "ghost", "password": "nope-nope"})
    assert a.status_code == b.status_code == 401
    assert a.json()["detail"] == b.json()["detail"] == "用户名或密码错误"


def test_lockout_after_repeated_failures(client: TestClient) -> None:
    for _ in range(5):
        assert client.post("/api/auth/login", json={"username": "agent", "password": "wrong-pass"}).status_code == 401
    locked = client.post("/api/auth/login", json={"username": "agent", "password": PASSWORD})
    assert locked.status_code == 423
    assert "锁定" in locked.json()["detail"]
    # Another account is unaffected.
    assert client.post("/api/auth/login", json={"username": "dispatcher", "password": PASSWORD}).status_code == 200


def test_password_change_invalidates_old_tokens(client: TestClient) -> None:
    api = login(client, "agent")
    short = api.post("/api/auth/password", json={"old_password": PASSWORD, "new_password": "short"})
    assert short.status_code == 422 and "至少" in short.json()["detail"]
    wrong = api.post("/api/auth/password", json={"old_password": "not-it-at-all", "new_password": "NewPassw0rd!"})
    assert wrong.status_code == 401
    ok = api.post("/api/auth/password", json={"old_password": PASSWORD, "new_password": "NewPassw0rd!"})
    assert ok.status_code == 204
    assert api.get("/api/auth/me").status_code == 401
    assert client.post("/api/auth/login", json={"username": "agent", "password": PASSWORD}).status_code == 401
    assert login(client, "agent", "NewPassw0rd!").user["username"] == "agent"


def test_missing_or_forged_token_is_refused(client: TestClient) -> None:
    assert client.get("/api/auth/me").status_code == 401
    assert client.get("/api/auth/me", headers={"Authorization": "Bearer abc.def.ghi"}).status_code == 401


def test_every_route_declares_a_policy(client: TestClient) -> None:
    from fastapi.routing import APIRoute, APIWebSocketRoute

    from api.deps import PUBLIC_ROUTES, Policy

    def policies(dependant) -> list[object]:  # type: ignore[no-untyped-def]
        found = [d.call for d in dependant.dependencies if isinstance(d.call, Policy)]
        for d in dependant.dependencies:
            found += policies(d)
        return found

    undeclared = []
    for route in client.app.routes:  # type: ignore[attr-defined]
        if isinstance(route, APIRoute | APIWebSocketRoute) and route.path.startswith("/api"):
            if route.path in PUBLIC_ROUTES:
                continue
            if len(policies(route.dependant)) != 1:
                undeclared.append(route.path)
    assert undeclared == []


def test_app_start_migrates_an_empty_database(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import create_engine, inspect

    from api.app import create_app
    from hotline.settings import Settings

    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    app = create_app(Settings(database_url=url, data_dir=tmp_path, run_scheduler=False, embedder="none"))
    with TestClient(app) as c:
        assert c.get("/api/health").json() == {"status": "ok"}
    engine = create_engine(url)
    try:
        tables = set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
    assert {"alembic_version", "work_order", "event", "app_user", "kb_article"} <= tables
