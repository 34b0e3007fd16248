"""Browser fixtures: one headless Chromium per session, a fresh context per test."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

# Playwright's sync API runs an event loop in this thread; Django must still allow ORM calls.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

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
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    if getattr(request.node, "call_failed", False):
        # What the tab showed when the test failed: the first thing to look at after a CI run.
        ARTIFACTS.mkdir(exist_ok=True)
        name = f"failed-{request.node.name}-{request.fixturename}.png"
        page.screenshot(path=str(ARTIFACTS / name), full_page=True)
    context.close()


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
