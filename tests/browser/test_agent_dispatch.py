"""The agent dispatches the call just taken: 派单 saves the order and opens the dispatch form pre-filled
with the routing suggestion's units; the order goes straight to 待签收 with the agent as actor."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import Pages, shot
from tests.browser.helpers import ApiUser, login, wait_state

pytestmark = pytest.mark.browser


def test_agent_saves_and_dispatches(pages: Pages, api: ApiUser.Factory, screenshots: Path) -> None:
    page = pages.new()
    login(page, "agent01")
    page.get_by_test_id("intake-request-type").click()
    page.get_by_role("option", name="求助", exact=True).click()
    page.get_by_test_id("intake-incident-address").fill("云城区桂花街道桂花苑小区")
    page.get_by_test_id("intake-subject").fill("小区路灯不亮")
    page.get_by_test_id("intake-description").fill("桂花苑小区门口路灯坏了一个星期，晚上很黑")
    expect(page.get_by_test_id("suggestion-item").first).to_be_visible()
    page.get_by_test_id("intake-dispatch").click()

    dialog = page.get_by_test_id("action-dialog")
    expect(dialog).to_be_visible()
    expect(page.get_by_test_id("dispatch-suggestion")).to_contain_text("建议主办")
    lead = page.locator(".el-select[data-testid='action-lead']")
    expect(lead).not_to_contain_text("选择二级工作站")  # the suggested lead unit is filled in
    shot(page, screenshots, "agent-dispatch-form")
    page.get_by_test_id("action-submit").click()
    expect(dialog).to_be_hidden()

    number = page.get_by_test_id("order-number")
    expect(number).to_be_visible()
    expect(page.locator(".last-order")).to_contain_text("待签收")
    admin = api("admin")
    order = admin.get("/api/orders", params={"number": number.inner_text()})["items"][0]
    wait_state(admin, order["id"], "pending_sign")
    history = admin.get(f"/api/orders/{order['id']}/events")
    assert history[-1]["action"] == "dispatch"
