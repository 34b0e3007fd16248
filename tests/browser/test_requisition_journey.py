"""A teacher's requisition from sign-in to the submitted list entry, in headless Chromium."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from playwright.sync_api import expect

from school_logistics.core import services
from school_logistics.core.models import Document, User
from school_logistics.core.models.document import DocStatus
from school_logistics.core.validation import NotANumber, parse_number
from school_logistics.designer import formulas

pytestmark = pytest.mark.browser

ITEMS = [
    ("P-A4", "A4复印纸", "办公用品", "箱", "120"),
    ("P-PEN", "红色水笔", "办公用品", "盒", "18"),
    ("C-MOP", "拖把", "清洁用品", "把", "25"),
]


@pytest.fixture
def items(transactional_db: None, users: dict[str, User]) -> None:
    for code, name, category, uom, price in ITEMS:
        services.create_document(
            "Item",
            {
                "item_code": code,
                "item_name": name,
                "category": category,
                "uom": uom,
                "reference_price": price,
            },
            actor=users["storekeeper"],
        )


def sign_in(page: Any, base: str, username: str = "teacher") -> None:
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pass12345")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{base}/app/")


def pick_item(page: Any, row: int, typed: str, label: str) -> None:
    """Type into a row's item field and choose the match from the search dropdown."""
    field = page.locator(f"#f-items-{row}-item")
    field.click()
    field.press_sequentially(typed, delay=30)
    page.locator("body > .link-menu button", has_text=label).first.click()


def fill_row(page: Any, row: int, typed: str, label: str, qty: str, rate: str) -> None:
    pick_item(page, row, typed, label)
    page.fill(f"#f-items-{row}-qty", qty)
    page.fill(f"#f-items-{row}-rate", rate)


def requisitions() -> int:
    return Document.objects.filter(doctype="Material Requisition").count()


def test_teacher_creates_submits_and_finds_requisition(page, live_server, items, shot):
    base = live_server.url
    sign_in(page, base)
    page.locator('a[href="/app/material-requisition/new"]').first.click()
    page.wait_for_url(f"{base}/app/material-requisition/new")

    page.fill("#f-purpose", "初二年级期中考试用纸")
    fill_row(page, 0, "复印", "A4复印纸", "2", "120")
    assert page.input_value("#f-items-0-item") == "P-A4"
    page.get_by_role("button", name="添加一行").click()
    fill_row(page, 1, "水笔", "红色水笔", "3", "18")
    page.get_by_role("button", name="添加一行").click()
    fill_row(page, 2, "拖把", "拖把", "1", "25")

    # The browser shows amounts and the total while typing (the DocType's formulas); the
    # server computes the truth on save. The total is shown once, not again under the rows.
    grand_total = page.locator("[data-fieldname=grand_total] .readonly-value")
    expect(grand_total).to_have_text("319.00")
    expect(page.locator(".grid-row:nth-child(2) [data-field=amount] .cell-value")).to_have_text(
        "54.00"
    )
    assert page.locator("[data-total-for=amount]").count() == 0
    shot(page, "requisition-new-desktop")

    page.click("#btn-save")
    page.wait_for_url(re.compile(r"/app/material-requisition/REQ-\d{4}-\d{4}$"))
    assert "已保存" in page.inner_text(".desk-messages")
    assert page.inner_text("#doc-status") == "草稿"
    doc = Document.objects.get(doctype="Material Requisition")
    assert doc.grand_total == Decimal("319.00")
    assert [r["item"] for r in doc.data["items"]] == ["P-A4", "P-PEN", "C-MOP"]

    page.click("#btn-submit")
    page.locator("#confirmModal .confirm-ok").click()
    page.wait_for_selector("#doc-status:has-text('已提交')")
    shot(page, "requisition-submitted-desktop")
    doc.refresh_from_db()
    assert doc.docstatus == DocStatus.SUBMITTED

    page.get_by_role("navigation", name="导航").get_by_role("link", name="物资申购单").click()
    row = page.locator("tr", has_text=doc.name)
    assert "已提交" in row.inner_text()
    assert "319.00" in row.inner_text()
    shot(page, "requisition-list-desktop")


def test_amounts_shown_while_typing_are_the_amounts_saved(page, live_server, items):
    """The browser rounds half up to the fen as the server does, row by row, and totals the
    rounded rows: 6.13 + 1.27 + 3.33 = 10.73 (adding the unrounded products gave 10.72)."""
    base = live_server.url
    sign_in(page, base)
    page.goto(f"{base}/app/material-requisition/new")
    page.fill("#f-purpose", "实验室耗材")
    fill_row(page, 0, "复印", "A4复印纸", "0.5", "12.25")  # 6.125
    page.get_by_role("button", name="添加一行").click()
    fill_row(page, 1, "水笔", "红色水笔", "1.1", "1.15")  # 1.265
    page.get_by_role("button", name="添加一行").click()
    fill_row(page, 2, "拖把", "拖把", "0.333", "10.01")  # 3.33333
    amounts = page.locator(".grid-row [data-field=amount] .cell-value")
    expect(amounts).to_have_text(["6.13", "1.27", "3.33"])
    expect(page.locator("[data-fieldname=grand_total] .readonly-value")).to_have_text("10.73")
    # A designed form's round() agrees with the server's too, floating-point traps included.
    for source in ("round(1.005, 2)", "round(2.675, 2)", "round(-2.5)", "round(0.125, 2)"):
        typed = page.evaluate("s => SchoolFormula.evaluate(SchoolFormula.parse(s), {})", source)
        assert Decimal(str(typed)) == formulas.run(source, {}), source

    page.click("#btn-save")
    page.wait_for_url(re.compile(r"/app/material-requisition/REQ-\d{4}-\d{4}$"))
    doc = Document.objects.get(doctype="Material Requisition")
    assert [r["amount"] for r in doc.data["items"]] == ["6.13", "1.27", "3.33"]
    assert doc.grand_total == Decimal("10.73")


def test_picking_an_item_brings_its_name_unit_and_price(page, live_server, items, shot):
    """A teacher picks an item and sees its name, unit and reference price at once; a rate she
    typed stays when she picks another item, while the unit follows the item."""
    base = live_server.url
    sign_in(page, base)
    page.goto(f"{base}/app/material-requisition/new")
    page.fill("#f-purpose", "期中考试用纸")
    pick_item(page, 0, "复印", "A4复印纸")
    row = page.locator(".grid-row").first
    expect(page.locator("#f-items-0-rate")).to_have_value("120.00")
    expect(page.locator("#f-items-0-uom")).to_have_value("箱")
    expect(row.locator("[data-field=item_name] .cell-value")).to_have_text("A4复印纸")
    page.fill("#f-items-0-qty", "２")  # typed with a Chinese input method: full width
    expect(page.locator("#f-items-0-qty")).to_have_value("2")
    expect(row.locator("[data-field=amount] .cell-value")).to_have_text("240.00")
    expect(page.locator("[data-fieldname=grand_total] .readonly-value")).to_have_text("240.00")
    expect(page.locator("body > .link-menu")).to_be_hidden()  # a late search does not reopen it
    shot(page, "requisition-item-fetched")

    page.fill("#f-items-0-rate", "110")
    page.locator("#f-items-0-item").fill("")
    pick_item(page, 0, "水笔", "红色水笔")
    expect(row.locator("[data-field=item_name] .cell-value")).to_have_text("红色水笔")
    expect(page.locator("#f-items-0-uom")).to_have_value("盒")
    expect(page.locator("#f-items-0-rate")).to_have_value("110")
    expect(row.locator("[data-field=amount] .cell-value")).to_have_text("220.00")

    page.click("#btn-save")
    page.wait_for_url(re.compile(r"/app/material-requisition/REQ-\d{4}-\d{4}$"))
    row_saved = Document.objects.get(doctype="Material Requisition").data["items"][0]
    assert (row_saved["item"], row_saved["item_name"], row_saved["uom"], row_saved["rate"]) == (
        "P-PEN",
        "红色水笔",
        "盒",
        "110.00",
    )


def test_another_item_on_a_saved_draft_replaces_what_the_first_one_brought(
    page, live_server, items, users
):
    """On a draft opened again, the unit and price the first item brought are still its: picking
    another item replaces them, as on a new form, while a unit typed by hand would stay."""
    draft = services.create_document(
        "Material Requisition",
        {"purpose": "期中考试用纸", "items": [{"item": "P-A4", "qty": "2"}]},
        actor=users["teacher"],
    )
    assert (draft.data["items"][0]["uom"], draft.data["items"][0]["rate"]) == ("箱", "120.00")
    base = live_server.url
    sign_in(page, base)
    page.goto(f"{base}/app/material-requisition/{draft.name}")
    expect(page.locator("#f-items-0-rate")).to_have_value("120.00")
    page.locator("#f-items-0-item").fill("")
    pick_item(page, 0, "水笔", "红色水笔")
    expect(page.locator("#f-items-0-uom")).to_have_value("盒")
    expect(page.locator("#f-items-0-rate")).to_have_value("18.00")
    expect(page.locator("[data-fieldname=grand_total] .readonly-value")).to_have_text("36.00")
    page.click("#btn-save")
    expect(page.locator(".desk-messages")).to_contain_text("已保存")
    draft.refresh_from_db()
    row = draft.data["items"][0]
    assert (row["item"], row["uom"], row["rate"], row["amount"]) == (
        "P-PEN",
        "盒",
        "18.00",
        "36.00",
    )


def test_wrong_quantity_shows_clear_message_and_saves_nothing(page, live_server, items, shot):
    base = live_server.url
    sign_in(page, base)
    page.goto(f"{base}/app/material-requisition/new")
    page.fill("#f-purpose", "卫生大扫除")
    fill_row(page, 0, "拖把", "拖把", "-1", "25")
    page.click("#btn-save")
    page.wait_for_selector(".error-summary")
    assert "数量必须大于 0" in page.inner_text(".error-summary")
    assert "数量必须大于 0" in page.inner_text(".grid-row [data-field=qty]")
    assert page.input_value("#f-items-0-qty") == "-1"
    assert page.input_value("#f-purpose") == "卫生大扫除"
    assert requisitions() == 0
    shot(page, "requisition-negative-qty")

    page.fill("#f-items-0-qty", "abc")
    with page.expect_navigation():  # the summary above is still on the page until the answer
        page.click("#btn-save")
    page.wait_for_selector(".error-summary")
    summary = page.inner_text(".error-summary")
    assert "物资明细第 1 行：数量" in summary
    assert page.input_value("#f-items-0-qty") == "abc"
    assert requisitions() == 0
    shot(page, "requisition-text-qty")


def test_phone_requisition_rows_stack_as_cards(phone, live_server, items, shot):
    base = live_server.url
    sign_in(phone, base)
    shot(phone, "phone-home", full_page=False)
    phone.goto(f"{base}/app/material-requisition/new")
    phone.fill("#f-purpose", "班级卫生用品")
    fill_row(phone, 0, "拖把", "拖把", "2", "25")
    phone.get_by_role("button", name="添加一行").click()
    fill_row(phone, 1, "水笔", "红色水笔", "1", "18")

    # Nothing is wider than the screen: rows are cards, the header row is hidden.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    assert phone.locator(".grid-table thead").is_hidden()
    bar = phone.locator("#form-actions").bounding_box()
    assert bar is not None and abs(bar["y"] + bar["height"] - 812) < 2
    shot(phone, "phone-requisition-new")

    phone.click("#btn-save")
    phone.wait_for_url(re.compile(r"/app/material-requisition/REQ-"))
    assert requisitions() == 1
    assert Document.objects.get(doctype="Material Requisition").grand_total == Decimal("68.00")
    shot(phone, "phone-requisition-saved", full_page=False)
    phone.goto(f"{base}/app/material-requisition/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    shot(phone, "phone-requisition-list", full_page=False)


# The same texts on both sides: the server's parse_number and the browser's agree on each.
NUMBER_TEXTS = [
    "1250", "1,250", "12,345.50", "-1,250.00", ".5", "12.", "+3", " 7 ",
    "12,5", "1,25,0", "1234,567", "1.250,50", "1e3", "2.5E-1", "abc", "1 250", "",
]  # fmt: skip


def test_the_browser_reads_a_typed_number_as_the_server_does(page, live_server, items):
    sign_in(page, live_server.url)
    page.goto(f"{live_server.url}/app/material-requisition/new")
    in_browser = page.evaluate("texts => texts.map(t => SchoolNumber.parse(t))", NUMBER_TEXTS)
    for text, shown in zip(NUMBER_TEXTS, in_browser, strict=True):
        try:
            number = parse_number(text)
        except NotANumber:
            number = None
        assert (None if shown is None else Decimal(str(shown))) == number, text


def test_a_comma_that_is_no_thousands_separator_computes_no_amount_while_typing(
    page, live_server, items
):
    """A "12,5", refused on save, is not shown as 125 while typing (10 × 125 = 1,250.00)."""
    sign_in(page, live_server.url)
    page.goto(f"{live_server.url}/app/material-requisition/new")
    fill_row(page, 0, "复印", "A4复印纸", "10", "1,250")
    amount = page.locator(".grid-row [data-field=amount] .cell-value").first
    expect(amount).to_have_text("12,500.00")  # grouped as the app prints money: a number
    page.fill("#f-items-0-rate", "12,5")
    expect(amount).to_have_text("")
    expect(page.locator("[data-fieldname=grand_total] .readonly-value")).not_to_contain_text(
        "1,250.00"
    )


@pytest.mark.parametrize("width", [1280, 390])
def test_a_refused_save_keeps_each_rows_item_name_and_says_why(
    page, live_server, items, shot, width
):
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, live_server.url)
    page.goto(f"{live_server.url}/app/material-requisition/new")
    page.fill("#f-purpose", "期中考试用纸")
    fill_row(page, 0, "复印", "A4复印纸", "10", "12,5")
    page.get_by_role("button", name="添加一行").click()
    fill_row(page, 1, "水笔", "红色水笔", "abc", "12,345.50")
    page.get_by_role("button", name="添加一行").click()
    fill_row(page, 2, "拖把", "拖把", "3", "1,250")
    page.click("#btn-save")
    page.wait_for_selector(".error-summary")
    assert "预估单价：“12,5”不是有效的数字；小数点请用“.”" in page.inner_text(".error-summary")
    assert requisitions() == 0
    names = page.locator(".grid-row [data-field=item_name] .cell-value")
    expect(names).to_have_text(["A4复印纸", "红色水笔", "拖把"])
    assert page.input_value("#f-items-0-rate") == "12,5"
    # What was typed stays readable beside the red mark of a refused number.
    rate = page.locator("#f-items-0-rate")
    style = rate.evaluate(
        "el => [getComputedStyle(el).paddingLeft, getComputedStyle(el).paddingRight]"
    )
    assert sum(float(side.removesuffix("px")) for side in style) > 30
    # Money is not broken over two lines.
    for cell in page.locator(".grid-row [data-field=amount] .cell-value").all():
        box = cell.bounding_box()
        assert box is None or box["height"] < 30
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    shot(page, f"requisition-refused-{width}")
