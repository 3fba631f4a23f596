"""The supervisor's live figures against the API's, and content changes (dispatch catalogue, knowledge
base) made on screen reaching the agent."""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import Pages, shot
from tests.browser.helpers import ApiUser, login, open_menu, order_body

pytestmark = pytest.mark.browser

BROWSER_TZ = ZoneInfo("Asia/Shanghai")  # the browser contexts' timezone; the board counts its local day


def _today() -> dict[str, str]:
    start = datetime.now(BROWSER_TZ).replace(hour=0, minute=0, second=0, microsecond=0)
    return {"from": start.isoformat(), "to": (start + timedelta(days=1)).isoformat()}


def test_kpi_card_equals_api_and_moves_live(pages: Pages, api: ApiUser.Factory, screenshots: Path) -> None:
    supervisor = api("supervisor01")
    page = pages.new()
    login(page, "supervisor01")
    open_menu(page, "board")
    intake_card = page.get_by_test_id("kpi-card-direct_resolution_rate-denominator").get_by_test_id("kpi-value")
    overdue_card = page.get_by_test_id("kpi-card-overdue_count").get_by_test_id("kpi-value")
    metrics = supervisor.get("/api/kpi", params=_today())["metrics"]
    before = metrics["direct_resolution_rate"]["denominator"]
    expect(intake_card).to_have_text(str(before))
    expect(overdue_card).to_have_text(str(metrics["overdue_count"]["value"]))

    for i in range(2):
        api("agent01").post("/api/orders", json=order_body(f"井盖缺失{i}", "人民路与桂花路口井盖缺失，夜间很危险"))
    # Live: the board refreshes on the order events, no reload.
    expect(intake_card).to_have_text(str(before + 2))
    after = supervisor.get("/api/kpi", params=_today())["metrics"]["direct_resolution_rate"]["denominator"]
    assert after == before + 2

    page.get_by_test_id("kpi-card-direct_resolution_rate-denominator").click()
    expect(page.get_by_test_id("drill-rows")).to_contain_text("井盖缺失1")
    shot(page, screenshots, "supervisor-drill-down")


def test_catalogue_rule_edit_and_published_article_reach_the_agent(
    pages: Pages, api: ApiUser.Factory, screenshots: Path
) -> None:
    admin = pages.new()
    login(admin, "admin")
    open_menu(admin, "admin")
    admin.get_by_role("tab", name="派单目录").click()
    admin.get_by_test_id("catalogue-filter").fill("社保卡")
    rules = api("admin").get("/api/catalogue/rules")
    rule = next(r for r in rules if "社保卡" in (r["level3"] + "".join(r["keywords"])))
    admin.get_by_test_id("catalogue-rules").get_by_text(rule["level3"], exact=True).first.click()
    days = admin.get_by_test_id("rule-days").locator("input")
    days.fill(str((rule["reply_days"] or 5) % 30 + 1))
    shot(admin, screenshots, "admin-catalogue-edit")
    admin.get_by_test_id("rule-save").click()
    expect(admin.get_by_test_id("rule-dialog")).to_be_hidden()
    saved = api("admin").get(f"/api/catalogue/rules/{rule['id']}")
    assert saved["version"] == rule["version"] + 1
    assert saved["reply_days"] == (rule["reply_days"] or 5) % 30 + 1

    editor = pages.new()
    login(editor, "kbeditor01")
    open_menu(editor, "kb")
    editor.get_by_test_id("kb-new").click()
    title = "青柠单车停放须知"
    editor.get_by_test_id("kb-title").fill(title)
    editor.get_by_test_id("kb-body").fill(
        "## 停放规则\n青柠单车须停放在道路两侧施划的非机动车停放区内，违规停放由运营企业负责清运。\n"
        "## 投诉渠道\n市民发现青柠单车乱停放，可拨打12345反映，或在青柠单车App内举报。"
    )
    editor.get_by_test_id("kb-save").click()
    editor.get_by_test_id("kb-submit").click()
    editor.get_by_test_id("kb-publish").click()
    expect(editor.get_by_test_id("kb-versions")).to_contain_text("已发布")
    shot(editor, screenshots, "kb-published")

    agent = pages.new()
    login(agent, "agent01")
    agent.get_by_test_id("intake-description").fill("小区门口青柠单车乱停放")
    hit = agent.get_by_test_id("kb-hits").get_by_text(title)
    deadline = time.monotonic() + 60
    while not hit.count() and time.monotonic() < deadline:  # indexing is asynchronous: type again
        agent.get_by_test_id("intake-description").press("End")
        agent.get_by_test_id("intake-description").press_sequentially("。", delay=10)
        agent.wait_for_timeout(1500)
    hit.first.scroll_into_view_if_needed()
    expect(hit.first).to_be_visible()
    shot(agent, screenshots, "agent-finds-published-article")


def test_kb_import_shows_progress_and_the_new_article(
    pages: Pages, api: ApiUser.Factory, screenshots: Path, tmp_path: Path
) -> None:
    doc = tmp_path / "gas-safety.md"
    doc.write_text(
        "---\ntitle: 燃气安全使用常见问题\ncategory: faq\n---\n"
        "## 闻到燃气味怎么办\n立即关闭燃气总阀，开窗通风，不要开关电器，到室外拨打燃气公司抢修电话。\n",
        encoding="utf-8",
    )
    page = pages.new()
    login(page, "kbeditor01")
    open_menu(page, "kb")
    page.get_by_role("tab", name="批量导入").click()
    page.get_by_test_id("kb-import").locator("input[type=file]").set_input_files(str(doc))
    row = page.get_by_test_id("kb-import-row").first
    expect(row).to_contain_text("新建 1")
    expect(row.locator(".el-progress")).to_have_attribute("aria-valuenow", "100")
    shot(page, screenshots, "kb-import")
    titles = [a["title"] for a in api("kbeditor01").get("/api/kb/articles")]
    assert "燃气安全使用常见问题" in titles


def test_admin_creates_and_retires_a_catalogue_rule(pages: Pages, api: ApiUser.Factory) -> None:
    covered = {(r["level1"], r["level2"], r["level3"]) for r in api("admin").get("/api/catalogue/rules")}
    taxonomy = api("admin").get("/api/taxonomy")
    names = [t["level3"] for t in taxonomy]
    target = next(
        t for t in taxonomy if (t["level1"], t["level2"], t["level3"]) not in covered and names.count(t["level3"]) == 1
    )
    admin = pages.new()
    login(admin, "admin")
    open_menu(admin, "admin")
    admin.get_by_role("tab", name="派单目录").click()
    admin.get_by_test_id("rule-create").click()
    dialog = admin.get_by_test_id("rule-dialog")
    admin.get_by_test_id("rule-dialog").get_by_placeholder("一级 / 二级 / 三级").click()
    admin.keyboard.type(target["level3"])
    admin.locator(".el-cascader__suggestion-item").filter(has_text=target["level3"]).first.click()
    admin.get_by_test_id("rule-lead").fill("Q0101")
    admin.get_by_test_id("rule-keywords").fill("浏览器测试词")
    admin.get_by_test_id("rule-save").click()
    expect(dialog).to_be_hidden()
    [rule] = [r for r in api("admin").get("/api/catalogue/rules") if r["level3"] == target["level3"]]
    assert (rule["level1"], rule["level2"], rule["lead"], rule["keywords"]) == (
        target["level1"],
        target["level2"],
        "Q0101",
        ["浏览器测试词"],
    )
    admin.get_by_test_id("catalogue-filter").fill("浏览器测试词")
    admin.get_by_test_id("catalogue-rules").get_by_text(target["level3"], exact=True).first.click()
    admin.get_by_test_id("rule-retire").click()
    admin.get_by_role("button", name="停用", exact=True).last.click()
    expect(dialog).to_be_hidden()
    assert api("admin").get(f"/api/catalogue/rules/{rule['id']}")["active"] is False
    assert all(r["id"] != rule["id"] for r in api("admin").get("/api/catalogue/rules"))
