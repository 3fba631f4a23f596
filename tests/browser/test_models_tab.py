"""系统管理 → 分类模型版本: the administrator sees the stored versions and which one serves, switches to
another and rolls back, each time told the outcome. A task of its own, so the demo's category model (and
the other scenarios' suggestions) are untouched."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from routing.classify import store, train_pairs
from tests.browser.conftest import Pages
from tests.browser.helpers import ApiUser, login, open_menu
from tests.conftest import LiveServer

pytestmark = pytest.mark.browser

TASK = "browser_check"
PAIRS = [(t, "交通") for t in ("公交站牌坏了", "红绿灯不亮", "地铁太拥挤", "道路坑洼", "出租车拒载", "路口堵车")] + [
    (t, "环境") for t in ("工厂排污水", "油烟扰民", "垃圾没清运", "工地噪音大", "河水发臭", "扬尘严重")
]


def test_switch_and_roll_back_in_the_console(pages: Pages, api: ApiUser.Factory, demo_server: LiveServer) -> None:
    root = demo_server.app.state.settings.data_dir / "models"
    a = store.save(TASK, train_pairs(PAIRS, progress=False), evaluation={"macro_f1": 0.8}, serve=True, root=root)
    b = store.save(TASK, train_pairs(PAIRS[1:], progress=False), evaluation={"macro_f1": 0.9}, root=root)

    page = pages.new()
    login(page, "admin")
    open_menu(page, "admin")
    page.get_by_role("tab", name="分类模型版本").click()
    tab = page.get_by_test_id("models-tab")
    expect(tab).to_be_visible()
    tab.get_by_test_id("models-task").click()
    page.get_by_role("option", name=TASK).click()
    expect(tab.get_by_test_id("models-serving")).to_have_text(a.version)
    table = tab.get_by_test_id("models-versions")
    for text in ("模型版本", "训练数据哈希", "评估指标", a.version, b.version, "macro-F1 0.9000", b.data_sha256[:12]):
        expect(table).to_contain_text(text)
    expect(tab.get_by_test_id("models-rollback")).to_be_disabled()

    table.get_by_test_id("models-switch").click()  # only the non-serving row has the button
    page.get_by_role("button", name="确定").click()
    expect(page.locator(".el-message--success")).to_contain_text(f"已切换到模型版本 {b.version}")
    expect(tab.get_by_test_id("models-serving")).to_have_text(b.version)
    assert store.serving_version(TASK, root=root) == b.version

    tab.get_by_test_id("models-rollback").click()
    page.get_by_role("button", name="确定").click()
    expect(page.locator(".el-message--success").last).to_contain_text(f"已回滚到模型版本 {a.version}")
    expect(tab.get_by_test_id("models-serving")).to_have_text(a.version)
    expect(tab.get_by_test_id("models-rollback")).to_be_disabled()
    actions = [e["action"] for e in api("admin").get("/api/audit") if e["target_id"] == TASK]
    assert actions == ["model_rollback", "model_switch"]
