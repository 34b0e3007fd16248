"""验收入库 as purchasing rules it: no more money than approved (or awarded by the tender that
bought it), from the tender's winner, from a supplier whose certificates are valid; a 入库单
drafted from a requisition takes the winner and its prices; the store sees what is due."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from school_logistics.core import services
from school_logistics.core.models import Document
from school_logistics.core.models.document import DocStatus
from school_logistics.core.validation import DocumentValidationError
from school_logistics.ledger.models import StockBin
from school_logistics.stores.services import receipt_from_requisition
from tests.concurrency import submit_at_once
from tests.purchasing.conftest import make_requisition
from tests.purchasing.test_procurement import standard
from tests.purchasing.test_tender import tender_values
from tests.query_counts import page_statements
from tests.stores.factories import make_supplier

RECEIPT = "Stock Receipt"
REQ = "Material Requisition"


def two_rows(users) -> str:
    """Approved: 10 reams of paper at 23.50 and 12 tubes at 16.00, ¥427.00 in all."""
    doc = services.create_document(
        REQ,
        {"purpose": "期中考试用纸及教室照明",
         "items": [{"item": "A4-70", "qty": "10", "rate": "23.50"},
                   {"item": "LAMP-T8", "qty": "12", "rate": "16"}]},
        actor=users["teacher"],
    )  # fmt: skip
    services.submit_document(REQ, doc.name, actor=users["teacher"])
    return doc.name


def receipt(users, requisition: str, rows: list[tuple[str, str, str]], **values) -> Document:
    return services.create_document(
        RECEIPT,
        {"title": "到货", "requisition": requisition,
         "items": [{"item": i, "qty": q, "rate": r} for i, q, r in rows], **values},
        actor=users["storekeeper"],
    )  # fmt: skip


def submitted(users, requisition: str, rows: list[tuple[str, str, str]], **values) -> Document:
    doc = receipt(users, requisition, rows, **values)
    return services.submit_document(RECEIPT, doc.name, actor=users["storekeeper"])


def test_goods_cost_no_more_than_the_requisition_approved(users, items):
    req = two_rows(users)
    with pytest.raises(DocumentValidationError) as refused:
        receipt(users, req, [("A4-70", "10", "6000")])
    assert refused.value.errors == {
        "items": [
            f"申购单 {req} 批准金额 ¥427.00，本单 ¥60,000.00，超出 ¥59,573.00：请核对实收数量和单价；"
            "实际价格高于申购时，请申购人作废申购单、修订后重新审批，再验收入库"
        ]
    }
    assert not Document.objects.filter(doctype=RECEIPT).exists()
    # In parts, as before; a dearer row is fine while the whole stays within what was approved.
    submitted(users, req, [("A4-70", "5", "23.50")])
    submitted(users, req, [("A4-70", "5", "40")])  # ¥317.50 so far
    with pytest.raises(DocumentValidationError) as refused:
        receipt(users, req, [("LAMP-T8", "12", "16")])
    assert refused.value.messages() == [
        f"申购单 {req} 批准金额 ¥427.00，此前已入库 ¥317.50，本单 ¥192.00，超出 ¥82.50："
        "请核对实收数量和单价；超出批准金额的部分须另行申购审批"
    ]
    assert submitted(users, req, [("LAMP-T8", "12", "9.10")]).grand_total == Decimal("109.20")
    assert StockBin.objects.get(item="LAMP-T8").qty == Decimal("12")


def test_a_draft_within_the_amount_is_refused_when_another_came_first(users, items):
    """Each draft fits when saved; submitting counts what came since."""
    req = two_rows(users)
    first = receipt(users, req, [("LAMP-T8", "12", "20")])  # ¥240.00
    second = receipt(users, req, [("A4-70", "10", "23.50")])  # ¥235.00
    services.submit_document(RECEIPT, first.name, actor=users["storekeeper"])
    with pytest.raises(DocumentValidationError, match="此前已入库 ¥240.00，本单 ¥235.00"):
        services.submit_document(RECEIPT, second.name, actor=users["storekeeper"])
    assert Document.objects.get(pk=second.pk).docstatus == DocStatus.DRAFT
    assert not StockBin.objects.filter(item="A4-70").exists()


def decided(users, suppliers, requisition: str, prices: list[str], winner: int = 0, **extra):
    values = tender_values(suppliers, requisitions=[{"requisition": requisition}], **extra)
    for bid, price in zip(values["bids"], prices, strict=True):
        bid["price"] = price
    values["awarded_supplier"] = suppliers[winner]
    tender = services.create_document("Tender", values, actor=users["purchaser"])
    return services.submit_document("Tender", tender.name, actor=users["purchaser"])


def test_a_receipt_from_a_decided_tender_comes_from_the_winner_at_its_prices(
    users, items, suppliers
):
    standard(users)  # 询价 from ¥10,000
    big = make_requisition(users["teacher"], qty="500")  # ¥11,750.00
    tender = decided(users, suppliers, big, ["11000", "11500", "11800"])
    draft = receipt_from_requisition(big, actor=users["storekeeper"])
    assert draft.data["supplier"] == suppliers[0]
    assert [(r["qty"], r["rate"], r["amount"]) for r in draft.data["items"]] == [
        ("500.000", "22.00", "11000.00")
    ]
    services.submit_document(RECEIPT, draft.name, actor=users["storekeeper"])
    # Bought by the tender: from its winner only, and within what it awarded.
    with pytest.raises(DocumentValidationError) as refused:
        receipt(users, big, [("A4-70", "1", "22")], supplier=suppliers[1])
    assert refused.value.errors["supplier"] == [
        f"申购单经招标/询价 {tender.name} 定标，供应商须为中标供应商“甲文具公司”"
    ]
    # 500 were asked and came; what a tender awarded bounds the money too.
    with pytest.raises(DocumentValidationError, match=f"招标/询价 {tender.name} 中标金额"):
        receipt(users, big, [("A4-70", "1", "1")])


def test_a_receipt_against_a_tender_is_bounded_by_what_it_awarded(users, items, suppliers):
    standard(users)
    big = make_requisition(users["teacher"], qty="500")  # ¥11,750.00
    tender = decided(users, suppliers, big, ["11000", "11500", "11800"])
    submitted(users, big, [("A4-70", "300", "22")])  # ¥6,600.00
    with pytest.raises(DocumentValidationError) as refused:
        receipt(users, big, [("A4-70", "200", "23.50")])  # ¥4,700.00: the estimate
    assert refused.value.messages() == [
        f"招标/询价 {tender.name} 中标金额 ¥11,000.00（申购单 {big}），此前已入库 ¥6,600.00，"
        "本单 ¥4,700.00，超出 ¥300.00：请核对实收数量和单价；超出中标金额的部分须另行申购审批"
    ]
    rest = receipt_from_requisition(big, actor=users["storekeeper"])
    assert (rest.data["supplier"], rest.data["items"][0]["rate"]) == (suppliers[0], "22.00")


def test_a_supplier_whose_certificate_expired_does_not_deliver(users, items):
    req = two_rows(users)
    lapsed = make_supplier(
        users["purchaser"], "戊过期公司", valid_until=timezone.localdate() - dt.timedelta(days=3)
    )
    day = timezone.localdate().isoformat()
    expired = (timezone.localdate() - dt.timedelta(days=3)).isoformat()
    with pytest.raises(DocumentValidationError) as refused:
        receipt(users, req, [("A4-70", "10", "23.50")], supplier=lapsed.name)
    assert refused.value.errors == {
        "supplier": [
            f"供应商“戊过期公司”的证照在入库日 {day} 已过期：营业执照（有效期至 {expired}）"
        ]
    }
    # Delivered while the licence was valid: received as of that day.
    earlier = (timezone.localdate() - dt.timedelta(days=5)).isoformat()
    done = submitted(users, req, [("A4-70", "10", "23.50")], supplier=lapsed.name,
                     posting_date=earlier)  # fmt: skip
    assert done.docstatus == DocStatus.SUBMITTED
    bare = make_supplier(users["purchaser"], "庚无证公司")
    with pytest.raises(DocumentValidationError, match="没有登记证照，请先索证登记"):
        receipt(users, "", [("LAMP-T8", "1", "16")], supplier=bare.name)
    assert Document.objects.filter(doctype=RECEIPT).count() == 1


def test_the_store_sees_which_approved_requisitions_are_due(client, users, items, outsider):
    """待入库 on the home page of those who receive goods: nothing or part received yet."""
    standard(users)
    paper = two_rows(users)
    big = make_requisition(users["teacher"], qty="500")  # waits for its 询价
    make_requisition(users["teacher"], submit=False)  # a draft: not due
    client.force_login(users["storekeeper"])
    home = client.get("/app/").content.decode()
    assert 'id="home-awaiting-goods"' in home
    assert paper in home and big in home and "未到货" in home and "待定标" in home
    submitted(users, paper, [("A4-70", "10", "23.50")])
    home = client.get("/app/").content.decode()
    assert "部分到货" in home and "日光灯管 12支" in home and "A4复印纸 10" not in home
    submitted(users, paper, [("LAMP-T8", "12", "16")])
    assert paper not in client.get("/app/").content.decode()
    before = page_statements(client, "/app/")
    for _ in range(4):
        make_requisition(users["teacher"])
    assert page_statements(client, "/app/") == before
    for who in ("teacher", "head"):  # requesters are not asked to receive
        client.force_login(users[who])
        assert 'id="home-awaiting-goods"' not in client.get("/app/").content.decode()
    client.force_login(outsider)  # another school's purchaser: none of ours
    assert big not in client.get("/app/").content.decode()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_receipts_submitted_at_once_cannot_both_take_the_last_of_the_amount(users, items):
    """Different goods, each within what is left: the requisition's row lock makes the second
    count the first."""
    if connection.vendor != "postgresql":
        pytest.skip("runs in the PostgreSQL pass")
    req = two_rows(users)  # ¥427.00
    drafts = [
        receipt(users, req, [("A4-70", "10", "23.50")]).name,  # ¥235.00
        receipt(users, req, [("LAMP-T8", "12", "20")]).name,  # ¥240.00
    ]
    assert submit_at_once(RECEIPT, drafts, users["storekeeper"]) == ["refused", "submitted"]
    done = Document.objects.filter(doctype=RECEIPT, docstatus=DocStatus.SUBMITTED)
    assert done.count() == 1 and done.get().grand_total <= Decimal("427")
