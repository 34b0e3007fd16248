"""Browser fixtures: one headless Chromium per session, a fresh context per test."""

from __future__ import annotations

import os
import time
from collections import deque
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

# Playwright's sync API runs an event loop in this thread; Django must still allow ORM calls.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ACTION_TIMEOUT_MS = 20_000
NAVIGATION_TIMEOUT_MS = 30_000


def patient(context: Any) -> None:
    """Give a browser context waits long enough for a busy CI machine (a navigation there once
    took over 10 s); a wait that never ends still fails its test, with the tab's log."""
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    context.set_default_navigation_timeout(NAVIGATION_TIMEOUT_MS)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=ACTION_TIMEOUT_MS)  # Playwright's own default is 5 s

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    if report.when == "call":
        item.call_failed = report.failed  # type: ignore[attr-defined]
    return report


def _page(
    browser: Any, request: pytest.FixtureRequest, width: int, height: int, **options: Any
) -> Iterator[Any]:
    context = browser.new_context(
        viewport={"width": width, "height": height}, locale="zh-CN", **options
    )
    patient(context)
    page = context.new_page()
    log = _traffic_log(page)
    yield page
    if getattr(request.node, "call_failed", False):
        # What the tab showed and what it sent when the test failed: the first things to look
        # at after a CI run (the log is printed into the test's report).
        ARTIFACTS.mkdir(exist_ok=True)
        name = f"failed-{request.node.name}-{request.fixturename}.png"
        page.screenshot(path=str(ARTIFACTS / name), full_page=True)
        print(f"--- {request.fixturename}: the last {len(log)} page events", *log, sep="\n")
    context.close()


def _traffic_log(page: Any) -> deque[str]:
    """Keep the tab's last requests (but static files), loads and script errors, timed."""
    log: deque[str] = deque(maxlen=60)
    start = time.monotonic()

    def add(text: str) -> None:
        log.append(f"{time.monotonic() - start:7.2f}s {text}")

    def watched(req: Any) -> bool:  # pages, posts and scripts' requests; not static files
        return req.resource_type in ("document", "fetch", "xhr") or req.method != "GET"

    def sent(req: Any) -> None:
        if watched(req):
            add(f"→ {req.method} {req.url}")

    def answered(res: Any) -> None:
        if watched(res.request):
            add(f"← {res.status} {res.request.method} {res.url}")

    page.on("request", sent)
    page.on("response", answered)
    page.on("requestfailed", lambda req: add(f"✗ {req.method} {req.url}: {req.failure}"))
    page.on("framenavigated", lambda frame: frame == page.main_frame and add(f"@ {frame.url}"))
    page.on("load", lambda _page: add("load"))
    page.on("pageerror", lambda error: add(f"script error: {error}"))
    page.on("console", lambda msg: msg.type == "error" and add(f"console: {msg.text}"))
    return log


@pytest.fixture
def page(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A desktop-sized browser tab."""
    yield from _page(browser, request, 1366, 900)


@pytest.fixture
def phone(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A phone-sized browser tab (375 × 812, touch)."""
    yield from _page(
        browser, request, 375, 812, is_mobile=True, has_touch=True, device_scale_factor=2
    )


@pytest.fixture
def shot() -> Any:
    """Save a screenshot under test-artifacts/ (git-ignored) to look at after the run."""
    ARTIFACTS.mkdir(exist_ok=True)

    def save(page: Any, name: str, full_page: bool = True) -> Path:
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path

    return save
