"""The life of one call through every role's screen, live between browsers; what other units and
masked callers must never show."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import SCREENSHOTS as SHOTS
from tests.browser.conftest import Pages, shot
from tests.browser.helpers import (
    ApiUser,
    close_drawer,
    login,
    open_menu,
    open_order,
    order_body,
    take_action,
    unit_id,
    wait_state,
)

pytestmark = pytest.mark.browser


def _agent_takes_call(page: Page) -> str:
    page.get_by_test_id("intake-caller-phone").fill("13812345678")
    page.get_by_test_id("intake-caller-name").fill("王女士")
    page.get_by_test_id("intake-request-type").click()
    page.get_by_role("option", name="求助", exact=True).click()
    page.get_by_test_id("intake-incident-address").fill("云城区桂花街道桂花苑小区")
    page.get_by_test_id("intake-subject").fill("物业不打扫楼道")
    page.get_by_test_id("intake-description").press_sequentially("小区物业长期不打扫楼道卫生", delay=20)
    # Knowledge-base suggestions arrive over the live connection while the agent is still typing.
    expect(page.get_by_test_id("kb-hit").first).to_be_visible()
    page.get_by_test_id("intake-description").press_sequentially("，垃圾桶满了也没人清运，物业费照收", delay=20)
    expect(page.get_by_test_id("kb-hit").first).to_be_visible()
    expect(page.get_by_test_id("suggestion-item").first).to_be_visible()
    page.get_by_test_id("apply-category").first.click()  # take the suggested category
    page.wait_for_load_state("networkidle")
    shot(page, SHOTS, "agent-intake-suggestions")
    page.get_by_test_id("intake-save").click()
    number = page.get_by_test_id("order-number")
    expect(number).to_have_text(re.compile(r"\d{4}-\d{8}-\w+"))
    return number.inner_text()


def test_call_to_follow_up_across_every_role(pages: Pages, api: ApiUser.Factory, screenshots: Path) -> None:
    agent = pages.new()
    login(agent, "agent01")
    number = _agent_takes_call(agent)
    shot(agent, screenshots, "flow-1-agent-saved")
    admin = api("admin")
    order_id = admin.get("/api/orders", params={"number": number})["items"][0]["id"]

    # The county workstation (and a neighbour that must never see it) watch their inboxes first.
    county = pages.new()
    login(county, "ws_yuncheng")
    open_menu(county, "inbox")
    other = pages.new()
    login(other, "ws_qingchuan")
    open_menu(other, "inbox")

    dispatcher = pages.new()
    login(dispatcher, "dispatch01")
    open_menu(dispatcher, "dispatch")
    open_order(dispatcher, "pending_dispatch", number)
    dispatcher.get_by_test_id("action-dispatch").click()
    expect(dispatcher.get_by_test_id("dispatch-suggestion")).to_be_visible()
    dispatcher.locator(".el-select[data-testid='action-lead']").click()
    dispatcher.locator(".el-popper").filter(visible=True).get_by_text("云城区人民政府（2级）", exact=True).click()
    dispatcher.get_by_test_id("action-comment").fill("请云城区核实办理")
    shot(dispatcher, screenshots, "flow-2-dispatch-form")
    dispatcher.get_by_test_id("action-submit").click()
    wait_state(admin, order_id, "pending_sign")
    close_drawer(dispatcher)

    # Arrives live in the county inbox, no reload.
    open_order(county, "pending_sign", number)
    shot(county, screenshots, "flow-3-workstation-detail")
    take_action(county, "sign")
    wait_state(admin, order_id, "handling")
    county.get_by_test_id("action-delegate").click()
    county.get_by_test_id("action-delegate-to").click()
    county.get_by_role("option", name="云城区桂花街道办事处", exact=True).click()
    county.get_by_test_id("action-comment").fill("请桂花街道上门核实")
    county.get_by_test_id("action-submit").click()
    wait_state(admin, order_id, "delegated")
    close_drawer(county)

    street = pages.new()
    login(street, "ws_guihua")
    open_menu(street, "inbox")
    open_order(street, "handling", number)
    take_action(street, "tier3_reply", comment="已约谈物业公司，楼道已清扫，垃圾已清运")
    wait_state(admin, order_id, "tier2_review")

    open_order(county, "tier2_review", number)
    take_action(county, "tier2_approve", comment="同意三级答复")
    wait_state(admin, order_id, "pending_review")

    open_menu(dispatcher, "reviews")
    open_order(dispatcher, "pending_review", number)
    shot(dispatcher, screenshots, "flow-4-centre-review")
    take_action(dispatcher, "approve", comment="答复属实")
    wait_state(admin, order_id, "follow_up")
    expect(street.get_by_test_id("order-gone")).to_be_visible()  # tier 3 no longer holds it

    follow = pages.new()
    login(follow, "followup01")
    open_menu(follow, "follow-up")
    open_order(follow, "follow_up", number)
    follow.get_by_test_id("action-follow_up_satisfied").click()
    follow.get_by_test_id("action-resolved").get_by_text("已解决").click()
    follow.get_by_test_id("action-comment").fill("来电人表示满意")
    follow.get_by_test_id("action-submit").click()
    wait_state(admin, order_id, "closed")
    expect(follow.get_by_test_id("order-timeline")).to_contain_text("回访满意")
    shot(follow, screenshots, "flow-5-follow-up-closed")

    # The neighbouring county never saw any of it, on screen or through the API.
    for tab in ("pending_sign", "handling", "tier2_review", "sent_back", "due_soon", "overdue"):
        other.get_by_test_id(f"queue-tab-{tab}").click()
        expect(other.get_by_test_id(f"queue-{tab}")).not_to_contain_text(number)
    assert number not in other.content()
    res = api("ws_qingchuan").client.get(
        f"/api/orders/{order_id}", headers={"Authorization": f"Bearer {api('ws_qingchuan').token}"}
    )
    assert res.status_code == 404, res.text


def test_other_workstation_never_sees_the_order(pages: Pages, api: ApiUser.Factory, screenshots: Path) -> None:
    other = pages.new()
    login(other, "ws_qingchuan")
    open_menu(other, "inbox")
    county = pages.new()
    login(county, "ws_yuncheng")
    open_menu(county, "inbox")
    order = api("agent01").post("/api/orders", json=order_body("路灯不亮", "桂花苑小区门口路灯连续三晚不亮"))
    api("dispatch01").act(order["id"], "dispatch", lead_unit_id=unit_id(api, "Q0101"))
    # Once the right unit has it on screen, the event has been delivered everywhere it was going.
    expect(county.get_by_test_id("queue-pending_sign")).to_contain_text(order["number"])
    other.get_by_test_id("queue-refresh").click()
    other.wait_for_load_state("networkidle")
    expect(other.get_by_test_id("queue-pending_sign")).not_to_contain_text(order["number"])
    assert order["number"] not in other.content()
    shot(other, screenshots, "other-workstation-inbox")


def test_confidential_caller_stays_masked(pages: Pages, api: ApiUser.Factory, screenshots: Path) -> None:
    body = order_body(
        "举报小区违建",
        "举报人要求保密：桂花苑3栋顶楼搭建违章建筑",
        confidential=True,
        caller_name="赵保密",
        caller_phone="13700001111",
    )
    order = api("agent01").post("/api/orders", json=body)
    api("dispatch01").act(order["id"], "dispatch", lead_unit_id=unit_id(api, "Q0101"))
    page = pages.new()
    login(page, "ws_yuncheng")
    open_menu(page, "inbox")
    open_order(page, "pending_sign", order["number"])
    expect(page.get_by_test_id("order-masked")).to_be_visible()
    identity = page.get_by_test_id("order-identity").inner_text()
    assert "13700001111" not in identity and "赵保密" not in identity
    expect(page.get_by_test_id("order-unmask")).to_have_count(0)  # units may not lift the mask
    page.wait_for_load_state("networkidle")
    assert "13700001111" not in page.content() and "赵保密" not in page.content()
    shot(page, screenshots, "confidential-masked")
