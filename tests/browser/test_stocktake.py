"""期末盘点 in a browser: the difference (counted − book) shows while the count is typed."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from school_logistics.core.models import Document, User
from school_logistics.stores.services import start_stocktake
from tests.browser.test_requisition_journey import items, pick_item, sign_in  # noqa: F401
from tests.stores.test_stock_ledger import receive

pytestmark = pytest.mark.browser


def cell(page: Any, row: int, field: str) -> Any:
    return page.locator(
        f'tr.grid-row:has(#f-items-{row}-item) td[data-field="{field}"] .cell-value'
    )


@pytest.mark.usefixtures("items")
def test_the_difference_shows_while_the_count_is_typed(
    page: Any, live_server: Any, users: dict[str, User], shot: Any
) -> None:
    keeper = users["storekeeper"]
    receive(keeper, [("P-A4", "10", "120"), ("P-PEN", "5", "18")])
    doc = start_stocktake(keeper.school_id, actor=keeper, category="办公用品")
    doc.data["items"] = doc.data["items"][:1]  # only the paper is listed: the pens come by hand
    Document.objects.filter(pk=doc.pk).update(data=doc.data)
    stored = Document.objects.get(pk=doc.pk).data
    base = live_server.url
    sign_in(page, base, "storekeeper")
    page.goto(f"{base}/app/stock-reconciliation/{doc.name}")

    # A listed row: two boxes of paper are missing.
    expect(cell(page, 0, "book_qty")).to_have_text("10")
    page.fill("#f-items-0-counted_qty", "8")
    expect(cell(page, 0, "difference")).to_have_text("-2.000")

    # A row added by hand: its book quantity comes with the item, the difference with the count.
    page.get_by_role("button", name="添加一行").click()
    pick_item(page, 1, "水笔", "红色水笔")
    expect(cell(page, 1, "book_qty")).to_have_text("5")
    page.fill("#f-items-1-counted_qty", "7")
    expect(cell(page, 1, "difference")).to_have_text("2.000")
    shot(page, "stocktake-typing")
    assert Document.objects.get(pk=doc.pk).data == stored  # nothing was saved to show it

    page.click("#btn-save")
    page.wait_for_url(re.compile(rf"/app/stock-reconciliation/{doc.name}$"))
    page.wait_for_selector(".desk-messages")
    rows = Document.objects.get(pk=doc.pk).data["items"]
    assert [(r["item"], r["book_qty"], r["difference"]) for r in rows] == [
        ("P-A4", "10.000", "-2.000"),
        ("P-PEN", "5.000", "2.000"),
    ]


@pytest.mark.usefixtures("items")
def test_a_new_stocktake_shows_the_difference_of_a_picked_item_before_it_is_saved(
    page: Any, live_server: Any, users: dict[str, User]
) -> None:
    receive(users["storekeeper"], [("P-A4", "10", "120")])
    base = live_server.url
    sign_in(page, base, "storekeeper")
    page.goto(f"{base}/app/stock-reconciliation/new")
    pick_item(page, 0, "复印", "A4复印纸")
    expect(cell(page, 0, "book_qty")).to_have_text("10")
    page.fill("#f-items-0-counted_qty", "10.5")
    expect(cell(page, 0, "difference")).to_have_text("0.500")
    page.fill("#f-items-0-item", "")
    pick_item(page, 0, "拖把", "拖把")  # another item, none held
    expect(cell(page, 0, "book_qty")).to_have_text("0")
    expect(cell(page, 0, "difference")).to_have_text("10.500")
    assert not Document.objects.filter(doctype="Stock Reconciliation").exists()
