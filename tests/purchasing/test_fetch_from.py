"""Row fields filled from the item a row names (`fetch_from`): name, unit, reference price."""

from __future__ import annotations

from decimal import Decimal

import pytest

from school_logistics.core import services
from school_logistics.core.models import Document
from school_logistics.core.validation import DocumentValidationError

MR = "Material Requisition"


def test_a_row_without_a_rate_takes_the_items_reference_price(users, items):
    doc = services.create_document(
        MR,
        {
            "purpose": "期中考试用纸",
            "items": [
                {"item": "A4-70", "qty": "10"},  # 23.50 from the item
                {"item": "LAMP-T8", "qty": "2", "rate": "15", "uom": "根"},  # typed: they stand
            ],
        },
        actor=users["teacher"],
    )
    first, second = doc.data["items"]
    assert (first["item_name"], first["uom"], first["rate"], first["amount"]) == (
        "A4复印纸",
        "包",
        "23.50",
        "235.00",
    )
    assert first["specification"] == "70g 500张/包"
    assert (second["item_name"], second["uom"], second["rate"]) == ("日光灯管", "根", "15.00")
    assert doc.grand_total == Decimal("265.00")


def test_another_item_brings_its_own_name_but_keeps_a_typed_rate(users, items):
    doc = services.create_document(
        MR, {"purpose": "维修", "items": [{"item": "A4-70", "qty": "1"}]}, actor=users["teacher"]
    )
    row = doc.data["items"][0]
    doc = services.save_document(
        MR,
        doc.name,
        {"items": [{"name": row["name"], "item": "TAP-15", "qty": "1", "rate": row["rate"]}]},
        actor=users["teacher"],
    )
    row = doc.data["items"][0]
    assert row["item_name"] == "水龙头"  # read-only: always the linked item's
    assert row["rate"] == "23.50"  # sent by the form: an input the user may have typed


def test_no_rate_typed_and_none_on_the_item_is_refused(users, items):
    services.save_document("Item", "DESK-1", {"reference_price": ""}, actor=users["storekeeper"])
    with pytest.raises(DocumentValidationError) as exc:
        services.create_document(
            MR,
            {"purpose": "新课桌", "items": [{"item": "DESK-1", "qty": "2"}]},
            actor=users["teacher"],
        )
    assert exc.value.errors["items.1.rate"] == ["物资明细第 1 行：预估单价：此项为必填项"]
    assert not Document.objects.filter(doctype=MR).exists()


def test_a_form_being_filled_in_previews_the_fetched_rate(users, items):
    preview = services.preview_document(
        MR, {"items": [{"item": "DESK-1", "qty": "30"}]}, actor=users["teacher"]
    )
    assert preview.data["items"][0]["rate"] == "280.00"
    assert preview.grand_total == Decimal("8400.00")
