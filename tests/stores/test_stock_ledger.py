"""The stock ledger: 入库单 and 领物单 post movements on submission and mirror them on cancel."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from school_logistics.core import services
from school_logistics.core.models import Document, User
from school_logistics.core.models.document import DocStatus
from school_logistics.core.services import DocumentStateError
from school_logistics.core.validation import DocumentValidationError
from school_logistics.ledger.models import AppendOnly, StockBin, StockLedgerEntry
from school_logistics.stores.stock import stock_rows
from tests.concurrency import submit_at_once
from tests.stores.factories import make_items

D = Decimal


@pytest.fixture
def items(users: dict[str, User]) -> dict[str, Document]:
    return make_items(users["purchaser"])


def receive(actor: User, rows: list[tuple[str, str, str]], **values) -> Document:
    """Submit a receipt of (item, qty, rate) rows."""
    doc = services.create_document(
        "Stock Receipt",
        {
            "title": "办公用品验收入库",
            "items": [{"item": i, "qty": q, "rate": r} for i, q, r in rows],
            **values,
        },
        actor=actor,
    )
    return services.submit_document("Stock Receipt", doc.name, actor=actor)


def issue_draft(actor: User, rows: list[tuple[str, str]], **row_values) -> Document:
    return services.create_document(
        "Stock Issue",
        {
            "purpose": "期中考试印卷",
            "items": [{"item": i, "qty": q, **row_values} for i, q in rows],
        },
        actor=actor,
    )


def stock(item: str) -> tuple[Decimal, Decimal]:
    b = StockBin.objects.get(item=item)
    return b.qty, b.value


def test_a_receipt_puts_its_goods_and_their_cost_into_the_store(users, items):
    doc = receive(users["storekeeper"], [("A4-70", "10", "23.50"), ("LAMP-T8", "20", "16")])
    assert stock("A4-70") == (D("10"), D("235.00"))
    assert stock("LAMP-T8") == (D("20"), D("320.00"))
    rows = StockLedgerEntry.objects.filter(voucher=doc).order_by("item")
    assert [(e.item, e.qty_change, e.value_change, e.created_by) for e in rows] == [
        ("A4-70", D("10"), D("235.00"), users["storekeeper"]),
        ("LAMP-T8", D("20"), D("320.00"), users["storekeeper"]),
    ]
    assert {e.posting_date for e in rows} == {timezone.localdate()}


def test_goods_leave_at_the_moving_average_and_the_last_take_what_is_left(users, items):
    keeper = users["storekeeper"]
    receive(keeper, [("A4-70", "10", "20")])
    receive(keeper, [("A4-70", "20", "23.50")])  # 30 packs worth 670.00: 22.333… each
    first = issue_draft(users["teacher"], [("A4-70", "7")])
    services.submit_document("Stock Issue", first.name, actor=keeper)
    assert stock("A4-70") == (D("23"), D("513.67"))  # 670 − 7 × 22.333… = 156.33 out
    rest = issue_draft(users["teacher"], [("A4-70", "23")])
    services.submit_document("Stock Issue", rest.name, actor=keeper)
    assert stock("A4-70") == (D("0"), D("0.00"))
    out = StockLedgerEntry.objects.filter(voucher=rest).get()
    assert (out.qty_change, out.value_change) == (D("-23"), D("-513.67"))


def test_an_issue_beyond_the_stock_is_refused_and_changes_nothing(users, items):
    keeper = users["storekeeper"]
    receive(keeper, [("LAMP-T8", "12", "16")])
    doc = issue_draft(users["teacher"], [("LAMP-T8", "10"), ("A4-70", "1"), ("LAMP-T8", "20")])
    with pytest.raises(DocumentValidationError) as refused:
        services.submit_document("Stock Issue", doc.name, actor=keeper)
    assert refused.value.messages() == [
        "库存不足：日光灯管 需 30支，库存仅 12支；A4复印纸 需 1包，库存仅 0包"
    ]
    doc.refresh_from_db()
    assert doc.docstatus == DocStatus.DRAFT
    assert stock("LAMP-T8") == (D("12"), D("192.00"))
    assert not StockLedgerEntry.objects.filter(voucher=doc).exists()


def test_cancelling_an_issue_brings_the_goods_back_at_the_value_they_left_with(users, items):
    keeper = users["storekeeper"]
    receive(keeper, [("TAP-15", "3", "38")])
    doc = issue_draft(users["teacher"], [("TAP-15", "2")])
    services.submit_document("Stock Issue", doc.name, actor=keeper)
    receive(keeper, [("TAP-15", "1", "50")])  # the average moves after the issue
    services.cancel_document("Stock Issue", doc.name, actor=keeper)
    assert stock("TAP-15") == (D("4"), D("164.00"))  # 38 + 50 + the 76 that left
    back = StockLedgerEntry.objects.filter(voucher=doc, reverses__isnull=False).get()
    assert (back.qty_change, back.value_change) == (D("2"), D("76.00"))
    assert back.reverses.qty_change == D("-2")
    with pytest.raises(DocumentStateError):  # a cancelled document is not reversed twice
        services.cancel_document("Stock Issue", doc.name, actor=keeper)
    assert StockLedgerEntry.objects.filter(voucher=doc).count() == 2


def test_a_receipt_whose_goods_were_issued_cannot_be_cancelled(client, users, items):
    keeper = users["storekeeper"]
    receipt = receive(keeper, [("TAP-15", "3", "38")])
    doc = issue_draft(users["teacher"], [("TAP-15", "2")])
    services.submit_document("Stock Issue", doc.name, actor=keeper)
    with pytest.raises(DocumentValidationError) as refused:
        services.cancel_document("Stock Receipt", receipt.name, actor=keeper)
    assert refused.value.messages() == ["已领出，不能作废入库：水龙头 需 3个，库存仅 1个"]
    # On the page the refusal is headed by what was refused: nothing was being saved.
    client.force_login(keeper)
    page = client.post(f"/app/stock-receipt/{receipt.name}/cancel").content.decode()
    assert "未能作废：" in page and "已领出，不能作废入库" in page and "未保存" not in page
    receipt.refresh_from_db()
    assert receipt.docstatus == DocStatus.SUBMITTED
    assert stock("TAP-15") == (D("1"), D("38.00"))


def test_a_cancelled_receipt_takes_out_exactly_the_value_it_brought_in(client, users, items):
    keeper = users["storekeeper"]
    receive(keeper, [("A4-70", "10", "3")])
    dear = receive(keeper, [("A4-70", "10", "5")])  # 20 packs worth 80.00: 4 each
    services.cancel_document("Stock Receipt", dear.name, actor=keeper)
    assert stock("A4-70") == (D("10"), D("30.00"))  # the ten left are worth what they cost
    back = StockLedgerEntry.objects.get(voucher=dear, reverses__isnull=False)
    assert (back.qty_change, back.value_change) == (D("-10"), D("-50.00"))
    assert (back.balance_qty, back.balance_value) == (D("10"), D("30.00"))
    # 库存台账 reads the same: the balance, the average, and the reversal's row.
    client.force_login(users["finance"])
    ledger_page = client.get("/app/stock/A4-70").content.decode()
    assert 'id="item-value">¥30.00<' in ledger_page
    assert ledger_page.index(">-50.00<") < ledger_page.index(">50.00<")  # newest first
    assert "作废冲回" in ledger_page
    [row] = stock_rows(users["finance"].school_id, in_stock=True)
    assert (row.qty, row.value, row.average) == (D("10"), D("30.00"), D("3.00"))


def test_receipts_cancelled_in_either_order_leave_the_others_cost(users, items):
    keeper = users["storekeeper"]
    cheap = receive(keeper, [("A4-70", "10", "3"), ("LAMP-T8", "4", "16")])
    dear = receive(keeper, [("A4-70", "10", "5")])
    services.cancel_document("Stock Receipt", cheap.name, actor=keeper)  # the earlier one
    assert stock("A4-70") == (D("10"), D("50.00"))
    assert stock("LAMP-T8") == (D("0"), D("0.00"))
    services.cancel_document("Stock Receipt", dear.name, actor=keeper)
    assert stock("A4-70") == (D("0"), D("0.00"))
    # What is received afterwards is valued at its own rate, with nothing left over.
    receive(keeper, [("A4-70", "2", "7")])
    assert stock("A4-70") == (D("2"), D("14.00"))


def test_a_receipt_whose_value_left_with_issues_cannot_be_cancelled(users, items):
    """Nine issued at the average of 17.50 took most of the dear receipt's value: cancelling
    it would leave the one sheet still there a negative value."""
    keeper = users["storekeeper"]
    receive(keeper, [("A4-70", "10", "1")])
    receipt = receive(keeper, [("A4-70", "2", "100")])
    doc = issue_draft(users["teacher"], [("A4-70", "9")])
    services.submit_document("Stock Issue", doc.name, actor=keeper)
    assert stock("A4-70") == (D("3"), D("52.50"))
    with pytest.raises(DocumentValidationError) as refused:
        services.cancel_document("Stock Receipt", receipt.name, actor=keeper)
    assert refused.value.messages() == [
        "已领出，不能作废入库：A4复印纸 需冲回 200.00 元，库存金额仅 52.50 元"
    ]
    receipt.refresh_from_db()
    assert receipt.docstatus == DocStatus.SUBMITTED
    assert stock("A4-70") == (D("3"), D("52.50"))
    assert not StockLedgerEntry.objects.filter(reverses__isnull=False).exists()


def test_cancelling_the_receipt_of_the_last_goods_empties_the_books(users, items):
    """The cheap receipt's ten are all that is left: cancelled, the shelf and its value are
    both empty (the issue at the average took 40.00, the receipts brought 80.00)."""
    keeper = users["storekeeper"]
    receive(keeper, [("A4-70", "10", "5")])
    cheap = receive(keeper, [("A4-70", "10", "3")])
    doc = issue_draft(users["teacher"], [("A4-70", "10")])
    services.submit_document("Stock Issue", doc.name, actor=keeper)
    services.cancel_document("Stock Receipt", cheap.name, actor=keeper)
    assert stock("A4-70") == (D("0"), D("0.00"))


def test_a_receipt_cancelled_after_a_partial_issue_keeps_the_rest_at_cost(users, items):
    keeper = users["storekeeper"]
    receive(keeper, [("TAP-15", "10", "30")])
    doc = issue_draft(users["teacher"], [("TAP-15", "2")])
    services.submit_document("Stock Issue", doc.name, actor=keeper)  # 2 × 30 out
    late = receive(keeper, [("TAP-15", "5", "42")])  # 13 worth 450.00
    services.cancel_document("Stock Receipt", late.name, actor=keeper)
    assert stock("TAP-15") == (D("8"), D("240.00"))


def test_non_consumables_go_out_only_against_the_old_one(users, items):
    keeper = users["storekeeper"]
    services.save_document("Item", "DESK-1", {"is_consumable": 0}, actor=users["purchaser"])
    receive(keeper, [("DESK-1", "5", "280")])
    doc = issue_draft(users["teacher"], [("DESK-1", "1")])
    with pytest.raises(DocumentValidationError) as refused:
        services.submit_document("Stock Issue", doc.name, actor=keeper)
    assert refused.value.errors == {
        "items.1.old_returned": [
            "领用明细第 1 行：学生课桌椅 是非易耗品，须先交回旧物并勾选“已交旧”"
        ]
    }
    ticked = issue_draft(users["teacher"], [("DESK-1", "1")], old_returned=1)
    services.submit_document("Stock Issue", ticked.name, actor=keeper)
    assert stock("DESK-1")[0] == D("4")


def test_receipt_rows_need_a_positive_quantity_and_a_date_not_ahead(users, items):
    with pytest.raises(DocumentValidationError) as refused:
        services.create_document(
            "Stock Receipt",
            {
                "title": "入库",
                "posting_date": timezone.localdate() + dt.timedelta(days=1),
                "items": [{"item": "A4-70", "qty": "0", "rate": "20"}],
            },
            actor=users["storekeeper"],
        )
    assert refused.value.errors == {
        "items.1.qty": ["入库明细第 1 行：数量必须大于 0"],
        "posting_date": ["入库日期不能晚于今天"],
    }
    assert not Document.objects.filter(doctype="Stock Receipt").exists()


def test_ledger_rows_are_never_changed_or_deleted(users, items):
    receive(users["storekeeper"], [("A4-70", "1", "20")])
    entry = StockLedgerEntry.objects.get()
    entry.qty_change = D("5")
    with pytest.raises(AppendOnly):
        entry.save()
    with pytest.raises(AppendOnly):
        entry.delete()
    with pytest.raises(AppendOnly):
        StockLedgerEntry.objects.update(qty_change=D("5"))
    with pytest.raises(AppendOnly):
        StockLedgerEntry.objects.all().delete()
    assert StockLedgerEntry.objects.get().qty_change == D("1")


def test_a_teacher_cannot_receive_goods(users, items):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.create_document(
            "Stock Receipt",
            {"title": "入库", "items": [{"item": "A4-70", "qty": "1", "rate": "1"}]},
            actor=users["teacher"],
        )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_issues_of_the_last_goods_at_once_issue_them_once(users, items):
    if connection.vendor != "postgresql":
        pytest.skip("runs in the PostgreSQL pass")
    keeper = users["storekeeper"]
    receive(keeper, [("LAMP-T8", "5", "16")])
    docs = [issue_draft(users["teacher"], [("LAMP-T8", "4")]) for _ in range(2)]
    outcomes = submit_at_once("Stock Issue", [d.name for d in docs], keeper)
    assert outcomes == ["refused", "submitted"]  # one issued, one short
    assert stock("LAMP-T8") == (D("1"), D("16.00"))


def test_goods_are_valued_to_the_fen_rounding_half_up_as_the_receipt_shows(users, items):
    doc = receive(users["storekeeper"], [("A4-70", "0.5", "0.05")])  # 0.025 yuan
    assert doc.data["items"][0]["amount"] == "0.03"
    assert stock("A4-70") == (D("0.5"), D("0.03"))
