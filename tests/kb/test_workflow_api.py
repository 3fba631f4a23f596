"""Versioning workflow, history, unit ownership and corrections reaching the owning unit (both databases)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from hotline.db import utcnow
from hotline.events.models import Event
from kb.models import KbArticle, KbCorrection
from kb.scheduled import flag_overdue_corrections, queue_expiring
from tests.kb.conftest import article_body, publish_via_api


def test_draft_review_publish_and_history(as_user, seeded) -> None:  # type: ignore[no-untyped-def]
    editor, staff = as_user("kbeditor"), as_user("staff_dept")
    created = staff.post("/api/kb/articles", json=article_body()).json()
    assert created["state"] == "draft" and created["owner_unit_id"] == seeded.department
    aid = created["id"]
    # Not published yet: an agent cannot see it; the owning unit's staff submit, only editors publish.
    assert as_user("agent").get(f"/api/kb/articles/{aid}").status_code == 404
    assert staff.post(f"/api/kb/articles/{aid}/versions/1/publish").status_code == 403
    assert staff.post(f"/api/kb/articles/{aid}/versions/1/submit").status_code == 200
    res = staff.put(f"/api/kb/articles/{aid}/draft", json=article_body(body="改了"))
    assert res.status_code == 409 and "正在审核" in res.json()["detail"]
    assert editor.post(f"/api/kb/articles/{aid}/versions/1/publish").json()["published_version"] == 1

    # Second version: the unit edits, the editor rejects once, then publishes.
    res = staff.put(
        f"/api/kb/articles/{aid}/draft",
        json=article_body(body="## 收费标准\n\n补领每证20元，低保对象免费。\n", valid_to="2027-12-31"),
    )
    assert res.status_code == 200 and res.json()["number"] == 2
    assert res.json()["changes"] == ["body", "valid_to"]
    staff.post(f"/api/kb/articles/{aid}/versions/2/submit")
    res = editor.post(f"/api/kb/articles/{aid}/versions/2/reject", json={"comment": "请补充办理地点"})
    assert res.json()["state"] == "draft" and res.json()["review_comment"] == "请补充办理地点"
    staff.post(f"/api/kb/articles/{aid}/versions/2/submit")
    assert editor.post(f"/api/kb/articles/{aid}/versions/2/publish").status_code == 200

    history = staff.get(f"/api/kb/articles/{aid}/versions").json()
    assert [(v["number"], v["state"]) for v in history] == [(1, "superseded"), (2, "published")]
    assert {v["author_id"] for v in history} == {seeded.users["staff_dept"]}
    assert history[1]["reviewer_id"] == seeded.users["kbeditor"]
    detail = as_user("agent").get(f"/api/kb/articles/{aid}").json()
    assert detail["valid_to"] == "2027-12-31" and "低保对象免费" in detail["body"]
    assert [p["heading_path"] for p in detail["passages"]] == [["收费标准"]]


def test_units_edit_only_their_own_entries(as_user, seeded) -> None:  # type: ignore[no-untyped-def]
    article = publish_via_api(as_user("kbeditor"), owner_unit_id=seeded.department)
    other = as_user("staff_b").put(f"/api/kb/articles/{article['id']}/draft", json=article_body(body="x"))
    assert other.status_code == 403 and str(article["id"]) in other.json()["detail"]
    res = as_user("staff_b").post("/api/kb/articles", json=article_body(owner_unit_id=seeded.department))
    assert res.status_code == 403
    assert as_user("agent").post("/api/kb/articles", json=article_body()).status_code == 403
    assert (
        as_user("staff_dept")
        .put(f"/api/kb/articles/{article['id']}/draft", json=article_body(body="本单位修改"))
        .status_code
        == 200
    )


def test_bad_metadata_is_named(as_user) -> None:  # type: ignore[no-untyped-def]
    editor = as_user("kbeditor")
    res = editor.post("/api/kb/articles", json=article_body(category="news"))
    assert res.status_code == 422 and "news" in res.json()["detail"]
    res = editor.post("/api/kb/articles", json=article_body(region_code="9999"))
    assert res.status_code == 422 and "9999" in res.json()["detail"]
    res = editor.post("/api/kb/articles", json=article_body(valid_from="2026-05-01", valid_to="2026-01-01"))
    assert res.status_code == 422 and "早于" in res.json()["detail"]


def test_category_tree(as_user) -> None:  # type: ignore[no-untyped-def]
    editor = as_user("kbeditor")
    res = editor.post("/api/kb/categories", json={"code": "social-security", "name": "社会保障", "parent_code": "faq"})
    assert res.status_code == 201
    tree = {n["code"]: n for n in res.json()}
    assert list(tree) == ["policy", "service_guide", "faq", "terminal_manual", "call_script"]
    assert [c["name"] for c in tree["faq"]["children"]] == ["社会保障"]
    ok = editor.post("/api/kb/articles", json=article_body(category="faq", subcategory="social-security"))
    assert ok.status_code == 201
    wrong = editor.post("/api/kb/articles", json=article_body(category="policy", subcategory="social-security"))
    assert wrong.status_code == 422


def test_correction_reaches_owner_with_deadline(as_user, seeded, factory) -> None:  # type: ignore[no-untyped-def]
    article = publish_via_api(as_user("kbeditor"), owner_unit_id=seeded.department)
    passage_id = as_user("agent").get(f"/api/kb/articles/{article['id']}").json()["passages"][-1]["id"]
    res = as_user("agent").post(
        f"/api/kb/articles/{article['id']}/corrections",
        json={
            "kind": "outdated",
            "description": "收费已调整",
            "proposed_text": "补领每证免费。",
            "passage_id": passage_id,
        },
    )
    assert res.status_code == 201, res.text
    correction = res.json()
    assert correction["owner_unit_id"] == seeded.department
    with factory() as s:
        row = s.get(KbCorrection, correction["id"])
        assert timedelta(days=4, hours=23) < row.due_at - row.created_at <= timedelta(days=5, minutes=1)
        ev = s.scalars(select(Event).where(Event.type == "kb.correction.reported")).one()
        assert ev.workstation_ids == [seeded.department] and ev.payload["article_id"] == article["id"]

    assert [c["id"] for c in as_user("staff_dept").get("/api/kb/corrections").json()] == [correction["id"]]
    assert as_user("staff_b").get("/api/kb/corrections").json() == []
    assert [c["id"] for c in as_user("agent").get("/api/kb/corrections").json()] == [correction["id"]]
    assert (
        as_user("staff_b").post(f"/api/kb/corrections/{correction['id']}/resolve", json={"accept": True}).status_code
        == 403
    )

    res = as_user("staff_dept").post(
        f"/api/kb/corrections/{correction['id']}/resolve", json={"accept": True, "response": "已更新"}
    )
    assert res.json()["state"] == "accepted"
    draft = as_user("staff_dept").get(f"/api/kb/articles/{article['id']}/versions").json()[-1]
    assert draft["state"] == "draft" and "补领每证免费。" in draft["body"] and "20元" not in draft["body"]
    assert draft["note"] == f"采纳纠错 #{correction['id']}"


def test_overdue_corrections_and_expiry_queue(as_user, seeded, factory) -> None:  # type: ignore[no-untyped-def]
    soon = publish_via_api(as_user("kbeditor"), owner_unit_id=seeded.department, valid_to="2026-12-20")
    later = publish_via_api(as_user("kbeditor"), title="长期有效", valid_to="2027-06-30")
    as_user("agent").post(f"/api/kb/articles/{later['id']}/corrections", json={"kind": "error", "description": "错字"})
    with factory() as s:
        assert flag_overdue_corrections(session=s, now=utcnow()) == []
        overdue = flag_overdue_corrections(session=s, now=utcnow() + timedelta(days=6))
        assert len(overdue) == 1
        from datetime import date

        queued = queue_expiring(session=s, today=date(2026, 11, 24), within_days=30)
        assert queued == [soon["id"]]
        s.commit()
        assert queue_expiring(session=s, today=date(2026, 11, 24), within_days=30) == []  # queued once
        assert s.get(KbArticle, soon["id"]).review_due_at is not None
        types = list(
            s.scalars(select(Event.type).where(Event.type.in_(["kb.correction.overdue", "kb.article.review_due"])))
        )
        assert sorted(types) == ["kb.article.review_due", "kb.correction.overdue"]
    queue = as_user("staff_dept").get("/api/kb/articles", params={"review_due": True}).json()
    assert [a["id"] for a in queue] == [soon["id"]]
