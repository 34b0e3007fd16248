from decimal import Decimal

from school_logistics.core import services


def test_requisition_total(users):
    services.create_document(
        "Item",
        {
            "item_code": "P-A4",
            "item_name": "A4复印纸",
            "category": "办公用品",
            "uom": "箱",
            "reference_price": "120",
        },
        actor=users["storekeeper"],
    )
    doc = services.create_document(
        "Material Requisition",
        {"purpose": "期中考试用纸", "items": [{"item": "P-A4", "qty": "3", "rate": "120.5"}]},
        actor=users["teacher"],
    )
    assert doc.grand_total == Decimal("361.50")
    assert doc.name.startswith("REQ-")
    assert doc.data["items"][0]["item_name"] == "A4复印纸"
