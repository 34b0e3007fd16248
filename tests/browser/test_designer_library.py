"""An admin installs 食品留样登记 from the form library; the canteen records a sample on it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from school_logistics.core.models import Document, User
from tests.browser.conftest import patient
from tests.browser.test_requisition_journey import sign_in

pytestmark = [pytest.mark.browser]
FOOD = "Food Sample Retention"


def test_admin_installs_food_sample_form_and_canteen_saves_a_computed_discard_time(
    page: Any, live_server: Any, users: dict[str, User], shot: Any
) -> None:
    base = live_server.url
    sign_in(page, base, "admin")
    page.goto(f"{base}/app/designer/")
    page.click("#link-library")
    page.wait_for_url(f"{base}/app/designer/library/")
    card = page.locator('.library-card[data-key="food_sample"]')
    assert "48 小时" in card.inner_text()
    shot(page, "library-before-install")
    card.locator(".btn-install").click()
    page.wait_for_url(f"{base}/app/designer/food-sample-retention/")
    assert "已安装" in page.locator(".alert-success").inner_text()
    page.click('.df-item[data-fieldname="discard_after"] .df-name')
    assert page.input_value("#p-formula") == "add_hours(sampled_at, 48)"
    page.click('.df-item[data-fieldname="discarded_by"] .df-name')
    assert page.locator('[data-rule="depends_on"] .rule-field').input_value() == "discarded_at"
    shot(page, "library-food-sample-in-designer")

    # Installing again from the library is refused, clearly.
    page.goto(f"{base}/app/designer/library/")
    assert page.locator('.library-card[data-key="food_sample"] .btn-install').count() == 0
    assert "已安装" in page.locator('.library-card[data-key="food_sample"]').inner_text()

    canteen = page.context.browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="zh-CN"
    )
    patient(canteen)
    form = canteen.new_page()
    sign_in(form, base, "canteen")
    form.goto(f"{base}/app/food-sample-retention/new")
    form.select_option("#f-meal", "午餐")
    form.fill("#f-dish", "番茄炒蛋")
    form.fill("#f-weight_g", "130")
    form.fill("#f-sampled_at", "2026-03-02T11:30")
    discard = form.locator('.desk-field[data-fieldname="discard_after"] .readonly-value')
    form.wait_for_function(
        "el => el.textContent.trim() === '2026-03-04 11:30'", arg=discard.element_handle()
    )
    # 销毁人 shows (and is required) only once a discard time is entered.
    by = form.locator('.desk-field[data-fieldname="discarded_by"]')
    assert by.is_hidden()
    form.fill("#f-discarded_at", "2026-03-04T12:00")
    by.wait_for(state="visible")
    assert by.locator(".req").count() == 1
    form.fill("#f-discarded_at", "")
    by.wait_for(state="hidden")
    shot(form, "library-food-sample-live-formula")
    form.click("#btn-save")
    form.wait_for_url(f"{base}/app/food-sample-retention/LY-*")
    shot(form, "library-food-sample-saved")
    doc = Document.objects.get(doctype=FOOD)
    discard_after = dt.datetime.fromisoformat(doc.data["discard_after"])
    sampled_at = dt.datetime.fromisoformat(doc.data["sampled_at"])
    assert discard_after - sampled_at == dt.timedelta(hours=48)
    assert doc.owner == users["canteen"] and doc.data["weight_g"] == 130
    assert (
        "2026-03-04 11:30"
        in form.locator('.desk-field[data-fieldname="discard_after"]').inner_text()
    )
    canteen.close()
