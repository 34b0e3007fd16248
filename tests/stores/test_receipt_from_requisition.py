"""验收入库 from an approved requisition: a 入库单 for what it still waits for, at its rates."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection

from school_logistics.core import services
from school_logistics.core.models import Document
from school_logistics.core.models.document import DocStatus
from school_logistics.core.validation import DocumentValidationError
from school_logistics.ledger.models import StockBin
from tests.concurrency import submit_at_once
from tests.stores.factories import make_items

RECEIPT = "Stock Receipt"


@pytest.fixture
def approved(users) -> str:
    make_items(users["purchaser"])
    doc = services.create_document(
        "Material Requisition",
        {
            "purpose": "期中考试用纸及教室照明",
            "items": [
                {"item": "A4-70", "qty": "10", "rate": "23.50"},
                {"item": "LAMP-T8", "qty": "12", "rate": "16"},
            ],
        },
        actor=users["teacher"],
    )
    services.submit_document("Material Requisition", doc.name, actor=users["teacher"])
    return doc.name


def receipts() -> list[Document]:
    return list(Document.objects.filter(doctype=RECEIPT).order_by("name"))


def test_the_storekeeper_receives_a_partial_delivery_then_the_rest(client, users, approved):
    client.force_login(users["storekeeper"])
    response = client.post(f"/app/stock/receive/{approved}")
    first = receipts()[0]
    assert response.url == f"/app/stock-receipt/{first.name}"
    assert first.data["requisition"] == approved
    assert first.data["title"] == "期中考试用纸及教室照明 验收入库"
    assert [(r["item"], r["qty"], r["rate"]) for r in first.data["items"]] == [
        ("A4-70", "10.000", "23.50"),
        ("LAMP-T8", "12.000", "16.00"),
    ]
    # Only 8 tubes came: the storekeeper corrects the row, then submits.
    rows = [first.data["items"][0], {**first.data["items"][1], "qty": "8"}]
    services.save_document(RECEIPT, first.name, {"items": rows}, actor=users["storekeeper"])
    services.submit_document(RECEIPT, first.name, actor=users["storekeeper"])
    page = client.get(f"/app/material-requisition/{approved}").content.decode()
    assert "验收入库" in page and 'id="btn-receive"' in page and first.name in page

    client.post(f"/app/stock/receive/{approved}")
    rest = receipts()[1]
    assert [(r["item"], r["qty"]) for r in rest.data["items"]] == [("LAMP-T8", "4.000")]
    services.submit_document(RECEIPT, rest.name, actor=users["storekeeper"])
    assert StockBin.objects.get(item="LAMP-T8").qty == Decimal("12")

    again = client.post(f"/app/stock/receive/{approved}", follow=True).content.decode()
    assert "的物资已全部入库" in again
    assert len(receipts()) == 2
    assert 'id="btn-receive"' not in again


def test_the_requester_sees_what_arrived_but_cannot_receive(client, users, approved):
    client.force_login(users["teacher"])
    page = client.get(f"/app/material-requisition/{approved}").content.decode()
    assert "待入库" in page and 'id="btn-receive"' not in page
    assert client.post(f"/app/stock/receive/{approved}").status_code == 403
    assert receipts() == []


def test_a_requisition_not_approved_is_not_received(client, users, approved):
    draft = services.create_document(
        "Material Requisition",
        {"purpose": "拖把", "items": [{"item": "TAP-15", "qty": "1", "rate": "38"}]},
        actor=users["teacher"],
    )
    client.force_login(users["storekeeper"])
    refused = client.post(f"/app/stock/receive/{draft.name}", follow=True).content.decode()
    assert f"申购单 {draft.name} 尚未审批通过，不能入库" in refused
    with pytest.raises(DocumentValidationError) as typed:
        services.create_document(
            RECEIPT,
            {
                "title": "入库",
                "requisition": draft.name,
                "items": [{"item": "TAP-15", "qty": "1", "rate": "38"}],
            },
            actor=users["storekeeper"],
        )
    assert typed.value.errors == {"requisition": [f"申购单 {draft.name} 尚未审批通过，不能入库"]}
    assert receipts() == []


def draft_receipt(users, requisition: str, qty: str) -> str:
    return services.create_document(
        RECEIPT,
        {
            "title": "复印纸分批到货",
            "requisition": requisition,
            "items": [{"item": "A4-70", "qty": qty, "rate": "23.50"}],
        },
        actor=users["storekeeper"],
    ).name


def test_two_drafts_within_the_requisition_are_not_both_submitted_beyond_it(users, approved):
    """Each draft fits what is left when saved; together they do not: submitting re-counts."""
    first, second = draft_receipt(users, approved, "6"), draft_receipt(users, approved, "6")
    services.submit_document(RECEIPT, first, actor=users["storekeeper"])
    with pytest.raises(DocumentValidationError) as refused:
        services.submit_document(RECEIPT, second, actor=users["storekeeper"])
    assert refused.value.messages() == ["“A4-70”申购 10，已入库 6，本单 6：超出申购数量"]
    assert Document.objects.get(name=second).docstatus == DocStatus.DRAFT
    assert StockBin.objects.get(item="A4-70").qty == Decimal("6")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_receipts_submitted_at_once_cannot_both_take_the_requisitions_rest(users, approved):
    if connection.vendor != "postgresql":
        pytest.skip("runs in the PostgreSQL pass")
    drafts = [draft_receipt(users, approved, "6") for _ in range(2)]
    assert submit_at_once(RECEIPT, drafts, users["storekeeper"]) == ["refused", "submitted"]
    submitted = Document.objects.filter(doctype=RECEIPT, docstatus=DocStatus.SUBMITTED)
    assert submitted.count() == 1
    assert StockBin.objects.get(item="A4-70").qty == Decimal("6")
