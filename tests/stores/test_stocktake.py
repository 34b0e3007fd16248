"""期末盘点: a 盘点单 counts the shelves against the book and posts what differs."""

from __future__ import annotations

import json
import re
from decimal import Decimal

import pytest

from school_logistics.core import services
from school_logistics.core.models import Document
from school_logistics.core.services import DocumentStateError
from school_logistics.core.validation import DocumentValidationError
from school_logistics.ledger.models import StockBin, StockLedgerEntry
from tests.stores.factories import make_items
from tests.stores.test_stock_ledger import issue_draft, receive

D = Decimal
STK = "Stock Reconciliation"


@pytest.fixture
def stocked(users) -> None:
    make_items(users["purchaser"])
    receive(users["storekeeper"], [("A4-70", "10", "20"), ("LAMP-T8", "20", "16")])


def stock(item: str) -> tuple[Decimal, Decimal]:
    b = StockBin.objects.get(item=item)
    return b.qty, b.value


def counted(doc: Document, **found: str) -> list[dict]:
    """The draft's rows with the counted quantities changed where the shelves disagree."""
    return [
        {**r, "counted_qty": found.get(r["item"].replace("-", "_"), r["counted_qty"])}
        for r in doc.data["items"]
    ]


def test_the_storekeeper_counts_and_the_differences_are_posted(client, users, stocked):
    keeper = users["storekeeper"]
    client.force_login(keeper)
    response = client.post("/app/stock/stocktake")
    doc = Document.objects.get(doctype=STK)
    assert response.url == f"/app/stock-reconciliation/{doc.name}"
    assert [(r["item"], r["book_qty"], r["counted_qty"]) for r in doc.data["items"]] == [
        ("A4-70", "10.000", "10.000"),
        ("LAMP-T8", "20.000", "20.000"),
    ]
    # Two packs of paper are missing; one tube more than the book says is on the shelf.
    services.save_document(
        STK, doc.name, {"items": counted(doc, A4_70="8", LAMP_T8="21")}, actor=keeper
    )
    doc.refresh_from_db()
    assert [r["difference"] for r in doc.data["items"]] == ["-2.000", "1.000"]
    services.submit_document(STK, doc.name, actor=keeper)
    assert stock("A4-70") == (D("8"), D("160.00"))  # out at the average, 20 a pack
    assert stock("LAMP-T8") == (D("21"), D("336.00"))  # in at the average, 16 a tube
    assert StockLedgerEntry.objects.filter(voucher=doc).count() == 2


def test_a_count_that_agrees_with_the_book_posts_nothing(users, stocked):
    doc = services.create_document(
        STK,
        {"title": "抽查", "items": [{"item": "A4-70", "counted_qty": "10"}]},
        actor=users["storekeeper"],
    )
    services.submit_document(STK, doc.name, actor=users["storekeeper"])
    assert not StockLedgerEntry.objects.filter(voucher=doc).exists()
    assert stock("A4-70") == (D("10"), D("200.00"))


def test_goods_issued_after_the_count_are_kept(users, stocked):
    keeper = users["storekeeper"]
    doc = services.create_document(
        STK,
        {"title": "期末盘点", "items": [{"item": "LAMP-T8", "counted_qty": "18"}]},
        actor=keeper,
    )  # book 20, counted 18: two short
    issue = issue_draft(users["teacher"], [("LAMP-T8", "5")])
    services.submit_document("Stock Issue", issue.name, actor=keeper)
    services.submit_document(STK, doc.name, actor=keeper)
    assert stock("LAMP-T8")[0] == D("13")  # 20 − 5 issued − 2 short


def test_a_row_counted_again_is_compared_with_the_book_of_then(users, stocked):
    keeper = users["storekeeper"]
    doc = services.create_document(
        STK,
        {"title": "期末盘点", "items": [{"item": "LAMP-T8", "counted_qty": "18"}]},
        actor=keeper,
    )
    issue = issue_draft(users["teacher"], [("LAMP-T8", "5")])
    services.submit_document("Stock Issue", issue.name, actor=keeper)
    services.save_document(STK, doc.name, {"items": counted(doc, LAMP_T8="14")}, actor=keeper)
    doc.refresh_from_db()
    assert (doc.data["items"][0]["book_qty"], doc.data["items"][0]["difference"]) == (
        "15.000",
        "-1.000",
    )
    services.submit_document(STK, doc.name, actor=keeper)
    assert stock("LAMP-T8")[0] == D("14")


def test_a_surplus_of_an_item_not_held_is_valued_at_its_list_price(users, stocked):
    doc = services.create_document(
        STK,
        {"title": "盘点", "items": [{"item": "TAP-15", "counted_qty": "2", "reason": "旧账漏记"}]},
        actor=users["storekeeper"],
    )
    assert doc.data["items"][0]["book_qty"] == "0.000"
    services.submit_document(STK, doc.name, actor=users["storekeeper"])
    assert stock("TAP-15") == (D("2"), D("76.00"))


def test_a_counted_item_twice_or_below_zero_is_refused(users, stocked):
    def count(*rows: tuple[str, str]) -> None:
        services.create_document(
            STK,
            {"title": "盘点", "items": [{"item": i, "counted_qty": q} for i, q in rows]},
            actor=users["storekeeper"],
        )

    with pytest.raises(DocumentValidationError) as twice:
        count(("A4-70", "9"), ("A4-70", "1"))
    assert twice.value.errors == {"items.2.item": ["盘点明细第 2 行：A4复印纸 已在前面的行中"]}
    with pytest.raises(DocumentValidationError) as negative:
        count(("LAMP-T8", "-1"))
    assert list(negative.value.errors) == ["items.1.counted_qty"]
    assert not Document.objects.filter(doctype=STK).exists()


def test_nothing_in_stock_means_nothing_to_count(client, users):
    make_items(users["purchaser"])
    with pytest.raises(DocumentStateError, match="库存中没有要盘点的物资"):
        from school_logistics.stores.services import start_stocktake

        start_stocktake(users["storekeeper"].school_id, actor=users["storekeeper"])


def test_only_the_storekeeper_starts_a_stocktake(client, users, stocked):
    client.force_login(users["finance"])  # reads the books, does not count them
    assert 'id="btn-stocktake"' not in client.get("/app/stock/").content.decode()
    assert client.post("/app/stock/stocktake").status_code == 403
    client.force_login(users["teacher"])
    assert client.post("/app/stock/stocktake").status_code == 403
    assert not Document.objects.filter(doctype=STK).exists()


def test_each_difference_is_valued_and_submission_stores_what_the_ledger_posts(
    client, users, stocked
):
    keeper = users["storekeeper"]
    client.force_login(keeper)
    client.post("/app/stock/stocktake")
    doc = Document.objects.get(doctype=STK)
    services.save_document(
        STK, doc.name, {"items": counted(doc, A4_70="8", LAMP_T8="21")}, actor=keeper
    )
    doc.refresh_from_db()
    # At the averages when counted: 2 packs at 20 short, a tube at 16 over.
    assert [r["difference_amount"] for r in doc.data["items"]] == ["-40.00", "16.00"]
    page = client.get(f"/app/stock-reconciliation/{doc.name}").content.decode()
    assert "盈亏金额" in page and ">-24.00<" in page  # the column's total under it
    # Dearer paper and a tube arrive before the count is approved: the averages move, to
    # 460 / 20 = 23 a pack and 330 / 21 a tube (15.714…).
    receive(keeper, [("A4-70", "10", "26"), ("LAMP-T8", "1", "10")])
    services.save_document(STK, doc.name, {"remarks": "复核"}, actor=keeper)
    doc.refresh_from_db()
    assert [r["difference_amount"] for r in doc.data["items"]] == ["-40.00", "16.00"]  # kept
    services.submit_document(STK, doc.name, actor=keeper)
    doc.refresh_from_db()
    posted = {e.item: e.value_change for e in StockLedgerEntry.objects.filter(voucher=doc)}
    assert posted == {"A4-70": D("-46.00"), "LAMP-T8": D("15.71")}
    assert {r["item"]: D(r["difference_amount"]) for r in doc.data["items"]} == posted


def test_the_form_brings_the_book_that_values_a_count_while_it_is_typed(client, users, stocked):
    """stocktake.js values each row as the controller does, from the page alone: the items
    held with their quantity and value, the reference price of the others. 盈亏数量 is
    shown by it as the server shows quantities, not by a client formula to three places."""
    keeper = users["storekeeper"]
    client.force_login(keeper)
    page = client.get("/app/stock-reconciliation/new").content.decode()
    found = re.search(r'<script id="stocktake-book" type="application/json">(.*?)</script>', page)
    assert found is not None
    assert json.loads(found.group(1)) == {
        "held": {
            "A4-70": {"qty": "10.000", "value": "200.00"},
            "LAMP-T8": {"qty": "20.000", "value": "320.00"},
        },
        "prices": {"TAP-15": "38.00", "DESK-1": "280.00"},
    }
    assert "designer/form_rules.js" not in page
    doc = services.create_document(
        STK, {"title": "盘点", "items": [{"item": "A4-70", "counted_qty": "8"}]}, actor=keeper
    )
    saved = client.get(f"/app/stock-reconciliation/{doc.name}").content.decode()
    cells = re.findall(
        r'data-field="(difference(?:_amount)?)">\s*<span class="cell-value[^"]*">([^<]*)<', saved
    )
    assert cells[:2] == [
        ("difference", "-2"),
        ("difference_amount", "-40.00"),
    ]  # then the blank row


def test_a_shortage_valued_at_an_uneven_average_matches_the_ledger_to_the_cent(users):
    make_items(users["purchaser"])
    keeper = users["storekeeper"]
    receive(keeper, [("LAMP-T8", "20", "16"), ("LAMP-T8", "1", "10")])  # 330 / 21 a tube
    doc = services.create_document(
        STK,
        {"title": "盘点", "items": [{"item": "LAMP-T8", "counted_qty": "19"}]},
        actor=keeper,
    )
    services.submit_document(STK, doc.name, actor=keeper)
    doc.refresh_from_db()
    [entry] = StockLedgerEntry.objects.filter(voucher=doc)
    # 2 × 15.71 would be 31.42: the ledger values the two at 330 × 2 / 21 = 31.428…
    assert entry.value_change == D("-31.43")
    assert doc.data["items"][0]["difference_amount"] == "-31.43"


def test_a_cancelled_stocktake_takes_a_surplus_out_at_the_value_it_brought_in(users, stocked):
    keeper = users["storekeeper"]
    doc = services.create_document(
        STK,
        {"title": "盘点", "items": [{"item": "LAMP-T8", "counted_qty": "21"}]},
        actor=keeper,
    )
    services.submit_document(STK, doc.name, actor=keeper)  # one tube over, in at 16
    receive(keeper, [("LAMP-T8", "9", "6")])  # 30 tubes worth 390.00: 13 each now
    services.cancel_document(STK, doc.name, actor=keeper)
    assert stock("LAMP-T8") == (D("29"), D("374.00"))  # 390 − the 16 it posted, not 13
    back = StockLedgerEntry.objects.get(voucher=doc, reverses__isnull=False)
    assert (back.qty_change, back.value_change) == (D("-1"), D("-16.00"))
