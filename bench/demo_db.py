"""The benches' database: at head, with the demo city's organisation, gazetteer and dispatch catalogue
loaded; the benches add their own orders on top. SQLite under a work dir by default; a bench that takes a
``--url`` passes it to run the same build on PostgreSQL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

import hotline.models_registry  # noqa: F401
from hotline.db import make_engine, make_sessionmaker, migrate
from hotline.demo.load import city, load_org
from routing.catalogue.service import load_demo_catalogue


def sqlite_url(workdir: Path) -> str:
    return f"sqlite:///{workdir / 'bench.db'}"


def demo_database(
    workdir: Path, url: str | None = None
) -> tuple[Engine, sessionmaker[Session], dict[str, int], dict[str, Any]]:
    """``(engine, session factory, workstation ids by code, the demo city's data)`` of the database at
    ``url``, by default ``workdir/bench.db``. The database must be empty: the caller clears it."""
    data = city()
    url = url or sqlite_url(workdir)
    migrate(url)
    engine = make_engine(url)
    factory = make_sessionmaker(engine)
    with factory() as session:
        ids = load_org(session=session, data=data)
        load_demo_catalogue(session=session, data=data)
        session.commit()
    return engine, factory, ids, data
