"""Database engine, declarative base and migrations.

SQLite (WAL) is the embedded default; PostgreSQL is used when ``HOTLINE_DATABASE_URL`` points at it.
Schema changes go through Alembic only; the app and the tests both upgrade to head at start.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, DateTime, MetaData, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

if TYPE_CHECKING:
    from alembic.config import Config

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on both SQLite (which drops tzinfo) and PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r} given; use an aware UTC datetime")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime, dict[str, Any]: JSON, list[Any]: JSON}


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            # Autocommit off in the driver, explicit BEGIN IMMEDIATE from SQLAlchemy's begin hook:
            # write transactions then take the lock up front and never deadlock on upgrade.
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn: Any) -> None:
            # Read sessions (see ``make_sessionmaker(read=True)``) begin deferred, so they never wait
            # for a writer and never hold the write lock while some other session needs it.
            conn.exec_driver_sql("BEGIN" if conn.get_execution_options().get(READ_OPTION) else "BEGIN IMMEDIATE")

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


READ_OPTION = "hotline_read"


# ``Session.info`` key: the model store of the app that opened the session (``make_sessionmaker``).
MODELS_ROOT = "models_root"


def make_sessionmaker(
    engine: Engine, *, read: bool = False, info: dict[str, Any] | None = None
) -> sessionmaker[Session]:
    """Sessions for writing by default. ``read=True`` is for requests that only read (GET): on SQLite
    they begin a deferred transaction instead of taking the write lock up front. ``info`` is copied into
    every session's ``Session.info``: what the app configured that listeners on the session need (the
    model store the risk alert reads, ``routing.risk``)."""
    bind = engine.execution_options(**{READ_OPTION: True}) if read else engine
    return sessionmaker(bind=bind, expire_on_commit=False, info=dict(info or {}))


@contextmanager
def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def alembic_config(url: str) -> Config:
    """The Alembic configuration of our migrations, pointed at ``url``."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def migrate(url: str) -> None:
    """Upgrade the database at ``url`` to the newest Alembic revision."""
    from alembic import command

    if url.startswith("sqlite:///"):
        Path(url.split("///", 1)[1]).parent.mkdir(parents=True, exist_ok=True)
    command.upgrade(alembic_config(url), "head")


_AFTER_COMMIT = "hotline_after_commit"


def after_commit(session: Session, callback: Any) -> None:
    """Run ``callback()`` once the session's transaction has committed (never after a rollback):
    for side effects outside the database, such as an SMS receipt."""
    session.info.setdefault(_AFTER_COMMIT, []).append(callback)


@event.listens_for(Session, "after_commit")
def _run_after_commit(session: Session) -> None:
    for callback in session.info.pop(_AFTER_COMMIT, []):
        callback()


_ON_ROLLBACK = "hotline_on_rollback"


def on_rollback(session: Session, callback: Any) -> None:
    """Run ``callback()`` if the session's transaction rolls back: undo work outside the database."""
    session.info.setdefault(_ON_ROLLBACK, []).append(callback)


@event.listens_for(Session, "after_commit")
def _forget_rollback_undo(session: Session) -> None:
    session.info.pop(_ON_ROLLBACK, None)


@event.listens_for(Session, "after_rollback")
def _drop_after_commit(session: Session) -> None:
    session.info.pop(_AFTER_COMMIT, None)
    for callback in session.info.pop(_ON_ROLLBACK, []):
        callback()
