"""The issue's journey: an admin designs 用车申请 with a child table and formulas; a teacher uses it.

The admin builds a child table and the form in the browser designer and saves (publishes) it;
the teacher fills it in on a 375 px phone page, watches the formulas update while typing,
saves and submits, and then finds the request in the list and through the REST API.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any
from urllib.parse import quote

import pytest
from playwright.sync_api import expect

from school_logistics.api.keys import issue_api_key
from school_logistics.core.models import Document, User
from school_logistics.core.models.document import DocStatus
from school_logistics.core.registry import get_meta
from school_logistics.designer.models import DocTypeVersion
from tests.browser.test_requisition_journey import sign_in

pytestmark = [pytest.mark.browser]
VR = "Vehicle Request"
COST = "Vehicle Request Cost"


def add_field(page: Any, fieldtype: str, label: str, fieldname: str) -> None:
    page.select_option("#add-type", fieldtype)
    page.click("#btn-add-field")
    page.fill("#p-label", label)
    page.fill("#p-fieldname", fieldname)


def field_order(page: Any) -> list[str]:
    return page.locator("#field-list .df-item").evaluate_all(
        "items => items.map(i => i.dataset.fieldname)"
    )


def create_doctype(page: Any, base: str, label: str, name: str, **flags: Any) -> None:
    """Make a DocType from the designer's list page and wait for its designer to open."""
    page.goto(f"{base}/app/designer/")
    page.fill("#new-label", label)
    page.fill("#new-name", name)
    if flags.get("autoname"):
        page.fill("#new-autoname", flags["autoname"])
    if flags.get("submittable"):
        page.check("#new-submittable")
    if flags.get("istable"):
        page.check("#new-istable")
    page.click("#btn-create-doctype")
    page.wait_for_url(f"{base}/app/designer/{name.lower().replace(' ', '-')}/")


def save_design(page: Any) -> None:
    page.click("#btn-save-doctype")
    page.wait_for_selector(".alert-success:has-text('已保存表单')")


def design_cost_table(page: Any, base: str, shot: Any) -> None:
    """A child table of trip costs: item, quantity, unit price and a computed amount."""
    create_doctype(page, base, "用车费用明细", COST, istable=True)
    assert page.locator("#dt-is_submittable").count() == 0  # a child table is never submitted
    add_field(page, "Data", "费用项目", "cost_item")
    page.check("#p-reqd")
    add_field(page, "Float", "数量", "qty")
    add_field(page, "Currency", "单价", "rate")
    add_field(page, "Currency", "金额", "amount")
    page.fill("#p-formula", "qty * rate")
    assert page.is_checked("#p-read_only")  # a computed field is not typed in
    page.frame_locator("#preview-phone").locator("#f-cost_item").wait_for()
    page.evaluate("window.scrollTo(0, 0)")
    shot(page, "designer-cost-table-desktop")
    save_design(page)
    assert [f.fieldname for f in get_meta(COST).value_fields] == [
        "cost_item", "qty", "rate", "amount"
    ]  # fmt: skip


def design_vehicle_request(page: Any, base: str, shot: Any) -> None:
    create_doctype(page, base, "用车申请", VR, autoname="VR-.YYYY.-.####", submittable=True)
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

    # The child table and the formulas: the total sums the table's computed amounts.
    page.click('.df-item[data-fieldname="trip_date"] .df-name')
    add_field(page, "Table", "费用明细", "costs")
    page.select_option("#p-options-table", COST)
    add_field(page, "Currency", "预计费用", "estimated_total")
    page.fill("#p-formula", "sum(costs.amount)")
    page.check("#p-in_list_view")
    page.select_option("#dt-total_field", "estimated_total")
    assert field_order(page) == [
        "destination", "vehicle", "passengers", "trip_date", "costs", "estimated_total"
    ]  # fmt: skip

    # Both previews show the real form; the phone one is 375 px wide.
    phone_preview = page.frame_locator("#preview-phone")
    phone_preview.locator('.desk-grid[data-prefix="costs"] #f-costs-0-qty').wait_for()
    assert phone_preview.locator("select#f-vehicle option").all_inner_texts() == [
        "", "轿车", "商务车", "大客车"
    ]  # fmt: skip
    assert page.locator("#preview-phone").bounding_box()["width"] == 375
    phone_preview.locator('.desk-field[data-fieldname="estimated_total"]').wait_for()
    page.frame_locator("#preview-desktop").locator("#f-trip_date").wait_for()
    # The preview can be tried: amounts and totals compute as on the real form (once it shows
    # the last edit, so the frame is not reloaded under the typing).
    expect(page.locator("#preview")).not_to_have_attribute("aria-busy", "true")
    desktop_preview = page.frame_locator("#preview-desktop")
    desktop_preview.locator("#f-costs-0-qty").fill("4")
    desktop_preview.locator("#f-costs-0-rate").fill("2.5")
    expect(desktop_preview.locator(amount_cell(1))).to_have_text("10.00")
    estimated = '.desk-field[data-fieldname="estimated_total"] .readonly-value'
    expect(desktop_preview.locator(estimated)).to_have_text("10.00")
    page.evaluate("window.scrollTo(0, 0)")
    shot(page, "designer-vehicle-request-desktop")

    save_design(page)
    meta = get_meta(VR)
    assert [f.fieldname for f in meta.value_fields] == [
        "destination", "vehicle", "passengers", "trip_date", "costs", "estimated_total"
    ]  # fmt: skip
    assert meta.get_field("destination").reqd and meta.title_field == "destination"
    assert meta.get_field("costs").options == COST and meta.is_submittable
    assert DocTypeVersion.objects.filter(doctype=VR).count() == 2  # created, then saved
    # A new form waits for the admin to turn it on before teachers see it.
    assert meta.disabled
    page.click("#btn-enable")
    page.wait_for_selector("#btn-disable")
    assert not get_meta(VR).disabled


def fill_cost(phone: Any, row: int, item: str, qty: str, rate: str) -> None:
    phone.fill(f"#f-costs-{row}-cost_item", item)
    phone.fill(f"#f-costs-{row}-qty", qty)
    phone.fill(f"#f-costs-{row}-rate", rate)


def amount_cell(row: int) -> str:
    return f'.desk-grid[data-prefix="costs"] .grid-row:nth-child({row}) [data-field=amount] .cell-value'


def wait_text(page: Any, selector: str, text: str) -> None:
    """Wait until the element shows `text` (formulas update a moment after typing)."""
    page.wait_for_function(
        "([el, want]) => el.textContent.trim() === want",
        arg=[page.locator(selector).element_handle(), text],
    )


def teacher_fills_request_on_phone(phone: Any, base: str, shot: Any) -> str:
    sign_in(phone, base, "teacher")
    phone.goto(f"{base}/app/vehicle-request/new")
    phone.fill("#f-destination", "区青少年活动中心")
    phone.select_option("#f-vehicle", "大客车")
    phone.fill("#f-passengers", "0")
    phone.fill("#f-trip_date", "2026-05-12")
    fill_cost(phone, 0, "往返油费", "60", "1.5")
    wait_text(phone, amount_cell(1), "90.00")
    phone.get_by_role("button", name="添加一行").click()
    fill_cost(phone, 1, "过路费", "2", "17.5")
    wait_text(phone, amount_cell(2), "35.00")
    total = '.desk-field[data-fieldname="estimated_total"] .readonly-value'
    wait_text(phone, total, "125.00")
    # The total is that column's sum, so it is shown once: as the field, not again under the rows.
    assert phone.locator('[data-total-for="amount"]').count() == 0
    # Rows are cards: nothing is wider than the phone.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    assert phone.locator(".grid-table thead").is_hidden()
    shot(phone, "designer-vehicle-request-phone-rows")

    phone.click("#btn-save")
    phone.wait_for_selector(".error-summary")
    assert "乘车人数" in phone.locator(".error-summary").inner_text()
    assert Document.objects.filter(doctype=VR).count() == 0
    wait_text(phone, total, "125.00")  # the refused form still shows what the rows add up to
    shot(phone, "designer-vehicle-request-phone-error")
    phone.fill("#f-passengers", "42")
    phone.click("#btn-save")
    phone.wait_for_url(re.compile(r"/app/vehicle-request/VR-\d{4}-\d{4}$"))
    name = phone.url.rsplit("/", 1)[1]
    phone.click("#btn-submit")
    phone.locator("#confirmModal .confirm-ok").click()
    phone.wait_for_selector("#doc-status:has-text('已提交')")
    shot(phone, "designer-vehicle-request-phone-submitted")
    # Nothing is left to do on the phone, so no empty action bar covers the form.
    assert phone.locator("#form-actions").is_hidden()
    return name


def test_admin_designs_vehicle_request_with_child_table_teacher_submits_it_from_a_phone(
    page: Any, phone: Any, live_server: Any, users: dict[str, User], shot: Any
) -> None:
    base = live_server.url
    sign_in(page, base, "admin")
    design_cost_table(page, base, shot)
    design_vehicle_request(page, base, shot)

    name = teacher_fills_request_on_phone(phone, base, shot)
    doc = Document.objects.get(doctype=VR)
    assert doc.name == name and doc.owner == users["teacher"]
    assert doc.docstatus == DocStatus.SUBMITTED and doc.title == "区青少年活动中心"
    assert doc.data["passengers"] == 42 and doc.grand_total == Decimal("125.00")
    assert [(r["cost_item"], Decimal(str(r["amount"]))) for r in doc.data["costs"]] == [
        ("往返油费", Decimal("90.00")), ("过路费", Decimal("35.00"))
    ]  # fmt: skip

    # The list shows the submitted request with its destination and computed total.
    phone.goto(f"{base}/app/vehicle-request/")
    row = phone.locator("tr", has_text=name)
    assert "区青少年活动中心" in row.inner_text() and "125.00" in row.inner_text()
    assert "已提交" in row.inner_text()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    shot(phone, "designer-vehicle-request-phone-list", full_page=False)

    # The teacher makes an API key in the browser; the key alone reads the request back.
    phone.goto(f"{base}/api/keys")
    phone.get_by_role("button", name="生成密钥").click()
    token = f"{phone.inner_text('#api-key')}:{phone.inner_text('#api-secret')}"
    api = page.context.browser.new_context(base_url=base)  # no session cookie
    auth = {"Authorization": f"token {token}"}
    resource = f"/api/resource/{quote(VR)}"
    listed = api.request.get(
        resource, params={"fields": json.dumps(["name", "estimated_total"])}, headers=auth
    )
    assert listed.status == 200
    assert listed.json()["data"] == [{"name": name, "estimated_total": 125.0}]
    one = api.request.get(f"{resource}/{name}", headers=auth)
    assert one.status == 200
    data = one.json()["data"]
    assert data["docstatus"] == 1 and data["vehicle"] == "大客车"
    assert data["trip_date"] == "2026-05-12" and data["estimated_total"] == 125.0
    assert [(r["cost_item"], r["qty"], r["rate"], r["amount"]) for r in data["costs"]] == [
        ("往返油费", 60.0, 1.5, 90.0), ("过路费", 2.0, 17.5, 35.0)
    ]  # fmt: skip
    # Without the key, or with a colleague's, the request stays private.
    assert api.request.get(f"{resource}/{name}").status == 401
    issued = issue_api_key(users["colleague"], actor=users["colleague"])
    other = {"Authorization": f"token {issued.key}:{issued.secret}"}
    assert api.request.get(resource, headers=other).json()["data"] == []
    assert api.request.get(f"{resource}/{name}", headers=other).status == 404
    api.close()


def test_designer_customises_a_built_in_doctype_at_phone_width(
    phone: Any, live_server: Any, users: dict[str, User], shot: Any
) -> None:
    base = live_server.url
    sign_in(phone, base, "admin")
    phone.goto(f"{base}/app/designer/repair-ticket/")
    phone.click('.df-item[data-fieldname="subject"] .df-name')
    assert phone.locator("#p-fieldtype").is_disabled() and phone.locator("#p-label").is_enabled()
    shot(phone, "designer-built-in-phone")


def test_fetch_source_suggests_the_fields_of_the_linked_form(
    page: Any, live_server: Any, users: dict[str, User]
) -> None:
    base = live_server.url
    sign_in(page, base, "admin")
    page.goto(f"{base}/app/designer/material-requisition-item/")
    add_field(page, "Data", "物资类别", "item_category")  # a school's own field on the row
    assert page.locator("#p-fetch_from").is_enabled()
    options = page.locator("#fetch-choices option").evaluate_all(
        "os => os.map(o => [o.value, o.textContent])"
    )
    # The row's one Link field is 物资 (item → Item): its fields, named as 取值来源 wants them.
    assert ["item.category", "物资 → 类别"] in options
    assert all(value.startswith("item.") for value, _label in options)
    assert page.get_attribute("#p-fetch_from", "list") == "fetch-choices"


def test_a_text_field_set_to_year_and_month_is_a_month_picker(
    page: Any, live_server: Any, users: dict[str, User]
) -> None:
    base = live_server.url
    sign_in(page, base, "admin")
    create_doctype(page, base, "宿舍月检", "Dorm Check")
    add_field(page, "Data", "检查月份", "check_month")
    page.select_option("#p-options-data", "Month")
    preview = page.frame_locator("#preview-phone")
    expect(preview.locator("#f-check_month")).to_have_attribute("type", "month")
    save_design(page)
    assert get_meta("Dorm Check").get_field("check_month").options == "Month"
    page.click('.df-item[data-fieldname="check_month"] .df-name')
    expect(page.locator("#p-options-data")).to_have_value("Month")  # as saved
    page.select_option("#p-fieldtype", "Int")  # options belong to the type: dropped with it
    page.select_option("#p-fieldtype", "Data")
    assert page.locator("#p-options-data").input_value() == ""


def badges(page: Any, fieldname: str) -> list[str]:
    return page.locator(f'.df-item[data-fieldname="{fieldname}"] .df-flag').all_inner_texts()


def test_a_field_clicked_right_after_editing_a_label_is_selected_at_once(
    page: Any, live_server: Any, users: dict[str, User]
) -> None:
    base = live_server.url
    sign_in(page, base, "admin")
    create_doctype(page, base, "借用登记", "Loan Register")
    add_field(page, "Data", "借用事由", "purpose")
    add_field(page, "Date", "借用日期", "loan_date")
    page.click('.df-item[data-fieldname="purpose"] .df-name')
    page.fill("#p-label", "借用用途")
    # Leaving the label for the list (its change event) once rebuilt the list between the
    # mouse press and release, so this first click was lost and 必填 went to 借用用途.
    page.click('.df-item[data-fieldname="loan_date"] .df-name')
    expect(page.locator("#p-label")).to_have_value("借用日期")
    page.check("#p-reqd")
    assert badges(page, "loan_date") == ["必填"] and badges(page, "purpose") == []
    expect(page.locator('.df-item[data-fieldname="purpose"] .df-name')).to_have_text("借用用途")
    expect(page.locator('.df-item[data-fieldname="loan_date"]')).to_have_class(re.compile("active"))
    save_design(page)
    meta = get_meta("Loan Register")
    assert meta.get_field("loan_date").reqd and not meta.get_field("purpose").reqd
    assert meta.get_field("purpose").label == "借用用途"
    page.click('.df-item[data-fieldname="purpose"] .df-type')  # the row, beside its name
    expect(page.locator("#p-label")).to_have_value("借用用途")


def test_the_link_table_and_module_boxes_show_chinese_names(
    page: Any, live_server: Any, users: dict[str, User], shot: Any
) -> None:
    base = live_server.url
    sign_in(page, base, "admin")
    create_doctype(page, base, "借用明细行", "Loan Line", istable=True)
    create_doctype(page, base, "借用登记", "Loan Register")
    expect(page.locator("#dt-module option:checked")).to_have_text("自定义")
    add_field(page, "Link", "借用人", "borrower")
    page.select_option("#p-options-link", label="用户（User）")
    add_field(page, "Table", "借用物品", "lines")
    page.select_option("#p-options-table", label="借用明细行（Loan Line）")
    expect(page.locator("#p-options-table")).to_have_value("Loan Line")  # stored by name
    page.frame_locator("#preview-desktop").locator("#f-borrower").wait_for()
    expect(page.locator("#preview")).not_to_have_attribute("aria-busy", "true")
    page.evaluate("window.scrollTo(0, 0)")
    shot(page, "designer-chinese-choices")
    save_design(page)
    expect(page.locator("#history li").first).to_contain_text("新增字段“借用人”、“借用物品”")
    shot(page, "designer-chinese-choices-saved")
    meta = get_meta("Loan Register")
    assert meta.get_field("borrower").options == "User" and meta.get_field("lines").options == (
        "Loan Line"
    )
    assert DocTypeVersion.objects.filter(doctype="Loan Register")[0].summary == (
        "新增字段“借用人”、“借用物品”"
    )
