from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from hotline.db import make_sessionmaker
from hotline.demo.load import city, load_org
from hotline.settings import Settings, get_settings
from kb.search import ORDER_INDEX, Document, EmbeddedBackend, HybridSearcher
from routing import cli as routing_cli
from routing.catalogue.service import load_demo_catalogue
from routing.orders.models import WorkOrder
from tests.seed import SeedOrg


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Keyword-only search in the app: these tests bring their own order index, and the index sync's
    background embedding of every order they create would only slow them down. (The semantic duplicate
    and direct-answer tests use real embedders explicitly.)"""
    return settings.model_copy(update={"embedder": "none"})


@pytest.fixture
def demo(engine: Engine, seeded: SeedOrg) -> dict[str, int]:
    """The demo city's organisation, gazetteer and dispatch catalogue on top of the test seed."""
    data = city()
    with make_sessionmaker(engine)() as session:
        ids = load_org(session=session, data=data)
        load_demo_catalogue(session=session, data=data)
        session.commit()
    return ids


@pytest.fixture
def order_searcher(tmp_path: Path) -> Iterator[HybridSearcher]:
    """A real embedded order index (tantivy), keyword-only: fast, and what the suggestion sees when no
    embedder is configured."""
    backend = EmbeddedBackend(tmp_path / "order-index")
    yield HybridSearcher(backend, None, index=ORDER_INDEX)
    backend.close()


def index_orders(searcher: HybridSearcher, engine: Engine, ids: list[int]) -> None:
    """What the index sync does for orders: the (masked) text with region, category, unit, state."""
    from routing.orders.views_model import masked_fields

    docs = []
    with make_sessionmaker(engine)() as session:
        for oid in ids:
            o = session.get(WorkOrder, oid)
            assert o is not None
            text = masked_fields(o) if o.confidential else {"subject": o.subject, "description": o.description}
            docs.append(
                Document(
                    id=str(o.id),
                    title=text["subject"],
                    text=text["description"],
                    region=o.region_code,
                    category=o.category_l3,
                    state=o.state,
                    unit=str(o.lead_unit_id) if o.lead_unit_id else None,
                    created_at=o.created_at,
                )
            )
    searcher.index_documents(docs)


def set_lead(engine: Engine, order_id: int, unit_code: str, ids: dict[str, int], **fields: Any) -> None:
    """Test arrangement: the order's final handling unit (and category), as the lifecycle leaves it."""
    with make_sessionmaker(engine)() as session:
        o = session.get(WorkOrder, order_id)
        assert o is not None
        o.lead_unit_id = ids[unit_code]
        for k, v in fields.items():
            setattr(o, k, v)
        session.commit()


def train_from_db(task: str, *, db_url: str, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> str:
    """``hotline routing train --task TASK --from-db --serve`` through the production CLI against the
    test's database and model store; its output."""
    root, eval_app = typer.Typer(), typer.Typer()
    root.add_typer(eval_app, name="eval")
    routing_cli.register(root, eval_app)
    monkeypatch.setenv("HOTLINE_DATABASE_URL", db_url)
    monkeypatch.setenv("HOTLINE_DATA_DIR", str(settings.data_dir))
    get_settings.cache_clear()
    try:
        args = ["routing", "train", "--task", task, "--from-db", "--folds", "0", "--serve"]
        res = CliRunner().invoke(root, args)
    finally:
        get_settings.cache_clear()
    assert res.exit_code == 0, res.output
    return res.stdout
