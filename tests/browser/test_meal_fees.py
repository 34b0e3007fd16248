"""Meal fees in a browser: finance collects a class's month on a phone from its roll, one parent
pays part; the class's term statements show what is owed; parents read the canteen's public
accounts without an account; a class teacher's refund follows the month's standard rate."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from school_logistics.core import services
from school_logistics.core.models import Document, School, User
from tests.browser.test_assets import submit
from tests.browser.test_meal_refund import roll  # noqa: F401  (a fixture)
from tests.browser.test_repair_ticket import pick
from tests.browser.test_requisition_journey import sign_in
from tests.canteen.test_meal_fee_refund import last_month

pytestmark = pytest.mark.browser


@pytest.fixture
def priced_roll(roll: None, users: dict[str, User]) -> None:  # noqa: F811
    """The refund test's class roll, and a fee standard approved for last month."""
    standard = services.create_document(
        "Meal Fee Standard",
        {"title": "学生伙食费标准", "effective_from": last_month(), "area": "城区",
         "cap_per_meal": "6.00", "meal_rate": "5.00", "billing_days": 20, "basis": "区教育局通知"},
        actor=users["finance"],
    )  # fmt: skip
    services.submit_document("Meal Fee Standard", standard.name, actor=users["finance"])


def test_finance_collects_a_class_on_a_phone_and_prints_what_is_owed(
    phone: Any, live_server: Any, priced_roll: None, school: School, shot: Any
) -> None:
    base = live_server.url
    sign_in(phone, base, "finance")
    phone.goto(f"{base}/app/meal-fee-collection/new")
    phone.select_option("#f-class_name", "七年级(1)班")
    phone.locator("#f-month").fill(last_month())
    phone.click("#btn-save")  # the students are left empty: the class's roll fills them
    phone.wait_for_url(re.compile(r"/app/meal-fee-collection/SF-\d{4}-\d{4}$"))
    expect(phone.locator("#f-students-0-student")).to_have_value("S001")
    expect(phone.locator("#f-students-1-amount_paid")).to_have_value("100.00")
    phone.fill("#f-students-1-amount_paid", "60")
    phone.fill("#f-students-1-note", "家长下周补交")
    phone.click("#btn-save")
    expect(phone.locator("[data-fieldname=arrears] .readonly-value")).to_have_text("40.00")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    shot(phone, "meal-fee-collection-phone")
    submit(phone)
    doc = Document.objects.get(doctype="Meal Fee Collection")
    assert (doc.docstatus, doc.data["total_paid"]) == (1, "360.00")

    phone.goto(f"{base}/app/meal-fees/?month={last_month()}&class_name=七年级(1)班")
    expect(phone.locator("#meal-arrears-total")).to_have_text("¥40.00")
    phone.click("#print-statements")
    expect(phone.locator("#statement-S002")).to_contain_text("尚欠伙食费 ¥40.00")
    expect(phone.locator("#statement-S001")).to_contain_text("本学期伙食费已结清")

    # Finance publishes last month's account; a parent, signed in nowhere, reads it.
    phone.goto(f"{base}/app/meal-fees/accounts/?month={last_month()}")
    phone.click("#btn-publish")
    expect(phone.locator(".desk-messages")).to_contain_text("已公示")
    phone.context.clear_cookies()
    phone.goto(f"{base}/canteen-accounts/{school.code}/")
    expect(phone.locator("#account-income")).to_have_text("360.00")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    shot(phone, "canteen-accounts-public-phone")
    assert Client().get(f"/canteen-accounts/{school.code}/").status_code == 200


def test_a_refund_left_at_the_standard_rate_shows_each_refund_once_the_month_is_picked(
    page: Any, live_server: Any, priced_roll: None, shot: Any
) -> None:
    base = live_server.url
    sign_in(page, base)
    page.goto(f"{base}/app/meal-fee-refund/new")
    page.select_option("#f-class_name", "七年级(1)班")
    pick(page, "#f-students-0-student", "林一", "林一")
    page.fill("#f-students-0-missed_meals", "4")
    rate = page.locator("#f-meal_rate")
    refund = page.locator(".grid-row [data-field=refund_amount] .cell-value")
    total = page.locator("[data-fieldname=total_refund] .readonly-value")
    month = page.locator("#f-month")
    before = (timezone.localdate().replace(day=1) - timedelta(days=40)).strftime("%Y-%m")
    month.fill(before)  # no standard was in force yet: the teacher must write the rate
    expect(rate).to_have_attribute("placeholder", "")
    expect(refund).to_have_text("")

    month.fill(last_month())  # the standard approved for that month: ¥5.00 a meal
    expect(rate).to_have_attribute("placeholder", "5.00")
    expect(refund).to_have_text("20.00")
    expect(total).to_have_text("20.00")
    shot(page, "meal-refund-standard-rate")
    page.click("#btn-save")
    page.wait_for_url(re.compile(r"/app/meal-fee-refund/MFR-"))
    doc = Document.objects.get(doctype="Meal Fee Refund")
    assert (doc.data["meal_rate"], doc.data["total_refund"]) == ("5.00", "20.00")
