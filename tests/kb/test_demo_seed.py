"""The demo start imports ``kb/seed/*.md`` as published, searchable articles, once."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from api.app import create_app
from kb.flows import seed_items
from kb.models import KbArticle, KbVersion
from tests.conftest import login
from tests.kb.conftest import drain


def test_demo_start_imports_seed_once(settings, factory) -> None:  # type: ignore[no-untyped-def]
    demo = settings.model_copy(update={"demo_data": True})
    expected = len(seed_items())
    for _ in range(2):  # a restart changes nothing
        with TestClient(create_app(demo)) as client:
            drain(client)
            with factory() as s:
                assert s.scalar(select(func.count()).select_from(KbArticle).where(KbArticle.state == "published")) == expected
                assert s.scalar(select(func.count()).select_from(KbVersion)) == expected
                assert set(s.scalars(select(KbArticle.index_status))) == {"complete"}
            agent = login(client, "agent01", "Demo@12345")
            found = agent.get("/api/kb/search", params={"q": "社保卡丢了怎么办"}).json()["hits"]
            assert found and found[0]["title"] == "社会保险常见问题"
