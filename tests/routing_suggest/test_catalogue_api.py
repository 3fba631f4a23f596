"""Admin CRUD of dispatch catalogue rules, with versions, over HTTP on both databases."""

from __future__ import annotations

RULE = {
    "level1": "城乡建设",
    "level2": "市政设施",
    "level3": "井盖缺失",
    "region_code": "0101",
    "keywords": ["井盖"],
    "lead": "LOCAL",
    "assist": ["D-ZJJ"],
    "tier3_allowed": True,
}


def test_rules_are_versioned_through_create_update_delete(as_user, demo) -> None:
    admin = as_user("admin")
    before = admin.get("/api/catalogue/rules").json()
    assert len(before) == 90  # the demo catalogue was loaded

    res = admin.post("/api/catalogue/rules", json=RULE)
    assert res.status_code == 201, res.text
    rule = res.json()
    assert (rule["version"], rule["disputes"], rule["lead"]) == (1, 0, "LOCAL")

    res = admin.put(f"/api/catalogue/rules/{rule['id']}", json={**RULE, "lead": "Q0101", "version": 1})
    assert res.status_code == 200, res.text
    assert (res.json()["version"], res.json()["lead"]) == (2, "Q0101")

    stale = admin.put(f"/api/catalogue/rules/{rule['id']}", json={**RULE, "version": 1})
    assert stale.status_code == 409 and "当前版本 2" in stale.json()["detail"]

    assert admin.delete(f"/api/catalogue/rules/{rule['id']}").json()["active"] is False
    assert all(r["id"] != rule["id"] for r in admin.get("/api/catalogue/rules").json())
    assert any(r["id"] == rule["id"] for r in admin.get("/api/catalogue/rules?include_deleted=true").json())

    versions = admin.get(f"/api/catalogue/rules/{rule['id']}/versions").json()
    assert [(v["version"], v["change"], v["data"]["lead"]) for v in versions] == [
        (1, "create", "LOCAL"),
        (2, "update", "Q0101"),
        (3, "delete", "Q0101"),
    ]


def test_bad_rules_are_refused_naming_the_value(as_user, demo) -> None:
    admin = as_user("admin")
    res = admin.post("/api/catalogue/rules", json={**RULE, "assist": ["D-NOPE"]})
    assert res.status_code == 422 and "D-NOPE" in res.json()["detail"]
    res = admin.post("/api/catalogue/rules", json={**RULE, "region_code": "9999"})
    assert res.status_code == 422 and "9999" in res.json()["detail"]
    res = admin.post("/api/catalogue/rules", json={**RULE, "level3": "不存在的分类"})
    assert res.status_code == 422 and "不存在的分类" in res.json()["detail"] and "三级分类" in res.json()["detail"]
    res = admin.post("/api/catalogue/rules", json={**RULE, "level2": "没有这个二级"})
    assert res.status_code == 422 and "没有这个二级" in res.json()["detail"]
    res = admin.post("/api/catalogue/rules", json={k: v for k, v in RULE.items() if k != "lead"})
    assert res.status_code == 422 and "lead" in res.json()["detail"]
    assert admin.get("/api/catalogue/rules/999999").status_code == 404


def test_only_admins_edit_the_catalogue(as_user, demo) -> None:
    agent = as_user("agent")
    assert agent.get("/api/catalogue/rules").status_code == 200
    res = agent.post("/api/catalogue/rules", json=RULE)
    assert res.status_code == 403 and "话务员" in res.json()["detail"]
