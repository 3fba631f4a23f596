"""The agent's one-click direct resolution citing a knowledge-base passage, and a stale action (409)
shown and reloaded instead of silently overwritten."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import Pages, shot
from tests.browser.helpers import ApiUser, login, open_menu, open_order, order_body, unit_id, wait_state

pytestmark = pytest.mark.browser


def test_cite_a_passage_and_resolve_directly(pages: Pages, api: ApiUser.Factory, screenshots: Path) -> None:
    page = pages.new()
    login(page, "agent01")
    page.get_by_test_id("intake-request-type").click()
    page.get_by_role("option", name="咨询", exact=True).click()
    page.get_by_test_id("intake-incident-address").fill("云城区人民路")
    page.get_by_test_id("intake-subject").fill("咨询社保卡补办")
    page.get_by_test_id("intake-description").fill("社保卡丢了怎么补办")
    hit = page.get_by_test_id("kb-hit").first
    expect(hit).to_be_visible()
    hit.get_by_test_id("kb-cite").click()
    page.get_by_role("button", name="直办", exact=True).click()
    number = page.get_by_test_id("order-number")
    expect(number).to_be_visible()
    order = api("admin").get("/api/orders", params={"number": number.inner_text()})["items"][0]
    resolved = wait_state(api("admin"), order["id"], "resolved_directly")
    history = api("admin").get(f"/api/orders/{resolved['id']}/events")
    assert history[-1]["action"] == "resolve_directly" and history[-1]["data"]["passage_id"]
    shot(page, screenshots, "agent-resolved-directly")


def test_stale_action_shows_the_conflict_and_reloads(pages: Pages, api: ApiUser.Factory) -> None:
    order = api("agent01").post("/api/orders", json=order_body("占道经营", "人民路菜场门口流动摊贩占道经营"))
    page = pages.new()
    login(page, "dispatch01")
    open_menu(page, "dispatch")
    open_order(page, "pending_dispatch", order["number"])
    page.get_by_test_id("action-withdraw").click()
    page.get_by_test_id("action-reason").fill("来电人撤回诉求")
    pages.errors.allow("HTTP 409 POST", "status of 409")
    # Meanwhile a colleague dispatches it: the version this screen shows is now stale.
    api("admin").act(order["id"], "dispatch", lead_unit_id=unit_id(api, "Q0101"))
    page.get_by_test_id("action-submit").click()
    expect(page.locator(".el-message--error")).to_contain_text("版本")
    expect(page.locator(".el-drawer").get_by_text("待签收", exact=True)).to_be_visible()
    assert api("admin").get(f"/api/orders/{order['id']}")["state"] == "pending_sign"


def test_incoming_call_shows_the_callers_history_and_fills_the_form(
    pages: Pages, api: ApiUser.Factory, screenshots: Path
) -> None:
    phone = "13700001234"
    earlier = api("agent01").post(
        "/api/orders", json=order_body("路灯不亮", "幸福小区门口路灯坏了一周", caller_phone=phone)
    )
    page = pages.new()
    login(page, "agent01")
    page.get_by_test_id("incoming-phone").fill(phone)
    page.get_by_test_id("incoming-call").click()
    dialog = page.get_by_test_id("incoming-dialog")
    expect(dialog.get_by_test_id("incoming-phone-display")).to_have_text(phone)
    expect(dialog.get_by_test_id("incoming-orders")).to_contain_text(earlier["number"])
    expect(dialog.get_by_test_id("incoming-repeat")).to_contain_text("重复来电")
    shot(page, screenshots, "agent-incoming-call")
    dialog.get_by_test_id("incoming-accept").click()
    expect(dialog).to_be_hidden()
    expect(page.get_by_test_id("intake-caller-phone")).to_have_value(phone)
    expect(page.get_by_test_id("intake-caller-name")).to_be_focused()


def test_suggestion_prefills_the_agent_overrides_and_the_override_is_learned(
    pages: Pages, api: ApiUser.Factory, screenshots: Path
) -> None:
    phone = "13700005678"
    earlier = api("agent01").post("/api/orders", json=order_body("噪音扰民", "楼下棋牌室半夜吵闹", caller_phone=phone))
    page = pages.new()
    login(page, "agent01")
    page.get_by_test_id("intake-caller-phone").fill(phone)
    page.get_by_test_id("intake-incident-address").fill("云城区桂花街道幸福小区")
    page.get_by_test_id("intake-subject").fill("投诉棋牌室扰民")
    page.get_by_test_id("intake-description").fill("我要投诉楼下棋牌室每天半夜扰民，吵得睡不着")
    # The suggestion fills the request type (a documented rule: 投诉) the agent has not chosen …
    request_type = page.get_by_test_id("intake-request-type")
    expect(request_type).to_contain_text("投诉")
    # … and, from the caller's number, proposes the same caller's open order as a duplicate.
    expect(page.get_by_test_id("suggestion-duplicates")).to_contain_text(earlier["number"])
    shot(page, screenshots, "agent-suggestion-prefilled")
    # The agent knows better: a request for help, not a complaint.
    request_type.click()
    page.get_by_role("option", name="求助", exact=True).click()
    page.get_by_test_id("intake-save").click()
    number = page.get_by_test_id("order-number")
    expect(number).to_be_visible()
    order = api("admin").get("/api/orders", params={"number": number.inner_text()})["items"][0]
    assert order["request_type"] == "help_request"
    learned: list[dict[str, object]] = []
    for _ in range(50):  # the console reports the override right after the save returns
        learned = api("admin").get("/api/routing/feedback", params={"order_id": order["id"]})
        if learned:
            break
        page.wait_for_timeout(100)
    assert [(r["field"], r["suggested"], r["chosen"], r["source"]) for r in learned] == [
        ("request_type", "complaint", "help_request", "override")
    ]
