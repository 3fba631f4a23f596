"""Every role's screens render with real data, no placeholder where the API exists, and no console
error; one screenshot per screen. Plus the size budget of what login + 受理台 load."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from playwright.sync_api import Response, expect

from tests.browser.conftest import Pages, shot
from tests.browser.helpers import ApiUser, login, open_menu, order_body, unit_id

pytestmark = pytest.mark.browser

# (user, menu entry, screenshot name, the screen's root test id)
SCREENS = [
    ("agent01", "intake", "agent-intake", "intake-form"),
    ("agent01", "orders", "agent-order-lookup", "lookup-results"),
    ("dispatch01", "dispatch", "dispatcher-queue", "dispatch-queue"),
    ("dispatch01", "reviews", "centre-reviews", "reviews"),
    ("ws_yuncheng", "inbox", "workstation-inbox", "inbox"),
    ("followup01", "follow-up", "follow-up", "follow-up-queue"),
    ("supervisor01", "board", "supervisor-board", "supervisor-board"),
    ("supervisor01", "oversee", "supervisor-oversee", "oversee"),
    ("kbeditor01", "kb", "kb-editor", "kb-screen"),
    ("admin", "admin", "admin", "admin-screen"),
    ("observer01", "oversight", "observer-oversight", "oversight"),
]

TABS = {
    "admin": ["用户与角色", "组织机构", "派单目录", "工作日历", "分类模型版本", "审计日志", "骚扰来电标记"],
    "kb": ["知识条目", "批量导入", "纠错待办（0）", "索引状态"],
    "inbox": ["待签收", "办理中", "待二级审核", "被退回", "即将超期", "已超期"],
}


def test_every_screen_renders(pages: Pages, api: ApiUser.Factory, screenshots: Path) -> None:
    agent = api("agent01")
    order = agent.post(
        "/api/orders", json=order_body("幸福小区夜间施工噪音", "幸福小区旁工地每晚十一点后仍在施工，噪音很大")
    )
    api("dispatch01").act(order["id"], "dispatch", lead_unit_id=unit_id(api, "Q0101"))
    # One on the business-environment line, so the observer's list has something in it.
    oversight = api("desk01").post(
        "/api/orders",
        json=order_body("企业开办审批超时", "申请营业执照已超过承诺时限五个工作日仍未办结", desk_code="business_env"),
    )
    seen: set[str] = set()
    for username, menu, name, root in SCREENS:
        page = pages.new()
        login(page, username)
        open_menu(page, menu)
        expect(page.get_by_test_id(root)).to_be_visible()
        expect(page.get_by_test_id("placeholder")).to_have_count(0)
        expect(page.locator(".el-loading-mask").filter(visible=True)).to_have_count(0)
        page.wait_for_load_state("networkidle")
        page.wait_for_timeout(600)  # chart animations settle
        if menu == "inbox":
            expect(page.get_by_test_id("queue-pending_sign").get_by_text(order["number"])).to_be_visible()
        if menu == "oversight":
            expect(page.get_by_test_id("oversight-list")).to_contain_text(oversight["number"])
        for tab in TABS.get(menu, ()):  # every tab loads its own data: no errors there either
            page.get_by_role("tab", name=tab).click()
            expect(page.get_by_role("tab", name=tab)).to_have_attribute("aria-selected", "true")
            expect(page.locator(".el-loading-mask").filter(visible=True)).to_have_count(0)
        if menu in TABS:
            page.get_by_role("tab", name=TABS[menu][0]).click()
        shot(page, screenshots, name)
        seen.add(name)
        page.context.close()
    assert seen == {name for _, _, name, _ in SCREENS}


def test_login_and_agent_screen_js_within_budget(pages: Pages, screenshots: Path) -> None:
    page = pages.new()
    js: dict[str, bytes] = {}

    def on_response(res: Response) -> None:
        if res.url.split("?")[0].endswith(".js") and res.ok:
            js[res.url] = res.body()

    page.on("response", on_response)
    page.goto("/login")
    expect(page.get_by_test_id("login-submit")).to_be_visible()
    shot(page, screenshots, "login")
    login(page, "agent01")
    expect(page.get_by_test_id("intake-form")).to_be_visible()
    page.wait_for_load_state("networkidle")
    total = sum(len(gzip.compress(body, compresslevel=9)) for body in js.values())
    assert js, "no JavaScript was loaded"
    assert total <= 1024 * 1024, f"login + 受理台 load {total / 1024:.0f} KiB of gzipped JS (budget 1024 KiB)"
