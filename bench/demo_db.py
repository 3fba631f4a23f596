"""The benches' database: SQLite at head under a work dir, with the demo city's organisation,
gazetteer and dispatch catalogue loaded; the benches add their own orders on top."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

import hotline.models_registry  # noqa: F401
from hotline.db import make_engine, make_sessionmaker, migrate
from hotline.demo.load import city, load_org
from routing.catalogue.service import load_demo_catalogue


def demo_database(workdir: Path) -> tuple[Engine, sessionmaker[Session], dict[str, int], dict[str, Any]]:
    """``(engine, session factory, workstation ids by code, the demo city's data)`` of ``workdir/bench.db``."""
    data = city()
    url = f"sqlite:///{workdir / 'bench.db'}"
    migrate(url)
    engine = make_engine(url)
    factory = make_sessionmaker(engine)
    with factory() as session:
        ids = load_org(session=session, data=data)
        load_demo_catalogue(session=session, data=data)
        session.commit()
    return engine, factory, ids, data
