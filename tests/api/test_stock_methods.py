"""The store's books through the API: balances, one item's quantity, its movements."""

from __future__ import annotations

from decimal import Decimal

import pytest

from school_logistics.core import services
from tests.stores.test_stock_ledger import issue_draft, receive


@pytest.fixture
def stocked(users, items) -> None:
    receive(users["storekeeper"], [("A4-70", "10", "23.50"), ("LAMP-T8", "20", "16")])
    doc = issue_draft(users["teacher"], [("A4-70", "4")])
    services.submit_document("Stock Issue", doc.name, actor=users["storekeeper"])


def test_finance_reads_the_balances_exactly(api, stocked):
    response = api("finance").get("/api/method/school_logistics.stock.balances", in_stock="1")
    assert response.status_code == 200
    rows = {r["item_code"]: r for r in response.json(parse_float=Decimal)["message"]}
    assert set(rows) == {"A4-70", "LAMP-T8"}
    assert (rows["A4-70"]["qty"], rows["A4-70"]["value"]) == (Decimal("6.000"), Decimal("141.00"))
    assert rows["A4-70"]["average_rate"] == Decimal("23.50")


def test_one_items_quantity_as_erpnext_clients_ask_for_it(api, stocked):
    path = "/api/method/erpnext.stock.utils.get_stock_balance"
    assert api("storekeeper").get(path, item_code="LAMP-T8").json()["message"] == 20
    assert api("storekeeper").get(path, item_code="TAP-15").json()["message"] == 0
    assert api("storekeeper").get(path, item_code="NOPE").status_code == 404
    assert api("storekeeper").get(path).status_code == 417


def test_an_items_movements_newest_first(api, stocked):
    response = api("principal").get(
        "/api/method/school_logistics.stock.movements", item_code="A4-70", limit="1"
    )
    rows = response.json()["message"]
    assert [(r["voucher_type"], r["qty_change"], r["balance_qty"]) for r in rows] == [
        ("Stock Issue", -4, 6)
    ]


@pytest.mark.parametrize("who", ["teacher", "worker"])
def test_those_who_do_not_keep_the_books_are_refused(api, stocked, who):
    response = api(who).get("/api/method/school_logistics.stock.balances")
    assert response.status_code == 403


def test_another_school_sees_none_of_our_stock(stocked, outsider_api):
    response = outsider_api.get("/api/method/school_logistics.stock.balances")
    assert response.json()["message"] == []
