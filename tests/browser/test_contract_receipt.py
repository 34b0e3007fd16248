"""Goods under a purchase contract, in a browser: the storekeeper opens the contract, starts
按合同入库, is stopped at a price above the agreed one, receives part of it, and reads on the
contract what is still to come."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from school_logistics.core.models import Document, User
from tests.browser.test_requisition_journey import sign_in
from tests.purchasing.test_contracts import contract
from tests.stores.factories import make_items, make_supplier

pytestmark = pytest.mark.browser


@pytest.fixture
def in_force(transactional_db: None, users: dict[str, User], settings: Any, tmp_path: Any):
    """A contract in force with 甲文具公司: 10 packs of A4 paper at 20.00."""
    settings.MEDIA_ROOT = tmp_path
    make_items(users["storekeeper"])
    supplier = make_supplier(users["purchaser"], "甲文具公司",
                             valid_until=timezone.localdate() + dt.timedelta(days=365))  # fmt: skip
    return contract(users, supplier=supplier.name)


def test_the_storekeeper_receives_part_of_a_contract_at_its_price(
    page: Any, live_server: Any, in_force: Document, shot: Any
) -> None:
    base = live_server.url
    sign_in(page, base, "storekeeper")
    page.goto(f"{base}/app/purchase-contract/{in_force.name}")
    expect(page.locator("#contract-progress")).to_contain_text("已入库 ¥0.00")
    page.click("#btn-contract-receive")
    page.wait_for_url(re.compile(r"/app/stock-receipt/STR-\d{4}-\d{4}$"))
    expect(page.locator(".desk-messages")).to_contain_text("已生成入库单草稿")
    expect(page.locator("#f-items-0-qty")).to_have_value("10")
    page.fill("#f-items-0-qty", "6")
    page.fill("#f-items-0-rate", "21")
    page.click("#btn-save")
    expect(page.locator(".alert-danger")).to_contain_text("高于合同约定单价 ¥20")
    page.fill("#f-items-0-rate", "20")
    page.click("#btn-save")
    page.wait_for_selector(".desk-messages:has-text('已保存')")
    page.click("#btn-submit")
    page.locator("#confirmModal .confirm-ok").click()
    page.wait_for_selector("#doc-status:has-text('已提交')")
    page.goto(f"{base}/app/purchase-contract/{in_force.name}")
    expect(page.locator("#contract-progress")).to_contain_text("已入库 ¥120.00，剩余 ¥80.00")
    expect(page.locator("#contract-deliveries")).to_contain_text("4")
    shot(page, "contract-deliveries")
