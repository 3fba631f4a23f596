"""Import through the admin API: every file type, re-import idempotence, changed passages only."""

from __future__ import annotations

from sqlalchemy import func, select

from hotline.events.models import Event
from kb.models import KbPassage, KbVersion
from tests.kb.conftest import catalogue_file, docx_file, drain, html_file, markdown_file, pdf_file


def upload(api, *files: tuple[str, bytes], **form: str):  # type: ignore[no-untyped-def]
    return api.post("/api/kb/import", files=[("files", f) for f in files], data=form)


def test_import_every_format_then_search(client, as_user, seeded) -> None:  # type: ignore[no-untyped-def]
    editor = as_user("kbeditor")
    res = upload(
        editor,
        ("shebao.md", markdown_file()),
        ("bdc.html", html_file()),
        ("gjj.docx", docx_file()),
        ("yitiji.pdf", pdf_file()),
        ("items.jsonl", catalogue_file()),
        category="terminal_manual",
        department="云州市政务服务中心",
    )
    assert res.status_code == 200, res.text
    report = res.json()
    assert report["created"] == 6 and report["updated"] == 0 and report["unchanged"] == 0
    drain(client)
    agent = as_user("agent")
    expect = {
        "临时挂失": "社保卡挂失手册",
        "不动产登记中心": "不动产登记查询指南",
        "缴存明细": "公积金自助终端操作手册",
        "营业执照副本": "政务服务一体机操作手册",
        "免冠照片": "护照首次申领",
    }
    for query, title in expect.items():
        found = agent.get("/api/kb/search", params={"q": query, "mode": "bm25"}).json()["hits"]
        assert found and found[0]["title"] == title, (query, found)
    articles = {a["title"]: a for a in editor.get("/api/kb/articles").json()}
    assert articles["社保卡挂失手册"]["owner_unit_id"] == seeded.department  # owner code D-ZJJ resolved
    assert articles["不动产登记查询指南"]["category"] == "service_guide"  # the file's own meta wins
    assert articles["政务服务一体机操作手册"]["category"] == "terminal_manual"  # the form default
    assert articles["个体工商户设立登记"]["department"] == "云州市市场监督管理局"


def test_reimport_unchanged_changes_nothing(client, as_user, factory) -> None:  # type: ignore[no-untyped-def]
    editor = as_user("kbeditor")
    assert upload(editor, ("shebao.md", markdown_file()), ("items.jsonl", catalogue_file())).json()["created"] == 3
    with factory() as s:
        before = (
            s.scalar(select(func.count()).select_from(Event)),
            s.scalar(select(func.count()).select_from(KbVersion)),
            sorted(s.scalars(select(KbPassage.id))),
        )
    report = upload(editor, ("shebao.md", markdown_file()), ("items.jsonl", catalogue_file())).json()
    assert (report["created"], report["updated"], report["unchanged"]) == (0, 0, 3)
    with factory() as s:
        after = (
            s.scalar(select(func.count()).select_from(Event)),
            s.scalar(select(func.count()).select_from(KbVersion)),
            sorted(s.scalars(select(KbPassage.id))),
        )
    assert after == before


def test_changed_file_replaces_only_changed_passages(client, as_user, factory) -> None:  # type: ignore[no-untyped-def]
    editor, agent = as_user("kbeditor"), as_user("agent")
    (article_id,) = upload(editor, ("shebao.md", markdown_file())).json()["articles"]
    drain(client)
    with factory() as s:
        old = {
            tuple(p.heading_path): p.id for p in s.scalars(select(KbPassage).where(KbPassage.article_id == article_id))
        }
    report = upload(editor, ("shebao.md", markdown_file(extra="夜间也可以在自助机挂失。"))).json()
    assert (
        report["updated"],
        report["passages_added"],
        report["passages_removed"],
        report["passages_kept"],
    ) == (1, 1, 1, 2)
    with factory() as s:
        new = {
            tuple(p.heading_path): p.id for p in s.scalars(select(KbPassage).where(KbPassage.article_id == article_id))
        }
        versions = list(
            s.scalars(select(KbVersion.state).where(KbVersion.article_id == article_id).order_by(KbVersion.number))
        )
    changed = ("操作步骤", "一、临时挂失")
    assert new[changed] != old[changed]
    assert {k: v for k, v in new.items() if k != changed} == {k: v for k, v in old.items() if k != changed}
    assert versions == ["superseded", "published"]
    drain(client)
    found = agent.get("/api/kb/search", params={"q": "夜间 挂失", "mode": "bm25"}).json()["hits"]
    assert found[0]["id"] == f"kb:{new[changed]}"
    ids = {h["id"] for h in agent.get("/api/kb/search", params={"q": "挂失", "mode": "bm25", "k": 50}).json()["hits"]}
    assert f"kb:{old[changed]}" not in ids


def test_import_needs_an_editor_and_names_bad_input(as_user) -> None:  # type: ignore[no-untyped-def]
    assert upload(as_user("agent"), ("a.md", markdown_file())).status_code == 403
    res = upload(as_user("kbeditor"), ("a.html", html_file()), owner="NO-SUCH")
    assert res.status_code == 422 and "NO-SUCH" in res.json()["detail"]
    res = upload(as_user("admin"), ("notes.txt", b"hello"))
    assert res.status_code == 422 and "notes.txt" in res.json()["detail"]
