"""The board's county map: all ten counties of the demo city drawn with their counts from
/api/kpi/board (zeros included), and a click on a county drills down to exactly its orders."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests.browser.conftest import ROOT, Pages, shot
from tests.browser.helpers import ApiUser, login, open_menu, order_body, unit_id

pytestmark = pytest.mark.browser

BROWSER_TZ = ZoneInfo("Asia/Shanghai")  # the browser contexts' timezone; the board counts local days
GEOJSON = ROOT / "agent_ui" / "frontend" / "src" / "charts" / "yunzhou-counties.json"

# What the canvas drew: every text element ECharts handed to zrender, and the series' data.
CHART_STATE = """(el) => {
  const chart = window.__echarts.getInstanceByDom(el)
  const texts = chart.getZr().storage.getDisplayList(true)
    .map((e) => e.style && e.style.text).filter((t) => typeof t === 'string')
  return { texts, data: chart.getOption().series[0].data }
}"""
TO_PIXEL = "([el, point]) => window.__echarts.getInstanceByDom(el).convertToPixel({ seriesIndex: 0 }, point)"


def _month() -> dict[str, str]:
    """The board's chart window: the last 30 local days, today included."""
    today = datetime.now(BROWSER_TZ).replace(hour=0, minute=0, second=0, microsecond=0)
    return {"from": (today - timedelta(days=29)).isoformat(), "to": (today + timedelta(days=1)).isoformat()}


def _map_state(page: Page) -> dict[str, Any]:
    return page.get_by_test_id("county-map").evaluate(CHART_STATE)  # type: ignore[no-any-return]


def _click_county(page: Page, centre: list[float], dialog: Any) -> None:
    """Click inside a county, just below its label, where it is drawn at the moment of the click: the
    board's other panels still loading can shift the map between reading its box and clicking (the
    first browser test of a cold run missed the county that way), so the position is read afresh."""
    map_ = page.get_by_test_id("county-map")
    for _ in range(3):
        map_.scroll_into_view_if_needed()
        x, y = page.evaluate(TO_PIXEL, [map_.element_handle(), centre])
        box = map_.bounding_box()
        assert box is not None
        page.mouse.click(box["x"] + x, box["y"] + y + 16)
        try:
            dialog.wait_for(state="visible", timeout=3000)
            return
        except PlaywrightTimeoutError:
            continue


def test_county_map_shows_every_county_and_drills_down(pages: Pages, api: ApiUser.Factory, screenshots: Path) -> None:
    agent = api("agent01")
    places = [("0107", "青川县城关镇"), ("0107", "青川县城关镇"), ("0102", "东湖区湖滨路")] * 2
    for i, (region, place) in enumerate(places):
        agent.post(
            "/api/orders",
            json=order_body(f"{place}路面塌陷{i}", f"{place}一处路面塌陷，车辆无法通行", region_code=region),
        )
    counties = json.loads(GEOJSON.read_text(encoding="utf-8"))["features"]
    assert len(counties) == 10

    page = pages.new()
    login(page, "supervisor01")
    open_menu(page, "board")
    board = api("supervisor01").get("/api/kpi/board", params=_month())
    counts = {r["region_code"]: r["orders"] for r in board["regions"]}
    assert len(counts) == 10 and counts["0107"] >= 4

    # Every county drawn with its name and the API's count, zeros included.
    expect(page.get_by_test_id("county-map")).to_be_visible()
    page.wait_for_function(
        "(el) => { const c = window.__echarts && window.__echarts.getInstanceByDom(el);"
        " return !!c && c.getOption().series[0].data.some((d) => d.value > 0) }",
        arg=page.get_by_test_id("county-map").element_handle(),
    )
    state = _map_state(page)
    assert {d["name"]: d["value"] for d in state["data"]} == counts
    texts = state["texts"]  # zrender draws a two-line label as two texts: the name, then the count
    for f in counties:
        name, code = f["properties"]["name"], f["properties"]["code"]
        assert name in texts, (name, texts)
        assert texts[texts.index(name) + 1] == str(counts[code]), (name, texts)

    # A click on 青川县 lists exactly the orders its figure counts.
    qingchuan = next(f for f in counties if f["properties"]["code"] == "0107")
    dialog = page.get_by_test_id("drill-dialog")
    _click_county(page, qingchuan["properties"]["cp"], dialog)
    expected = api("supervisor01").get("/api/kpi/board/orders", params={**_month(), "region": "0107"})
    assert expected["total"] == counts["0107"]
    expect(dialog).to_contain_text("区县：青川县")
    expect(page.get_by_test_id("drill-total")).to_have_text(f"共 {expected['total']} 件")
    expect(page.get_by_test_id("drill-rows").locator("tbody tr")).to_have_count(len(expected["items"]))
    expect(page.get_by_test_id("drill-rows")).to_contain_text("青川县城关镇路面塌陷1")
    shot(page, screenshots, "supervisor-county-drill-down")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    page.get_by_test_id("county-map").scroll_into_view_if_needed()
    shot(page, screenshots, "supervisor-board-map")


def test_inbox_rows_need_no_lifecycle_request_each(pages: Pages, api: ApiUser.Factory) -> None:
    """The queue answer carries each row's deadlines: countdowns show with no per-row lifecycle call."""
    order = api("agent01").post("/api/orders", json=order_body("桂花路井盖松动", "桂花路口井盖松动，车辆经过响声很大"))
    api("dispatch01").act(order["id"], "dispatch", lead_unit_id=unit_id(api, "Q0101"))
    page = pages.new()
    lifecycle_calls: list[str] = []
    page.on("request", lambda r: lifecycle_calls.append(r.url) if "/lifecycle" in r.url else None)
    login(page, "ws_yuncheng")
    open_menu(page, "inbox")
    rows = page.get_by_test_id("queue-pending_sign").locator("tr.queue-row")
    expect(rows.filter(has_text=order["number"]).get_by_test_id("countdown")).to_contain_text("签收")
    page.wait_for_load_state("networkidle")
    assert rows.count() >= 1 and lifecycle_calls == []
