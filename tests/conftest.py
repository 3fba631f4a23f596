"""Shared fixtures. Every database-facing test runs twice, as ``[sqlite]`` and ``[postgresql]``.

PostgreSQL comes from ``HOTLINE_TEST_PG_URL`` (``scripts/test.sh`` starts Debian's cluster and sets it).
Without it the ``[postgresql]`` tests fail with a message saying so; they never skip silently.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import uvicorn
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine

import hotline.models_registry  # noqa: F401
from api.app import create_app
from hotline.db import Base, make_engine, make_sessionmaker, migrate
from hotline.notify import RecordingNotifier
from hotline.settings import Settings
from tests.seed import SeedOrg, seed_org

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
BACKENDS = ["sqlite", "postgresql"]


def pg_url() -> str:
    url = os.environ.get("HOTLINE_TEST_PG_URL")
    if not url:
        pytest.fail(
            "HOTLINE_TEST_PG_URL is not set: PostgreSQL tests need a running server. "
            "Run the suite with `make test` (scripts/test.sh starts Debian's cluster)."
        )
    return url


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("tpl") / "template.db"
    migrate(f"sqlite:///{path}")
    return path


_pg_migrated = False


def _truncate_pg(engine: Engine) -> None:
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        conn.execute(text("INSERT INTO event_counter (name, value) VALUES ('events', 0)"))


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    global _pg_migrated
    if request.param == "sqlite":
        path = tmp_path / "hotline.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    url = pg_url()
    if not _pg_migrated:
        migrate(url)
        _pg_migrated = True
    engine = create_engine(url)
    try:
        _truncate_pg(engine)
    finally:
        engine.dispose()
    return url


@pytest.fixture
def backend(db_url: str) -> str:
    return "postgresql" if db_url.startswith("postgresql") else "sqlite"


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    return Settings(
        database_url=db_url,
        data_dir=tmp_path / "data",
        run_scheduler=False,
        event_poll_seconds=0.2,
        attachment_max_bytes=64 * 1024,
        secret_key="test-secret-key-that-is-long-enough-32",
        # Keyword-only search unless a test asks for vectors: the embedders are tested in kb_search.
        embedder="none",
        # The fixture already migrated this database; the app's own start-up migration is tested below.
        migrate_on_start=False,
    )


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    eng = make_engine(db_url)
    yield eng
    eng.dispose()


@pytest.fixture
def seeded(engine: Engine) -> SeedOrg:
    factory = make_sessionmaker(engine)
    with factory() as session:
        org = seed_org(session)
        session.commit()
    return org


@pytest.fixture
def notifier() -> RecordingNotifier:
    return RecordingNotifier()


@pytest.fixture
def client(settings: Settings, seeded: SeedOrg, notifier: RecordingNotifier) -> Iterator[TestClient]:
    app = create_app(settings, notifier=notifier)
    with TestClient(app) as c:
        yield c


@dataclass
class Api:
    """A logged-in client for one demo user: ``api.get('/api/...')`` with the bearer token."""

    client: TestClient
    token: str
    user: dict[str, object]

    def _h(self, headers: dict[str, str] | None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}", **(headers or {})}

    def get(self, url: str, **kw: object):  # type: ignore[no-untyped-def]
        return self.client.get(url, headers=self._h(kw.pop("headers", None)), **kw)  # type: ignore[arg-type]

    def post(self, url: str, **kw: object):  # type: ignore[no-untyped-def]
        return self.client.post(url, headers=self._h(kw.pop("headers", None)), **kw)  # type: ignore[arg-type]

    def put(self, url: str, **kw: object):  # type: ignore[no-untyped-def]
        return self.client.put(url, headers=self._h(kw.pop("headers", None)), **kw)  # type: ignore[arg-type]

    def patch(self, url: str, **kw: object):  # type: ignore[no-untyped-def]
        return self.client.patch(url, headers=self._h(kw.pop("headers", None)), **kw)  # type: ignore[arg-type]

    def delete(self, url: str, **kw: object):  # type: ignore[no-untyped-def]
        return self.client.delete(url, headers=self._h(kw.pop("headers", None)), **kw)  # type: ignore[arg-type]


def login(client: TestClient, username: str, password: str = "Passw0rd!") -> Api:
    res = client.post("/api/auth/login", json={"username": username, "password": password})
    assert res.status_code == 200, res.text
    body = res.json()
    return Api(client, body["access_token"], body["user"])


@pytest.fixture
def as_user(client: TestClient):  # type: ignore[no-untyped-def]
    cache: dict[str, Api] = {}

    def get(username: str) -> Api:
        if username not in cache:
            cache[username] = login(client, username)
        return cache[username]

    return get


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LiveServer:
    """The real app under uvicorn in a thread, for tests with real websocket clients."""

    def __init__(self, settings: Settings, notifier: RecordingNotifier | None = None) -> None:
        self.port = free_port()
        self.app = create_app(settings, notifier=notifier)
        config = uvicorn.Config(
            self.app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="on", ws="websockets-sansio"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self._clients: list[httpx.Client] = []

    def http_client(self) -> httpx.Client:
        client = httpx.Client(base_url=self.url, timeout=10)
        self._clients.append(client)
        return client

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/api/ws"

    def start(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("live server did not start")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        for client in self._clients:
            client.close()
        self.server.should_exit = True
        self.thread.join(timeout=15)


@pytest.fixture
def live_server(settings: Settings, seeded: SeedOrg, notifier: RecordingNotifier) -> Iterator[LiveServer]:
    server = LiveServer(settings, notifier).start()
    yield server
    server.stop()
