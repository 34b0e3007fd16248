"""A class teacher's month-end meal fee refund: each student's refund and the total while typing;
the class chosen among those they are 班主任 of."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from playwright.sync_api import expect

from school_logistics.core import services
from school_logistics.core.models import Document, User
from tests.browser.test_repair_ticket import pick
from tests.browser.test_requisition_journey import sign_in
from tests.canteen.factories import make_classes
from tests.canteen.test_meal_fee_refund import last_month

pytestmark = pytest.mark.browser


@pytest.fixture
def roll(transactional_db: None, users: dict[str, User]) -> None:
    """七年级(1)班 (the teacher's) with two diners, and 七年级(2)班 (their colleague's)."""
    make_classes(
        users["canteen"], {"七年级(1)班": users["teacher"], "七年级(2)班": users["colleague"]}
    )
    for no, name, plan in (("S001", "林一", "三餐"), ("S002", "林二", "午餐")):
        services.create_document(
            "Student",
            {
                "student_no": no,
                "student_name": name,
                "class_name": "七年级(1)班",
                "meal_plan": plan,
            },
            actor=users["canteen"],
        )


def test_refunds_show_while_typing_and_are_what_is_saved(
    page: Any, live_server: Any, roll: None, shot: Any
) -> None:
    base = live_server.url
    sign_in(page, base)
    page.goto(f"{base}/app/meal-fee-refund/new")
    page.select_option("#f-class_name", "七年级(1)班")
    month = page.locator("#f-month")
    expect(month).to_have_attribute("type", "month")  # picked on a phone, not typed as YYYY-MM
    month.fill(last_month())
    page.fill("#f-meal_rate", "6.5")
    pick(page, "#f-students-0-student", "林一", "林一")
    page.fill("#f-students-0-missed_meals", "5")
    page.get_by_role("button", name="添加一行").click()
    pick(page, "#f-students-1-student", "林二", "林二")
    page.fill("#f-students-1-missed_meals", "2")

    rows = page.locator(".grid-row")
    total = page.locator("[data-fieldname=total_refund] .readonly-value")
    expect(rows.locator("[data-field=student_name] .cell-value")).to_have_text(["林一", "林二"])
    expect(rows.locator("[data-field=refund_amount] .cell-value")).to_have_text(["32.50", "13.00"])
    expect(total).to_have_text("45.50")
    page.fill("#f-meal_rate", "7")  # the rate is the document's: every row follows it
    expect(rows.locator("[data-field=refund_amount] .cell-value")).to_have_text(["35.00", "14.00"])
    expect(total).to_have_text("49.00")
    shot(page, "meal-refund-new")

    page.click("#btn-save")
    page.wait_for_url(re.compile(r"/app/meal-fee-refund/MFR-"))
    doc = Document.objects.get(doctype="Meal Fee Refund")
    assert [r["refund_amount"] for r in doc.data["students"]] == ["35.00", "14.00"]
    assert doc.grand_total == Decimal("49.00")


def test_on_a_phone_the_teacher_chooses_among_their_own_classes(
    phone: Any, live_server: Any, roll: None, shot: Any
) -> None:
    base = live_server.url
    sign_in(phone, base)
    phone.goto(f"{base}/app/meal-fee-refund/new")
    # Their colleague's 七年级(2)班 is not offered; their one class is chosen already.
    options = phone.locator("#f-class_name option")
    expect(options).to_have_text(["", "七年级(1)班"])
    expect(phone.locator("#f-class_name")).to_have_value("七年级(1)班")
    phone.select_option("#f-class_name", "")
    phone.locator("#f-month").fill(last_month())
    phone.fill("#f-meal_rate", "6.5")
    pick(phone, "#f-students-0-student", "林一", "林一")
    phone.fill("#f-students-0-missed_meals", "3")
    phone.click("#btn-save")
    expect(phone.locator("[data-fieldname=class_name]")).to_contain_text("班级：这个字段是必填项。")
    assert not Document.objects.filter(doctype="Meal Fee Refund").exists()

    phone.select_option("#f-class_name", "七年级(1)班")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    shot(phone, "meal-refund-class-choice-phone")
    phone.click("#btn-save")
    phone.wait_for_url(re.compile(r"/app/meal-fee-refund/MFR-"))
    expect(phone.locator("#f-class_name")).to_have_value("七年级(1)班")
    doc = Document.objects.get(doctype="Meal Fee Refund")
    assert (doc.data["class_name"], doc.data["total_refund"]) == ("七年级(1)班", "19.50")
