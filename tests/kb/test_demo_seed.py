"""The demo start imports ``kb/seed/*.md`` as published, searchable articles, once."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from api.app import create_app
from kb.flows import import_seed, seed_items
from kb.models import KbArticle, KbVersion
from tests.conftest import login
from tests.kb.conftest import drain


def test_demo_start_imports_seed_once(settings, factory) -> None:  # type: ignore[no-untyped-def]
    # Keyword-only (HOTLINE_EMBEDDER=none): embedding 383 seed passages would dominate this test, and
    # the vector step is covered in test_index_sync.
    demo = settings.model_copy(update={"demo_data": True, "embedder": "none"})
    expected = len(seed_items())
    with TestClient(create_app(demo)) as client:
        drain(client)
        with factory() as s:
            published = select(func.count()).select_from(KbArticle).where(KbArticle.state == "published")
            assert s.scalar(published) == expected
            assert set(s.scalars(select(KbArticle.index_status))) == {"complete"}
        agent = login(client, "agent01", "Demo@12345")
        found = agent.get("/api/kb/search", params={"q": "社保卡丢了怎么办"}).json()["hits"]
        assert found and found[0]["title"] == "社会保险常见问题"
    # What the next start runs again: nothing changes.
    report = import_seed(factory)
    assert (report.created, report.updated, report.unchanged) == (0, 0, expected)
    with factory() as s:
        assert s.scalar(select(func.count()).select_from(KbVersion)) == expected
