"""作废 of an approved requisition: not while goods received against it stay in the store, nor
while a tender buys it; and a tender is not decided for a requisition cancelled meanwhile."""

from __future__ import annotations

from decimal import Decimal

import pytest

from school_logistics.core import services
from school_logistics.core.models import Document
from school_logistics.core.models.document import DocStatus
from school_logistics.core.validation import DocumentValidationError
from school_logistics.ledger.models import BudgetBin
from school_logistics.purchasing.expense_claims import claim_from_requisition
from school_logistics.workflow import actions
from tests.purchasing.test_budget import allot
from tests.purchasing.test_tender import tender_values
from tests.workflow.conftest import pending, send_and_approve

REQ = "Material Requisition"
RECEIPT = "Stock Receipt"


@pytest.fixture
def approved(users, items) -> Document:
    """语文组's 200 reams at ¥1.00, committed against its ¥1,000 of 办公用品费."""
    allot(users, "办公用品费", "1000")
    doc = services.create_document(
        REQ,
        {"purpose": "练习纸", "budget_line": "办公用品费",
         "items": [{"item": "A4-70", "qty": "200", "rate": "1"}]},
        actor=users["teacher"],
    )  # fmt: skip
    send_and_approve(doc, users["teacher"])
    return Document.objects.get(pk=doc.pk)


def committed() -> Decimal:
    return BudgetBin.objects.get(budget_line="办公用品费").committed


def refused_cancel(users, requisition: Document, who: str = "teacher") -> str:
    with pytest.raises(DocumentValidationError) as refused:
        services.cancel_document(REQ, requisition.name, actor=users[who])
    assert Document.objects.get(pk=requisition.pk).docstatus == DocStatus.SUBMITTED
    return " ".join(refused.value.messages())


def test_a_requisition_whose_goods_came_is_not_cancelled(users, approved):
    receipt = services.create_document(
        RECEIPT,
        {"title": "练习纸到货", "requisition": approved.name,
         "items": [{"item": "A4-70", "qty": "150", "rate": "1"}]},
        actor=users["storekeeper"],
    )  # fmt: skip
    services.submit_document(RECEIPT, receipt.name, actor=users["storekeeper"])
    for who in ("teacher", "purchaser"):  # the requester, and the office that may cancel too
        assert refused_cancel(users, approved, who) == (
            f"申购单已验收入库（{receipt.name}）：请先作废入库单，再作废申购单"
        )
    # Nothing given back: 150 came and are claimed against the commitment.
    assert committed() == Decimal("200.00")
    assert Document.objects.get(pk=receipt.pk).docstatus == DocStatus.SUBMITTED
    assert claim_from_requisition(approved.name, actor=users["teacher"]).data["total"] == "150.00"
    # The goods go back first; then the requisition may go, and its commitment with it.
    services.cancel_document(RECEIPT, receipt.name, actor=users["storekeeper"])
    services.cancel_document(REQ, approved.name, actor=users["teacher"])
    assert committed() == Decimal("0.00")


def test_a_requisition_a_live_tender_buys_is_not_cancelled(users, approved, suppliers):
    values = tender_values(suppliers, requisitions=[{"requisition": approved.name}])
    draft = services.create_document("Tender", values, actor=users["purchaser"])
    message = f"申购单已列入招标/询价 {draft.name}：请先作废或删除该招标/询价，再作废申购单"
    assert refused_cancel(users, approved) == message
    services.submit_document("Tender", draft.name, actor=users["purchaser"])
    assert refused_cancel(users, approved) == message
    assert committed() == Decimal("200.00")
    services.cancel_document("Tender", draft.name, actor=users["purchaser"])
    services.cancel_document(REQ, approved.name, actor=users["teacher"])  # a cancelled one: free
    assert committed() == Decimal("0.00")


@pytest.mark.workflows
def test_a_requisition_in_a_tender_awaiting_approval_is_not_cancelled(
    users, heads, approved, suppliers
):
    values = tender_values(suppliers, requisitions=[{"requisition": approved.name}])
    tender = services.create_document("Tender", values, actor=users["purchaser"])
    actions.start_approval("Tender", tender.name, actor=users["purchaser"])
    assert tender.name in refused_cancel(users, approved)


@pytest.mark.workflows
def test_the_last_approval_of_a_tender_checks_its_requisitions_again(
    users, heads, approved, suppliers
):
    """Its approvers decide what was saved: a requisition cancelled since is refused then."""
    values = tender_values(suppliers, requisitions=[{"requisition": approved.name}])
    tender = services.create_document("Tender", values, actor=users["purchaser"])
    actions.start_approval("Tender", tender.name, actor=users["purchaser"])
    # The office may not approve its own: its step goes to the administrator.
    actions.approve(pending(tender, users["admin"]).pk, actor=users["admin"])
    Document.objects.filter(pk=approved.pk).update(docstatus=DocStatus.CANCELLED)
    with pytest.raises(DocumentValidationError) as refused:
        actions.approve(pending(tender, users["principal"]).pk, actor=users["principal"])
    assert refused.value.errors == {
        "requisitions.1.requisition": [f"申购单第 1 行：申购单 {approved.name} 已作废，不能招标"]
    }
    tender.refresh_from_db()
    assert tender.docstatus == DocStatus.DRAFT
