"""An admin builds a 用车申请 form in the designer; a document is then saved on the new form."""

from __future__ import annotations

from typing import Any

import pytest

from school_logistics.core.models import Document, User
from school_logistics.core.registry import get_meta
from school_logistics.designer.models import DocTypeVersion
from tests.browser.test_requisition_journey import sign_in

pytestmark = [pytest.mark.browser]
VR = "Vehicle Request"


def add_field(page: Any, fieldtype: str, label: str, fieldname: str) -> None:
    page.select_option("#add-type", fieldtype)
    page.click("#btn-add-field")
    page.fill("#p-label", label)
    page.fill("#p-fieldname", fieldname)


def field_order(page: Any) -> list[str]:
    return page.locator("#field-list .df-item").evaluate_all(
        "items => items.map(i => i.dataset.fieldname)"
    )


def test_admin_builds_a_vehicle_request_form_and_a_document_is_saved_on_it(
    page: Any, phone: Any, live_server: Any, users: dict[str, User], shot: Any
) -> None:
    base = live_server.url
    sign_in(page, base, "admin")
    page.goto(f"{base}/app/designer/")
    page.fill("#new-label", "用车申请")
    page.fill("#new-name", VR)
    page.fill("#new-autoname", "VR-.YYYY.-.####")
    page.check("#new-submittable")
    page.click("#btn-create-doctype")
    page.wait_for_url(f"{base}/app/designer/vehicle-request/")

    add_field(page, "Data", "目的地", "destination")
    page.check("#p-reqd")
    page.check("#p-in_list_view")
    add_field(page, "Date", "用车日期", "trip_date")
    add_field(page, "Select", "车型", "vehicle")
    page.fill("#p-options-select", "轿车\n商务车\n大客车")
    add_field(page, "Int", "乘车人数", "passengers")
    page.fill("#p-min_value", "1")
    assert field_order(page) == ["destination", "trip_date", "vehicle", "passengers"]

    # Drag 车型 above 用车日期, then put 乘车人数 one up with the keyboard-friendly button.
    page.drag_and_drop('.df-item[data-fieldname="vehicle"]', '.df-item[data-fieldname="trip_date"]')
    assert field_order(page) == ["destination", "vehicle", "trip_date", "passengers"]
    page.click('.df-item[data-fieldname="passengers"] .df-up')
    assert field_order(page) == ["destination", "vehicle", "passengers", "trip_date"]
    page.select_option("#dt-title_field", "destination")

    # Both previews show the real form; the phone one is 375 px wide.
    phone_preview = page.frame_locator("#preview-phone")
    phone_preview.locator("#f-passengers").wait_for()
    assert phone_preview.locator("select#f-vehicle option").all_inner_texts() == [
        "", "轿车", "商务车", "大客车"
    ]  # fmt: skip
    assert page.locator("#preview-phone").bounding_box()["width"] == 375
    page.frame_locator("#preview-desktop").locator("#f-trip_date").wait_for()
    shot(page, "designer-vehicle-request-desktop")

    page.click("#btn-save-doctype")
    page.wait_for_selector(".alert-success:has-text('已保存表单')")
    meta = get_meta(VR)
    assert [f.fieldname for f in meta.value_fields] == [
        "destination", "vehicle", "passengers", "trip_date"
    ]  # fmt: skip
    assert meta.get_field("destination").reqd and meta.title_field == "destination"
    assert DocTypeVersion.objects.filter(doctype=VR).count() == 2  # created, then saved

    # The teacher opens the new form on a phone and saves a request.
    sign_in(phone, base, "teacher")
    phone.goto(f"{base}/app/vehicle-request/new")
    phone.fill("#f-destination", "区青少年活动中心")
    phone.select_option("#f-vehicle", "大客车")
    phone.fill("#f-passengers", "0")
    phone.fill("#f-trip_date", "2026-05-12")
    phone.click("#btn-save")
    phone.wait_for_selector(".error-summary")
    assert "乘车人数" in phone.locator(".error-summary").inner_text()
    shot(phone, "designer-vehicle-request-phone-error")
    phone.fill("#f-passengers", "42")
    phone.click("#btn-save")
    phone.wait_for_url(f"{base}/app/vehicle-request/VR-*")
    shot(phone, "designer-vehicle-request-phone-saved")
    doc = Document.objects.get(doctype=VR)
    assert doc.data["passengers"] == 42 and doc.title == "区青少年活动中心"
    assert doc.owner == users["teacher"]

    # The designer itself works at phone width, on a built-in DocType too (customise mode).
    page.set_viewport_size({"width": 375, "height": 812})
    page.goto(f"{base}/app/designer/repair-ticket/")
    page.click('.df-item[data-fieldname="subject"] .df-name')
    assert page.locator("#p-fieldtype").is_disabled() and page.locator("#p-label").is_enabled()
    shot(page, "designer-built-in-phone")
