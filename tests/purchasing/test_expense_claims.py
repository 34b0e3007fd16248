"""费用报销: a purchase is reimbursed once its goods are received, for no more than was received,
and spends its budget line in place of what the requisition committed; running costs (电话费,
水电费, 打印费) spend their line directly; an invoice is reimbursed once."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from school_logistics.core import permissions, services
from school_logistics.core.models import Document
from school_logistics.core.models.document import DocStatus
from school_logistics.core.registry import get_meta
from school_logistics.core.services import DocumentStateError
from school_logistics.core.validation import DocumentValidationError
from school_logistics.ledger.models import BudgetBin
from school_logistics.purchasing.expense_claims import claim_from_requisition
from school_logistics.workflow import actions
from tests.purchasing.test_budget import allot, requisition
from tests.stores.factories import make_items, make_supplier
from tests.workflow.conftest import pending

CLAIM = "Expense Claim"
D = Decimal


@pytest.fixture
def budgeted(users) -> None:
    """语文组 has 1,000 yuan of 办公用品费 and 600 of 电话费 this year."""
    make_items(users["purchaser"])
    allot(users, "办公用品费", "1000")
    allot(users, "电话费", "600")


def line(name: str = "办公用品费") -> BudgetBin:
    return BudgetBin.objects.get(budget_line=name)


def approved_requisition(users, rate: str = "600") -> Document:
    doc = requisition(users, rate)
    return services.submit_document("Material Requisition", doc.name, actor=users["teacher"])


def receive(users, requisition_name: str, rate: str, qty: str = "1") -> Document:
    supplier = Document.objects.filter(doctype="Supplier").first() or make_supplier(
        users["purchaser"], "甲文具公司", valid_until=timezone.localdate() + dt.timedelta(days=365)
    )
    doc = services.create_document(
        "Stock Receipt",
        {"title": "办公室用纸验收入库", "requisition": requisition_name,
         "supplier": supplier.name, "items": [{"item": "A4-70", "qty": qty, "rate": rate}]},
        actor=users["storekeeper"],
    )  # fmt: skip
    return services.submit_document("Stock Receipt", doc.name, actor=users["storekeeper"])


def claim(users, **values) -> Document:
    return services.create_document(
        CLAIM,
        {"expense_type": "电话费", "budget_line": "电话费",
         "items": [{"description": "10 月办公电话费", "invoice_no": "12345678", "amount": "180"}],
         **values},
        actor=users["teacher"],
    )  # fmt: skip


def test_a_purchase_is_reimbursed_only_after_its_goods_are_received(users, budgeted):
    req = approved_requisition(users)
    with pytest.raises(Exception, match="尚未验收入库"):
        claim_from_requisition(req.name, actor=users["teacher"])
    receive(users, req.name, "580")
    doc = claim_from_requisition(req.name, actor=users["teacher"])
    assert doc.data["department"] == "语文组" and doc.data["budget_line"] == "办公用品费"
    assert doc.data["payee"] == "甲文具公司"
    assert (doc.data["received_total"], doc.data["total"]) == ("580.00", "580.00")
    assert doc.data["title"] == "采购报销 580.00 元"


def test_a_purchase_is_not_reimbursed_beyond_what_was_received(users, budgeted):
    req = approved_requisition(users)
    receive(users, req.name, "580")
    with pytest.raises(DocumentValidationError, match="超过验收入库金额 ¥580.00") as exc:
        claim(users, expense_type="采购报销", requisition=req.name,
              items=[{"description": "用纸", "amount": "600"}])  # fmt: skip
    assert "items" in exc.value.errors
    claim_from_requisition(req.name, actor=users["teacher"])
    with pytest.raises(DocumentStateError, match="已全部报销"):
        claim_from_requisition(req.name, actor=users["teacher"])
    with pytest.raises(DocumentValidationError, match="其他报销单已报 ¥580.00"):
        claim(users, expense_type="采购报销", requisition=req.name,
              items=[{"description": "用纸", "amount": "1"}])  # fmt: skip


def test_a_delivery_in_parts_is_reimbursed_in_parts(users, budgeted):
    req = requisition(users, "300", items=[{"item": "A4-70", "qty": "2", "rate": "300"}])
    services.submit_document("Material Requisition", req.name, actor=users["teacher"])
    receive(users, req.name, "300")
    first = claim_from_requisition(req.name, actor=users["teacher"])
    services.submit_document(CLAIM, first.name, actor=users["teacher"])
    # Half came and is paid: the other half stays committed (已批未报销).
    assert (line().committed, line().spent) == (D("300.00"), D("300.00"))
    receive(users, req.name, "280")
    second = claim_from_requisition(req.name, actor=users["teacher"])
    assert second.data["total"] == "280.00"
    services.submit_document(CLAIM, second.name, actor=users["teacher"])
    assert (line().committed, line().spent, line().available) == (D("0"), D("580"), D("420"))


def test_reimbursing_spends_the_line_and_gives_back_the_commitment(users, budgeted):
    req = approved_requisition(users, "600")
    assert (line().committed, line().spent) == (D("600.00"), D("0.00"))
    receipt = receive(users, req.name, "580")
    doc = claim_from_requisition(req.name, actor=users["teacher"])
    services.submit_document(CLAIM, doc.name, actor=users["teacher"])
    # All that was asked for came and is paid: the 20 yuan the invoices came under is free.
    assert (line().committed, line().spent, line().available) == (D("0"), D("580"), D("420"))
    with pytest.raises(DocumentValidationError, match="请先作废报销单"):
        services.cancel_document("Material Requisition", req.name, actor=users["teacher"])
    services.cancel_document(CLAIM, doc.name, actor=users["finance"])
    assert (line().committed, line().spent) == (D("600.00"), D("0.00"))
    with pytest.raises(DocumentValidationError, match="请先作废入库单"):
        services.cancel_document("Material Requisition", req.name, actor=users["teacher"])
    services.cancel_document("Stock Receipt", receipt.name, actor=users["storekeeper"])
    services.cancel_document("Material Requisition", req.name, actor=users["teacher"])
    assert (line().committed, line().spent) == (D("0.00"), D("0.00"))


def test_running_costs_spend_their_line_and_never_beyond_it(users, budgeted):
    doc = claim(users)
    services.submit_document(CLAIM, doc.name, actor=users["teacher"])
    assert (line("电话费").spent, line("电话费").available) == (D("180.00"), D("420.00"))
    more = claim(users, items=[{"description": "11 月办公电话费", "amount": "450"}])
    with pytest.raises(DocumentValidationError, match="可用 420.00 元，本单 450.00 元"):
        services.submit_document(CLAIM, more.name, actor=users["teacher"])
    assert Document.objects.get(pk=more.pk).docstatus == DocStatus.DRAFT
    assert line("电话费").spent == D("180.00")


@pytest.mark.parametrize(
    ("values", "key", "message"),
    [
        ({"budget_line": "差旅费"}, "budget_line", "预算科目之一：办公用品费、电话费"),
        ({"requisition": "approved"}, "requisition", "只有采购报销才选择对应申购单"),
        ({"expense_type": "采购报销"}, "requisition", "采购报销须选择对应申购单"),
        ({"items": [{"description": "话费", "invoice_no": "12AB", "amount": "10"}]},
         "items.1.invoice_no", "8 到 20 位数字"),
        ({"items": [{"description": "话费", "amount": "0"}]}, "items.1.amount", "金额必须大于 0"),
    ],
)  # fmt: skip
def test_bad_claims_are_refused_with_the_field_named(users, budgeted, values, key, message):
    if values.get("requisition") == "approved":
        values = {"requisition": approved_requisition(users).name}
    with pytest.raises(DocumentValidationError) as exc:
        claim(users, **values)
    assert message in " ".join(exc.value.errors[key])
    assert not Document.objects.filter(doctype=CLAIM).exists()


def test_an_invoice_is_reimbursed_once(users, budgeted):
    claim(users)
    with pytest.raises(DocumentValidationError) as exc:
        claim(users, expense_type="打印费", budget_line="办公用品费")
    assert "已在报销单" in exc.value.errors["items.1.invoice_no"][0]


@pytest.mark.workflows
def test_the_claim_goes_to_the_head_the_office_and_finance(users, heads, budgeted):
    doc = claim(users)
    actions.start_approval(CLAIM, doc.name, actor=users["teacher"])
    for who in ("head", "purchaser", "finance"):
        actions.approve(pending(doc, users[who]).pk, actor=users[who])
    doc.refresh_from_db()
    assert (doc.docstatus, doc.workflow_state) == (DocStatus.SUBMITTED, "已报销")
    assert line("电话费").spent == D("180.00")


def test_the_requisitions_page_offers_the_claim_once_its_goods_are_received(
    client, users, budgeted
):
    req = approved_requisition(users)
    client.force_login(users["teacher"])
    page = f"/app/material-requisition/{req.name}"
    assert 'id="requisition-claim"' not in client.get(page).content.decode()
    receive(users, req.name, "580")
    shown = client.get(page).content.decode()
    assert 'id="btn-claim"' in shown and "已验收入库 <strong" in shown
    response = client.post(f"/app/reimburse/{req.name}")
    claim = Document.objects.get(doctype=CLAIM)
    assert response.url == f"/app/expense-claim/{claim.name}"
    shown = client.get(page).content.decode()
    assert claim.name in shown and 'id="btn-claim"' not in shown
    client.force_login(users["colleague"])  # may not read the teacher's requisition
    client.post(f"/app/reimburse/{req.name}")
    assert Document.objects.filter(doctype=CLAIM).count() == 1


def test_a_receipt_whose_purchase_was_reimbursed_stays_until_the_claim_is_cancelled(
    users, budgeted
):
    """Cancelled, its goods could be received and claimed a second time."""
    req = approved_requisition(users)
    receipt = receive(users, req.name, "580")
    doc = claim_from_requisition(req.name, actor=users["teacher"])
    services.submit_document(CLAIM, doc.name, actor=users["teacher"])
    with pytest.raises(DocumentValidationError, match=f"已报销（{doc.name}）：请先作废报销单"):
        services.cancel_document("Stock Receipt", receipt.name, actor=users["storekeeper"])
    assert Document.objects.get(pk=receipt.pk).docstatus == DocStatus.SUBMITTED
    services.cancel_document(CLAIM, doc.name, actor=users["finance"])
    services.cancel_document("Stock Receipt", receipt.name, actor=users["storekeeper"])


def test_goods_received_against_a_requisition_are_what_it_asked_for_no_more(users, budgeted):
    req = approved_requisition(users)  # one ream of A4-70
    with pytest.raises(DocumentValidationError, match="申购 1，已入库 0，本单 2：超出申购数量"):
        receive(users, req.name, "580", qty="2")
    receive(users, req.name, "580")
    with pytest.raises(DocumentValidationError, match="申购 1，已入库 1，本单 1"):
        receive(users, req.name, "580")
    with pytest.raises(DocumentValidationError, match="不在申购单"):
        services.create_document(
            "Stock Receipt",
            {"title": "另到一批", "requisition": req.name,
             "items": [{"item": "LAMP-T8", "qty": "1", "rate": "16"}]},
            actor=users["storekeeper"],
        )  # fmt: skip
    assert Document.objects.filter(doctype="Stock Receipt").count() == 1


def test_only_finance_cancels_a_booked_claim(users, budgeted, outsider):
    """Once finance booked it (已报销), the office that checked it may not take it back: the
    paid invoice could be claimed again."""
    req = approved_requisition(users)
    receive(users, req.name, "580")
    doc = claim_from_requisition(req.name, actor=users["teacher"])
    services.save_document(
        CLAIM, doc.name, {"items": [{**doc.data["items"][0], "invoice_no": "87654321"}]},
        actor=users["teacher"],
    )  # fmt: skip
    services.submit_document(CLAIM, doc.name, actor=users["teacher"])
    meta = get_meta(CLAIM)
    for who in (users["purchaser"], users["teacher"], users["colleague"], outsider):
        assert not permissions.has_permission(who, meta, "cancel", doc)
        with pytest.raises((PermissionDenied, Http404)):
            services.cancel_document(CLAIM, doc.name, actor=who)
        assert Document.objects.get(pk=doc.pk).docstatus == DocStatus.SUBMITTED
        assert line().spent == D("580.00")
    with pytest.raises(DocumentValidationError, match="发票 87654321 已在报销单"):
        claim(users, items=[{"description": "再报一次", "invoice_no": "87654321", "amount": "1"}])
    services.cancel_document(CLAIM, doc.name, actor=users["finance"])
    assert line().spent == D("0.00")


def test_a_second_claim_names_only_the_receipts_it_pays_for(users, budgeted):
    req = requisition(users, "300", items=[{"item": "A4-70", "qty": "2", "rate": "300"}])
    services.submit_document("Material Requisition", req.name, actor=users["teacher"])
    first_receipt = receive(users, req.name, "300")
    first = claim_from_requisition(req.name, actor=users["teacher"])
    assert first.data["items"][0]["description"] == f"办公室用纸（入库单 {first_receipt.name}）"
    services.submit_document(CLAIM, first.name, actor=users["teacher"])
    second_receipt = receive(users, req.name, "280")
    second = claim_from_requisition(req.name, actor=users["teacher"])
    assert second.data["items"][0]["description"] == f"办公室用纸（入库单 {second_receipt.name}）"
    assert second.data["total"] == "280.00"


def test_claims_in_parts_never_pay_more_than_was_approved(users, budgeted):
    """Approved at ¥10.00: goods are not received at ¥6,000, and claims split below the
    principal's amount add up to no more than what came, which is within what was approved."""
    req = approved_requisition(users, "10")
    with pytest.raises(DocumentValidationError, match="批准金额 ¥10.00，本单 ¥6,000.00"):
        receive(users, req.name, "6000")
    receive(users, req.name, "10")
    with pytest.raises(DocumentValidationError, match="超过验收入库金额 ¥10.00"):
        claim(users, expense_type="采购报销", requisition=req.name,
              items=[{"description": "用纸", "amount": "4000"}])  # fmt: skip
    half = claim(users, expense_type="采购报销", requisition=req.name,
                 items=[{"description": "用纸", "amount": "6"}])  # fmt: skip
    services.submit_document(CLAIM, half.name, actor=users["teacher"])
    with pytest.raises(DocumentValidationError, match="其他报销单已报 ¥6.00"):
        claim(users, expense_type="采购报销", requisition=req.name,
              items=[{"description": "用纸", "invoice_no": "11112222", "amount": "5"}])  # fmt: skip
    rest = claim_from_requisition(req.name, actor=users["teacher"])
    services.submit_document(CLAIM, rest.name, actor=users["teacher"])
    paid = Document.objects.filter(doctype=CLAIM, docstatus=DocStatus.SUBMITTED)
    assert sum(d.grand_total for d in paid) == D("10.00") == req.grand_total
    assert (line().committed, line().spent) == (D("0.00"), D("10.00"))
