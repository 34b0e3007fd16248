"""验收入库 from an approved requisition: a 入库单 for what it still waits for, at its rates."""

from __future__ import annotations

from decimal import Decimal

import pytest

from school_logistics.core import services
from school_logistics.core.models import Document
from school_logistics.core.validation import DocumentValidationError
from school_logistics.ledger.models import StockBin
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
