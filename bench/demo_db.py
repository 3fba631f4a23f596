"""The benches' database: at head, with the demo city's organisation, gazetteer and dispatch catalogue
loaded; the benches add their own orders on top. SQLite under a work dir by default; a bench that takes a
``--url`` passes it to run the same build on PostgreSQL, after ``check_bench_db`` and ``clear_pg``."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

from sqlalchemy import func, inspect, select, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session, sessionmaker

import hotline.models_registry  # noqa: F401
from hotline.db import make_engine, make_sessionmaker, migrate
from hotline.demo.load import city, load_org
from routing.catalogue.service import load_demo_catalogue
from routing.orders.models import WorkOrder

# A build drops every table of a PostgreSQL database: only one named for it may be pointed at.
BENCH_DB_PREFIX = "hotline_bench"


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


def check_bench_db(url: str, example: str = "kpi") -> None:
    """Exit unless ``url`` is a PostgreSQL database named for the benches: the build drops all its tables.
    ``example`` names the database the message suggests creating (``hotline_bench_<example>``)."""
    if make_url(url).get_backend_name() != "postgresql":
        sys.exit("--url takes a PostgreSQL URL; without it the bench runs on SQLite under --workdir")
    name = make_url(url).database or ""
    if not name.startswith(BENCH_DB_PREFIX):
        sys.exit(
            f"refusing --url {make_url(url).render_as_string(hide_password=True)}: the build empties the "
            f"database (DROP SCHEMA public CASCADE), so its name must start with {BENCH_DB_PREFIX!r} "
            f"(got {name!r}); create one with HOTLINE_TEST_DB={BENCH_DB_PREFIX}_{example} bash scripts/pg.sh"
        )


def pg_built_orders(url: str) -> int | None:
    """Orders in an existing PostgreSQL build, or None where there is no ``work_order`` table."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            if not inspect(conn).has_table("work_order"):
                return None
            return conn.scalar(select(func.count()).select_from(WorkOrder))
    finally:
        engine.dispose()


def clear_pg(url: str) -> None:
    """Empty a bench database (checked by ``check_bench_db``) before a build."""
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def analyze_pg(engine: Engine) -> None:
    """ANALYZE after a bulk load (what autovacuum would do soon after), so the first timed run does not
    plan on empty statistics; prints how long it took. A no-op on SQLite."""
    if engine.dialect.name != "postgresql":
        return
    t = time.perf_counter()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("ANALYZE"))
    print(f"  ANALYZE ({time.perf_counter() - t:.0f} s)", flush=True)
