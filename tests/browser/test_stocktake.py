"""期末盘点 in a browser: each row's 盈亏数量 and 盈亏金额, and their total, follow the count as
it is typed, as the server values them on save; quantities show as elsewhere (-2, not -2.000)."""

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
    expect(cell(page, 0, "difference")).to_have_text("-2")

    # A row added by hand: its book quantity comes with the item, the difference with the count.
    page.get_by_role("button", name="添加一行").click()
    pick_item(page, 1, "水笔", "红色水笔")
    expect(cell(page, 1, "book_qty")).to_have_text("5")
    page.fill("#f-items-1-counted_qty", "7")
    expect(cell(page, 1, "difference")).to_have_text("2")
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
    expect(cell(page, 0, "difference")).to_have_text("0.5")
    page.fill("#f-items-0-item", "")
    pick_item(page, 0, "拖把", "拖把")  # another item, none held
    expect(cell(page, 0, "book_qty")).to_have_text("0")
    expect(cell(page, 0, "difference")).to_have_text("10.5")
    assert not Document.objects.filter(doctype="Stock Reconciliation").exists()


def shown(page: Any, row: int) -> list[str]:
    return [
        cell(page, row, f).inner_text() for f in ("book_qty", "difference", "difference_amount")
    ]


def total(page: Any) -> Any:
    return page.locator('tfoot [data-total-for="difference_amount"] .total-value')


@pytest.mark.usefixtures("items")
def test_the_difference_and_its_value_follow_the_count_as_typed(
    page: Any, live_server: Any, users: dict[str, User]
) -> None:
    keeper = users["storekeeper"]
    receive(keeper, [("P-A4", "10", "120")])
    receive(keeper, [("P-PEN", "3", "18")])
    receive(keeper, [("P-PEN", "2", "19")])  # 5 boxes worth 92.00: 18.40 a box
    doc = start_stocktake(keeper.school_id, actor=keeper, category="办公用品")
    doc.data["items"] = doc.data["items"][:1]  # only the paper is listed: the rest come by hand
    Document.objects.filter(pk=doc.pk).update(data=doc.data)
    base = live_server.url

    def count(page: Any) -> list[list[str]]:
        sign_in(page, base, "storekeeper")
        page.goto(f"{base}/app/stock-reconciliation/{doc.name}")
        expect(cell(page, 0, "difference")).to_have_text("0")
        expect(total(page)).to_have_text("0.00")

        # Two boxes of paper are missing: out at the average, 120 a box.
        page.fill("#f-items-0-counted_qty", "8")
        expect(cell(page, 0, "difference_amount")).to_have_text("-240.00")
        assert shown(page, 0) == ["10", "-2", "-240.00"]
        expect(total(page)).to_have_text("-240.00")

        # Two pens more than the book: in at their average.
        page.get_by_role("button", name="添加一行").click()
        pick_item(page, 1, "水笔", "红色水笔")
        expect(cell(page, 1, "book_qty")).to_have_text("5")
        page.fill("#f-items-1-counted_qty", "7")
        expect(cell(page, 1, "difference_amount")).to_have_text("36.80")
        assert shown(page, 1) == ["5", "2", "36.80"]
        # None left: the last of them take all their value, to the fen.
        page.fill("#f-items-1-counted_qty", "0")
        expect(cell(page, 1, "difference_amount")).to_have_text("-92.00")
        page.fill("#f-items-1-counted_qty", "7")

        # A mop nobody has booked in: valued at its reference price, 25.
        page.get_by_role("button", name="添加一行").click()
        pick_item(page, 2, "拖把", "拖把")
        page.fill("#f-items-2-counted_qty", "1.5")
        expect(cell(page, 2, "difference_amount")).to_have_text("37.50")
        assert shown(page, 2) == ["0", "1.5", "37.50"]
        expect(total(page)).to_have_text("-165.70")
        typed = [shown(page, i) for i in range(3)]
        assert Document.objects.get(pk=doc.pk).data["items"] == doc.data["items"]  # not saved

        page.click("#btn-save")
        page.wait_for_url(re.compile(rf"/app/stock-reconciliation/{doc.name}$"))
        page.wait_for_selector(".desk-messages")
        expect(total(page)).to_have_text("-165.70")
        return [typed, [shown(page, i) for i in range(3)]]

    typed, saved = count(page)
    assert (
        typed
        == saved
        == [
            ["10", "-2", "-240.00"],
            ["5", "2", "36.80"],
            ["0", "1.5", "37.50"],
        ]
    )  # what the server shows is what was shown while typing
    rows = Document.objects.get(pk=doc.pk).data["items"]
    assert [(r["item"], r["difference"], r["difference_amount"]) for r in rows] == [
        ("P-A4", "-2.000", "-240.00"),
        ("P-PEN", "2.000", "36.80"),
        ("C-MOP", "1.500", "37.50"),
    ]
