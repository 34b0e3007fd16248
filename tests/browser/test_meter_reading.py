"""The monthly meter reading in a browser: saved empty it lists every meter; a meter replaced
this month asks for the old meter's last reading and the new one's first, only on its row."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from school_logistics.core import services
from school_logistics.core.models import Document, User
from tests.browser.test_requisition_journey import sign_in
from tests.energy.test_meter_readings import months_ago

pytestmark = pytest.mark.browser


@pytest.fixture
def meters(transactional_db: None, users: dict[str, User]) -> None:
    for no, title, building in (
        ("DB-01", "明德楼总电表", "明德楼"),
        ("DB-02", "食堂电表", "学生食堂"),
    ):
        services.create_document(
            "Meter",
            {"meter_no": no, "title": title, "kind": "电表", "building": building,
             "unit_price": "0.65", "start_reading": "1000", "multiplier": "1"},
            actor=users["purchaser"],
        )  # fmt: skip


def test_a_replaced_meter_is_read_on_a_phone(
    phone: Any, live_server: Any, meters: None, shot: Any
) -> None:
    base = live_server.url
    sign_in(phone, base, "worker")
    phone.goto(f"{base}/app/meter-reading/new")
    phone.locator("#f-month").fill(months_ago(1))
    phone.click("#btn-save")
    phone.wait_for_url(re.compile(r"/app/meter-reading/CB-\d{4}-\d{4}$"))
    expect(phone.locator("#f-readings-0-meter")).to_have_value("DB-02")  # 学生食堂 first
    old_final = phone.locator("#f-readings-1-old_final")
    expect(old_final).to_be_hidden()
    phone.locator("#f-readings-1-replaced").check()
    expect(old_final).to_be_visible()
    expect(phone.locator("#f-readings-0-old_final")).to_be_hidden()  # only on its own row
    phone.fill("#f-readings-0-current", "1100")
    old_final.fill("1180")
    phone.fill("#f-readings-1-new_start", "0")
    phone.fill("#f-readings-1-current", "40")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    shot(phone, "meter-reading-replaced-phone")
    phone.click("#btn-save")
    phone.wait_for_selector(".desk-messages:has-text('已保存')")
    doc = Document.objects.get(doctype="Meter Reading")
    assert [r["usage"] for r in doc.data["readings"]] == ["100.000", "220.000"]
