"""Small helpers for the browser tests: API set-up calls, login through the UI, console error checks."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

PASSWORD = "Demo@12345"


@dataclass
class ConsoleErrors:
    items: list[str] = field(default_factory=list)
    expected: list[str] = field(default_factory=list)

    def add(self, text: str) -> None:
        self.items.append(text)

    def allow(self, *fragments: str) -> None:
        """A test that provokes an error response on purpose names it here (the browser logs it too)."""
        self.expected.extend(fragments)

    def check(self) -> None:
        unexpected = [e for e in self.items if not any(f in e for f in self.expected)]
        if unexpected:
            pytest.fail("browser console errors:\n" + "\n".join(unexpected))


@dataclass
class ApiUser:
    """One demo user over HTTP, for setting up and checking what the browser shows."""

    client: httpx.Client
    token: str
    user: dict[str, Any]

    Factory = Callable[[str], "ApiUser"]

    @staticmethod
    def factory(client: httpx.Client) -> ApiUser.Factory:
        cache: dict[str, ApiUser] = {}

        def get(username: str) -> ApiUser:
            if username not in cache:
                res = client.post("/api/auth/login", json={"username": username, "password": PASSWORD})
                assert res.status_code == 200, res.text
                body = res.json()
                cache[username] = ApiUser(client, body["access_token"], body["user"])
            return cache[username]

        return get

    def call(self, method: str, url: str, **kw: Any) -> Any:
        res = self.client.request(method, url, headers={"Authorization": f"Bearer {self.token}"}, **kw)
        assert res.status_code < 300, f"{method} {url} -> {res.status_code}: {res.text}"
        return res.json() if res.content else None

    def get(self, url: str, **kw: Any) -> Any:
        return self.call("GET", url, **kw)

    def post(self, url: str, **kw: Any) -> Any:
        return self.call("POST", url, **kw)

    def act(self, order_id: int, action: str, **body: Any) -> dict[str, Any]:
        version = self.get(f"/api/orders/{order_id}")["version"]
        return self.post(f"/api/orders/{order_id}/actions/{action}", json={"version": version, **body})


def order_body(subject: str, description: str, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "channel": "phone",
        "request_type": "complaint",
        "urgency": "normal",
        "caller_name": "李先生",
        "caller_phone": "13912345678",
        "caller_address": "云城区人民路1号",
        "incident_address": "云城区桂花街道幸福小区",
        "region_code": None,
        "category_l1": None,
        "category_l2": None,
        "category_l3": None,
        "subject": subject,
        "description": description,
        "confidential": False,
        "anonymous": False,
    }
    body.update(extra)
    return body


def wait_kb_ready(base_url: str, timeout: float = 120) -> None:
    """The knowledge base indexes at start-up; searches before that find nothing."""
    deadline = time.monotonic() + timeout
    with httpx.Client(base_url=base_url, timeout=30) as c:
        token = c.post("/api/auth/login", json={"username": "agent01", "password": PASSWORD}).json()["access_token"]
        while time.monotonic() < deadline:
            r = c.get("/api/kb/search", params={"q": "社保卡丢了"}, headers={"Authorization": f"Bearer {token}"})
            if r.status_code == 200 and r.json()["hits"]:
                return
            time.sleep(0.5)
    raise RuntimeError("knowledge base search found nothing two minutes after start-up")


def login(page: Page, username: str) -> None:
    page.goto("/login")
    page.get_by_test_id("login-username").fill(username)
    page.get_by_test_id("login-password").fill(PASSWORD)
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("current-user")).to_be_visible()
    expect(page.get_by_test_id("connection-status")).to_have_attribute("data-state", "open")


def open_menu(page: Page, name: str) -> None:
    page.get_by_test_id(f"menu-{name}").click()


def unit_id(api: ApiUser.Factory, code: str) -> int:
    """A workstation's id by its code (Q0101 云城区, Q0107 青川县, …)."""
    units = api("admin").get("/api/workstations")
    return next(u["id"] for u in units if u["code"] == code)


def wait_state(user: ApiUser, order_id: int, state: str, timeout: float = 15) -> dict[str, Any]:
    """The order once it reaches ``state`` (the UI posted the action; the API is the witness)."""
    deadline = time.monotonic() + timeout
    while True:
        order = user.get(f"/api/orders/{order_id}")
        if order["state"] == state or time.monotonic() > deadline:
            assert order["state"] == state, f"order {order['number']} is {order['state']}, expected {state}"
            return order
        time.sleep(0.2)


def take_action(page: Page, action: str, *, comment: str | None = None, reason: str | None = None) -> None:
    """Click the action's button in the order drawer, fill the small form and submit it."""
    page.get_by_test_id(f"action-{action}").click()
    dialog = page.get_by_test_id("action-dialog")
    expect(dialog).to_be_visible()
    if comment is not None:
        page.get_by_test_id("action-comment").fill(comment)
    if reason is not None:
        page.get_by_test_id("action-reason").fill(reason)
    page.get_by_test_id("action-submit").click()
    expect(dialog).to_be_hidden()


def open_order(page: Page, queue: str, number: str) -> None:
    """Open an order from a queue tab by its number (it must already be listed: no reload)."""
    page.get_by_test_id(f"queue-tab-{queue}").click()
    row = page.get_by_test_id(f"queue-{queue}").get_by_text(number)
    expect(row).to_be_visible()
    row.click()
    expect(page.get_by_test_id("order-detail-number")).to_have_text(number)


def close_drawer(page: Page) -> None:
    page.locator(".el-drawer__close-btn").filter(visible=True).click()
    expect(page.get_by_test_id("order-detail-number")).to_be_hidden()
