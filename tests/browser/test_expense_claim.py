"""报销 on a phone: once the goods of an approved requisition are received, its page offers 申请报销;
the claim comes filled from the receipts, the teacher writes the invoice number and sends it."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from school_logistics.core import services
from school_logistics.core.models import Document, User
from tests.browser.test_requisition_journey import sign_in
from tests.stores.factories import make_items
from tests.workflow.conftest import send_and_approve

pytestmark = [pytest.mark.browser, pytest.mark.workflows]


@pytest.fixture
def received(transactional_db: None, users: dict[str, User], heads: None) -> Document:
    """The teacher's requisition, approved, its paper received for 470.00."""
    make_items(users["purchaser"])
    req = services.create_document(
        "Material Requisition",
        {"purpose": "期中考试用纸", "items": [{"item": "A4-70", "qty": "20", "rate": "23.50"}]},
        actor=users["teacher"],
    )
    send_and_approve(req, users["teacher"])
    receipt = services.create_document(
        "Stock Receipt",
        {"title": "期中考试用纸验收入库", "requisition": req.name,
         "items": [{"item": "A4-70", "qty": "20", "rate": "23.50"}]},
        actor=users["storekeeper"],
    )  # fmt: skip
    services.submit_document("Stock Receipt", receipt.name, actor=users["storekeeper"])
    return req


def test_a_teacher_claims_a_received_purchase_on_a_phone(
    phone: Any, live_server: Any, received: Document, shot: Any
) -> None:
    base = live_server.url
    sign_in(phone, base, "teacher")
    phone.goto(f"{base}/app/material-requisition/{received.name}")
    expect(phone.locator("#requisition-claim")).to_contain_text("已验收入库 ¥470.00")
    phone.click("#btn-claim")
    phone.wait_for_url(re.compile(r"/app/expense-claim/BX-\d{4}-\d{4}$"))
    expect(phone.locator(".desk-messages")).to_contain_text("请填写发票号码")
    phone.fill("#f-items-0-invoice_no", "12AB")
    phone.click("#btn-save")
    expect(phone.locator(".alert-danger")).to_contain_text("8 到 20 位数字")
    phone.fill("#f-items-0-invoice_no", "26432000000000000123")
    phone.click("#btn-save")
    phone.wait_for_selector(".desk-messages:has-text('已保存')")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    shot(phone, "expense-claim-phone")
    phone.click("#btn-start-approval")
    phone.wait_for_selector(".desk-messages:has-text('已提交审批')")
    claim = Document.objects.get(doctype="Expense Claim")
    assert claim.data["total"] == "470.00" and claim.data["requisition"] == received.name
    assert claim.workflow_state == "部门负责人审批"
