from __future__ import annotations

import io
import logging

import openpyxl
from sqlalchemy import select
from sqlalchemy.engine import Engine

from hotline.audit.models import AuditLog
from hotline.db import make_sessionmaker
from hotline.events.models import Event
from tests.foundation.helpers import assign, idem, order_body

SECRET = dict(caller_name="欧阳秘密", caller_phone="13912345678", caller_address="云城区隐私路8号")
TEXT = "我是欧阳秘密，电话13912345678，身份证110101199003071234，座机0351-6612345，举报某单位乱收费。"


def confidential_order(as_user) -> dict:  # type: ignore[no-untyped-def,type-arg]
    res = as_user("agent").post(
        "/api/orders",
        json=order_body(confidential=True, description=TEXT, subject="欧阳秘密反映乱收费", **SECRET),
        headers=idem(),
    )
    assert res.status_code == 201
    return res.json()  # type: ignore[no-any-return]


def leaks(text: str) -> list[str]:
    needles = ["欧阳秘密", "13912345678", "110101199003071234", "6612345", "隐私路"]
    return [n for n in needles if n in text]


def test_confidential_identity_never_appears_without_unmask(as_user, client, engine: Engine, seeded, caplog) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.DEBUG)
    created = confidential_order(as_user)
    assert created["masked"] is True and leaks(str(created)) == []
    assign(engine, created["id"], seeded.county_a)
    for user in ("agent", "dispatcher", "supervisor", "admin", "staff_a", "followup"):
        api = as_user(user)
        one = api.get(f"/api/orders/{created['id']}")
        assert one.status_code == 200 and leaks(one.text) == [], user
        listing = api.get("/api/orders", params={"q": "乱收费"})
        assert listing.json()["total"] == 1 and leaks(listing.text) == [], user
    # The phone still finds the order (agents look callers up by number), but shows it masked.
    by_phone = as_user("agent").get("/api/orders", params={"phone": "13912345678"}).json()
    assert by_phone["total"] == 1 and by_phone["items"][0]["caller_phone"] == "139****5678"
    card = as_user("agent").post("/api/calls/incoming", json={"caller_phone": "13912345678"}).json()
    assert card["confidential"] is True and leaks(str(card["orders"])) == []
    for fmt in ("csv", "xlsx"):
        export = as_user("supervisor").get("/api/exports/orders", params={"format": fmt})
        assert export.status_code == 200
        if fmt == "csv":
            body = export.content.decode("utf-8-sig")
        else:
            wb = openpyxl.load_workbook(io.BytesIO(export.content))
            body = " ".join(str(c.value) for row in wb.active.iter_rows() for c in row)  # type: ignore[union-attr]
        assert "乱收费" in body and leaks(body) == [], fmt
    with make_sessionmaker(engine)() as s:
        events = " ".join(str(e.payload) for e in s.scalars(select(Event)))
    assert "乱收费" in events and leaks(events) == []
    assert leaks(caplog.text) == []


def test_unmask_is_audited_and_limited_to_the_right(as_user, engine: Engine) -> None:  # type: ignore[no-untyped-def]
    created = confidential_order(as_user)
    denied = as_user("agent").post(f"/api/orders/{created['id']}/unmask")
    assert denied.status_code == 403
    shown = as_user("supervisor").post(f"/api/orders/{created['id']}/unmask", params={"reason": "核实来电人身份"})
    assert shown.status_code == 200
    assert shown.json()["caller_phone"] == "13912345678" and "110101199003071234" in shown.json()["description"]
    entries = as_user("supervisor").get("/api/audit", params={"action": "unmask"}).json()
    assert len(entries) == 1
    assert entries[0]["actor_name"] == "测试supervisor" and entries[0]["detail"]["reason"] == "核实来电人身份"
    with make_sessionmaker(engine)() as s:
        audit = s.scalars(select(AuditLog)).all()
        ev = s.scalars(select(Event).where(Event.type == "audit.unmask")).all()
    assert [a.action for a in audit] == ["unmask"] and len(ev) == 1
    assert ev[0].audience == ["supervisor"] and leaks(str(ev[0].payload)) == []
    assert as_user("agent").get("/api/audit").status_code == 403


def test_exports_are_audited_and_neutralise_formulas(as_user) -> None:  # type: ignore[no-untyped-def]
    as_user("agent").post(
        "/api/orders", json=order_body(subject='=HYPERLINK("http://x")', description="+1 -2 @3"), headers=idem()
    )
    csv_text = as_user("supervisor").get("/api/exports/orders", params={"format": "csv"}).content.decode("utf-8-sig")
    assert "'=HYPERLINK" in csv_text and "'+1 -2 @3" in csv_text
    assert [e["action"] for e in as_user("supervisor").get("/api/audit").json()] == ["export"]


def test_workstation_cannot_read_or_act_on_another_workstations_order(as_user, engine: Engine, seeded) -> None:  # type: ignore[no-untyped-def]
    order = as_user("agent").post("/api/orders", json=order_body(), headers=idem()).json()
    assign(engine, order["id"], seeded.street_a1)
    assert as_user("staff_a1").get(f"/api/orders/{order['id']}").status_code == 200
    assert as_user("staff_a").get(f"/api/orders/{order['id']}").status_code == 200  # parent of the street
    for outsider in ("staff_b", "staff_dept"):
        api = as_user(outsider)
        assert api.get(f"/api/orders/{order['id']}").status_code == 404
        assert api.get("/api/orders").json()["total"] == 0
        assert api.get("/api/orders", params={"ids": str(order["id"])}).json()["total"] == 0
        assert api.get(f"/api/orders/{order['id']}/events").status_code == 404
        up = api.post(f"/api/orders/{order['id']}/attachments", files={"file": ("a.txt", b"hello", "text/plain")})
        assert up.status_code == 404
        # Editing intake fields is a centre action: a workstation gets 403 whatever the order.
        assert api.patch(f"/api/orders/{order['id']}", json={"version": 1, "subject": "x"}).status_code == 403
    # The tier-3 street does not see its parent county's other orders.
    other = as_user("agent").post("/api/orders", json=order_body(subject="区里的事"), headers=idem()).json()
    assign(engine, other["id"], seeded.county_a)
    assert as_user("staff_a1").get(f"/api/orders/{other['id']}").status_code == 404
    assert as_user("kbeditor").get("/api/orders").status_code == 403


def test_observer_sees_only_the_oversight_line_read_only(as_user) -> None:  # type: ignore[no-untyped-def]
    plain = as_user("agent").post("/api/orders", json=order_body(), headers=idem()).json()
    oversight = (
        as_user("desk")
        .post("/api/orders", json=order_body(desk_code="business_env", subject="营商环境投诉"), headers=idem())
        .json()
    )
    obs = as_user("observer")
    assert obs.get(f"/api/orders/{plain['id']}").status_code == 404
    assert obs.get(f"/api/orders/{oversight['id']}").status_code == 200
    assert obs.post("/api/orders", json=order_body(), headers=idem()).status_code == 403
    assert (
        obs.post(
            f"/api/orders/{oversight['id']}/attachments", files={"file": ("a.txt", b"hello", "text/plain")}
        ).status_code
        == 403
    )


def test_attachment_limits_and_scoped_download(as_user, engine: Engine, seeded, settings) -> None:  # type: ignore[no-untyped-def]
    agent = as_user("agent")
    order = agent.post("/api/orders", json=order_body(), headers=idem()).json()
    url = f"/api/orders/{order['id']}/attachments"
    png = b"\x89PNG\r\n\x1a\n" + b"0" * 100
    ok = agent.post(url, files={"file": ("现场照片.png", png, "image/png")})
    assert ok.status_code == 201, ok.text
    too_big = agent.post(url, files={"file": ("big.txt", b"x" * (64 * 1024 + 1), "text/plain")})
    assert too_big.status_code == 413 and "超过上限" in too_big.json()["detail"]
    exe = agent.post(url, files={"file": ("virus.exe", b"MZ\x90\x00", "application/x-msdownload")})
    assert exe.status_code == 415
    fake = agent.post(url, files={"file": ("fake.pdf", b"MZ\x90\x00 not a pdf", "application/pdf")})
    assert fake.status_code == 415 and "不符" in fake.json()["detail"]
    files = list((settings.data_dir / "attachments").iterdir())
    assert len(files) == 1
    detail = agent.get(f"/api/orders/{order['id']}").json()
    assert [a["filename"] for a in detail["attachments"]] == ["现场照片.png"]
    att_id = ok.json()["id"]
    got = agent.get(f"/api/attachments/{att_id}")
    assert got.status_code == 200 and got.content == png
    assign(engine, order["id"], seeded.county_a)
    assert as_user("staff_a").get(f"/api/attachments/{att_id}").status_code == 200
    assert as_user("staff_b").get(f"/api/attachments/{att_id}").status_code == 404
