"""The store in a browser: goods received on a 入库单, asked for on a phone, issued by the
storekeeper, and read back on 库存台账."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from playwright.sync_api import expect

from school_logistics.core import services
from school_logistics.core.models import Department, Document, User
from school_logistics.ledger.models import StockBin
from school_logistics.workflow import actions
from school_logistics.workflow.models import ApprovalTask, TaskStatus
from tests.browser.test_requisition_journey import items, pick_item, sign_in  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.workflows]


@pytest.fixture
def heads(departments: dict[str, Department], users: dict[str, User]) -> None:
    chinese = departments["语文组"]
    chinese.head = users["head"]
    chinese.save()


@pytest.mark.usefixtures("items", "heads")
def test_goods_received_asked_for_on_a_phone_and_issued_show_on_the_stock_ledger(
    page: Any, phone: Any, live_server: Any, users: dict[str, User], shot: Any
) -> None:
    base = live_server.url
    # The storekeeper receives ten boxes of paper, at a price below the list price.
    sign_in(page, base, "storekeeper")
    page.goto(f"{base}/app/stock-receipt/new")
    page.fill("#f-title", "期中考试用纸验收入库")
    pick_item(page, 0, "复印", "A4复印纸")
    page.fill("#f-items-0-qty", "10")
    expect(page.locator("#f-items-0-rate")).to_have_value("120.00")  # the list price, fetched
    page.fill("#f-items-0-rate", "118")
    expect(page.locator("[data-fieldname=grand_total] .readonly-value")).to_have_text("1,180.00")
    page.click("#btn-save")
    page.wait_for_url(re.compile(r"/app/stock-receipt/STR-\d{4}-\d{4}$"))
    page.click("#btn-submit")
    page.locator("#confirmModal .confirm-ok").click()
    page.wait_for_selector("#doc-status:has-text('已提交')")
    assert StockBin.objects.get(item="P-A4").qty == Decimal("10")

    # A teacher asks for four boxes from a phone and sends the 领物单 at once.
    sign_in(phone, base, "teacher")
    phone.goto(f"{base}/app/stock-issue/new")
    phone.fill("#f-purpose", "初二年级期中考试印卷")
    pick_item(phone, 0, "复印", "A4复印纸")
    phone.fill("#f-items-0-qty", "4")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    phone.click("#btn-save-start")
    phone.wait_for_selector(".desk-messages:has-text('已提交审批')")
    issue = Document.objects.get(doctype="Stock Issue")
    head_task = ApprovalTask.objects.get(document=issue, status=TaskStatus.PENDING)
    assert head_task.assignee == users["head"]
    actions.approve(head_task.pk, actor=users["head"])

    # The storekeeper sees the stock beside what is asked, and issues it.
    page.goto(f"{base}/app/stock-issue/{issue.name}")
    expect(page.locator("#issue-stock")).to_contain_text("10 箱")
    expect(page.locator("#btn-approve")).to_have_text(re.compile("发放"))
    shot(page, "stock-issue-at-the-store")
    page.click("#btn-approve")
    page.wait_for_selector(".desk-messages:has-text('已发放')")

    page.get_by_role("navigation", name="导航").get_by_role("link", name="库存台账").click()
    row = page.locator("#stock-table tr", has_text="A4复印纸")
    expect(row).to_contain_text("6 箱")
    expect(row).to_contain_text("708.00")  # 6 × 118
    shot(page, "stock-ledger")
    row.get_by_role("link").click()
    movements = page.locator("#movements tbody tr")
    expect(movements).to_have_count(2)
    expect(movements.first).to_contain_text("-4")
    expect(movements.first).to_contain_text(issue.name)

    # A stapler is not a consumable: 发放 is refused until the old one is ticked as returned,
    # then the same press issues it, with what was ticked saved.
    services.save_document("Item", "P-PEN", {"is_consumable": 0}, actor=users["purchaser"])
    receive_pens = services.create_document(
        "Stock Receipt",
        {"title": "订书机入库", "items": [{"item": "P-PEN", "qty": "2", "rate": "18"}]},
        actor=users["storekeeper"],
    )
    services.submit_document("Stock Receipt", receive_pens.name, actor=users["storekeeper"])
    swap = services.create_document(
        "Stock Issue",
        {"purpose": "以旧换新", "items": [{"item": "P-PEN", "qty": "1"}]},
        actor=users["teacher"],
    )
    actions.start_approval("Stock Issue", swap.name, actor=users["teacher"])
    actions.approve(
        ApprovalTask.objects.get(document=swap, status=TaskStatus.PENDING).pk,
        actor=users["head"],
    )
    page.goto(f"{base}/app/stock-issue/{swap.name}")
    page.click("#btn-approve")
    expect(page.locator("body")).to_contain_text("须先交回旧物并勾选“已交旧”")
    page.check("#f-items-0-old_returned")
    page.click("#btn-approve")
    page.wait_for_selector(".desk-messages:has-text('已发放')")
    assert StockBin.objects.get(item="P-PEN").qty == Decimal("1")

    # The teacher does not read the store's books.
    phone.goto(f"{base}/app/stock/")
    assert "没有查看库存台账的权限" in phone.content()
